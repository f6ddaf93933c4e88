"""What the simulation commands (run, compare, sweep) share: options, progress, stopping.

Every simulation command can run its trials in local worker processes or on a
Dask cluster, and finish an interrupted run of its own with ``--resume DIR``:
the folder's ``run.json`` records the options the run was started with, and
only the trials whose chunks are missing from ``DIR/chunks`` run again.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

import click

from simulator.report.progress import TrialProgress
from simulator.study.estimates import OUTCOMES
from simulator.study.executors import EXECUTORS
from simulator.study.folder import RunFolder
from simulator.study.launch import open_study
from simulator.study.stopping import exit_status, resume_command, sigterm_stops

#: The options every simulation command shares: (flags, click.option keywords).
_OPTIONS = [
    (["--trials"], dict(type=click.IntRange(1), help="Simulated Match years (overrides the "
                        "scenario's `trials`).")),
    (["--seed"], dict(type=click.IntRange(0), help="Root seed (overrides the scenario's `seed`).")),
    (["--set", "overrides"], dict(multiple=True, metavar="KEY=VALUE", help="Change one scenario "
                                  "key, e.g. --set you.step2ck=250 (repeatable).")),
    (["--out"], dict(type=click.Path(file_okay=False), help="Output folder (must not exist or be "
                     "empty) [default: results/NAME-TIME].")),
    (["--workers"], dict(type=click.IntRange(1), help="Worker processes [default: all cores].")),
    (["--executor"], dict(type=click.Choice(EXECUTORS), help="Where the trials run: local worker "
                          "processes, or a Dask cluster (needs --scheduler) [default: local].")),
    (["--scheduler"], dict(metavar="ADDRESS", help="The Dask scheduler to run on, e.g. "
                           "tcp://HOST:8786 (implies --executor dask).")),
    (["--resume"], dict(type=click.Path(file_okay=False), metavar="DIR", help="Finish the "
                        "interrupted run in DIR: only its missing trials run, with the options "
                        "recorded in DIR/run.json.")),
    (["--discard-bad-chunks"], dict(is_flag=True, help="With --resume: delete chunks that are "
                                    "damaged or not this run's and run their trials again, "
                                    "instead of stopping.")),
]  # fmt: skip


def scenario_options(func):
    """The options every simulation command shares."""
    for flags, keywords in reversed(_OPTIONS):
        func = click.option(*flags, **keywords)(func)
    return func


#: ``--all-types``: the population's rows (run), every column (compare, sweep).
all_types_option = click.option("--all-types", is_flag=True, help="Also print every applicant "
    "type's chance and the fill rate (run), or every column (compare, sweep).")  # fmt: skip


#: ``--outcome``: the chance the differences and verdicts of compare and sweep read.
_outcome_option = click.option("--outcome", type=click.Choice(tuple(OUTCOMES)), default="match",
    show_default=True, help="The chance the differences and verdicts read: match (the Main "
    "Match), placed (a position through the Main Match or SOAP) or both (you and your "
    "partner matched; every strategy needs a [you.partner]).")  # fmt: skip


def comparison_options(func):
    """``--all-types`` and ``--outcome``, the options of compare and sweep."""
    return all_types_option(_outcome_option(func))


def prepare(command, scenario_file, options, *, extra=None, hint_options=(), check=None):
    """Open the study (see :func:`~simulator.study.launch.open_study`) and make its progress
    bar, which knows how to resume it; ``options`` are those of :func:`scenario_options`."""
    study = open_study(command, scenario_file, extra=extra, check=check, **options)
    hint = resume_command(command, scenario_file, hint_options, study.folder.path)
    return study, TrialProgress(study.start.scenario.name, hint, sys.stderr)


@contextmanager
def reported(folder: RunFolder):
    """Stop on Ctrl-C (exit 130) or SIGTERM (exit 143) keeping what finished; say where the
    outputs went."""
    started = time.perf_counter()
    try:
        with sigterm_stops():
            yield
    except KeyboardInterrupt as error:
        sys.exit(exit_status(error))
    finally:
        folder.unlock()
    click.echo(f"\nwrote {folder.path} in {time.perf_counter() - started:.0f} s")
