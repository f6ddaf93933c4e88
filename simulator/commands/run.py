"""``matchsim run``: Monte Carlo over synthetic Match years; chances with confidence intervals."""

from __future__ import annotations

import os
import time

import click

from simulator import __version__, report
from simulator.commands._common import user_errors
from simulator.commands._simulate import load_with_options, scenario_options, simulate_to_folder
from simulator.data import load_published
from simulator.runs import combine_chunks, new_run_dir, remove_chunks, write_json
from simulator.scenario import scenario_to_dict
from simulator.trials import plan_for


@click.command()
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@scenario_options
@user_errors
def run(scenario_file, trials, seed, overrides, out, workers):
    """Simulate many Match years of SCENARIO and report your chances.

    Draws, for every trial, a whole synthetic Match year (programs,
    applicants, applications, interviews, rank-order lists, the Match) with
    several independent copies of you in it, and prints the probability of
    matching, with 95% confidence intervals, for you and for every applicant
    type.  Writes summary.json, applicants.parquet, programs.parquet and
    plots to the output folder.

    \b
    Example:
      matchsim run scenarios/img-internal-medicine.toml
      matchsim run scenarios/default.toml --trials 20 --set you.step2ck=250
    """
    scenario = load_with_options(scenario_file, overrides, trials, seed)
    workers = workers or os.cpu_count() or 1
    plan = plan_for(scenario, load_published(), strategies=False)
    directory = new_run_dir(scenario.name, out)
    started = time.perf_counter()
    resolved = scenario_to_dict(scenario)
    write_json(directory / "run.json", {"matchsim": __version__, "scenario": resolved})
    tally = simulate_to_folder(scenario, plan, directory, workers, f"{scenario.name}: trials")
    combine_chunks(directory)
    remove_chunks(directory)

    summary = report.run_summary(tally)
    title = (
        f"matchsim {__version__} run of {scenario.name}: {_plural(scenario.trials, 'trial')} x "
        f"{_plural(scenario.market.focal_copies, 'copy', 'copies')} of you, scale {scenario.market.scale:g}, "
        f"seed {scenario.seed}"
    )
    write_json(directory / "summary.json", report.to_jsonable({
        "matchsim": __version__,
        "seed": scenario.seed,
        "trials": scenario.trials,
        "focal_copies": scenario.market.focal_copies,
        "scenario": resolved,
        **summary,
    }))
    report.write_run_plots(tally, summary, scenario.you, directory)
    click.echo(report.format_run_summary(summary, title=title))
    click.echo(f"\nwrote {directory} in {time.perf_counter() - started:.0f} s")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
