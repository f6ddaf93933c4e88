"""How your chance varies between simulated markets and between copies within one market.

    python benchmarks/variance_split.py                 # 24 trials x 512 copies, full scale
    python benchmarks/variance_split.py --trials 8 --copies 128 --scale 0.25

For two profiles (a non-US IMG in Internal Medicine with the ``[you]`` defaults: Step 2 CK
240, no USCE, no visa; and a US MD senior in Anesthesiology), prints P(match), the
between-market SD (the SD of a trial's mean less its binomial part), the SD of a trial's
mean and the CPU per trial: the figures
behind the default design of 40 trials x 512 copies (docs/model.md, section 8).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulator.market import (
    draw_focal,
    draw_focal_noise,
    draw_market,
    market_inputs,
    match_solo_copies,
    specialty_blocks,
    trial_streams,
)
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams
from simulator.market.published import load_published
from simulator.scenario import default_calibration_path, read_calibration, with_changes
from simulator.study.memory import keep_freed_memory

PROFILES = {
    "non-US IMG, Internal Medicine, [you] defaults": Focal(),
    "US MD senior, Anesthesiology": Focal(
        type="us_md",
        specialty="Anesthesiology",
        step2ck=238,
        visa="none",
        usce_kind="none",
        usce_months=0,
        applications=40,
    ),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--copies", type=int, default=512)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    keep_freed_memory()  # as matchsim's workers do
    # The shipped model: the params.py defaults with the calibration file's fitted values.
    params = with_changes(MarketParams(), read_calibration(default_calibration_path()))
    inputs = market_inputs(load_published(), args.scale)
    print("| you | P(match) | between-market SD | SD of a trial's mean | CPU per trial |")
    print("|---|---|---|---|---|")
    for name, you in PROFILES.items():
        means, started = [], time.process_time()
        for trial in range(args.trials):
            streams = trial_streams(args.seed, trial)
            market = draw_market(inputs, params, streams)
            sought = specialty_blocks(market.programs, inputs.specialties, [you.specialty])
            noise = draw_focal_noise(
                args.copies, market.programs.size, streams["focal"], blocks=sought
            )
            focal = draw_focal(market, you, noise, params, inputs.specialties)
            outcome = match_solo_copies(market, focal, params)
            means.append(outcome.matched[outcome.is_focal].mean())
        means = np.array(means)
        p, total = means.mean(), means.var(ddof=1)
        between = max(total - p * (1 - p) / args.copies, 0.0)
        cpu = (time.process_time() - started) / args.trials
        print(f"| {name} | {p:.1%} | {100 * between**0.5:.1f} points | "
              f"{100 * total**0.5:.1f} points | {cpu:.2f} s |")  # fmt: skip


if __name__ == "__main__":
    main()
