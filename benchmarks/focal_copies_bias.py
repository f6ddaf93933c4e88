"""Measure how much the focal copies' competition with each other moves their chances.

    python benchmarks/focal_copies_bias.py --trials 20

The copies of the focal applicant share one market, so each competes with the
others.  This runs the same trials twice: once with ``--few`` copies, once with
``--many`` copies whose first ``--few`` get exactly the same noise, and compares
those first copies pair by pair.  The paired difference is the effect of
``many - few`` extra competitors; the bias of a run with K copies is about
``(K - 1) / (many - few)`` of it (linear in the number of competitors).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from simulator import stats, synth
from simulator.data import load_published
from simulator.scenario import load_scenario


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/img-internal-medicine.toml")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--few", type=int, default=24)
    parser.add_argument("--many", type=int, default=240)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    params, you = scenario.params, scenario.you
    inputs = synth.market_inputs(load_published(), scenario.market.scale)
    started = time.perf_counter()
    few, many, trial_of = [], [], []
    for trial in range(args.trials):
        streams = synth.trial_streams(scenario.seed, trial)
        market = synth.draw_market(inputs, params, streams)
        noise = synth.draw_focal_noise(args.many, market.programs.size, streams["focal"])
        subset = replace(noise, **{f: getattr(noise, f)[: args.few] for f in noise.__slots__})
        for copies, out in ((subset, few), (noise, many)):
            focal = synth.draw_focal(market, you, copies, params, inputs.specialties)
            outcome = synth.match_market(market, focal, params)
            out.append(outcome.matched[outcome.is_focal][: args.few])
        trial_of.append(np.full(args.few, trial))
    few, many, trial_of = np.concatenate(few), np.concatenate(many), np.concatenate(trial_of)
    difference = stats.paired_difference(few, many, cluster=trial_of)
    extra = args.many - args.few
    per_copy = difference.diff / extra
    print(f"{scenario.name}: {args.trials} trials, first {args.few} copies with {args.few} vs "
          f"{args.many} copies in the market ({time.perf_counter() - started:.0f} s)")
    print(f"  P(match) with {args.few:4d} copies: {stats.format_percent(few.mean())}")
    print(f"  P(match) with {args.many:4d} copies: {stats.format_percent(many.mean())}")
    print(f"  effect of {extra} extra copies: {stats.format_interval(difference)}")
    print(f"  so each extra copy moves P(match) by about {100 * per_copy:+.4f} points; "
          f"a run with {scenario.market.focal_copies} copies is biased by about "
          f"{100 * per_copy * (scenario.market.focal_copies - 1):+.2f} points "
          f"(95% CI {100 * difference.ci_low / extra * (scenario.market.focal_copies - 1):+.2f} to "
          f"{100 * difference.ci_high / extra * (scenario.market.focal_copies - 1):+.2f})")


if __name__ == "__main__":
    main()
