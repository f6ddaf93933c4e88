"""``matchsim match``: solve a small hand-written market."""

from __future__ import annotations

import json

import click

from simulator.commands._common import user_errors
from simulator.teaching import format_result, load_market, solve_market
from simulator.vocabulary import PROPOSING_SIDES


@click.command()
@click.argument("file")
@click.option(
    "--proposing",
    type=click.Choice(PROPOSING_SIDES),
    default="applicants",
    show_default=True,
    help="Which side proposes: applicants (the NRMP's algorithm) or programs.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the matching as one JSON object.")
@user_errors
def match(file, proposing, as_json):
    """Solve the small market in FILE and show who matches where.

    FILE is a TOML file with a [programs.NAME] table (positions, ranks) for
    each program and an [applicants.NAME] table (ranks) for each applicant;
    rank lists are names, most preferred first.  Couples ([couples.NAME]), advanced
    programs and supplemental PGY-1 lists follow the NRMP's rules (see docs/tutorial.md).

    \b
    Example:
      matchsim match scenarios/nrmp-example.toml
      matchsim match scenarios/nrmp-example.toml --proposing programs --json
    """
    market = load_market(file)
    result = solve_market(market, proposing=proposing)
    click.echo(json.dumps(result.to_json(), indent=2) if as_json else format_result(market, result))
