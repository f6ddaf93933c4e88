"""The chunks of a run: one Parquet file per table per run of consecutive trials.

A chunk is written atomically as its trials finish and records what made it
(the run's fingerprint, the seed, its table and trial range) in its file's
metadata, with page checksums.  An interrupted run resumes from the chunks
that are complete and its own; a chunk of another run, a damaged file or a
stray name is refused with one line naming it, or, when asked, discarded so
that its trials run again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator import files
from simulator.errors import RunError

#: The metadata key under which a chunk records what made it.
STAMP_KEY = b"matchsim.chunk"
NAME = re.compile(r"^([a-z_]+)-(\d{6,9})-(\d{6,9})\.parquet$")
#: What to do about it, said after every refusal.
DISCARD_HINT = "resume with --discard-bad-chunks to run its trials again"


class Chunks:
    """The ``chunks/`` folder of a run whose chunks carry ``stamp`` (fingerprint and seed)."""

    def __init__(self, directory, stamp: dict, *, discard: bool = False):
        self.directory = Path(directory)
        self.stamp = stamp
        self.discard = discard

    def __str__(self) -> str:
        return str(self.directory)

    def path(self, table: str, trials) -> Path:
        """Where a chunk's table is kept: named by its first and last trial."""
        return self.directory / f"{table}-{trials[0]:06d}-{trials[-1]:06d}.parquet"

    def write(self, trials, tables: dict[str, pd.DataFrame]) -> None:
        """Save a finished chunk's tables, each atomically, stamped with what made them."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for table, frame in tables.items():
            stamp = {**self.stamp, "table": table, "first": trials[0], "last": trials[-1]}
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
            arrow = arrow.replace_schema_metadata(
                {**(arrow.schema.metadata or {}), STAMP_KEY: json.dumps(stamp).encode()}
            )
            files.write_atomically(
                self.path(table, trials),
                lambda temporary, arrow=arrow: pq.write_table(
                    arrow, temporary, write_page_checksum=True
                ),
            )

    def read(self, trials, tables) -> dict[str, pd.DataFrame]:
        """The tables of a saved chunk (checked when the run resumed)."""
        return {table: _read(self.path(table, trials)) for table in tables}

    def finished(self, tables) -> list[range]:
        """The chunks whose every table is saved, checked and this run's, in trial order.

        Leftovers of a write cut short (a temporary file, a chunk missing one
        of its tables) are deleted so that those trials run again.  A file
        that is damaged, of another run, misnamed or overlapping another
        chunk raises :class:`RunError` naming it, or (``discard``) is deleted
        so that its trials run again.
        """
        discard = self.discard
        if self.directory.exists() and not self.directory.is_dir():
            raise RunError(str(self.directory), message="is a file, expected the chunks folder")
        if not self.directory.exists():
            return []
        for path in self.directory.glob(f"*{files.PARTIAL_SUFFIX}"):
            path.unlink()
        found: dict[str, dict[range, Path]] = {table: {} for table in tables}
        for path in sorted(self.directory.iterdir()):
            problem = self._problem(path, tables)
            if problem is None:
                table, first, last = _parse(path)
                found[table][range(first, last + 1)] = path
            elif discard:
                _remove(path)
            else:
                raise RunError(str(path), message=f"{problem}; {DISCARD_HINT}")
        complete = sorted(set.intersection(*(set(f) for f in found.values())), key=_start)
        for by_range in found.values():
            for trials, path in by_range.items():
                if trials not in complete:
                    path.unlink()
        return self._without_overlaps(complete, tables, discard)

    def _problem(self, path: Path, tables) -> str | None:
        """Why ``path`` is not a good chunk of this run, or ``None``."""
        if not path.is_file():
            return "is not a chunk file (a folder or special file in the chunks folder)"
        parsed = _parse(path)
        if parsed is None or parsed[0] not in tables or parsed[1] > parsed[2]:
            return "is not a chunk of this kind of run (unexpected name)"
        table, first, last = parsed
        try:
            stamp = json.loads(pq.read_schema(path).metadata[STAMP_KEY])
            _read(path)
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            return "is damaged or not a matchsim chunk (it cannot be read back whole)"
        expected = {**self.stamp, "table": table, "first": first, "last": last}
        if stamp != expected:
            return "was made by another run (its scenario, seed or trials differ from run.json)"
        return None

    def _without_overlaps(self, complete: list[range], tables, discard: bool) -> list[range]:
        kept: list[range] = []
        for trials in complete:
            if kept and trials.start < kept[-1].stop:
                paths = [self.path(table, trials) for table in tables]
                if not discard:
                    raise RunError(
                        str(paths[0]),
                        message=f"overlaps the chunk of trials {kept[-1].start} to "
                        f"{kept[-1].stop - 1}; {DISCARD_HINT}",
                    )
                for path in paths:
                    _remove(path)
                continue
            kept.append(trials)
        return kept

    def remove(self) -> None:
        """Delete the chunk files once every final output is written."""
        if not self.directory.is_dir():
            return
        for path in [*self.directory.glob("*.parquet"), *self.directory.glob("*.partial")]:
            path.unlink()
        self.directory.rmdir()


def _parse(path: Path):
    match = NAME.match(path.name)
    return None if match is None else (match[1], int(match[2]), int(match[3]))


def _read(path: Path) -> pd.DataFrame:
    return pq.read_table(path, page_checksum_verification=True).to_pandas()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        raise RunError(str(path), message="is a folder inside the chunks folder; remove it")
    path.unlink()


def _start(trials: range) -> int:
    return trials.start
