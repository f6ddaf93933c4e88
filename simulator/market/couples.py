"""Couples in the synthetic market: who pairs up, and the pairs of programs each couple ranks.

The NRMP publishes how many couples take part (1,259 in 2025, 93.2% matched),
not who they are: members are drawn by ``couples.type_weight`` and paired
within their home division (so that partners look for places near each other).
Each member interviews alone, as everyone does; the couple then ranks pairs
of the two members' interview programs, both in one division first: a pair's
place is the sum of the two programs' places on the members' own lists, plus
``couples.apart_penalty`` for two divisions, and a pair in which one member
goes unmatched ("-") comes at the first member's place plus
``couples.alone_penalty``.  The NRMP's procedure
(:func:`simulator.engine.roth_peranson`) matches singles and couples together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.csr import segment_aranges, segment_ids
from simulator.engine.packed_sort import packed_lexsort

__all__ = ["CoupleLists", "couple_lists", "draw_couples", "pair_lists"]


def draw_couples(applicants, inputs, params, rng) -> np.ndarray:
    """``(couples, 2)`` applicant indices: ``inputs.couples`` times ``couples.share`` couples.

    Members are a weighted sample without replacement (weights
    ``couples.type_weight`` by type; Efraimidis and Spirakis' keys), paired
    in order of home division so that partners share one.  Advanced seekers are
    never drawn: matchsim's couples rank pairs of primary entries only (an assumption).
    """
    n_couples = inputs.couples
    weight = np.array(params.couples.type_weight.values(), dtype=float)[applicants.type]
    weight = weight * ~inputs.is_advanced[applicants.specialty]
    eligible = np.flatnonzero(weight > 0)
    count = min(round(n_couples * params.couples.share), eligible.size // 2)
    if count == 0:
        return np.zeros((0, 2), dtype=np.int64)
    key = np.log(rng.random(eligible.size)) / weight[eligible]  # larger: drawn first
    # Sorted: argpartition returns the drawn in an order that depends on the CPU's code
    # path (AVX-512 or not), and the draws that pair them below go by that order.
    members = np.sort(eligible[np.argpartition(-key, 2 * count - 1)[: 2 * count]])
    order = np.lexsort((rng.random(members.size), applicants.home_division[members]))
    return members[order].reshape(-1, 2).astype(np.int64)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CoupleLists:
    """The engine's couple arrays, and the singles' lists without the couple members."""

    couples: np.ndarray  # (C, 2)
    couple_indptr: np.ndarray  # (C + 1): CSR over the pairs
    pair_programs: np.ndarray  # (pairs, 2); the number of programs: "no match"
    pair_ranks: np.ndarray  # (pairs, 2): each program's rank of that member
    rol_indptr: np.ndarray
    rol_programs: np.ndarray
    program_ranks: np.ndarray
    supplemental: dict  # the singles' supplemental PGY-1 lists, as the engine names them

    def engine_arguments(self, capacities) -> dict:
        """The arrays as :func:`simulator.engine.roth_peranson` names them."""
        names = ("rol_indptr", "rol_programs", "program_ranks", "couples", "couple_indptr")
        arguments = {name: getattr(self, name) for name in names}
        arguments.update(pair_programs=self.pair_programs, pair_ranks=self.pair_ranks)
        return arguments | self.supplemental | {"capacities": capacities}


def couple_lists(lists, couples: np.ndarray, programs, params) -> CoupleLists:
    """Each couple's list of pairs, from the members' own lists (see the module docstring).

    ``lists`` is a :class:`simulator.market.lists.RankOrderLists` (entries in
    each applicant's order of preference); ``programs`` the market's
    :class:`~simulator.market.programs.Programs`.  Ties keep the first member's order.
    Couple members have no supplemental lists (:func:`draw_couples`).
    """
    n = lists.applicants.size
    indptr, ranks = lists.rol_indptr, lists.program_ranks
    couple_indptr, pair_programs, pair_ranks = pair_lists(
        indptr, lists.rol_programs, ranks, couples, programs.division, n, params
    )
    length = np.diff(indptr)
    in_couple = np.zeros(n, dtype=bool)
    in_couple[couples.ravel()] = True
    single = np.repeat(~in_couple, length)
    supplemental = lists.supplemental(programs.advanced)
    per_entry = np.diff(supplemental["supplemental_indptr"])
    supplemental["supplemental_indptr"] = np.r_[0, np.cumsum(per_entry[single])]
    return CoupleLists(
        supplemental=supplemental,
        couples=couples,
        couple_indptr=couple_indptr,
        pair_programs=pair_programs,
        pair_ranks=pair_ranks,
        rol_indptr=np.r_[0, np.cumsum(np.where(in_couple, 0, length))],
        rol_programs=lists.rol_programs[single],
        program_ranks=ranks[single],
    )


def pair_lists(indptr, programs, ranks, couples, division, unranked: int, params):
    """The pairs each couple ranks, from its members' lists in CSR form (``indptr``,
    ``programs``, ``ranks``, entries in order of preference): ``(couple_indptr,
    pair_programs, pair_ranks)`` as :func:`simulator.engine.roth_peranson` reads them,
    the number of programs (``division.size``) meaning "no match" and ``unranked``
    standing for the rank on that side."""
    c = params.couples
    n_programs = division.size
    length = np.diff(indptr)
    first, second = couples[:, 0], couples[:, 1]
    la, lb = length[first], length[second]

    # Both matched: every program of one member with every program of the other.
    joint = la * lb
    couple = np.repeat(np.arange(len(couples)), joint)
    local = np.arange(couple.size) - np.repeat(np.cumsum(joint) - joint, joint)
    i, j = np.divmod(local, np.maximum(lb[couple], 1))
    ea, eb = indptr[first][couple] + i, indptr[second][couple] + j
    pa, pb = np.take(programs, ea), np.take(programs, eb)
    apart = np.take(division, pa) != np.take(division, pb)
    # One of them unmatched ("-"), after the pairs that keep them both.
    alone_a = segment_ids(np.r_[0, np.cumsum(la)])
    alone_b = segment_ids(np.r_[0, np.cumsum(lb)])
    place_a = np.arange(alone_a.size) - np.repeat(np.cumsum(la) - la, la)
    place_b = np.arange(alone_b.size) - np.repeat(np.cumsum(lb) - lb, lb)
    ea_alone = indptr[first][alone_a] + place_a
    eb_alone = indptr[second][alone_b] + place_b

    no = np.int64(n_programs)
    pair_couple = np.concatenate((couple, alone_a, alone_b))
    program_a = np.concatenate((pa, programs[ea_alone], np.full(alone_b.size, no)))
    program_b = np.concatenate((pb, np.full(alone_a.size, no), programs[eb_alone]))
    rank_a = np.concatenate((np.take(ranks, ea), ranks[ea_alone], np.full(alone_b.size, unranked)))
    rank_b = np.concatenate((np.take(ranks, eb), np.full(alone_a.size, unranked), ranks[eb_alone]))
    # A pair's place: i + j (+ apart_penalty), or a member's place + alone_penalty; ties go
    # to the first member's earlier place ("tie"; the second member alone last), then in
    # the order listed.  Places take few values: each is coded (``code``) and ranked once.
    longest = int(max(la.max(initial=0), lb.max(initial=0)))
    two = 2 * longest
    code = np.concatenate(((i + j) * 2 + apart, two * 2 + place_a, two * 2 + place_b))
    places = np.arange(two)[:, None] + c.apart_penalty * np.array([False, True])
    values, place_rank = np.unique(
        np.r_[places.ravel(), np.arange(longest) + c.alone_penalty], return_inverse=True
    )
    tie = np.concatenate((i, place_a, np.full(alone_b.size, longest)))
    order = packed_lexsort((pair_couple, place_rank[code], tie), (None, values.size, longest + 1))
    pairs = joint + la + lb  # each couple's, in ``order`` one after the other
    kept = np.minimum(pairs, c.max_pairs)
    order = order[segment_aranges(np.cumsum(pairs) - pairs, kept)]
    return (
        np.r_[0, np.cumsum(kept)],
        np.column_stack((np.take(program_a, order), np.take(program_b, order))),
        np.column_stack((np.take(rank_a, order), np.take(rank_b, order))),
    )
