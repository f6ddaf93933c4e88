"""A run folder on disk: its ``run.json``, the chunks of finished trials, its final outputs.

Each finished chunk is written to ``DIR/chunks/`` at once (atomically), so an
interrupted run keeps every chunk it finished and can be resumed:
:meth:`RunFolder.finished_chunks` lists what is there.  ``run.json`` records
how the run was started; a resumed run must match it.  Output folders are
never overwritten: a new run gets a new folder, a resumed run completes its own.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from simulator import files
from simulator.errors import RunError

#: The record of how a run was started, written first.
RECORD = "run.json"


class RunFolder:
    """The folder of one run; chunk files are ``chunks/TABLE-FIRST-LAST.parquet``."""

    def __init__(self, path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    @classmethod
    def create(cls, name: str, out=None, *, root="results") -> RunFolder:
        """A fresh folder: ``out`` (absent or empty), or ``root/NAME-YYYYmmdd-HHMMSS``.

        A folder that cannot be created, or an ``out`` that holds anything,
        is one :class:`RunError` naming it.
        """
        try:
            return cls(_new_folder(name, out, root))
        except OSError as error:
            where = out if out is not None else root
            raise RunError(
                str(where), message=f"cannot create the output folder ({error.strerror or error})"
            ) from None

    # ------------------------------------------------------------------ chunks

    @property
    def chunks(self) -> Path:
        return self.path / "chunks"

    def chunk_path(self, table: str, trials) -> Path:
        """Where a chunk's table is kept: named by its first and last trial."""
        return self.chunks / f"{table}-{trials[0]:06d}-{trials[-1]:06d}.parquet"

    def write_chunk(self, trials, tables: dict[str, pd.DataFrame]) -> None:
        """Save a finished chunk's tables, each atomically."""
        self.chunks.mkdir(parents=True, exist_ok=True)
        for table, frame in tables.items():
            files.write_parquet(frame, self.chunk_path(table, trials))

    def read_chunk(self, trials, tables) -> dict[str, pd.DataFrame]:
        """The tables of a saved chunk."""
        return {table: pd.read_parquet(self.chunk_path(table, trials)) for table in tables}

    def finished_chunks(self, tables) -> list[range]:
        """The chunks whose every table is saved, in trial order.

        Anything else in ``DIR/chunks`` (a chunk whose other table was never
        written, a temporary file of a write that was cut short) is deleted,
        so that those trials run again and nothing is counted twice.
        """
        found = [dict(self._chunk_files(table)) for table in tables]
        complete = sorted(set.intersection(*(set(f) for f in found)), key=lambda r: r.start)
        for table in found:
            for trials, path in table.items():
                if trials not in complete:
                    path.unlink()
        for path in self.chunks.glob(f"*{files.PARTIAL_SUFFIX}"):
            path.unlink()
        return complete

    def _chunk_files(self, table: str) -> list[tuple[range, Path]]:
        found = []
        for path in sorted(self.chunks.glob(f"{table}-*.parquet")):
            first, last = (int(x) for x in path.stem.split("-")[1:3])
            found.append((range(first, last + 1), path))
        return found

    def remove_chunks(self) -> None:
        """Delete the chunk files once every final output is written."""
        if not self.chunks.exists():
            return
        for path in [*self.chunks.glob("*.parquet"), *self.chunks.glob("*.partial")]:
            path.unlink()
        self.chunks.rmdir()

    # ------------------------------------------------------------------ outputs

    def write_json(self, name: str, value) -> None:
        """Write an output file ``name`` as JSON, atomically."""
        files.write_json(self.path / name, value)

    def write_parquet(self, name: str, frame: pd.DataFrame) -> None:
        """Write an output table ``name`` as Parquet, atomically."""
        files.write_parquet(frame, self.path / name)

    # ------------------------------------------------------------------ the record

    def write_record(self, record: dict) -> None:
        files.write_json(self.path / RECORD, record)

    def read_record(self, command: str, *, finished: str, version: str) -> dict:
        """The ``run.json`` of an interrupted ``matchsim COMMAND`` run here, to resume it.

        Raises :class:`RunError` (naming the folder) when this is not a run of
        ``command`` started by this version of matchsim, or when it is already
        complete (its ``finished`` file exists).
        """
        where = str(self.path)
        if not self.path.is_dir():
            raise RunError(where, message="no such folder to resume")
        try:
            record = json.loads((self.path / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        if not isinstance(record, dict) or "matchsim" not in record or "options" not in record:
            raise RunError(
                where,
                message="not a matchsim run that can be resumed "
                "(no run.json with the options it was started with)",
            )
        started = record.get("command", "run")
        if started != command:
            raise RunError(
                where,
                message=f"holds a matchsim {started} run, not a {command} one; resume it with "
                f"matchsim {started} ... --resume {self.path}",
            )
        if record["matchsim"] != version:
            raise RunError(
                where,
                message=f"was started by matchsim {record['matchsim']}; this is {version}, "
                "whose trials may differ: start a new run",
            )
        if (self.path / finished).exists():
            raise RunError(
                where, message=f"is already complete ({finished} exists); nothing to resume"
            )
        return record


def _new_folder(name: str, out, root) -> Path:
    if out is not None:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise RunError(
                str(path),
                message="already exists and is not empty; choose another --out "
                "(earlier results are never overwritten)",
            )
        path.mkdir(parents=True, exist_ok=True)
        return path
    Path(root).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in range(1, 1000):
        path = Path(root) / (f"{name}-{stamp}" if suffix == 1 else f"{name}-{stamp}-{suffix}")
        try:
            path.mkdir()  # atomic: two runs never share a folder
            return path
        except FileExistsError:
            continue
    raise RunError(str(root), message="no free output folder name; pass --out")
