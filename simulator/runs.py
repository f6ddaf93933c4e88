"""A run on disk: chunks of trials run by workers, saved as they finish, combined at the end.

Each finished chunk is written to ``DIR/chunks/`` at once (write to a temporary
name, then rename), so an interrupted run keeps every chunk it finished.  The
final ``applicants.parquet`` and ``programs.parquet`` are the chunks in trial
order.  Output folders are never overwritten.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.errors import ScenarioError
from simulator.trials import ChunkResult, Plan, run_chunk

TABLES = ("applicants", "programs")


def new_run_dir(name: str, out=None, *, root: str | os.PathLike = "results") -> Path:
    """A fresh output folder: ``out``, or ``root/NAME-YYYYmmdd-HHMMSS``; never an existing one."""
    if out is not None:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise ScenarioError(
                str(path), message="already exists and is not empty; choose another --out "
                "(earlier results are never overwritten)"
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
    """Split trial indices into chunks: about four per worker, at most eight trials each."""
    trials = list(trials)
    if not trials:
        return []
    size = max(1, min(8, -(-len(trials) // (4 * max(workers, 1)))))
    return [trials[i : i + size] for i in range(0, len(trials), size)]


def execute(plan: Plan, chunks, *, workers: int = 1, on_chunk=None):
    """Run ``chunks`` of trials; call ``on_chunk(result)`` in this process as each finishes.

    With ``workers > 1`` the chunks run in that many worker processes
    (started with "spawn", so nothing of this process's state leaks into
    them).  Results do not depend on ``workers``: every trial draws its own
    random numbers from the seed and its index.
    """
    if workers <= 1:
        for chunk in chunks:
            result = run_chunk(plan, chunk)
            if on_chunk is not None:
                on_chunk(result)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_chunk, plan, chunk) for chunk in chunks]
        try:
            for future in as_completed(futures):
                result = future.result()
                if on_chunk is not None:
                    on_chunk(result)
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def chunk_path(directory: Path, table: str, trials) -> Path:
    """Where a chunk's table is kept: named by its first and last trial."""
    return Path(directory) / "chunks" / f"{table}-{trials[0]:06d}-{trials[-1]:06d}.parquet"


def write_chunk(directory: Path, result: ChunkResult) -> None:
    """Save a finished chunk, atomically: a crash leaves either the whole file or none."""
    for table in TABLES:
        path = chunk_path(directory, table, result.trials)
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_parquet(getattr(result, table), path)


def read_chunks(directory: Path, table: str) -> list[tuple[range, Path]]:
    """The chunk files of ``table`` present in ``directory``, in trial order."""
    found = []
    for path in sorted((Path(directory) / "chunks").glob(f"{table}-*.parquet")):
        first, last = (int(x) for x in path.stem.split("-")[1:3])
        found.append((range(first, last + 1), path))
    return found


def combine_chunks(directory: Path) -> None:
    """Write ``applicants.parquet`` and ``programs.parquet``: every chunk, in trial order."""
    for table in TABLES:
        paths = [path for _, path in read_chunks(directory, table)]
        writer = None
        target = Path(directory) / f"{table}.parquet"
        temporary = target.with_suffix(".parquet.partial")
        try:
            for path in paths:
                piece = pq.read_table(path)
                if writer is None:
                    writer = pq.ParquetWriter(temporary, piece.schema)
                writer.write_table(piece.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()
        os.replace(temporary, target)


def remove_chunks(directory: Path) -> None:
    """Delete the chunk files once the combined tables are written."""
    chunks = Path(directory) / "chunks"
    for path in chunks.glob("*.parquet"):
        path.unlink()
    chunks.rmdir()


def write_json(path: Path, value) -> None:
    """Write JSON atomically."""
    temporary = Path(str(path) + ".partial")
    temporary.write_text(json.dumps(value, indent=2, allow_nan=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    temporary = Path(str(path) + ".partial")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), temporary)
    os.replace(temporary, path)
