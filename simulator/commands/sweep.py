"""``matchsim sweep``: one scenario key over a range of values, on the same simulated markets."""

from __future__ import annotations

import time

import click

from simulator import __version__
from simulator.commands._common import user_errors
from simulator.commands._simulate import load_run, scenario_options, simulate_variants
from simulator.files import write_json
from simulator.report import summaries as report
from simulator.study import compare


@click.command("sweep")
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@click.option(
    "--param",
    "key",
    required=True,
    metavar="KEY",
    help="The scenario key to vary, e.g. you.rank_list_length (a you.*, applicants.*, "
    "programs.* or selection.* key).",
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
@user_errors
def sweep_command(
    scenario_file, key, spec, trials, seed, overrides, out, workers, executor, scheduler, resume
):
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
      matchsim sweep scenarios/sweep-rank-list-length.toml --param you.rank_list_length --values 1:20
      matchsim sweep scenarios/sweep-step2ck.toml --param you.step2ck --values 220:270:5
      matchsim sweep scenarios/img-internal-medicine.toml --param you.visa --values none,j1,h1b
    """
    values = compare.parse_values(spec, key)
    start = load_run(
        "sweep",
        scenario_file,
        overrides=overrides,
        trials=trials,
        seed=seed,
        out=out,
        resume=resume,
        finished="sweep.json",
        extra={"param": key, "values": list(values)},
    )
    scenario, resolved = start.scenario, start.resolved
    variants = compare.sweep_variants(scenario, key, values)
    started = time.perf_counter()
    directory, focal = simulate_variants(
        start,
        variants,
        out=out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        hint_args=("sweep", scenario_file, "--param", key, "--values", spec),
    )
    sweep = compare.sweep_focal(focal, key, values)
    compare.write_sweep_csv(sweep, directory / "sweep.csv")
    compare.plot_sweep(
        sweep,
        directory / "sweep.png",
        title=f"{scenario.description or scenario.name}\n{scenario.trials} trials x "
        f"{scenario.market.focal_copies} copies, scale "
        f"{scenario.market.scale:g}",
    )
    write_json(
        directory / "sweep.json",
        report.to_jsonable(
            {
                "matchsim": __version__,
                "seed": scenario.seed,
                "trials": scenario.trials,
                "focal_copies": scenario.market.focal_copies,
                "scale": scenario.market.scale,
                "param": key,
                "values": list(values),
                "shares_markets": key.startswith("you."),
                "rows": compare.sweep_table(sweep).to_dict(orient="records"),
                "scenario": resolved,
            }
        ),
    )  # written last: until it exists, --resume finishes the run
    title = (
        f"matchsim {__version__} sweep of {key} in {scenario.name}: {len(values)} values, "
        f"{scenario.trials} trials x {scenario.market.focal_copies} copies of you, scale "
        f"{scenario.market.scale:g}, seed {scenario.seed}"
    )
    click.echo(compare.format_sweep(sweep, title=title))
    click.echo(f"\nwrote {directory} in {time.perf_counter() - started:.0f} s")
