"""The three studies: run a scenario, compare its strategies, sweep one key.

Each has two forms.  ``run``, ``compare`` and ``sweep`` take a loaded
scenario and return a result; without ``out`` they work in a temporary folder
and keep nothing on disk (the public Python API).  ``run_in``, ``compare_in``
and ``sweep_in`` run an opened :class:`~simulator.study.launch.Study`, whose
folder may hold the chunks of an interrupted run (the command line, which
also resumes).  Every output file is written before the chunks are removed,
so a run stopped at any point can be resumed.
"""

from __future__ import annotations

import dataclasses
import tempfile
from contextlib import contextmanager

import pandas as pd

from simulator import __version__
from simulator.market.published import load_published
from simulator.report import html, plots, text
from simulator.report.records import comparison_record, sweep_table, to_jsonable, write_sweep_csv
from simulator.report.results import ComparisonResult, RunResult, SweepResult
from simulator.scenario import Scenario, scenario_to_dict
from simulator.study.assumptions import assumed_parameters, strategy_assumptions
from simulator.study.combined import CombinedTables
from simulator.study.coverage import scale_notes
from simulator.study.estimates import check_outcome, compare_focal, sweep_focal
from simulator.study.executors import Execution, prepare_execution
from simulator.study.fingerprint import model_fingerprint
from simulator.study.folder import RunFolder
from simulator.study.launch import FINISHED, Start, Study
from simulator.study.like_you import like_you, like_you_by_strategy
from simulator.study.simulate import Progress, simulate
from simulator.study.tallies import merge_tallies, run_summary, tallies
from simulator.study.trials import plan_for
from simulator.study.variants import focal_plan, strategy_variants, sweep_variants


def run(
    scenario: Scenario,
    *,
    workers=None,
    executor=None,
    scheduler=None,
    out=None,
    progress: Progress | None = None,
) -> RunResult:
    """Simulate ``scenario.trials`` Match years; your chances and every applicant type's.

    ``workers`` local processes (default all cores), or a Dask cluster at
    ``scheduler``; the numbers are the same either way.  With ``out``, a new
    folder receives ``run.json``, ``summary.json``, the Parquet tables and the
    plots; without, nothing is kept on disk and the tables are in the result.
    """
    execution = prepare_execution(executor, workers, scheduler, scale=scenario.market.scale)
    with _study(scenario, "run", execution, out) as study:
        result = run_in(study, progress=progress)
        if out is not None:
            return result
        tables = {"applicants": result.applicants, "programs": result.programs}
        return dataclasses.replace(result, folder=None, tables=tables)


def run_in(study: Study, *, progress: Progress | None = None) -> RunResult:
    """:func:`run` as ``study`` (its scenario, executor and folder, perhaps a resumed run's)."""
    scenario, folder, resolved = study.start.scenario, study.folder, study.start.resolved
    plan = plan_for(scenario, load_published(), strategies=False)
    combined = CombinedTables(folder, plan.tables)
    try:
        parts = simulate(
            plan,
            folder,
            study.execution,
            total=scenario.trials,
            progress=progress,
            digest=lambda t: tallies(t["applicants"], t["programs"]),
            on_saved=combined.add,
        )
    except BaseException:
        combined.abort()
        raise
    with folder.writing():
        combined.close(scenario.trials)
    tally = merge_tallies(parts)
    summary = run_summary(tally)
    summary["applicants_like_you"] = like_you(
        tally["by_type"],
        tally["by_preferred"],
        scenario.you.type,
        scenario.you.specialty,
        load_published(),
    )
    scaled = scale_notes([scenario.you], load_published(), scenario.market.scale)
    notes = text.run_notes(scenario, summary, scaled)
    if notes:
        summary["notes"] = notes
    with folder.writing():
        plots.write_run_plots(tally, summary, scenario.you, folder.path)
    scenario_record = resolved if resolved is not None else scenario_to_dict(scenario)
    record = to_jsonable({**_header(scenario), "scenario": scenario_record, **summary})
    result = RunResult(
        title=text.run_title(scenario), summary=summary, record=record, folder=folder.path
    )
    _finish(folder, result, FINISHED["run"])
    return result


def compare(
    scenario: Scenario,
    *,
    workers=None,
    executor=None,
    scheduler=None,
    out=None,
    progress: Progress | None = None,
    outcome: str = "match",
) -> ComparisonResult:
    """Every ``[[strategies]]`` of ``scenario`` on the same simulated markets, paired.

    Options as for :func:`run`; the result's ``table`` has one row per strategy.
    ``outcome="placed"`` pairs (and words the verdicts on) the chance of a position
    through the Main Match or SOAP instead of matching.
    """
    check_outcome(outcome, strategy_variants(scenario))  # bad ones write nothing
    execution = prepare_execution(executor, workers, scheduler, scale=scenario.market.scale)
    with _study(scenario, "compare", execution, out) as study:
        result = compare_in(study, progress=progress, outcome=outcome)
        return result if out is not None else dataclasses.replace(result, folder=None)


