"""Where chunks of trials run: here, in local worker processes, or on a Dask cluster.

Trial ``i`` draws its random numbers from the seed and ``i`` alone, so the
results do not depend on the executor, the number of workers, the chunking or
the order in which chunks finish.  Process-wide settings (ignoring Ctrl-C,
keeping freed memory) are made in the workers only, never in the caller.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

from simulator.errors import RunError
from simulator.study.dask_executor import dask_threads, execute_dask
from simulator.study.memory import keep_freed_memory

#: Where chunks can run: this machine's cores, or a Dask distributed cluster.
EXECUTORS = ("local", "dask")


@dataclass(frozen=True, slots=True, kw_only=True)
class Execution:
    """Where chunks run; ``workers`` is how many run at once (it sizes the chunks)."""

    executor: str = "local"
    workers: int = 1
    scheduler: str | None = None


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prepare_execution(executor=None, workers=None, scheduler=None) -> Execution:
    """Resolve and check where chunks will run, before anything is written.

    A scheduler alone means ``executor="dask"``; ``workers`` defaults to all
    cores; with Dask, ``workers`` becomes the cluster's total worker threads
    (the scheduler is contacted, then left).  Raises :class:`RunError` (one
    line naming the option) when the executor is unknown, the extra is not
    installed, no scheduler is given or it cannot be reached, or the cluster
    has no workers.
    """
    executor = executor or ("dask" if scheduler else "local")
    if executor not in EXECUTORS:
        raise RunError(
            "--executor", message=f"expected one of {', '.join(EXECUTORS)}, found {executor!r}"
        )
    if executor == "local":
        if scheduler is not None:
            raise RunError("--scheduler", message="is only used with --executor dask")
        return Execution(executor="local", workers=max(1, workers or default_workers()))
    return Execution(executor="dask", workers=dask_threads(scheduler), scheduler=str(scheduler))


def execute(task, plan, chunks, execution: Execution, on_chunk) -> None:
    """Run ``task(plan, chunk)`` for every chunk; call ``on_chunk(result)`` here as each finishes.

    Locally with one worker the chunks run in this process, one after the
    other; with more, in that many worker processes (started with "spawn", so
    nothing of this process's state leaks into them; they ignore Ctrl-C,
    which this process handles by stopping them).  On Dask each task is
    retried up to :data:`DASK_RETRIES` times if it fails, and the chunks of a
    worker that dies are re-run by the scheduler on another.  Chunks are
    handed out a few at a time (twice as many as run at once), and each
    result is dropped once ``on_chunk`` has seen it, so neither this process
    nor the workers hold more than a few chunks' tables.
    """
    chunks = [list(chunk) for chunk in chunks]
    if execution.executor == "dask":
        execute_dask(task, plan, chunks, execution.scheduler, on_chunk)
    elif execution.workers <= 1:
        for chunk in chunks:
            on_chunk(task(plan, chunk))
    else:
        _execute_local(task, plan, chunks, execution.workers, on_chunk)


def _start_worker() -> None:
    """A local worker process: leave Ctrl-C to the parent (which stops it), keep freed memory."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_freed_memory()


def _execute_local(task, plan, chunks, workers, on_chunk) -> None:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
    todo = iter(chunks)
    pending = set()
    try:
        for chunk in itertools.islice(todo, 2 * workers):
            pending.add(pool.submit(task, plan, chunk))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_chunk(future.result())
                chunk = next(todo, None)
                if chunk is not None:
                    pending.add(pool.submit(task, plan, chunk))
            done = future = None  # let the finished results go
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()  # a running chunk is lost; the finished ones are saved
        raise
    pool.shutdown(wait=True)
