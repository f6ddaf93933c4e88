"""What the simulation commands (run, compare, sweep) share: options, progress, stopping.

Every simulation command can run its trials in local worker processes or on a
Dask cluster, and finish an interrupted run of its own with ``--resume DIR``:
the folder's ``run.json`` records the options the run was started with, and
only the trials whose chunks are missing from ``DIR/chunks`` run again.
"""

from __future__ import annotations

import shlex
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

import click

from simulator.api import FINISHED
from simulator.errors import RunError
from simulator.study.executors import EXECUTORS, Execution, prepare_execution
from simulator.study.folder import RunFolder
from simulator.study.launch import Start, start_run
from simulator.study.simulate import Progress


def scenario_options(func):
    """The options every simulation command shares."""
    for option in reversed(
        [
            click.option(
                "--trials",
                type=click.IntRange(1),
                default=None,
                help="Simulated Match years (overrides the scenario's `trials`).",
            ),
            click.option(
                "--seed",
                type=click.IntRange(0),
                default=None,
                help="Root seed (overrides the scenario's `seed`).",
            ),
            click.option(
                "--set",
                "overrides",
                multiple=True,
                metavar="KEY=VALUE",
                help="Change one scenario key, e.g. --set you.step2ck=250 (repeatable).",
            ),
            click.option(
                "--out",
                type=click.Path(file_okay=False),
                default=None,
                help="Output folder (must not exist or be empty) [default: results/NAME-TIME].",
            ),
            click.option(
                "--workers",
                type=click.IntRange(1),
                default=None,
                help="Worker processes [default: all cores].",
            ),
            click.option(
                "--executor",
                type=click.Choice(EXECUTORS),
                default=None,
                help="Where the trials run: local worker processes, or a Dask cluster "
                "(needs --scheduler) [default: local].",
            ),
            click.option(
                "--scheduler",
                metavar="ADDRESS",
                default=None,
                help="The Dask scheduler to run on, e.g. tcp://HOST:8786 "
                "(implies --executor dask).",
            ),
            click.option(
                "--resume",
                type=click.Path(file_okay=False),
                default=None,
                metavar="DIR",
                help="Finish the interrupted run in DIR: only its missing trials run, "
                "with the options recorded in DIR/run.json.",
            ),
        ]
    ):
        func = option(func)
    return func


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """A simulation command ready to run: scenario, where it runs, its folder, its progress bar."""

    start: Start
    execution: Execution
    folder: RunFolder
    progress: Progress


def prepare(command, scenario_file, options, *, extra=None, hint_options=(), check=None):
    """Load (or resume) the scenario, ``check(scenario)`` it, check the executor, then make the
    folder: in that order, so that bad input leaves nothing behind.

    ``options`` are the values of :func:`scenario_options`, by name.
    """
    if options["resume"] is not None and options["out"] is not None:
        raise RunError(
            "--resume",
            message="cannot be combined with --out (a resumed run finishes in its own folder)",
        )
    loading = {name: options[name] for name in ("overrides", "trials", "seed", "resume")}
    start = start_run(command, scenario_file, finished=FINISHED[command], extra=extra, **loading)
    if check is not None:
        check(start.scenario)
    execution = prepare_execution(options["executor"], options["workers"], options["scheduler"])
    folder = start.folder(options["out"])
    words = [command, str(scenario_file), *map(str, hint_options), "--resume", str(folder.path)]
    return Prepared(
        start=start,
        execution=execution,
        folder=folder,
        progress=ProgressBar(f"{start.scenario.name}: trials", shlex.join(["matchsim", *words])),
    )


class ProgressBar(Progress):
    """A progress bar on stderr; when a run stops short, what was kept and how to finish it."""

    def __init__(self, label: str, hint: str):
        self.label, self.hint, self.bar = label, hint, None

    def begin(self, total: int, done: int) -> None:
        self.bar = click.progressbar(
            length=total, label=self.label, show_eta=True, show_pos=True, file=sys.stderr
        )
        self.bar.__enter__()
        self.bar.update(done)

    def advance(self, trials: int) -> None:
        self.bar.update(trials)

    def end(self) -> None:
        self.bar.__exit__(None, None, None)

    def stopped(self, error, done, total, folder) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        what = "interrupted" if isinstance(error, KeyboardInterrupt) else "stopped by an error"
        click.echo(f"\n{what}: {done} of {total} trials kept in {folder.chunks}", err=True)
        click.echo(f"to finish it: {self.hint}", err=True)


@contextmanager
def reported(folder: RunFolder):
    """Exit with status 130 on Ctrl-C (what finished is kept); say where the outputs went."""
    started = time.perf_counter()
    try:
        yield
    except KeyboardInterrupt:
        sys.exit(130)
    click.echo(f"\nwrote {folder.path} in {time.perf_counter() - started:.0f} s")
