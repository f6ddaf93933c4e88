"""Chunks of trials on a Dask distributed cluster (the optional extra ``matchsim[dask]``).

``distributed`` is imported only when a Dask executor is asked for.  Each
task is retried if it raises; the chunks of a worker that dies are re-run by
the scheduler on another worker.
"""

from __future__ import annotations

import gc
import itertools

from simulator.errors import RunError
from simulator.study.memory import keep_freed_memory

#: Times Dask re-runs a chunk whose task raised.  (A worker that dies is handled by the
#: scheduler, which re-runs its chunks elsewhere: ``distributed.scheduler.allowed-failures``.)
DASK_RETRIES = 3
#: Seconds to wait for a Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT = 10


def dask_threads(scheduler) -> int:
    """The total worker threads of the cluster at ``scheduler`` (contacted, then left)."""
    client = _dask_client(scheduler)
    try:
        threads = sum(client.nthreads().values())
    finally:
        client.close()
    if threads == 0:
        raise RunError(
            "--scheduler",
            message=f"the Dask scheduler at {scheduler} has no workers; "
            f"start some with: dask worker {scheduler}",
        )
    return threads


def _dask_client(scheduler):
    """A ``distributed.Client`` connected to ``scheduler``, or a one-line :class:`RunError`."""
    try:
        from distributed import Client
    except ImportError:
        raise RunError(
            "--executor", message="dask needs the optional extra: pip install 'matchsim[dask]'"
        ) from None
    if not scheduler:
        raise RunError(
            "--executor", message="dask needs --scheduler ADDRESS, e.g. --scheduler tcp://HOST:8786"
        )
    problem = None
    try:
        return Client(str(scheduler), timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        problem = (str(error).splitlines() or [type(error).__name__])[0]
    gc.collect()  # close the half-made client now, not noisily at exit
    raise RunError(
        "--scheduler", message=f"cannot reach a Dask scheduler at {scheduler} ({problem})"
    )


def _on_dask_worker(task, plan, chunk):
    """A chunk on a Dask worker: keep freed memory there (idempotent), then run it."""
    keep_freed_memory()
    return task(plan, chunk)


def execute_dask(task, plan, chunks, scheduler, on_chunk) -> None:
    from distributed import as_completed

    client = _dask_client(scheduler)
    try:
        window = 2 * max(1, sum(client.nthreads().values()))
        todo = iter(chunks)

        def submit(chunk):
            return client.submit(
                _on_dask_worker, task, plan, chunk, retries=DASK_RETRIES, pure=False
            )

        running = as_completed(
            [submit(chunk) for chunk in itertools.islice(todo, window)], loop=client.loop
        )
        for future in running:
            result = future.result()
            future.release()  # the cluster may forget it
            on_chunk(result)
            del result
            chunk = next(todo, None)
            if chunk is not None:
                running.add(submit(chunk))
    finally:
        client.close()  # unfinished chunks are cancelled with the client
