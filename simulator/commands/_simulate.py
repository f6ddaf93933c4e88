"""What the simulation commands (run, compare, sweep) share: options, progress, stopping.

Every simulation command can run its trials in local worker processes or on a
Dask cluster, and finish an interrupted run of its own with ``--resume DIR``:
the folder's ``run.json`` records the options the run was started with, and
only the trials whose chunks are missing from ``DIR/chunks`` run again.
"""

from __future__ import annotations

import shlex
import signal
import sys
import time
from contextlib import contextmanager

import click

from simulator.study.executors import EXECUTORS
from simulator.study.folder import RunFolder
from simulator.study.launch import open_study
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
            click.option(
                "--discard-bad-chunks",
                is_flag=True,
                help="With --resume: delete chunks that are damaged or not this run's and run "
                "their trials again, instead of stopping.",
            ),
        ]
    ):
        func = option(func)
    return func


def prepare(command, scenario_file, options, *, extra=None, hint_options=(), check=None):
    """Open the study (see :func:`~simulator.study.launch.open_study`) and make its progress
    bar, which knows how to resume it; ``options`` are those of :func:`scenario_options`."""
    study = open_study(command, scenario_file, extra=extra, check=check, **options)
    words = [command, str(scenario_file), *map(str, hint_options), "--resume"]
    hint = shlex.join(["matchsim", *words, str(study.folder.path)])
    return study, ProgressBar(f"{study.start.scenario.name}: trials", hint)


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
        what = "stopped by an error"
        if isinstance(error, KeyboardInterrupt):
            what = "terminated" if isinstance(error, Terminated) else "interrupted"
        click.echo(f"\n{what}: {done} of {total} trials kept in {folder.chunks}", err=True)
        click.echo(f"to finish it: {self.hint}", err=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM, stopping a run as Ctrl-C does: what finished is kept."""


def _terminate(signum, frame):
    raise Terminated


@contextmanager
def reported(folder: RunFolder):
    """Stop on Ctrl-C (exit 130) or SIGTERM (exit 143) keeping what finished; say where the
    outputs went."""
    started = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except Terminated:
        sys.exit(143)
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
        folder.unlock()
    click.echo(f"\nwrote {folder.path} in {time.perf_counter() - started:.0f} s")
