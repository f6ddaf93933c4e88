"""The one loop that runs a study's trials into its folder, chunk by chunk, resumably.

Trials are cut into chunks (:func:`chunk_ranges`); each finished chunk's
tables are saved in the run folder at once, reduced to a small *digest* (the
tallies a summary needs, or the focal rows a comparison needs) and reported to
the caller's progress.  Chunks already in the folder (an interrupted run) are
read back, not run again.  Digests come back in trial order, so the figures do
not depend on which chunks ran when or where.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from simulator.study.executors import Execution, execute
from simulator.study.folder import RunFolder
from simulator.study.trials import Plan, run_chunk

#: Most trials in one chunk: a worker holds one chunk's tables at a time.
MAX_CHUNK = 8


class Progress:
    """What a study tells its caller as it goes; this default says nothing.

    The command line passes one that draws a progress bar and, when a run
    stops short, says what was kept and how to finish it.
    """

    def begin(self, total: int, done: int) -> None:
        """``total`` trials to simulate, of which ``done`` are already saved."""

    def advance(self, trials: int) -> None:
        """``trials`` more trials are saved."""

    def end(self) -> None:
        """Every trial is saved."""

    def stopped(self, error: BaseException, done: int, total: int, folder: RunFolder) -> None:
        """Stopped short by ``error``: ``done`` of ``total`` trials are kept in ``folder``."""


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


def simulate(
    plan: Plan,
    folder: RunFolder,
    execution: Execution,
    *,
    total: int,
    digest: Callable[[dict], object],
    on_saved: Callable[[range], None] = lambda trials: None,
    progress: Progress | None = None,
    task=run_chunk,
) -> list:
    """Run the trials ``0..total-1`` of ``plan`` missing from ``folder``; return the digests.

    ``digest(tables)`` reduces a chunk's tables (``{"applicants": ...}``, or
    ``{"focal": ...}`` for a plan without population) to what the caller
    keeps; ``on_saved(trials)`` is called once a chunk's files are saved.
    On any error or interrupt the finished chunks stay in the folder,
    ``progress.stopped`` is told, and the error propagates.  ``task`` runs
    one chunk (tests substitute a failing one).
    """
    progress = progress or Progress()
    tables = plan.tables
    digests = {}
    chunks = folder.chunks
    with folder.writing():
        finished_before = chunks.finished(tables)
    for trials in finished_before:
        digests[trials.start] = (len(trials), digest(chunks.read(trials, tables)))
        on_saved(trials)
    done = {t for first, (n, _) in digests.items() for t in range(first, first + n)}
    todo = chunk_ranges([t for t in range(total) if t not in done], execution.workers)

    def finished(result):
        with folder.writing():
            chunks.write(result.trials, result.tables)
        done.update(result.trials)  # saved: kept whatever happens next
        digests[result.trials[0]] = (len(result.trials), digest(result.tables))
        on_saved(result.trials)
        progress.advance(len(result.trials))

    progress.begin(total, len(done))
    try:
        execute(task, plan, todo, execution, finished)
    except BaseException as error:
        progress.stopped(error, len(done), total, folder)
        raise
    progress.end()
    return [digests[first][1] for first in sorted(digests)]
