"""You and your partner as a couple (``[you.partner]``): the pairs each copy of the two of you
ranks, and the first pair the population's solved matching takes them at.

Each copy of you has a copy of your partner, from the same home division; the two apply and
interview alone, as every copy does, and each ranks programs as a single would
(:func:`simulator.market.lists.solo_lists`).  The couple's pairs are built from the two
lists as the population's couples' are (:func:`simulator.market.couples.pair_lists`).  The
couple gets the first pair whose every seat would take its member in the population's
solved matching: a program takes a member it ranks if it has room or ranks the member
above its worst holder; both members at one program need two seats among its best.  The
rejection chains their two seats start are not followed (for a single copy they are,
:mod:`simulator.engine.insertion`): a chain that came back to turn a member away would send
the couple on down its list.  Copies never compete with each other.  docs/model.md measures
the result against the NRMP's procedure run on the population and one couple.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.csr import segment_ids
from simulator.market.couples import pair_lists
from simulator.market.lists import RankOrderLists

__all__ = ["couple_outcomes"]


def couple_outcomes(
    yours: RankOrderLists, partners: RankOrderLists, population, programs, params
) -> tuple[np.ndarray, np.ndarray]:
    """Each couple copy's programs: ``(yours, your partner's)``, the number of programs for
    unmatched.  ``yours`` and ``partners`` are the solo lists of the copies (copy ``i`` of
    you with copy ``i`` of your partner); ``population`` the
    :class:`~simulator.market.match.PopulationMatch` they join."""
    copies, n_programs = yours.sent.size, programs.size
    unranked = population.lists.applicants.size + 1  # solo_lists' "not ranked"
    indptr = np.r_[yours.rol_indptr, yours.rol_indptr[-1] + partners.rol_indptr[1:]]
    couples = np.column_stack((np.arange(copies), copies + np.arange(copies)))
    couple_indptr, pairs, ranks = pair_lists(
        indptr,
        np.r_[yours.rol_programs, partners.rol_programs],
        np.r_[yours.program_ranks, partners.program_ranks],
        couples,
        programs.division,
        unranked,
        params,
    )
    holders = _holder_keys(population, unranked + 1)
    takes = _takes_both(pairs, ranks, holders, unranked + 1, programs)
    taken = np.flatnonzero(takes)
    first = np.full(copies, pairs.shape[0])
    np.minimum.at(first, segment_ids(couple_indptr)[taken], taken)
    chosen = np.vstack((pairs, [n_programs, n_programs]))[first]
    return chosen[:, 0], chosen[:, 1]


def _holder_keys(population, stride: int) -> np.ndarray:
    """Every seat held in the population's matching as a sorted key ``program * stride +
    rank``: primary seats and PGY-1 seats from supplemental lists alike."""
    lists = population.lists
    who = segment_ids(lists.rol_indptr)
    held = lists.rol_programs == population.match[who]
    pgy1_who = segment_ids(lists.pgy1_indptr)
    held_pgy1 = lists.pgy1_programs == population.pgy1[pgy1_who]
    program = np.r_[lists.rol_programs[held], lists.pgy1_programs[held_pgy1]]
    rank = np.r_[lists.program_ranks[held], lists.pgy1_ranks[held_pgy1]]
    return np.sort(program * stride + rank)


def _takes_both(pairs, ranks, holders, stride: int, programs) -> np.ndarray:
    """Whether each pair's every named seat takes its member (see the module docstring).

    ``holders``: :func:`_holder_keys`; a copy's rank ``r`` (``stride - 1``: not ranked)
    sits above every holder ranked ``r`` or lower, so a full program takes it when its
    worst holder's rank is at least ``r``.
    """
    n_programs = programs.size
    program_of, rank_of = np.divmod(holders, stride)
    fill = np.bincount(program_of, minlength=n_programs)
    worst = np.full(n_programs, -1, dtype=np.int64)
    np.maximum.at(worst, program_of, rank_of)
    capacity = programs.positions
    named = pairs < n_programs
    at = np.where(named, pairs, 0)
    ranked = ranks < stride - 1
    passes = ranked & ((fill[at] < capacity[at]) | (ranks <= worst[at]))
    ok = np.where(named, passes, True).all(axis=1)
    same = np.flatnonzero(named.all(axis=1) & (pairs[:, 0] == pairs[:, 1]))
    if same.size:  # both at one program: two seats among its best
        program, worse = pairs[same, 0], ranks[same].max(axis=1)
        ahead = np.searchsorted(holders, program * stride + worse) - np.searchsorted(
            holders, program * stride
        )
        ok[same] = ranked[same].all(axis=1) & (ahead <= capacity[program] - 2)
    return ok
