"""A run's final tables, appended chunk by chunk in trial order while the run goes on."""

from __future__ import annotations

import contextlib
import os

import pyarrow.parquet as pq

from simulator.study.chunks import STAMP_KEY
from simulator.study.folder import RunFolder


class CombinedTables:
    """Append finished chunks, in trial order, to ``DIR/TABLE.parquet`` as a run goes.

    Chunks finish in any order; :meth:`add` a chunk once its files are saved,
    and it is appended (read back from its files) as soon as every earlier
    trial's chunk has been, so the combined tables are in trial order whatever
    ran when or where, and little is left to write when the last chunk
    finishes.  Until :meth:`close`, the tables are ``TABLE.parquet.partial``;
    :meth:`close` renames them, :meth:`abort` (a run cut short) deletes them.
    """

    def __init__(self, folder: RunFolder, tables):
        self.folder = folder
        self.tables = tuple(tables)
        self.next_trial = 0
        self.waiting: dict[int, range] = {}
        self.writers: dict[str, pq.ParquetWriter] = {}

    def _partial(self, table: str):
        return self.folder.path / f"{table}.parquet.partial"

    def add(self, trials) -> None:
        """A chunk's files are saved: append it, and any chunks it was holding back."""
        trials = range(trials[0], trials[-1] + 1)
        self.waiting[trials.start] = trials
        while self.next_trial in self.waiting:
            chunk = self.waiting.pop(self.next_trial)
            for table in self.tables:
                piece = pq.read_table(self.folder.chunks.path(table, chunk))
                metadata = piece.schema.metadata or {}
                piece = piece.replace_schema_metadata(
                    {k: v for k, v in metadata.items() if k != STAMP_KEY}
                )
                writer = self.writers.get(table)
                if writer is None:
                    writer = pq.ParquetWriter(self._partial(table), piece.schema)
                    self.writers[table] = writer
                writer.write_table(piece.cast(writer.schema))
            self.next_trial = chunk.stop

    def close(self, trials: int) -> None:
        """All ``trials`` are appended: finish the tables under their own names."""
        if self.waiting or self.next_trial != trials:
            raise RuntimeError(f"trials {self.next_trial} to {trials - 1} were never added")
        for table in self.tables:
            self.writers.pop(table).close()
            os.replace(self._partial(table), self.folder.path / f"{table}.parquet")

    def abort(self) -> None:
        """The run stopped short: drop the half-written tables (the chunks stay).

        Cleaning up never raises: the error that stopped the run is the one to report.
        """
        for table, writer in self.writers.items():
            with contextlib.suppress(OSError):  # a full disk may refuse the footer too
                writer.close()
            with contextlib.suppress(OSError):
                self._partial(table).unlink(missing_ok=True)
        self.writers.clear()
