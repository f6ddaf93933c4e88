"""Chunks of trials on a Dask distributed cluster (the optional extra ``matchsim[dask]``).

``distributed`` is imported only when a Dask executor is asked for.  Each
task is retried if it raises; the chunks of a worker that dies are re-run by
the scheduler on another worker.  Whatever answers at ``--scheduler`` is first
asked who it is, within a deadline, so that a wrong address, a server that is
not Dask or one that never answers is one :class:`RunError` line, not a hang or
a traceback; so is a scheduler lost mid-run.  TLS and client certificates come
from Dask's own configuration (``DASK_DISTRIBUTED__COMM__TLS__*``).
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import threading

from simulator.errors import RunError
from simulator.study.blas import one_blas_thread
from simulator.study.memory import keep_freed_memory

#: Times Dask re-runs a chunk whose task raised.  (A worker that dies is handled by the
#: scheduler, which re-runs its chunks elsewhere: ``distributed.scheduler.allowed-failures``.)
DASK_RETRIES = 3
#: Seconds to wait for a Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT = 10
#: Seconds allowed past ``DASK_CONNECT_TIMEOUT`` so that Dask's own "cannot connect"
#: message, rather than the overall deadline, reports an address that refuses connections.
_GRACE = 0.5


def dask_threads(scheduler) -> int:
    """The total worker threads of the cluster at ``scheduler`` (contacted, then left)."""
    client = _dask_client(scheduler)
    try:
        threads = sum(_lost_scheduler_is_an_error(scheduler, client.nthreads, "").values())
    finally:
        _close(client)
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
    _check_is_a_scheduler(str(scheduler))
    try:
        return Client(str(scheduler), timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except Exception as error:
        problem = _first_line(error)
    gc.collect()  # close the half-made client now, not noisily at exit
    raise RunError(
        "--scheduler", message=f"cannot reach a Dask scheduler at {scheduler} ({problem})"
    )


def _check_is_a_scheduler(address: str) -> None:
    """Ask ``address`` who it is, within the deadline; a :class:`RunError` unless a scheduler.

    Run in a thread of its own, so a caller's event loop (a notebook's) is no obstacle
    and a Ctrl-C is not held up by a connection attempt.
    """
    args = _connection_args(address)
    outcome = {}

    def ask():
        try:
            outcome["identity"] = asyncio.run(_identity(address, args))
        except BaseException as error:  # reported to the caller's thread below
            outcome["error"] = error

    asker = threading.Thread(target=ask, name="matchsim-dask-probe", daemon=True)
    asker.start()
    asker.join(DASK_CONNECT_TIMEOUT + _GRACE + 1)
    error, identity = outcome.get("error"), outcome.get("identity")
    if error is not None or "identity" not in outcome:
        raise RunError("--scheduler", message=_no_scheduler(address, error))
    kind = identity.get("type") if isinstance(identity, dict) else None
    if kind in ("Worker", "Nanny"):
        raise RunError(
            "--scheduler",
            message=f"{address} is a Dask worker, not a scheduler; give the scheduler's address",
        )
    if kind is None:
        raise RunError(
            "--scheduler",
            message=f"the server at {address} is not a Dask scheduler: "
            "it does not say who it is when asked",
        )


def _connection_args(address: str) -> dict:
    """A Dask client's connection arguments from Dask's configuration (TLS, if any).

    A :class:`RunError` if that configuration is unusable, or has no TLS for ``tls://``.
    """
    from distributed.security import Security

    try:
        args = Security().get_connection_args("client")
    except Exception as error:  # a certificate file that is missing or not PEM
        problem = _first_line(error)
        raise RunError(
            "--scheduler", message=f"Dask's TLS configuration fails: {problem}"
        ) from None
    if address.startswith("tls://") and args.get("ssl_context") is None:
        raise RunError(
            "--scheduler",
            message=f"{address} needs Dask's TLS configuration: set DASK_DISTRIBUTED__COMM__TLS"
            "__CA_FILE, __CLIENT__CERT and __CLIENT__KEY (or distributed.comm.tls in dask config)",
        )
    return args


async def _identity(address: str, args: dict):
    """What the server at ``address`` says it is, connecting as Dask's ``Client`` would."""
    from distributed.comm import connect

    async def ask():
        comm = await connect(address, timeout=DASK_CONNECT_TIMEOUT, **args)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    return await asyncio.wait_for(ask(), DASK_CONNECT_TIMEOUT + _GRACE)


