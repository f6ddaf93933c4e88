"""Measure what the focal copies' competition with each other costs them.

    python benchmarks/focal_copies_bias.py --trials 120
    python benchmarks/focal_copies_bias.py --scenario scenarios/default.toml \\
        --set "you.specialty=Vascular Surgery" --trials 50 --per-match 16

matchsim matches the focal copies in groups (``synth.copies_per_match``), so a
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

from simulator.market import synth
from simulator.market.published import load_published
from simulator.scenario.scenario import load_scenario
from simulator.stats import intervals as stats


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
    inputs = synth.market_inputs(load_published(), scenario.market.scale)
    per_match = args.per_match or synth.copies_per_match(inputs, you)
    started = time.perf_counter()
    alone, grouped, trial_of = [], [], []
    for trial in range(args.trials):
        streams = synth.trial_streams(scenario.seed, trial)
        market = synth.draw_market(inputs, params, streams)
        noise = synth.draw_focal_noise(copies, market.programs.size, streams["focal"])
        focal = synth.draw_focal(market, you, noise, params, inputs.specialties)
        alone.append(
            [
                synth.match_market(market, focal.subset(np.array([j])), params).matched[-1]
                for j in range(copies)
            ]
        )
        outcome = synth.match_in_groups(market, focal, params, per_match)
        grouped.append(outcome.matched[outcome.is_focal])
        trial_of.append(np.full(copies, trial))
    alone, grouped, trial_of = (np.concatenate(x) for x in (alone, grouped, trial_of))
    difference = stats.paired_difference(alone, grouped, cluster=trial_of)
    print(
        f"{scenario.name} {' '.join(args.overrides)}: {args.trials} trials x {copies} copies, "
        f"{per_match} per Match ({time.perf_counter() - started:.0f} s)"
    )
    print(
        f"  P(match), each copy alone:  {stats.format_interval(stats.clustered_proportion(alone, trial_of))}"
    )
    print(
        f"  P(match), copies grouped:   {stats.format_interval(stats.clustered_proportion(grouped, trial_of))}"
    )
    print(
        f"  bias of the grouping:       {stats.format_interval(difference)}; "
        f"{difference.a_only} pairs matched only alone, {difference.b_only} only grouped"
    )


if __name__ == "__main__":
    main()
