"""Time the population's Match stage (lists of pairs and the NRMP procedure) of full-scale
trials, with and without couples and advanced positions, beside one ``numpy.sort``.

    python benchmarks/bench_match.py                     # trials 0-3 of scenarios/default.toml
    python benchmarks/bench_match.py --batch-rounds 6    # engine.nrmp.BATCH_ROUNDS changed

Prints milliseconds per trial for the shipped market, the market without couples
(``couples.share = 0``) and without couples and advanced positions (``advanced.share = 0``
too), then the same as multiples of one sort of 4.5 million random int64 keys timed in the
same process (docs/model.md, section 7).
"""

from __future__ import annotations

import argparse

from bench_trial import sort_seconds

from simulator.engine import nrmp
from simulator.market import draw_market, market_inputs, trial_streams
from simulator.market.match import match_population
from simulator.market.published import load_published
from simulator.scenario import load_scenario, with_changes
from simulator.study.memory import keep_freed_memory

VARIANTS = {
    "shipped market": {},
    "without couples": {"couples.share": 0.0},
    "without couples and advanced positions": {"couples.share": 0.0, "advanced.share": 0.0},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--batch-rounds", type=int, default=nrmp.BATCH_ROUNDS)
    args = parser.parse_args()
    nrmp.BATCH_ROUNDS = args.batch_rounds
    keep_freed_memory()  # as matchsim's workers do
    scenario = load_scenario("scenarios/default.toml")
    inputs = market_inputs(load_published(), 1.0)
    sort_ms = 1000 * sort_seconds()
    print(f"Match stage, trials 0-{args.trials - 1} of {scenario.name}, full scale, "
          f"{args.batch_rounds} batch rounds (ms per trial)")  # fmt: skip
    for name, changes in VARIANTS.items():
        params = with_changes(scenario.params, changes) if changes else scenario.params
        times = []
        for trial in range(args.trials):
            market = draw_market(inputs, params, trial_streams(scenario.seed, trial))
            timings = {}
            match_population(market, params, timings=timings)
            times.append(1000 * timings["match"])
        shown = " ".join(f"{t:.0f}" for t in times)
        print(
            f"  {name:40s} {shown}  ({min(times) / sort_ms:.1f}-{max(times) / sort_ms:.1f} sorts)"
        )
    print(f"  one sort of 4.5M int64 keys              {sort_ms:.0f}")


if __name__ == "__main__":
    main()