def _no_scheduler(address: str, error) -> str:
    """Why asking ``address`` who it is failed (``error`` None: no answer by the deadline)."""
    from distributed.comm.core import CommClosedError, FatalCommClosedError

    if error is None or isinstance(error, TimeoutError):
        what = f"it accepted the connection but gave no answer within {DASK_CONNECT_TIMEOUT} s"
    elif isinstance(error, CommClosedError) and not isinstance(error, FatalCommClosedError):
        what = (
            "it closed the connection without answering (is the scheme, tcp:// or tls://, right?)"
        )
    elif isinstance(error, OSError):  # nothing accepted the connection
        return f"cannot reach a Dask scheduler at {address} ({_first_line(error)})"
    else:  # garbage that Dask's protocol could not read (or tried to allocate exabytes for)
        what = f"its answer is not Dask's protocol ({type(error).__name__})"
    return f"the server at {address} is not a Dask scheduler: {what}"


def _on_dask_worker(task, plan, chunk):
    """A chunk on a Dask worker: keep freed memory there (idempotent) and use one BLAS
    thread, then run it."""
    keep_freed_memory()
    one_blas_thread()
    return task(plan, chunk)


def execute_dask(task, plan, chunks, scheduler, on_chunk) -> None:
    """Run ``task(plan, chunk)`` for each chunk on the cluster, ``on_chunk`` each result.

    At most two chunks per worker thread are queued at once.  A chunk whose task
    raises (after its retries) raises here as it is; losing the scheduler is a
    :class:`RunError`, after ``on_chunk`` has had every chunk that finished before.
    """
    from distributed import as_completed

    client = _dask_client(scheduler)
    try:
        threads = _lost_scheduler_is_an_error(scheduler, client.nthreads, _KEPT)
        window = 2 * max(1, sum(threads.values()))
        todo = iter(chunks)

        def submit(chunk):
            return client.submit(
                _on_dask_worker, task, plan, chunk, retries=DASK_RETRIES, pure=False
            )

        running = as_completed(
            [submit(chunk) for chunk in itertools.islice(todo, window)], loop=client.loop
        )
        for future in running:
            if future.status != "error":  # a chunk's own error is raised as it is
                result = _lost_scheduler_is_an_error(scheduler, future.result, _KEPT)
            else:
                result = future.result()
            future.release()  # the cluster may forget it
            on_chunk(result)
            del result
            chunk = next(todo, None)
            if chunk is not None:
                running.add(submit(chunk))
    finally:
        _close(client)  # unfinished chunks are cancelled with it


def _close(client) -> None:
    """Close ``client``; quietly if it lost its scheduler (the :class:`RunError` says so).

    Otherwise Dask logs the traceback of the reconnection attempt that closing cancels.
    """
    logger = logging.getLogger("distributed.client")
    level = logger.level
    if client.status != "running":
        logger.setLevel(logging.CRITICAL)
    try:
        client.close(timeout=DASK_CONNECT_TIMEOUT)
    finally:
        logger.setLevel(level)


_KEPT = "; the chunks finished so far are kept, and the run can be resumed once it is back up"


def _lost_scheduler_is_an_error(scheduler, call, then: str):
    """``call()``, with the connection to the scheduler lost as one :class:`RunError` + ``then``."""
    try:
        return call()
    except Exception as error:  # a cancelled future says why: "scheduler-connection-lost"
        reason = getattr(error, "reason", None)
        problem = reason.replace("-", " ") if isinstance(reason, str) else _first_line(error)
    raise RunError(
        "--scheduler", message=f"lost the Dask scheduler at {scheduler} ({problem}){then}"
    )


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]
