"""What the simulation commands (run, compare, sweep) share: options, loading, the trial loop.

Every simulation command can run its trials in local worker processes or on a
Dask cluster (:func:`prepare_execution`), and finish an interrupted run of its
own with ``--resume DIR`` (:func:`load_run`, :func:`make_folder`): the
folder's ``run.json`` records the options the run was started with, and only
the trials whose chunks are missing from ``DIR/chunks`` run again.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import sys
from pathlib import Path

import click
import pandas as pd

from simulator import __version__
from simulator.errors import ScenarioError
from simulator.files import write_json, write_parquet
from simulator.market.published import load_published
from simulator.report import summaries as report
from simulator.scenario.scenario import load_scenario, scenario_to_dict, with_changes
from simulator.study import compare
from simulator.study.runs import (
    EXECUTORS,
    TABLES,
    CombinedTables,
    chunk_path,
    chunk_ranges,
    default_workers,
    execute,
    finished_chunks,
    first_difference,
    new_run_dir,
    prepare_executor,
    read_run_record,
    remove_chunks,
    write_chunk,
)
from simulator.study.trials import plan_for


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


def load_with_options(path, overrides, trials, seed):
    """Load a scenario and apply --set, --trials and --seed."""
    scenario = load_scenario(path, overrides)
    changes = {k: v for k, v in (("trials", trials), ("seed", seed)) if v is not None}
    return with_changes(scenario, changes) if changes else scenario


# --------------------------------------------------------------------------- starting and resuming


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Start:
    """A run about to start or resume: its scenario and what its ``run.json`` holds.

    ``resolved`` is the scenario as recorded (written into every output, so
    a resumed run's outputs equal an uninterrupted run's); ``resume`` is the
    folder of a resumed run, else ``None``.
    """

    scenario: object
    resolved: dict
    record: dict
    resume: Path | None = None


def load_run(
    command, scenario_file, *, overrides, trials, seed, out, resume, finished, extra=None
) -> Start:
    """Load the scenario of a new run, or check and re-load the one of a run to ``resume``.

    ``finished`` is the file a complete run of ``command`` has written last;
    ``extra`` are further options recorded in ``run.json`` (a sweep's
    ``param`` and ``values``).  A resumed run takes the ``--set``,
    ``--trials`` and ``--seed`` recorded in its ``run.json`` unless given
    again; the scenario they resolve to now must equal the recorded one (its
    file's path aside).  Raises :class:`ScenarioError` otherwise.
    """
    extra = _jsonable(extra or {})
    if resume is None:
        scenario = load_with_options(scenario_file, overrides, trials, seed)
        resolved = scenario_to_dict(scenario)
        options = {
            "scenario": str(scenario_file),
            "set": list(overrides),
            "trials": trials,
            "seed": seed,
        }
        record = {
            "matchsim": __version__,
            "command": command,
            **extra,
            "options": options,
            "scenario": resolved,
        }
        return Start(scenario=scenario, resolved=resolved, record=record)
    if out is not None:
        raise ScenarioError(
            "--resume",
            message="cannot be combined with --out (a resumed run finishes in its own folder)",
        )
    record = read_run_record(resume, command, finished=finished, version=__version__)
    options = record["options"]
    scenario = load_with_options(
        scenario_file,
        overrides or options.get("set", ()),
        trials if trials is not None else options.get("trials"),
        seed if seed is not None else options.get("seed"),
    )
    recorded = {k: v for k, v in record.get("scenario", {}).items() if k != "source"}
    now = {k: v for k, v in _jsonable(scenario_to_dict(scenario)).items() if k != "source"}
    recorded_extra = {k: record.get(k) for k in extra}
    key = first_difference(recorded_extra, extra) or first_difference(recorded, now)
    if key is not None:
        before, after = _at(recorded_extra | recorded, key), _at(extra | now, key)
        raise ScenarioError(
            str(resume),
            message=f"was started with another scenario ({key}: {before!r} "
            f"recorded in run.json, {after!r} now); resume it with the scenario file and "
            "options it was started with",
        )
    return Start(scenario=scenario, resolved=record["scenario"], record=record, resume=Path(resume))


def make_folder(start: Start, out) -> Path:
    """The output folder: a new one with its ``run.json``, or the resumed run's."""
    if start.resume is not None:
        return start.resume
    directory = new_run_dir(start.scenario.name, out)
    write_json(directory / "run.json", start.record)
    return directory


def resume_hint(command, scenario_file, directory, *options) -> str:
    """The command that finishes an interrupted run."""
    return shlex.join(
        ["matchsim", command, str(scenario_file), *map(str, options), "--resume", str(directory)]
    )


def _jsonable(value):
    return json.loads(json.dumps(report.to_jsonable(value)))


def _at(tree, key):
    for part in key.split("."):
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Execution:
    """Where chunks run (see :func:`simulator.study.runs.execute`); ``workers`` sizes the chunks."""

    executor: str
    workers: int
    scheduler: str | None = None


def prepare_execution(executor, workers, scheduler) -> Execution:
    """Resolve --executor, --workers and --scheduler, and check them before anything is written.

    ``--scheduler`` alone means ``--executor dask``; ``--workers`` defaults to
    all cores; with Dask, chunks are sized for the cluster's worker threads.
    """
    executor = executor or ("dask" if scheduler else "local")
    workers = workers or default_workers()
    slots = prepare_executor(executor, workers=workers, scheduler=scheduler)
    return Execution(executor=executor, workers=slots, scheduler=scheduler)


# --------------------------------------------------------------------------- the trial loop


def _stopped(error, done, total, directory, hint) -> None:
    """Say what an interrupted or failed run kept and how to finish it."""
    what = "interrupted" if isinstance(error, KeyboardInterrupt) else "stopped by an error"
    click.echo(f"\n{what}: {done} of {total} trials kept in {Path(directory) / 'chunks'}", err=True)
    if hint:
        click.echo(f"to finish it: {hint}", err=True)


def simulate_to_folder(
    scenario, plan, directory, workers, label, *, executor="local", scheduler=None, hint=None
):
    """Run the missing trials of ``plan`` into ``directory`` with a progress bar; return all tallies.

    Each chunk is saved as it finishes and appended, in trial order, to
    ``applicants.parquet`` and ``programs.parquet``, which are complete when
    this returns.  Chunks already in ``DIR/chunks`` (a resumed run) are not
    run again: their tallies are re-read from their tables.  The tallies are
    merged in trial order, so the figures do not depend on which chunks ran
    when or where.  On Ctrl-C what finished is kept, ``hint`` (how to resume)
    is printed and the command exits with status 130.
    """
    directory = Path(directory)
    tallies = {}
    combined = CombinedTables(directory)
    for trials in finished_chunks(directory):
        tables = [pd.read_parquet(chunk_path(directory, table, trials)) for table in TABLES]
        tallies[trials.start] = (len(trials), report.tallies(*tables))
        combined.add(trials)
    done = {t for first, (n, _) in tallies.items() for t in range(first, first + n)}
    chunks = chunk_ranges([t for t in range(scenario.trials) if t not in done], workers)
    with click.progressbar(
        length=scenario.trials, label=label, show_eta=True, show_pos=True, file=sys.stderr
    ) as bar:
        bar.update(len(done))

        def finished(result):
            write_chunk(directory, result)
            done.update(result.trials)  # saved: kept whatever happens next
            tallies[result.trials[0]] = (
                len(result.trials),
                report.tallies(result.applicants, result.programs),
            )
            combined.add(result.trials)
            bar.update(len(result.trials))

        try:
            execute(
                plan,
                chunks,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                on_chunk=finished,
            )
        except BaseException as error:
            combined.abort()
            _stopped(error, len(done), scenario.trials, directory, hint)
            if isinstance(error, KeyboardInterrupt):
                sys.exit(130)
            raise
    combined.close(scenario.trials)
    return report.merge_tallies([tallies[first][1] for first in sorted(tallies)])


def simulate_focal_to_folder(
    trials, plan, directory, workers, label, *, executor="local", scheduler=None, hint=None
):
    """Run trials ``0..trials-1`` of ``plan`` keeping only the focal copies' rows; return them.

    For compare and sweep: the plan is run with ``population=False``, so no
    population or program tables are built.  Each chunk's rows are saved to
    ``DIR/chunks/focal-FIRST-LAST.parquet`` as it finishes; at the end they are
    combined, in trial order, into ``DIR/focal.parquet`` (one row per focal
    copy per trial per variant) and the chunks are removed.  Chunks already
    there (a resumed run) are read back, not run again.  On Ctrl-C what
    finished is kept, ``hint`` (how to resume) is printed and the command
    exits with status 130.
    """
    directory = Path(directory)
    plan = dataclasses.replace(plan, population=False)
    pieces = {
        r.start: pd.read_parquet(chunk_path(directory, "focal", r))
        for r in finished_chunks(directory, tables=("focal",))
    }
    done = {t for rows in pieces.values() for t in set(rows["trial"])}
    chunks = chunk_ranges([t for t in range(trials) if t not in done], workers)
    with click.progressbar(
        length=trials, label=label, show_eta=True, show_pos=True, file=sys.stderr
    ) as bar:
        bar.update(len(done))

        def finished(result):
            rows = result.applicants.drop(columns="is_focal")
            path = chunk_path(directory, "focal", result.trials)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_parquet(rows, path)
            done.update(result.trials)
            pieces[result.trials[0]] = rows
            bar.update(len(result.trials))

        try:
            execute(
                plan,
                chunks,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                on_chunk=finished,
            )
        except BaseException as error:
            _stopped(error, len(done), trials, directory, hint)
            if isinstance(error, KeyboardInterrupt):
                sys.exit(130)
            raise
    focal = pd.concat([pieces[first] for first in sorted(pieces)], ignore_index=True)
    write_parquet(focal, directory / "focal.parquet")
    remove_chunks(directory)
    return focal


def simulate_variants(start: Start, variants, *, out, executor, workers, scheduler, hint_args):
    """Run the focal copies of every variant of ``start``'s scenario; return ``(folder, rows)``.

    What compare and sweep share: one plan whose variants share each trial's
    market, the executor, a fresh (or resumed) folder, and the focal rows.
    ``hint_args`` are the command and its arguments, for the resume hint.
    """
    scenario = start.scenario
    plan = compare.focal_plan(plan_for(scenario, load_published(), strategies=False), variants)
    execution = prepare_execution(executor, workers, scheduler)
    directory = make_folder(start, out)
    focal = simulate_focal_to_folder(
        scenario.trials,
        plan,
        directory,
        execution.workers,
        f"{scenario.name}: trials",
        executor=execution.executor,
        scheduler=execution.scheduler,
        hint=resume_hint(hint_args[0], hint_args[1], directory, *hint_args[2:]),
    )
    return directory, focal
