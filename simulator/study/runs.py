"""A run on disk: chunks of trials run by workers, saved as they finish, combined in trial order.

Each finished chunk is written to ``DIR/chunks/`` at once (write to a temporary
name, then rename), so an interrupted run keeps every chunk it finished and
can be resumed: :func:`finished_chunks` lists what is there and
:func:`chunk_ranges` splits the missing trials into new chunks.  The final
``applicants.parquet`` and ``programs.parquet`` are the chunks in trial order,
appended as the run goes (:class:`CombinedTables`).
Output folders are never overwritten (a resumed run only completes its own).

Chunks run through :func:`execute`: in this process, in local worker processes
(``executor="local"``) or on a Dask distributed cluster (``executor="dask"``,
the optional extra ``matchsim[dask]``).  Trial ``i`` draws its random numbers
from the seed and ``i`` alone, so the results do not depend on the executor,
the number of workers, the chunking or the order in which chunks finish.
"""

from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from simulator.errors import ScenarioError
from simulator.files import write_parquet
from simulator.study.trials import ChunkResult, Plan, run_chunk

TABLES = ("applicants", "programs")
#: Where chunks can run: this machine's cores, or a Dask distributed cluster.
EXECUTORS = ("local", "dask")
#: Times Dask re-runs a chunk whose task raised.  (A worker that dies is handled by the
#: scheduler, which re-runs its chunks elsewhere: ``distributed.scheduler.allowed-failures``.)
DASK_RETRIES = 3
#: Seconds to wait for a Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT = 10
#: Most trials in one chunk: a worker holds one chunk's tables at a time.
MAX_CHUNK = 8


def new_run_dir(name: str, out=None, *, root: str | os.PathLike = "results") -> Path:
    """A fresh output folder: ``out``, or ``root/NAME-YYYYmmdd-HHMMSS``; never an existing one.

    A folder that cannot be created is one ``ScenarioError`` naming it.
    """
    try:
        return _new_run_dir(name, out, root)
    except ScenarioError:
        raise
    except OSError as error:
        where = out if out is not None else root
        raise ScenarioError(
            str(where), message=f"cannot create the output folder ({error.strerror or error})"
        ) from None


def _new_run_dir(name: str, out, root) -> Path:
    if out is not None:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise ScenarioError(
                str(path),
                message="already exists and is not empty; choose another --out "
                "(earlier results are never overwritten)",
            )
    else:
        Path(root).mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in range(1, 1000):
            path = Path(root) / (f"{name}-{stamp}" if suffix == 1 else f"{name}-{stamp}-{suffix}")
            try:
                path.mkdir()  # atomic: two runs never share a folder
                return path
            except FileExistsError:
                continue
        raise ScenarioError(str(root), message="no free output folder name; pass --out")
    path.mkdir(parents=True, exist_ok=True)
    return path


