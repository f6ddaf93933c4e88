"""Where chunks of trials run: here, in local worker processes, or on a Dask cluster.

Trial ``i`` draws its random numbers from the seed and ``i`` alone, so the
results do not depend on the executor, the number of workers, the chunking or
the order in which chunks finish.  Process-wide settings (ignoring Ctrl-C,
keeping freed memory) are made in the workers only, never in the caller.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import pickle
import signal
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import RunError
from simulator.study.blas import one_blas_thread
from simulator.study.dask_executor import dask_threads, execute_dask
from simulator.study.memory import keep_freed_memory

#: Where chunks can run: this machine's cores, or a Dask distributed cluster.
EXECUTORS = ("local", "dask")
#: Times a chunk is run again after the local worker running it died.
LOCAL_RETRIES = 3
#: Memory a local worker needs at full national scale, and at any scale (measured peak
#: 425 MiB at scale 1 by benchmarks/bench_scale.py, with a margin).
WORKER_BYTES_PER_SCALE = 400 * 2**20
WORKER_BYTES_BASE = 150 * 2**20


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


def available_memory() -> int | None:
    """Bytes of memory new processes can use now (Linux ``MemAvailable``), or ``None``."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def worker_bytes(scale: float) -> int:
    """About how much memory one worker needs for a market of ``scale``."""
    return int(WORKER_BYTES_BASE + WORKER_BYTES_PER_SCALE * scale)


def prepare_execution(executor=None, workers=None, scheduler=None, *, scale=1.0) -> Execution:
    """Resolve and check where chunks will run, before anything is written.

    A scheduler alone means ``executor="dask"``; ``workers`` defaults to all
    cores, as many as the memory available holds for a market of ``scale``;
    with Dask, ``workers`` becomes the cluster's total worker threads (the
    scheduler is contacted, then left).  Raises :class:`RunError` (one line
    naming the option) when the executor is unknown, more workers are asked
    for than memory holds, the extra is not installed, no scheduler is given
    or it cannot be reached, or the cluster has no workers.
    """
    executor = executor or ("dask" if scheduler else "local")
    if executor not in EXECUTORS:
        raise RunError(
            "--executor", message=f"expected one of {', '.join(EXECUTORS)}, found {executor!r}"
        )
    if executor == "dask":
        return Execution(executor="dask", workers=dask_threads(scheduler), scheduler=str(scheduler))
    if scheduler is not None:
        raise RunError("--scheduler", message="is only used with --executor dask")
    free = available_memory()
    fit = max(1, free // worker_bytes(scale)) if free is not None else None
    if workers is None:
        return Execution(workers=min(default_workers(), fit or default_workers()))
    if fit is not None and workers > fit:
        raise RunError(
            "--workers",
            message=f"{workers} workers need about {workers * worker_bytes(scale) / 2**30:.1f} "
            f"GiB at scale {scale:g}, and {free / 2**30:.1f} GiB is available: use --workers "
            f"{fit} or fewer",
        )
    return Execution(workers=max(1, workers))


def execute(task, plan, chunks, execution: Execution, on_chunk) -> None:
    """Run ``task(plan, chunk)`` for every chunk; call ``on_chunk(result)`` here as each finishes.

    Locally with one worker the chunks run in this process, one after the
    other; with more, in that many worker processes (started with "spawn", so
    nothing of this process's state leaks into them; they ignore Ctrl-C,
    which this process handles by stopping them, and die with it).  A chunk
    whose worker dies is run again in new workers, up to
    :data:`LOCAL_RETRIES` times.  On Dask each task is retried if it fails,
    and the chunks of a worker that dies are re-run by the scheduler on
    another (:mod:`simulator.study.dask_executor`).  Chunks are handed out a
    few at a time (twice as many as run at once), and each result is dropped
    once ``on_chunk`` has seen it, so neither this process nor the workers
    hold more than a few chunks' tables.
    """
    chunks = [list(chunk) for chunk in chunks]
    if execution.executor == "dask":
        execute_dask(task, plan, chunks, execution.scheduler, on_chunk)
    elif execution.workers <= 1:
        for chunk in chunks:
            on_chunk(task(plan, chunk))
    else:
        _execute_local(task, plan, chunks, execution.workers, on_chunk)


def _start_worker(parent: int) -> None:
    """A local worker: die with the parent, leave Ctrl-C to it, keep freed memory."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_freed_memory()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (``PR_SET_PDEATHSIG``)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when their pipe closes
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _execute_local(task, plan, chunks, workers, on_chunk) -> None:
    """Chunks in ``workers`` processes; the chunks of a worker that died are run again.

    Workers hand their results over in files, and only the file's name through
    the pool's pipe: a worker killed while writing a large result into the
    shared pipe would leave a half-written message there that blocks the pool
    for good, while a name is short enough to be written whole or not at all.
    """
    with tempfile.TemporaryDirectory(prefix="matchsim-chunks-") as handover:
        _run_local(functools.partial(_handed_over, task, handover), plan, chunks, workers, on_chunk)


def _handed_over(task, handover: str, plan, chunk):
    """Run ``task(plan, chunk)`` in a worker with one BLAS thread; pickle its result to a
    file; return the name."""
    one_blas_thread()
    result = task(plan, chunk)
    path = Path(handover) / f"chunk-{chunk[0]}-{os.getpid()}.pickle"
    with open(path, "wb") as file:
        pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
    return str(path)


def _taken_over(name: str):
    """The result a worker left in file ``name`` (which is then removed)."""
    path = Path(name)
    with open(path, "rb") as file:
        result = pickle.load(file)
    path.unlink()
    return result


def _run_local(task, plan, chunks, workers, on_chunk) -> None:
    todo = list(reversed(chunks))  # popped from the end: first chunk first
    tries = {tuple(chunk): 0 for chunk in chunks}
    while todo:
        pending = {}
        pool = _pool(workers)
        try:
            while todo or pending:
                while todo and len(pending) < 2 * workers:
                    pending[pool.submit(task, plan, todo[-1])] = todo[-1]  # may raise: broken
                    todo.pop()
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    result = _taken_over(future.result())  # raises if the worker died
                    del pending[future]
                    on_chunk(result)
                done = future = result = None  # let the finished results go
        except BrokenProcessPool:
            lost = list(pending.values())
            for chunk in lost:
                tries[tuple(chunk)] += 1
                if tries[tuple(chunk)] > LOCAL_RETRIES:
                    _stop(pool)
                    raise RunError(
                        "--workers",
                        message=f"a worker process died {LOCAL_RETRIES + 1} times running "
                        f"trials {chunk[0]} to {chunk[-1]} (out of memory, killed, or a script "
                        "that worker processes cannot import again, such as one read from "
                        "standard input: use --workers 1); the trials finished before are kept",
                    ) from None
            todo.extend(reversed(lost))
            _stop(pool)
            continue
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown(wait=True)


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now: a running chunk is lost; the finished ones are saved."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
