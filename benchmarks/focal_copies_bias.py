"""Measure what the focal copies' competition with each other costs them.

    python benchmarks/focal_copies_bias.py --trials 120
    python benchmarks/focal_copies_bias.py --scenario scenarios/default.toml \\
        --set "you.specialty=Vascular Surgery" --trials 50 --per-match 16

matchsim matches the focal copies in groups (``simulator.market.copies_per_match``), so a
copy competes with the others of its group.  For each trial this matches every
copy alone (the market with just that copy) and as ``matchsim run`` does (or in
groups of ``--per-match``), and compares the two pair by pair, clustered by
trial: the difference is the bias the grouping leaves.  docs/model.md reports
the figures.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulator import stats
from simulator.market import (
    copies_per_match,
    draw_focal,
    draw_focal_noise,
    draw_market,
    market_inputs,
    match_in_groups,
    match_market,
    trial_streams,
)
from simulator.market.published import load_published
from simulator.report.text import format_interval
from simulator.scenario import load_scenario


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/img-internal-medicine.toml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument(
        "--per-match",
        type=int,
        default=None,
        help="copies per Match (default: what matchsim run uses)",
    )
    args = parser.parse_args()

    scenario = load_scenario(args.scenario, args.overrides)
    params, you, copies = scenario.params, scenario.you, scenario.market.focal_copies
    inputs = market_inputs(load_published(), scenario.market.scale)
    per_match = args.per_match or copies_per_match(inputs, you)
    started = time.perf_counter()
    alone, grouped, trial_of = [], [], []
    for trial in range(args.trials):
        streams = trial_streams(scenario.seed, trial)
        market = draw_market(inputs, params, streams)
        noise = draw_focal_noise(copies, market.programs.size, streams["focal"])
        focal = draw_focal(market, you, noise, params, inputs.specialties)
        alone.append(
            [
                match_market(market, focal.subset(np.array([j])), params).matched[-1]
                for j in range(copies)
            ]
        )
        outcome = match_in_groups(market, focal, params, per_match)
        grouped.append(outcome.matched[outcome.is_focal])
        trial_of.append(np.full(copies, trial))
    alone, grouped, trial_of = (np.concatenate(x) for x in (alone, grouped, trial_of))
    difference = stats.paired_difference(alone, grouped, cluster=trial_of)
    print(
        f"{scenario.name} {' '.join(args.overrides)}: {args.trials} trials x {copies} copies, "
        f"{per_match} per Match ({time.perf_counter() - started:.0f} s)"
    )
    p_alone = stats.clustered_proportion(alone, trial_of)
    p_grouped = stats.clustered_proportion(grouped, trial_of)
    print(f"  P(match), each copy alone:  {format_interval(p_alone)}")
    print(f"  P(match), copies grouped:   {format_interval(p_grouped)}")
    print(
        f"  bias of the grouping:       {format_interval(difference)}; "
        f"{difference.a_only} pairs matched only alone, {difference.b_only} only grouped"
    )


if __name__ == "__main__":
    main()
