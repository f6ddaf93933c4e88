"""What one answer costs: a shipped comparison's CPU in sort units, and its precision.

    python benchmarks/bench_compare.py                               # compare-usce as shipped
    python benchmarks/bench_compare.py --trials 40 --copies 512      # the former design

Runs ``matchsim compare`` of a shipped scenario in this process on one
worker, and reports its CPU time as a multiple of one ``numpy.sort`` of 4.5
million random int64 keys timed in the same process (issue 13's target: at
most 600 such units while every strategy's 95% interval is within about one
point of its estimate), beside the widest half-interval of the strategies'
chances and of their paired differences.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import simulator as ms


def sort_seconds(repeats: int = 7) -> float:
    """The median time of one ``numpy.sort`` of 4.5 million random int64 keys."""
    rng = np.random.default_rng(0)
    times = []
    for _ in range(repeats):
        keys = rng.integers(0, 2**62, 4_500_000)
        started = time.perf_counter()
        np.sort(keys)
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/compare-usce.toml")
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--copies", type=int, default=None)
    args = parser.parse_args()
    overrides = []
    if args.trials is not None:
        overrides.append(f"trials={args.trials}")
    if args.copies is not None:
        overrides.append(f"market.focal_copies={args.copies}")
    scenario = ms.load_scenario(args.scenario, overrides=overrides)
    unit = sort_seconds()
    with tempfile.TemporaryDirectory() as folder:
        started = time.process_time()
        result = ms.compare(scenario, workers=1, out=Path(folder) / "out")
        cpu = time.process_time() - started
    rows = result.record["strategies"]
    chance = max(100 * (r["ci_high"] - r["ci_low"]) / 2 for r in rows)
    paired = max(
        (100 * (r["diff_ci_high"] - r["diff_ci_low"]) / 2 for r in rows if "diff" in r),
        default=float("nan"),
    )
    print(
        f"{args.scenario}: {scenario.trials} trials x {scenario.market.focal_copies} copies, "
        f"{len(rows)} strategies, one worker"
    )
    print(f"  CPU                          {cpu:7.1f} s")
    print(f"  one sort of 4.5M int64 keys  {1000 * unit:7.1f} ms")
    print(f"  CPU in sort units            {cpu / unit:7.0f}   (target 600 or less)")
    print(f"  widest half-interval, chance {chance:7.2f} points")
    print(f"  widest half-interval, paired {paired:7.2f} points")


if __name__ == "__main__":
    main()
