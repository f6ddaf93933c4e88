"""``matchsim run``: Monte Carlo over synthetic Match years; chances with confidence intervals."""

from __future__ import annotations

import time

import click

from simulator import __version__
from simulator.commands._common import user_errors
from simulator.commands._simulate import (
    load_run,
    make_folder,
    prepare_execution,
    resume_hint,
    scenario_options,
    simulate_to_folder,
)
from simulator.files import write_json
from simulator.market.published import load_published
from simulator.report import summaries as report
from simulator.study.runs import remove_chunks
from simulator.study.trials import plan_for


@click.command()
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@scenario_options
@user_errors
def run(scenario_file, trials, seed, overrides, out, workers, executor, scheduler, resume):
    """Simulate many Match years of SCENARIO and report your chances.

    Draws, for every trial, a whole synthetic Match year (programs,
    applicants, applications, interviews, rank-order lists, the Match) with
    several independent copies of you in it, and prints the probability of
    matching, with 95% confidence intervals, for you and for every applicant
    type.  Writes summary.json, applicants.parquet, programs.parquet and
    plots to the output folder.

    Trials run in worker processes (--workers, default all cores) or on a
    Dask cluster (--scheduler tcp://HOST:8786); the results are the same
    either way.  Each finished chunk of trials is saved at once: an
    interrupted run is finished with --resume DIR.

    \b
    Example:
      matchsim run scenarios/img-internal-medicine.toml
      matchsim run scenarios/default.toml --trials 20 --set you.step2ck=250
      matchsim run scenarios/default.toml --resume results/default-20250301-101500
    """
    start = load_run(
        "run",
        scenario_file,
        overrides=overrides,
        trials=trials,
        seed=seed,
        out=out,
        resume=resume,
        finished="summary.json",
    )
    scenario, resolved = start.scenario, start.resolved
    plan = plan_for(scenario, load_published(), strategies=False)
    execution = prepare_execution(executor, workers, scheduler)
    directory = make_folder(start, out)
    started = time.perf_counter()
    tally = simulate_to_folder(
        scenario,
        plan,
        directory,
        execution.workers,
        f"{scenario.name}: trials",
        executor=execution.executor,
        scheduler=execution.scheduler,
        hint=resume_hint("run", scenario_file, directory),
    )

    summary = report.run_summary(tally)
    title = (
        f"matchsim {__version__} run of {scenario.name}: {_plural(scenario.trials, 'trial')} x "
        f"{_plural(scenario.market.focal_copies, 'copy', 'copies')} of you, scale {scenario.market.scale:g}, "
        f"seed {scenario.seed}"
    )
    report.write_run_plots(tally, summary, scenario.you, directory)
    write_json(
        directory / "summary.json",
        report.to_jsonable(
            {
                "matchsim": __version__,
                "seed": scenario.seed,
                "trials": scenario.trials,
                "focal_copies": scenario.market.focal_copies,
                "scenario": resolved,
                **summary,
            }
        ),
    )  # written last but for removing the chunks: until it exists, --resume finishes the run
    remove_chunks(directory)
    click.echo(report.format_run_summary(summary, title=title))
    click.echo(f"\nwrote {directory} in {time.perf_counter() - started:.0f} s")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
