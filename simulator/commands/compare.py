"""``matchsim compare``: strategies side by side on the same simulated markets."""

from __future__ import annotations

import time

import click

from simulator import __version__
from simulator.commands._common import user_errors
from simulator.commands._simulate import load_run, scenario_options, simulate_variants
from simulator.files import write_json
from simulator.study import compare


@click.command("compare")
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(dir_okay=False))
@scenario_options
@user_errors
def compare_command(
    scenario_file, trials, seed, overrides, out, workers, executor, scheduler, resume
):
    """Compare the [[strategies]] of SCENARIO on the same simulated Match years.

    Every strategy runs on the same trials (common random numbers): the same
    synthetic markets and the same noise for everyone, so only your choices
    differ and the differences are paired.  Prints, for each strategy, the
    probability of matching (any specialty, your preferred specialty, a top-3
    choice) with n and 95% intervals; for each strategy against the first
    (the baseline), the paired difference with its 95% interval and, when the
    interval excludes zero, a verdict in plain words.  Writes comparison.json,
    comparison.png and focal.parquet (your copies' outcomes) to the output
    folder.

    SCENARIO needs two or more [[strategies]] blocks, each with a name and
    the keys it changes (any you.* key, and population keys).

    \b
    Example:
      matchsim compare scenarios/compare-rank-list-length.toml
      matchsim compare scenarios/compare-usce.toml --trials 20
    """
    start = load_run(
        "compare",
        scenario_file,
        overrides=overrides,
        trials=trials,
        seed=seed,
        out=out,
        resume=resume,
        finished="comparison.json",
    )
    scenario, resolved = start.scenario, start.resolved
    variants = compare.strategy_variants(scenario)
    started = time.perf_counter()
    directory, focal = simulate_variants(
        start,
        variants,
        out=out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        hint_args=("compare", scenario_file),
    )
    result = compare.compare_focal(focal, [v.name for v in variants])
    title = (
        f"matchsim {__version__} compare of {scenario.name}: {scenario.trials} trials x "
        f"{scenario.market.focal_copies} copies of you, scale {scenario.market.scale:g}, "
        f"seed {scenario.seed}"
    )
    compare.plot_comparison(
        result,
        directory / "comparison.png",
        title=f"{scenario.name}: {scenario.trials} trials x {scenario.market.focal_copies} copies",
    )
    changes = {s.name: dict(s.changes) for s in scenario.strategies}
    write_json(
        directory / "comparison.json",
        {
            "matchsim": __version__,
            "seed": scenario.seed,
            "trials": scenario.trials,
            "focal_copies": scenario.market.focal_copies,
            "scale": scenario.market.scale,
            "baseline": result.baseline,
            "method": {
                "p_match": result.estimates[0].p_match.method,
                "diff": result.differences[0].paired.method,
                "pairing": "copy j of trial t under each strategy vs the baseline (common random numbers)",
            },
            "strategies": compare.comparison_record(result, changes),
            "scenario": resolved,
        },
    )  # written last: until it exists, --resume finishes the run
    click.echo(compare.format_comparison(result, title=title))
    click.echo(f"\nwrote {directory} in {time.perf_counter() - started:.0f} s")