def chunk_ranges(trials, workers: int) -> list[list[int]]:
    """Split trial indices into chunks: about four per worker, at most eight trials each.

    Every chunk is a run of consecutive indices (its files are named by the
    first and last), so ``trials`` may have gaps: the missing trials of an
    interrupted run.  A run of consecutive trials is cut into chunks whose
    sizes differ by one at most (larger first), so that no worker is left
    with a long chunk to finish while the others wait.
    """
    trials = sorted(trials)
    if not trials:
        return []
    size = max(1, min(MAX_CHUNK, -(-len(trials) // (4 * max(workers, 1)))))
    chunks = []
    for _, run in itertools.groupby(enumerate(trials), key=lambda pair: pair[1] - pair[0]):
        run = [trial for _, trial in run]
        chunks += [piece.tolist() for piece in np.array_split(run, -(-len(run) // size))]
    return chunks


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prepare_executor(executor: str = "local", *, workers: int = 1, scheduler=None) -> int:
    """Check that chunks can run this way, before anything is written; return how many run at once.

    For ``"dask"`` this imports ``distributed`` and connects to ``scheduler``
    (then disconnects): the answer is the cluster's total worker threads.
    Raises :class:`ScenarioError` (one line naming the option) when the
    executor is unknown, the extra is not installed, no scheduler is given or
    it cannot be reached, or the cluster has no workers.
    """
    if executor not in EXECUTORS:
        raise ScenarioError(
            "--executor", message=f"expected one of {', '.join(EXECUTORS)}, found {executor!r}"
        )
    if executor == "local":
        if scheduler is not None:
            raise ScenarioError("--scheduler", message="is only used with --executor dask")
        return max(1, workers)
    client = _dask_client(scheduler)
    try:
        threads = sum(client.nthreads().values())
    finally:
        client.close()
    if threads == 0:
        raise ScenarioError(
            "--scheduler",
            message=f"the Dask scheduler at {scheduler} has no "
            f"workers; start some with: dask worker {scheduler}",
        )
    return threads


def execute(
    plan: Plan,
    chunks,
    *,
    executor: str = "local",
    workers: int = 1,
    scheduler=None,
    on_chunk=None,
    task=run_chunk,
) -> None:
    """Run ``chunks`` of trials; call ``on_chunk(result)`` in this process as each finishes.

    ``executor="local"`` with ``workers <= 1`` runs them here, one after the
    other; with ``workers > 1``, in that many worker processes (started with
    "spawn", so nothing of this process's state leaks into them; they ignore
    Ctrl-C, which this process handles by stopping them).
    ``executor="dask"`` submits them to the Dask scheduler at ``scheduler``
    (each task retried up to :data:`DASK_RETRIES` times if it fails; the
    chunks of a worker that dies are re-run by the scheduler on another).
    Chunks are handed out a few at a time (twice as many as run at once), and
    each result is dropped once ``on_chunk`` has seen it, so neither this
    process nor the workers hold more than a few chunks' tables.

    Results do not depend on the executor or on ``workers``: every trial
    draws its own random numbers from the seed and its index.  ``task`` is
    the function run on each chunk, ``task(plan, chunk)`` (tests substitute
    a failing one).
    """
    chunks = [list(chunk) for chunk in chunks]
    on_chunk = on_chunk or (lambda result: None)
    if executor == "dask":
        _execute_dask(plan, chunks, scheduler, on_chunk, task)
    elif executor != "local":
        prepare_executor(executor)  # raises for an unknown executor
    elif workers <= 1:
        for chunk in chunks:
            on_chunk(task(plan, chunk))
    else:
        _execute_local(plan, chunks, workers, on_chunk, task)


def _ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the parent, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _execute_local(plan, chunks, workers, on_chunk, task) -> None:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_ignore_interrupts
    )
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


def _dask_client(scheduler):
    """A ``distributed.Client`` connected to ``scheduler``, or a one-line :class:`ScenarioError`."""
    try:
        from distributed import Client
    except ImportError:
        raise ScenarioError(
            "--executor", message="dask needs the optional extra: pip install 'matchsim[dask]'"
        ) from None
    if not scheduler:
        raise ScenarioError(
            "--executor", message="dask needs --scheduler ADDRESS, e.g. --scheduler tcp://HOST:8786"
        )
    problem = None
    try:
        return Client(str(scheduler), timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        problem = (str(error).splitlines() or [type(error).__name__])[0]
    gc.collect()  # close the half-made client now, not noisily at exit
    raise ScenarioError(
        "--scheduler", message=f"cannot reach a Dask scheduler at {scheduler} ({problem})"
    )


def _execute_dask(plan, chunks, scheduler, on_chunk, task) -> None:
    from distributed import as_completed

    client = _dask_client(scheduler)
    try:
        window = 2 * max(1, sum(client.nthreads().values()))
        todo = iter(chunks)

        def submit(chunk):
            return client.submit(task, plan, chunk, retries=DASK_RETRIES, pure=False)

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


def chunk_path(directory: Path, table: str, trials) -> Path:
    """Where a chunk's table is kept: named by its first and last trial."""
    return Path(directory) / "chunks" / f"{table}-{trials[0]:06d}-{trials[-1]:06d}.parquet"


def write_chunk(directory: Path, result: ChunkResult) -> None:
    """Save a finished chunk, atomically: a crash leaves either the whole file or none."""
    for table in TABLES:
        path = chunk_path(directory, table, result.trials)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_parquet(getattr(result, table), path)


def read_chunks(directory: Path, table: str) -> list[tuple[range, Path]]:
    """The chunk files of ``table`` present in ``directory``, in trial order."""
    found = []
    for path in sorted((Path(directory) / "chunks").glob(f"{table}-*.parquet")):
        first, last = (int(x) for x in path.stem.split("-")[1:3])
        found.append((range(first, last + 1), path))
    return found


def finished_chunks(directory: Path, tables=TABLES) -> list[range]:
    """The chunks of an interrupted run that are complete (every table saved), in trial order.

    Anything else in ``DIR/chunks`` (a chunk whose other table was never
    written, a temporary file of a write that was cut short) is deleted, so
    that those trials run again and nothing is counted twice.
    """
    found = [{r: path for r, path in read_chunks(directory, table)} for table in tables]
    complete = sorted(set.intersection(*(set(f) for f in found)), key=lambda r: r.start)
    for table in found:
        for r, path in table.items():
            if r not in complete:
                path.unlink()
    for path in (Path(directory) / "chunks").glob("*.partial"):
        path.unlink()
    return complete


class CombinedTables:
    """Append finished chunks, in trial order, to ``DIR/applicants.parquet`` and friends as a run goes.

    Chunks finish in any order; :meth:`add` a chunk once its files are saved,
    and it is appended (read back from its files) as soon as every earlier
    trial's chunk has been, so the combined tables are in trial order whatever
    ran when or where, and little is left to write when the last chunk
    finishes.  Until :meth:`close`, the tables are ``TABLE.parquet.partial``;
    :meth:`close` renames them, :meth:`abort` (a run cut short) deletes them.
    """

    def __init__(self, directory: Path, tables=TABLES):
        self.directory = Path(directory)
        self.tables = tables
        self.next_trial = 0
        self.waiting: dict[int, range] = {}
        self.writers: dict[str, pq.ParquetWriter] = {}

    def _partial(self, table: str) -> Path:
        return self.directory / f"{table}.parquet.partial"

    def add(self, trials) -> None:
        """A chunk's files are saved: append it, and any chunks it was holding back."""
        trials = range(trials[0], trials[-1] + 1)
        self.waiting[trials.start] = trials
        while self.next_trial in self.waiting:
            chunk = self.waiting.pop(self.next_trial)
            for table in self.tables:
                piece = pq.read_table(chunk_path(self.directory, table, chunk))
                writer = self.writers.get(table)
                if writer is None:
                    writer = self.writers[table] = pq.ParquetWriter(
                        self._partial(table), piece.schema
                    )
                writer.write_table(piece.cast(writer.schema))
            self.next_trial = chunk.stop

    def close(self, trials: int) -> None:
        """All ``trials`` are appended: finish the tables under their own names."""
        if self.waiting or self.next_trial != trials:
            raise RuntimeError(f"trials {self.next_trial} to {trials - 1} were never added")
        for table in self.tables:
            self.writers.pop(table).close()
            os.replace(self._partial(table), self.directory / f"{table}.parquet")

    def abort(self) -> None:
        """The run stopped short: drop the half-written tables (the chunks stay)."""
        for table, writer in self.writers.items():
            writer.close()
            self._partial(table).unlink(missing_ok=True)
        self.writers.clear()


def remove_chunks(directory: Path) -> None:
    """Delete the chunk files once the combined tables are written."""
    chunks = Path(directory) / "chunks"
    if not chunks.exists():
        return
    for path in [*chunks.glob("*.parquet"), *chunks.glob("*.partial")]:
        path.unlink()
    chunks.rmdir()


def read_run_record(directory, command: str, *, finished: str, version: str) -> dict:
    """The ``run.json`` of an interrupted ``matchsim COMMAND`` run in ``directory``, to resume it.

    Raises :class:`ScenarioError` (naming the folder) when ``directory`` is not
    a run of ``command`` started by this version of matchsim, or when it is
    already complete (its ``finished`` file exists).
    """
    directory = Path(directory)
    path = directory / "run.json"
    if not directory.is_dir():
        raise ScenarioError(str(directory), message="no such folder to resume")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if not isinstance(record, dict) or "matchsim" not in record or "options" not in record:
        raise ScenarioError(
            str(directory),
            message="not a matchsim run that can be resumed "
            "(no run.json with the options it was started with)",
        )
    started = record.get("command", "run")
    if started != command:
        raise ScenarioError(
            str(directory),
            message=f"holds a matchsim {started} run, not a "
            f"{command} one; resume it with matchsim {started} ... --resume "
            f"{directory}",
        )
    if record["matchsim"] != version:
        raise ScenarioError(
            str(directory),
            message=f"was started by matchsim "
            f"{record['matchsim']}; this is {version}, whose trials may differ: "
            "start a new run",
        )
    if (directory / finished).exists():
        raise ScenarioError(
            str(directory), message=f"is already complete ({finished} exists); nothing to resume"
        )
    return record


def first_difference(recorded, now, prefix: str = ""):
    """The first dotted key whose value differs between two JSON-like trees, or ``None``."""
    if isinstance(recorded, dict) and isinstance(now, dict):
        for key in [*recorded, *(k for k in now if k not in recorded)]:
            found = first_difference(recorded.get(key), now.get(key), f"{prefix}{key}.")
            if found is not None:
                return found
        return None
    return None if recorded == now else prefix.rstrip(".") or "(the whole value)"
