"""Time the NRMP procedure (couples, advanced positions, supplemental lists) against singles DA.

    python benchmarks/bench_nrmp.py            # full size: ~45,000 applicants, 2,500 in couples
    python benchmarks/bench_nrmp.py --size small

Builds the random market of ``bench_engine.py``, then makes about 7.5% of the
positions advanced (PGY-2) and as many preliminary (PGY-1), gives every
single's advanced entry a supplemental list of 2-4 PGY-1 programs, and pairs
2,500 applicants into couples who rank combinations of their two lists.
Prints milliseconds per Match (median of several) for :func:`roth_peranson`
on that market and :func:`deferred_acceptance` on the singles-only market it
came from, timed in interleaved pairs in the same process, and their ratio (the
median of the pairs': a noisy machine slows both alike).
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_engine import SIZES, median_ms, paired_ms, random_market

from simulator.engine import deferred_acceptance, roth_peranson
from simulator.engine.checks import deferred_acceptance_iv
from simulator.engine.nrmp_inputs import roth_peranson_iv

COUPLE_MEMBERS = {"small": 250, "full": 2_500}


def nrmp_market(singles, *, n_members, rng):
    """The arrays of :func:`roth_peranson` built from a singles market (see module docstring)."""
    indptr, programs, _, capacities = singles
    n, p = indptr.size - 1, capacities.size
    track = rng.random(p)
    advanced, pgy1 = track < 0.075, track > 0.925
    pgy1_programs = np.flatnonzero(pgy1)
    applicant = np.repeat(np.arange(n), np.diff(indptr))

    members = rng.choice(n, n_members, replace=False)
    in_couple = np.zeros(n, dtype=bool)
    in_couple[members] = True
    couples = members.reshape(-1, 2)
    pairs, couple_sizes = [], []
    for first, second in couples:
        mine = [programs[indptr[a] : indptr[a + 1]][:5].tolist() for a in (first, second)]
        combos = sorted(
            ((i + j, h, k) for i, h in enumerate(mine[0]) for j, k in enumerate(mine[1])),
        )[:12]
        couple_pairs = [(h, k) for _, h, k in combos]
        couple_pairs += [(h, p) for h in mine[0][:2]] + [(p, k) for k in mine[1][:2]]
        pairs += couple_pairs
        couple_sizes.append(len(couple_pairs))
    pair_programs = np.array(pairs, dtype=np.int64).reshape(-1, 2)

    single = ~in_couple[applicant]
    rol_programs, rol_applicant = programs[single], applicant[single]
    rol_indptr = np.r_[0, np.cumsum(np.bincount(rol_applicant, minlength=n))]
    supp_sizes = np.where(advanced[rol_programs], rng.integers(2, 5, rol_programs.size), 0)
    supp_programs = rng.choice(pgy1_programs, int(supp_sizes.sum()))
    supp_applicant = np.repeat(rol_applicant, supp_sizes)
    # Drop repeats within a list (rare) by keeping the first occurrence.
    supp_entry = np.repeat(np.arange(rol_programs.size), supp_sizes)
    _, first = np.unique(supp_entry * p + supp_programs, return_index=True)
    keep = np.zeros(supp_programs.size, dtype=bool)
    keep[first] = True
    supp_programs, supp_applicant, supp_entry = (
        x[keep] for x in (supp_programs, supp_applicant, supp_entry)
    )
    supp_indptr = np.r_[0, np.cumsum(np.bincount(supp_entry, minlength=rol_programs.size))]

    pair_members = np.repeat(couples, couple_sizes, axis=0)
    seat_program = np.concatenate((rol_programs, pair_programs.ravel(), supp_programs))
    seat_applicant = np.concatenate((rol_applicant, pair_members.ravel(), supp_applicant))
    ranks = program_ranks(seat_program, seat_applicant, n, p, rng)
    n_rol, n_pairs = rol_programs.size, pair_programs.size
    return dict(
        rol_indptr=rol_indptr,
        rol_programs=rol_programs,
        program_ranks=ranks[:n_rol],
        capacities=capacities,
        couples=couples,
        couple_indptr=np.r_[0, np.cumsum(couple_sizes)],
        pair_programs=pair_programs,
        pair_ranks=np.where(pair_programs < p, ranks[n_rol : n_rol + n_pairs].reshape(-1, 2), n),
        supplemental_indptr=supp_indptr,
        supplemental_programs=supp_programs,
        supplemental_ranks=ranks[n_rol + n_pairs :],
    )


def program_ranks(program, applicant, n, p, rng):
    """One rank per (program, applicant) seat: a common score plus noise, one in ten unranked."""
    key = program * (n + 1) + applicant
    pairs, where = np.unique(key, return_inverse=True)
    pair_program, pair_applicant = np.divmod(pairs, n + 1)
    score = rng.normal(0.0, 1.0, n)
    evaluation = score[pair_applicant] + rng.normal(0.0, 0.5, pairs.size)
    order = np.lexsort((-evaluation, pair_program))
    start = np.searchsorted(pair_program[order], pair_program[order])
    rank = np.empty(pairs.size, dtype=np.int64)
    rank[order] = np.arange(pairs.size) - start
    rank[(rng.random(pairs.size) < 0.1) | (pair_program == p)] = n
    return rank[where]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--seed", type=int, default=20250321)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    singles = random_market(**SIZES[args.size], rng=rng)
    market = nrmp_market(singles, n_members=COUPLE_MEMBERS[args.size], rng=rng)
    print(
        f"market ({args.size}): {singles[0].size - 1:,} applicants, {len(market['couples']):,} "
        f"couples ({len(market['pair_programs']):,} pairs), "
        f"{market['supplemental_programs'].size:,} supplemental entries, seed {args.seed}"
    )
    print(f"{'solve (in pairs with the singles engine)':60s} {'ms/Match':>9s} {'ratio':>6s}")
    for checked in (True, False):
        label = "" if checked else ", no input check"
        for batches, how in ((False, ""), (True, ", in batches")):
            ms_da, ms_rp, ratio, _ = paired_ms(
                lambda: deferred_acceptance(*singles, check_input=checked),
                lambda: roth_peranson(**market, check_input=checked, in_batches=batches),
                args.repeats,
            )
            print(f"{'deferred_acceptance, singles only' + label:60s} {ms_da:9.1f} {1:6.2f}")
            print(
                f"{'roth_peranson, couples + supplemental' + how + label:60s} {ms_rp:9.1f} "
                f"{ratio:6.2f}"
            )
    singles_part = {k: market[k] for k in ("rol_indptr", "rol_programs", "program_ranks")}
    ms_all, _ = median_ms(lambda: roth_peranson_iv(**market, max_rounds=200, check=True), 5)
    ms_singles, _ = median_ms(
        lambda: deferred_acceptance_iv(**singles_part, capacities=market["capacities"]), 5
    )
    print(
        f"input checks alone: {ms_all:.1f} ms ({ms_singles:.1f} of them the singles' lists, "
        "as deferred_acceptance checks them)"
    )
    result = roth_peranson(**market, check_input=False, in_batches=True)
    members = market["couples"].ravel()
    print(
        f"stable: {result.stable}, re-processing rounds: {result.rounds}; matched: "
        f"{(result.match < singles[3].size).sum():,}; couple members matched: "
        f"{(result.match[members] < singles[3].size).mean():.1%}; "
        f"holding a PGY-1 from a supplemental list: {(result.pgy1 < singles[3].size).sum():,}"
    )


if __name__ == "__main__":
    main()
