"""``matchsim compare``: strategies side by side on the same simulated markets."""

from __future__ import annotations

import click

from simulator import api
from simulator.commands._common import user_errors
from simulator.commands._simulate import comparison_options, prepare, reported, scenario_options
from simulator.study.estimates import outcome_check
from simulator.study.variants import strategy_variants


@click.command("compare")
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@scenario_options
@comparison_options
@user_errors
def compare_command(scenario_file, all_types, outcome, **options):
    """Compare the [[strategies]] of SCENARIO on the same simulated Match years.

    Every strategy runs on the same trials (common random numbers): the same
    synthetic markets and noise for everyone, so only your choices differ and
    the differences are paired.  Prints each strategy's chances of matching
    (any specialty, your preferred one, a top-3 choice) with n and 95%
    intervals; against the first (the baseline), the paired difference with
    its interval and, when it excludes zero, a verdict in words (of a position
    through the Match or SOAP with --outcome placed, of both you and your
    partner matching with --outcome both).  Writes comparison.json,
    comparison.png and focal.parquet (your copies' outcomes) to the folder.

    SCENARIO needs two or more [[strategies]] blocks, each with a name and
    the keys it changes (any you.* key, and population keys).

    \b
    Example:
      matchsim compare scenarios/compare-rank-list-length.toml
      matchsim compare scenarios/compare-usce.toml --trials 20
    """
    check = outcome_check(outcome, strategy_variants)
    study, progress = prepare("compare", scenario_file, options, check=check)
    with reported(study.folder):
        result = api.compare_in(study, progress=progress, outcome=outcome)
        click.echo(result.to_text(all_types=all_types))