def compare_in(
    study: Study, *, progress: Progress | None = None, outcome: str = "match"
) -> ComparisonResult:
    """:func:`compare` as ``study`` (its scenario, executor and folder)."""
    scenario, folder, resolved = study.start.scenario, study.folder, study.start.resolved
    variants = strategy_variants(scenario)
    focal, like_you = _simulate_focal(study, variants, progress)
    comparison = compare_focal(focal, [v.name for v in variants], outcome=outcome)
    assumptions = strategy_assumptions(scenario)
    notes = tuple(scale_notes([v.you for v in variants], load_published(), scenario.market.scale))
    with folder.writing():
        plots.plot_comparison(
            comparison,
            folder.path / "comparison.png",
            title=f"{scenario.name}: {text.run_size(scenario, scale=False)}",
        )
    record = to_jsonable(
        {
            **_header(scenario),
            "scale": scenario.market.scale,
            "baseline": comparison.baseline,
            "outcome": outcome,
            "method": {
                "p_match": comparison.estimates[0].p_match.method,
                "diff": comparison.differences[0].paired.method,
                "pairing": "copy j of trial t under each strategy vs the baseline "
                "(common random numbers)",
            },
            "strategies": comparison_record(
                comparison, {s.name: dict(s.changes) for s in scenario.strategies}, assumptions
            ),
            "notes": list(notes),
            "applicants_like_you": like_you,
            "scenario": resolved if resolved is not None else scenario_to_dict(scenario),
        }
    )
    result = ComparisonResult(
        title=text.comparison_title(scenario),
        comparison=comparison,
        record=record,
        folder=folder.path,
        assumptions=assumptions,
        notes=notes,
        like_you=like_you,
    )
    _finish(folder, result, FINISHED["compare"])
    return result


def sweep(
    scenario: Scenario,
    key: str,
    values,
    *,
    workers=None,
    executor=None,
    scheduler=None,
    out=None,
    progress: Progress | None = None,
    outcome: str = "match",
) -> pd.DataFrame:
    """Your chance at each of ``values`` of the scenario key ``key``, on the same markets.

    Returns the table of ``sweep.csv``: one row per value, with intervals and
    the paired difference from the first value (of ``outcome``, as in
    :func:`compare`).  Options as for :func:`run`.
    """
    check_outcome(outcome, sweep_variants(scenario, key, tuple(values)))  # bad ones write nothing
    execution = prepare_execution(executor, workers, scheduler, scale=scenario.market.scale)
    with _study(scenario, "sweep", execution, out, {"param": key, "values": list(values)}) as study:
        return sweep_in(study, key, values, progress=progress, outcome=outcome).table


def sweep_in(
    study: Study, key: str, values, *, progress: Progress | None = None, outcome: str = "match"
) -> SweepResult:
    """:func:`sweep` as ``study`` (its scenario, executor and folder)."""
    scenario, folder, resolved = study.start.scenario, study.folder, study.start.resolved
    values = tuple(values)
    variants = sweep_variants(scenario, key, values)
    focal, like_you = _simulate_focal(study, variants, progress)
    result = sweep_focal(focal, key, values, outcome=outcome)
    table = sweep_table(result)
    you = scenario.you
    assumptions = assumed_parameters([key], (you.specialty, you.backup_specialty), None, you.type)
    notes = tuple(scale_notes([v.you for v in variants], load_published(), scenario.market.scale))
    with folder.writing():
        write_sweep_csv(result, folder.path / "sweep.csv")
        plots.plot_sweep(
            result,
            folder.path / "sweep.png",
            title=scenario.description or scenario.name,
            subtitle=text.run_size(scenario),
        )
    record = to_jsonable(
        {
            **_header(scenario),
            "scale": scenario.market.scale,
            "param": key,
            "values": list(values),
            "outcome": outcome,
            "shares_markets": key.startswith("you."),
            "assumed_parameters": list(assumptions),
            "notes": list(notes),
            "rows": table.to_dict(orient="records"),
            "applicants_like_you": like_you,
            "scenario": resolved if resolved is not None else scenario_to_dict(scenario),
        }
    )
    swept = SweepResult(
        title=text.sweep_title(scenario, key, values),
        sweep=result,
        table=table,
        record=record,
        folder=folder.path,
        assumptions=assumptions,
        notes=notes,
        like_you=like_you,
    )
    _finish(folder, swept, FINISHED["sweep"])
    return swept


def _finish(folder: RunFolder, result, finished: str) -> None:
    """Write ``report.html``, then the study's record (``finished``, written last: until it
    exists the run can resume), then remove the chunks."""
    with folder.writing():
        html.write_report(result)
    folder.write_json(finished, result.record)
    folder.finish()


def _simulate_focal(study: Study, variants, progress) -> tuple[pd.DataFrame, dict]:
    """Your copies' rows under every variant, every trial (saved as ``focal.parquet``), and
    how the model does for applicants like you under each variant."""
    scenario, folder = study.start.scenario, study.folder
    plan = focal_plan(plan_for(scenario, load_published(), strategies=False), variants)
    pieces = simulate(
        plan,
        folder,
        study.execution,
        total=scenario.trials,
        progress=progress,
        digest=lambda t: (t["focal"], t["population_counts"]),
    )
    focal = pd.concat([p[0] for p in pieces], ignore_index=True)
    counts = pd.concat([p[1] for p in pieces], ignore_index=True)
    folder.write_parquet("focal.parquet", focal)
    return focal, like_you_by_strategy(counts, variants, load_published())


def _header(scenario: Scenario) -> dict:
    """The fields every output JSON starts with."""
    return {
        "matchsim": __version__,
        "seed": scenario.seed,
        "trials": scenario.trials,
        "focal_copies": scenario.market.focal_copies,
    }


@contextmanager
def _study(scenario: Scenario, command: str, execution: Execution, out, extra=None):
    """A study in a new folder at ``out``, or in a temporary one that is removed after."""
    resolved = scenario_to_dict(scenario)
    record = {
        "matchsim": __version__,
        "model": model_fingerprint(),
        "command": command,
        **(extra or {}),
        "scenario": resolved,
    }
    start = Start(scenario=scenario, resolved=resolved, record=record)
    if out is not None:
        folder = RunFolder.create(scenario.name, record, out)
        try:
            yield Study(start=start, execution=execution, folder=folder)
        finally:
            folder.unlock()
        return
    with tempfile.TemporaryDirectory(prefix="matchsim-") as path:
        yield Study(start=start, execution=execution, folder=RunFolder(path, record))
