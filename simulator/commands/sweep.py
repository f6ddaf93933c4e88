"""``matchsim sweep``: one scenario key over a range of values, on the same simulated markets."""

from __future__ import annotations

import click

from simulator import api
from simulator.commands._common import user_errors
from simulator.commands._simulate import comparison_options, prepare, reported, scenario_options
from simulator.study.estimates import outcome_check
from simulator.study.sweep_values import parse_values
from simulator.study.variants import sweep_variants


@click.command("sweep")
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@click.option(
    "--param",
    "key",
    required=True,
    metavar="KEY",
    help="The scenario key to vary, e.g. you.rank_list_length (a you.*, applicants.*, "
    "programs.*, selection.*, soap.*, geography.*, signals.* or couples.* key).",
)
@click.option(
    "--values",
    "spec",
    required=True,
    metavar="SPEC",
    help="START:STOP (inclusive, step 1), START:STOP:STEP, or a list A,B,C "
    "(names for text keys such as you.specialty).",
)
@scenario_options
@comparison_options
@user_errors
def sweep_command(scenario_file, all_types, outcome, key, spec, **options):
    """Run SCENARIO at each value of one key and draw your chance against it.

    Every value runs on the same trials (common random numbers): a sweep over
    a you.* key puts all its values into each trial's market, drawn once; a
    sweep over a population key draws one market per value from the same
    seeds.  Prints, per value, the probability of matching (any specialty,
    your preferred specialty, a top-3 choice) with n and 95% intervals, and
    the paired change from the first value.  Writes sweep.csv (value,
    p_match, ci_low, ci_high, n, p_match_preferred, ...), sweep.png,
    sweep.json and focal.parquet to the output folder.

    \b
    Examples:
      matchsim sweep scenarios/sweep-usce.toml --param you.usce_months --values 0:12
      matchsim sweep scenarios/sweep-step2ck.toml --param you.step2ck --values 220:270:5
      matchsim sweep scenarios/img-internal-medicine.toml --param you.visa --values none,j1,h1b
    """
    values = parse_values(spec, key)
    study, progress = prepare(
        "sweep",
        scenario_file,
        options,
        extra={"param": key, "values": list(values)},
        hint_options=("--param", key, "--values", spec),
        check=outcome_check(outcome, lambda scenario: sweep_variants(scenario, key, values)),
    )
    with reported(study.folder):
        result = api.sweep_in(study, key, values, progress=progress, outcome=outcome)
        click.echo(result.to_text(all_types=all_types))
