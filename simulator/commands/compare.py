"""``matchsim compare``: strategies side by side on the same simulated markets."""

from __future__ import annotations

import click

from simulator import api
from simulator.commands._common import user_errors
from simulator.commands._simulate import comparison_options, prepare, reported, scenario_options
from simulator.study.variants import strategy_variants


@click.command("compare")
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@scenario_options
@comparison_options
@user_errors
def compare_command(scenario_file, all_types, outcome, **options):
    """Compare the [[strategies]] of SCENARIO on the same simulated Match years.

    Every strategy runs on the same trials (common random numbers): the same
    synthetic markets and the same noise for everyone, so only your choices
    differ and the differences are paired.  Prints, for each strategy, the
    probability of matching (any specialty, your preferred specialty, a top-3
    choice) with n and 95% intervals; for each strategy against the first
    (the baseline), the paired difference with its 95% interval and, when the
    interval excludes zero, a verdict in plain words (--outcome placed: of the
    chance of a position through the Main Match or SOAP).  Writes comparison.json,
    comparison.png and focal.parquet (your copies' outcomes) to the output
    folder.

    SCENARIO needs two or more [[strategies]] blocks, each with a name and
    the keys it changes (any you.* key, and population keys).

    \b
    Example:
      matchsim compare scenarios/compare-rank-list-length.toml
      matchsim compare scenarios/compare-usce.toml --trials 20
    """
    study, progress = prepare("compare", scenario_file, options, check=strategy_variants)
    with reported(study.folder):
        result = api.compare_in(study, progress=progress, outcome=outcome)
        click.echo(result.to_text(all_types=all_types))
