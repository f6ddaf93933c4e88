"""Everybody's rank-order lists, built from the interviews held, in the engine's CSR form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.kernel import place_in_group
from simulator.market.applicants import Applicants, stack_applicants
from simulator.market.focal import FocalEntries
from simulator.market.interviews import sort_by_group_desc
from simulator.market.params import MarketParams
from simulator.market.year import Market


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RankOrderLists:
    """Everybody's rank-order lists in the engine's CSR form, with what the report needs."""

    applicants: Applicants
    n_population: int
    sent: np.ndarray
    interviews: np.ndarray
    rol_indptr: np.ndarray
    rol_programs: np.ndarray
    program_ranks: np.ndarray
    position: np.ndarray  # 0-based position of each entry on its applicant's list


def rank_order_lists(
    market: Market, focal: FocalEntries | None, params: MarketParams
) -> RankOrderLists:
    """Build everybody's rank-order lists (population first, then the focal copies).

    Applicants rank the programs that interviewed them in their order of
    preference, cut to their rank-list cap; programs rank the interviewees
    they evaluated at or above the acceptability bar, best first, except the
    share ``1 - interview_rank_share`` they rule out at interview.
    """
    programs = market.programs
    pieces = [market] if focal is None else [market, focal]
    applicants = stack_applicants([p.applicants for p in pieces])
    offsets = np.cumsum([0] + [p.applicants.size for p in pieces])
    who = np.concatenate([p.interview_applicant + off for p, off in zip(pieces, offsets)])
    where = np.concatenate([p.interview_program for p in pieces])
    preference = np.concatenate([p.interview_preference for p in pieces])
    evaluation = np.concatenate([p.interview_evaluation for p in pieces])
    unranked = np.concatenate([p.interview_unranked for p in pieces])
    n = applicants.size

    # Applicants' lists: interviews in order of preference, cut to the cap.
    order = sort_by_group_desc(who, preference, n)
    who, where, evaluation, unranked = who[order], where[order], evaluation[order], unranked[order]
    position = place_in_group(who)
    interviews = np.bincount(who, minlength=n)
    cap = applicants.rank_list_cap[who]
    kept = (cap == 0) | (position < cap)
    who, where, evaluation, unranked, position = (
        x[kept] for x in (who, where, evaluation, unranked, position)
    )

    # Programs' lists: interviewees at or above the bar and not ruled out at interview, best first.
    ranked = np.flatnonzero((evaluation >= params.selection.acceptability_bar) & ~unranked)
    by_program = ranked[sort_by_group_desc(where[ranked], evaluation[ranked], programs.size)]
    program_ranks = np.full(where.size, n, dtype=np.int64)
    program_ranks[by_program] = place_in_group(where[by_program])
    return RankOrderLists(
        applicants=applicants,
        n_population=market.applicants.size,
        sent=np.concatenate([p.sent for p in pieces]),
        interviews=interviews,
        rol_indptr=np.r_[0, np.cumsum(np.bincount(who, minlength=n))],
        rol_programs=where,
        program_ranks=program_ranks,
        position=position,
    )
