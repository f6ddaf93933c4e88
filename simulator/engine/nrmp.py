"""The NRMP's procedure (Roth and Peranson 1999): singles, couples and supplemental PGY-1 lists.

Inputs (``N`` applicants, ``P`` programs; "no match" is ``P``, "not ranked" is ``N``):

* singles, as for :func:`deferred_acceptance`: ``rol_indptr`` (N + 1), ``rol_programs``
  and ``program_ranks`` (one per entry), ``capacities`` (P);
* couples: ``couples`` (C, 2) the two members' applicant indices (whose single lists
  must be empty); ``couple_indptr`` (C + 1) CSR over ``pair_programs`` (n_pairs, 2),
  each row a pair of programs for (first member, second member), either side ``P``
  for "no match" (not both), most preferred first; ``pair_ranks`` (n_pairs, 2) the
  rank each program gives that member (ignored on a "no match" side);
* supplemental lists: ``supplemental_indptr`` (n_entries + 1) CSR over primary-list
  entries: entry ``e`` (an advanced program) carries the PGY-1 programs
  ``supplemental_programs[supplemental_indptr[e]:supplemental_indptr[e + 1]]`` with
  the ranks those programs give the applicant in ``supplemental_ranks``.

Every unit (a single applicant or a couple) ranks *bundles* of at most two seats:
a single's entry ``A`` with supplemental list ``S1..Sk`` stands for the bundles
``(A, S1) .. (A, Sk), (A, none)`` (advanced with a PGY-1 year, else advanced alone:
the applicant never goes below ``A`` while ``A`` holds them); any other entry is
``(A, none)``; a couple's pair is a bundle with one seat per member.

A unit *blocks* with a bundle it prefers to its own when every seat would take it
(Kojima, Pathak and Roth 2013): program ``p`` takes member ``m`` if ``m`` is there
already or ``p`` has room or ranks ``m`` above its worst holder; when both members
of a couple want the same program, both must be among its best ``capacity`` of
its holders and the two of them.

The algorithm:

1. The singles' primary lists through the vectorised deferred acceptance
   (supplemental lists set aside; couples not yet in).  An applicant holding an
   advanced program sits at its ``(A, none)`` bundle.
2. A re-processing round: find (vectorised) every unit that may block: all
   bundles of couples and of applicants with supplemental lists in the first
   round; later only bundles at programs that lost a holder in the last round
   and bundles of units that moved (no other bundle can have started to fit).
   None: the matching is stable; stop.
3. Each such unit in turn tries the bundles found, best first, above the one it
   holds (exact test); the first that takes it becomes its bundle: it
   withdraws the seats not in it, takes the new ones, and each program over
   capacity turns away its worst holder.  A unit turned away from one seat
   withdraws its other one (a couple member's partner, an advanced position's
   PGY-1 year, unless its next bundle keeps it) and goes on down its list, one
   proposal at a time, until nobody is left turned away.  If no unit moved, stop:
   the matching is stable.
4. With couples a stable matching need not exist and re-processing may cycle:
   after ``max_rounds`` rounds (or, with ``in_batches``, once a round
   starts where an earlier one did) it stops and reports ``stable=False`` with
   the matching it reached (feasible, possibly blocked).

The result is one of the stable matchings when ``stable`` is true; with couples
or supplemental lists it may depend on processing order.  ``in_batches``
replaces step 1 and the first rounds by :mod:`simulator.engine.nrmp_batch`;
steps 2-4 live in :mod:`simulator.engine.reprocess`.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.kernel import deferred_acceptance
from simulator.engine.nrmp_batch import match_in_batches
from simulator.engine.nrmp_inputs import NRMPResult, result, roth_peranson_iv
from simulator.engine.reprocess import Reprocessing

_INT = np.int64
#: Batch rounds before re-processing goes on one unit at a time (``in_batches``):
#: at national scale (1,259 couples) three took the Match from 0.27 s to 0.21 s here; more
#: rounds cost more than they save (benchmarks/bench_nrmp.py).
BATCH_ROUNDS = 3


def roth_peranson(
    rol_indptr,
    rol_programs,
    program_ranks,
    capacities,
    *,
    couples=None,
    couple_indptr=None,
    pair_programs=None,
    pair_ranks=None,
    supplemental_indptr=None,
    supplemental_programs=None,
    supplemental_ranks=None,
    max_rounds: int = 200,
    check_input: bool = True,
    in_batches: bool = False,
) -> NRMPResult:
    """Run the NRMP's matching procedure; see the module docstring for arrays and steps.

    Without couples and supplemental lists the result's ``match`` equals
    :func:`deferred_acceptance` (applicants proposing) exactly.  Raises
    ``ValueError`` naming the problem for malformed input (unless ``check_input``
    is false).  The inputs are never modified.

    ``in_batches``: bring the couples and the supplemental lists in and re-process
    in batch rounds, many units at once (:mod:`simulator.engine.nrmp_batch`), then
    confirm (or finish) one unit at a time as below.  ``stable`` means what it says
    either way; the matching reached may be another stable one.  The synthetic
    market uses it for speed; the default follows the NRMP's order, as
    ``matchsim explain`` tells it.
    """
    market = roth_peranson_iv(
        rol_indptr,
        rol_programs,
        program_ranks,
        capacities,
        couples=couples,
        couple_indptr=couple_indptr,
        pair_programs=pair_programs,
        pair_ranks=pair_ranks,
        supplemental_indptr=supplemental_indptr,
        supplemental_programs=supplemental_programs,
        supplemental_ranks=supplemental_ranks,
        max_rounds=max_rounds,
        check=check_input,
    )
    n_applicants, n_programs = market.rol_indptr.size - 1, market.capacities.size
    if in_batches and (market.couples.shape[0] or market.supplemental_programs.size):
        batches = match_in_batches(market, min(BATCH_ROUNDS, max_rounds))
        state = Reprocessing(
            market,
            batches.match,
            entries=batches.entries,
            couple_pairs=batches.couple_pairs,
            pgy1_entries=batches.pgy1_entries,
            loosened=batches.loosened,
            stop_on_cycle=True,
        )
        stable, rounds = state.reprocess(max_rounds)
        return result(state.held[:, 0], state.held[:, 1], stable, batches.rounds + rounds)
    match = deferred_acceptance(
        market.rol_indptr,
        market.rol_programs,
        market.program_ranks,
        market.capacities,
        check_input=False,
    )
    if market.couples.shape[0] == 0 and market.supplemental_programs.size == 0:
        return result(match, np.full(n_applicants, n_programs, dtype=_INT), True, 0)
    state = Reprocessing(market, match)
    stable, rounds = state.reprocess(max_rounds)
    return result(state.held[:, 0], state.held[:, 1], stable, rounds)
