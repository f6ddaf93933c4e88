"""The advanced (PGY-2) positions of the synthetic market, measured: who seeks them, how
often they match, and how the one-year tracks fill (docs/model.md, section 7).

    python benchmarks/advanced_market.py            # trials 0-3 of scenarios/default.toml

Not a timing.  Seekers are applicants whose preferred row is an advanced one; active ones
ranked a program.  Per trial, then pooled over the trials.
"""

from __future__ import annotations

import argparse

import numpy as np

from simulator.market import draw_market, market_inputs, trial_streams
from simulator.market.applicants import ONE_YEAR_TRACKS
from simulator.market.match import match_population
from simulator.market.published import load_published
from simulator.scenario import load_scenario
from simulator.vocabulary import APPLICANT_TYPES


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=4)
    args = parser.parse_args()
    scenario = load_scenario("scenarios/default.toml")
    inputs = market_inputs(load_published(), 1.0)
    names = list(inputs.specialties)
    tracks = [names.index(name) for name in ONE_YEAR_TRACKS]
    by_type = np.zeros(len(APPLICANT_TYPES))
    totals = dict.fromkeys(("active", "matched", "advanced", "with_pgy1", "filled", "positions"), 0)
    track_filled = np.zeros((len(tracks), 2))  # by supplemental lists, by anyone
    track_positions = np.zeros(len(tracks))
    for trial in range(args.trials):
        market = draw_market(inputs, scenario.params, trial_streams(scenario.seed, trial))
        outcome = match_population(market, scenario.params).outcome
        programs, p = market.programs, market.programs.size
        seeker = inputs.is_advanced[market.applicants.specialty] & (outcome.rol_length > 0)
        matched = outcome.matched_program[seeker]
        to_advanced = (matched < p) & programs.advanced[np.minimum(matched, p - 1)]
        totals["active"] += seeker.sum()
        by_type += np.bincount(market.applicants.type[seeker], minlength=len(APPLICANT_TYPES))
        totals["matched"] += (matched < p).sum()
        totals["advanced"] += to_advanced.sum()
        totals["with_pgy1"] += (outcome.pgy1_program[seeker][to_advanced] < p).sum()
        held = np.bincount(outcome.matched_program, minlength=p + 1)[:p]
        totals["filled"] += held[programs.advanced].sum()
        totals["positions"] += programs.positions[programs.advanced].sum()
        from_lists = np.bincount(outcome.pgy1_program, minlength=p + 1)[:p]
        for i, track in enumerate(tracks):
            mine = programs.specialty == track
            track_filled[i] += from_lists[mine].sum(), (held + from_lists)[mine].sum()
            track_positions[i] += programs.positions[mine].sum()
        print(f"trial {trial}: {int(seeker.sum()):,} active seekers")
    t = totals
    print(f"trials 0-{args.trials - 1} of {scenario.name}, full scale:")
    print(f"  active seekers a trial             {t['active'] / args.trials:,.1f}")
    shares = ", ".join(f"{n / args.trials:,.1f} {k}" for k, n in zip(APPLICANT_TYPES, by_type))
    print(f"    by type: {shares}")
    print(f"  matched                            {t['matched'] / t['active']:.1%}")
    print(f"  matched to an advanced position    {t['advanced'] / t['active']:.1%}")
    print(f"  advanced matches with a PGY-1 year {t['with_pgy1'] / t['advanced']:.1%}")
    print(f"  advanced positions filled          {t['filled'] / t['positions']:.1%}")
    for name, (lists, anyone), positions in zip(ONE_YEAR_TRACKS, track_filled, track_positions):
        print(f"  {name:34s} filled {anyone / positions:.1%}, "
              f"{lists / max(anyone, 1):.0%} of them through supplemental lists")  # fmt: skip


if __name__ == "__main__":
    main()
