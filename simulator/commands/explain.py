"""``matchsim explain``: the algorithm step by step, why an outcome happened, whether lying pays."""

from __future__ import annotations

import json

import click

from simulator.commands._common import user_errors
from simulator.teaching import MAX_LISTS, explain_market, format_lesson, load_market
from simulator.teaching.lesson import check_one_question
from simulator.vocabulary import PROPOSING_SIDES


@click.command()
@click.argument("file")
@click.option("--proposing", type=click.Choice(PROPOSING_SIDES), default="applicants",
              show_default=True, help="Which side proposes: applicants (the NRMP's algorithm) "
              "or programs.")  # fmt: skip
@click.option("--compare-sides", "compare", is_flag=True, help="Show who fares differently "
              "when programs propose instead of applicants.")  # fmt: skip
@click.option("--why", metavar="NAME", help="Explain why applicant or program NAME ended up "
              "where it did.")  # fmt: skip
@click.option("--manipulate", metavar="NAME", help="Try every other list applicant or program "
              f"NAME could have submitted (at most {MAX_LISTS:,}) and report the best "
              "outcome.")  # fmt: skip
@click.option("--soap", is_flag=True, help="Then play SOAP's rounds on the positions the Match "
              "left open (the file's soap_ranks lists).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: the rounds, the "
              "result and what was asked for.")  # fmt: skip
@user_errors
def explain(file, proposing, compare, why, manipulate, soap, as_json):
    """Show how the Match solves the small market in FILE, step by step.

    Without options, prints the algorithm in the NRMP's words and every round
    of it: each proposal, tentative hold and rejection, then the result (the
    same as `matchsim match`).

    \b
    --why NAME         why an applicant matched where they did (or not at all):
                       for each program ranked higher, whether it did not rank
                       them or filled up with applicants it ranked higher; for a
                       program, why each position it wanted filled was not.
    --manipulate NAME  every list an applicant could submit (each ordering of
                       each subset of the programs, markets of up to 8 programs)
                       or every list a program could submit keeping its order
                       (including each truncation), judged by the true lists:
                       no applicant ever beats the truthful list when
                       applicants propose; a program sometimes can.
    --compare-sides    who does better or worse when programs propose.
    --soap             then SOAP's offer rounds after the Match (with any of them).

    Use at most one of --why, --manipulate and --compare-sides.  With --json,
    the object has "proposing", "rounds" (each {"round", "events"}) and
    "result" (as `matchsim match --json`), plus "why", "compare_sides", or the
    --manipulate keys "truthful", "best", "improved" and "lists_tried"; and
    "soap" with --soap.

    \b
    Examples:
      matchsim explain scenarios/nrmp-example.toml
      matchsim explain scenarios/nrmp-example.toml --why Brown
      matchsim explain scenarios/lesson-gale-shapley.toml --compare-sides
      matchsim explain scenarios/lesson-true-preferences.toml --manipulate Patel
      matchsim explain scenarios/lesson-program-truncation.toml --manipulate Lakeside --json
      matchsim explain scenarios/lesson-soap.toml --soap
      matchsim explain scenarios/lesson-couples.toml --why Brown
    """
    check_one_question(compare=compare, why=why, manipulate=manipulate)  # before reading
    market = load_market(file)
    lesson = explain_market(
        market, proposing, compare=compare, why=why, manipulate=manipulate, soap=soap
    )
    click.echo(json.dumps(lesson.to_json(), indent=2) if as_json else format_lesson(lesson))
