"""Runs started from the web page: one at a time, in a background thread, as the CLI runs them.

A job saves the scenario the form described under ``results/scenarios/``,
opens the study as ``matchsim run`` (or ``compare``) does, in a new folder
under ``results/``, and runs it through the same library functions
(:func:`simulator.api.run_in`, :func:`~simulator.api.compare_in`), so the
folder holds the same files and can be resumed with the command the job page
shows.  The page polls :meth:`Job.status` while the job runs.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from simulator import api
from simulator.errors import MatchsimError
from simulator.report.progress import TrialProgress
from simulator.scenario.template import write_new
from simulator.study.launch import open_study
from simulator.study.stopping import resume_command
from simulator.study.variants import strategy_variants

__all__ = ["Job", "Jobs"]

_log = logging.getLogger(__name__)


@dataclass(eq=False)
class Job:
    """One run or comparison: its scenario file, output folder, progress and, once done,
    its result or the one-line error that stopped it."""

    number: int
    command: str
    scenario: Path
    folder: Path
    progress: TrialProgress = field(default_factory=TrialProgress)
    state: str = "queued"
    error: str = ""
    result: object = None

    @property
    def resume(self) -> str:
        """The command that finishes this job's run if it was stopped."""
        return resume_command(self.command, self.scenario, (), self.folder)

    def status(self) -> dict:
        """What the job page polls: state, trials done of the total, time left, error."""
        progress = self.progress
        left = progress.seconds_left()
        return {
            "state": self.state,
            "done": progress.done,
            "total": progress.total,
            "seconds_left": None if left is None else round(left, 1),
            "error": self.error,
        }


class Jobs:
    """The jobs of one web app: run one at a time, kept in memory while the server runs."""

    def __init__(self, results: Path, workers: int | None = None):
        self.results, self.workers = Path(results), workers
        self._jobs: dict[int, Job] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="matchsim-job")

    def get(self, number: int) -> Job | None:
        return self._jobs.get(number)

    def submit(self, text: str, *, compare: bool) -> Job:
        """Save scenario ``text`` and queue its run (``compare``: its strategies compared)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        with self._lock:
            number = next(self._numbers)
            name = f"web-{stamp}-{number}"
            scenario = write_new(self.results / "scenarios" / f"{name}.toml", text)
            job = Job(
                number=number,
                command="compare" if compare else "run",
                scenario=scenario,
                folder=self.results / name,
            )
            self._jobs[number] = job
        self._pool.submit(self._run, job)
        return job

    def _run(self, job: Job) -> None:
        job.state = "running"
        try:
            check = strategy_variants if job.command == "compare" else None
            study = open_study(
                job.command, job.scenario, out=job.folder, workers=self.workers, check=check
            )
            try:
                run = api.compare_in if job.command == "compare" else api.run_in
                job.result = run(study, progress=job.progress)
            finally:
                study.folder.unlock()
        except MatchsimError as error:
            job.state, job.error = "failed", str(error)
            return
        except Exception as error:  # shown in one line; the traceback goes to the server's log
            _log.exception("job %d failed", job.number)
            job.state, job.error = "failed", f"the run failed: {type(error).__name__}: {error}"
            return
        job.state = "finished"

    def close(self) -> None:
        """Wait for the job running now; drop the queued ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)
