"""``matchsim run``: Monte Carlo over synthetic Match years; chances with confidence intervals."""

from __future__ import annotations

import click

from simulator import api
from simulator.commands._common import user_errors
from simulator.commands._simulate import all_types_option, prepare, reported, scenario_options


@click.command()
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@scenario_options
@all_types_option
@user_errors
def run(scenario_file, all_types, **options):
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
    study, progress = prepare("run", scenario_file, options)
    with reported(study.folder):
        result = api.run_in(study, progress=progress)
        click.echo(result.to_text(all_types=all_types))
