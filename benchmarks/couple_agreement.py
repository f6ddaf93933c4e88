"""How often a couple of copies placed by the first pair the solved market takes them at
(``market.match.place_copies`` with a partner) gets what the NRMP's procedure gives it when
run on the whole population plus that couple (``market.match.match_couple_copy``).

    python benchmarks/couple_agreement.py    # scale 0.25, 6 trials x 24 copies, two profiles
    python benchmarks/couple_agreement.py --trials 2 --copies 12 --scale 0.1

Prints, per profile, the couples whose two programs agree, and those that agree on whether
both of them matched (docs/model.md, section 8).  Not a timing: a full Match per couple.
"""

from __future__ import annotations

import argparse
import dataclasses

from simulator.market import draw_focal, draw_focal_noise, draw_market, trial_streams
from simulator.market.focal_params import Focal, Partner
from simulator.market.inputs import market_inputs
from simulator.market.match import match_couple_copy, match_population, place_copies
from simulator.market.published import load_published
from simulator.scenario import load_scenario

IM, PEDS = "Internal Medicine (Categorical)", "Pediatrics (Categorical)"
PROFILES = {
    "two J-1 non-US IMGs in Internal Medicine": Focal(
        specialty=IM, step2ck=238, visa="j1", partner=Partner(specialty=IM, step2ck=242, visa="j1")
    ),
    "a US IMG in IM with a US MD partner in Pediatrics": Focal(
        type="us_img", specialty=IM, partner=Partner(specialty=PEDS, type="us_md", step2ck=245)
    ),
}


def agreement(inputs, params, you: Focal, trials: int, copies: int) -> tuple[int, int, int]:
    """(couples agreeing on both programs, agreeing on whether both matched, couples)."""
    same = same_both = total = 0
    for trial in range(trials):
        streams = trial_streams(5, trial)
        market = draw_market(inputs, params, streams)
        p = market.programs.size
        noise = draw_focal_noise(copies, p, streams["focal"])
        partner_noise = draw_focal_noise(copies, p, streams["partner"])
        partner_noise = dataclasses.replace(partner_noise, home=noise.home)
        yours = draw_focal(market, you, noise, params, inputs.specialties)
        partners = draw_focal(market, you.partner.as_focal(you), partner_noise, params,
                              inputs.specialties)  # fmt: skip
        outcome = place_copies(match_population(market, params), yours, params, partners)
        n = market.applicants.size
        for copy in range(copies):
            full = match_couple_copy(market, yours, partners, copy, params)
            placed = (outcome.matched_program[n + copy], outcome.partner_program[n + copy])
            same += full == placed
            same_both += (max(full) < p) == (max(placed) < p)
            total += 1
    return same, same_both, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--copies", type=int, default=24)
    args = parser.parse_args()
    inputs = market_inputs(load_published(), args.scale)
    params = load_scenario("scenarios/default.toml").params  # the shipped, calibrated model
    for name, you in PROFILES.items():
        same, same_both, total = agreement(inputs, params, you, args.trials, args.copies)
        print(f"{name}: {same} of {total} couples agree on both programs, "
              f"{same_both} on whether both matched (scale {args.scale:g}, "
              f"{args.trials} trials x {args.copies} copies)")  # fmt: skip


if __name__ == "__main__":
    main()
