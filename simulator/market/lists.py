"""Everybody's rank-order lists, built from the interviews held, in the engine's CSR form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.csr import segment_aranges
from simulator.market.applicants import Applicants, stack_applicants
from simulator.market.focal import FocalEntries
from simulator.market.interviews import Quantiser, sort_by_group_desc
from simulator.market.params import MarketParams
from simulator.market.year import Market


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RankOrderLists:
    """Everybody's rank-order lists in the engine's CSR form, with what the report needs."""

    applicants: Applicants
    n_population: int
    sent: np.ndarray
    interviews: np.ndarray
    interviews_signalled: np.ndarray  # interviews held at programs the applicant signalled
    signal_counts: np.ndarray  # (applicants, len(SIGNAL_COUNTS))
    rol_indptr: np.ndarray
    rol_programs: np.ndarray
    program_ranks: np.ndarray
    position: np.ndarray  # 0-based position of each entry on its applicant's list
    evaluation: np.ndarray  # the program's evaluation of the applicant at each entry
    #: Each advanced seeker's supplemental PGY-1 list (CSR by applicant, in their order):
    #: their interviews at their one-year track, attached to every advanced program they rank.
    pgy1_indptr: np.ndarray
    pgy1_programs: np.ndarray
    pgy1_ranks: np.ndarray
    pgy1_evaluation: np.ndarray
    #: The programs' lists as copies are ranked into them (:func:`_program_lists`), kept from
    #: building the population's lists; None for copies' lists, or if that needs a sort.
    program_lists: tuple[np.ndarray, np.ndarray] | None = None

    def supplemental(self, advanced: np.ndarray) -> dict:
        """The engine's supplemental arrays (CSR over the primary entries): each entry at an
        ``advanced`` program carries its applicant's PGY-1 list; other entries none."""
        at = np.flatnonzero(advanced[self.rol_programs])  # few entries are advanced
        who = np.searchsorted(self.rol_indptr, at, side="right") - 1
        count = np.zeros(self.rol_programs.size + 1, dtype=np.int64)
        count[at + 1] = np.diff(self.pgy1_indptr)[who]
        taken = segment_aranges(self.pgy1_indptr[who], count[at + 1])
        return {
            "supplemental_indptr": np.cumsum(count),
            "supplemental_programs": self.pgy1_programs[taken],
            "supplemental_ranks": self.pgy1_ranks[taken],
        }


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
    signalled = np.concatenate([p.interview_signalled for p in pieces])
    n = applicants.size
    interviews_signalled = np.bincount(np.take(who, np.flatnonzero(signalled)), minlength=n)

    # Applicants' lists: interviews in order of preference, cut to the cap.
    order = sort_by_group_desc(who, preference, n)
    interviews = np.bincount(who, minlength=n)
    who = np.repeat(np.arange(n), interviews)  # ``who[order]``, without the gather
    where, evaluation, unranked = (np.take(x, order) for x in (where, evaluation, unranked))
    cap = applicants.rank_list_cap
    if np.any((cap > 0) & (interviews > cap)):  # most often nobody's list is cut
        kept = (cap[who] == 0) | (_places(interviews) < cap[who])
        who, where, evaluation, unranked = (x[kept] for x in (who, where, evaluation, unranked))

    # Programs' lists: interviewees at or above the bar and not ruled out at interview, best first.
    ranked = np.flatnonzero((evaluation >= params.selection.acceptability_bar) & ~unranked)
    by_program = ranked[sort_by_group_desc(where[ranked], evaluation[ranked], programs.size)]
    program_ranks = np.full(where.size, n, dtype=np.int64)
    per_program = np.bincount(where[ranked], minlength=programs.size)
    program_ranks[by_program] = _places(per_program)
    # An advanced seeker's interviews at their one-year track make their supplemental list.
    pgy1 = np.take(programs.specialty, where) == np.take(applicants.pgy1_track, who)
    return RankOrderLists(
        applicants=applicants,
        n_population=market.applicants.size,
        sent=np.concatenate([p.sent for p in pieces]),
        interviews=interviews,
        interviews_signalled=interviews_signalled,
        signal_counts=np.concatenate([p.signal_counts for p in pieces]),
        **_primary_and_supplemental(who, where, program_ranks, evaluation, pgy1, n),
        program_lists=_ranked_in_order(evaluation, pgy1, by_program, per_program),
    )


def solo_lists(
    population: RankOrderLists, focal: FocalEntries, params: MarketParams, program_specialty
) -> RankOrderLists:
    """The focal copies' lists, each copy ranked by programs among the population alone.

    A copy's lists are built as the population's are; where a program ranks
    it, its rank is the number of population applicants the program ranks
    above it (``r``: above everyone ranked ``r``-th or lower); where the
    program does not rank it, ``n_population + 1``.  This is the form
    :func:`simulator.engine.insertion.solo_outcomes` reads: no copy competes
    with another.  A copy seeking an advanced position (``you.advanced``) keeps its
    interviews at its one-year track apart, as its supplemental list, as the
    population's seekers do (``program_specialty``: each program's specialty).
    """
    n_programs = program_specialty.size
    n = focal.sent.size
    who, where = focal.interview_applicant, focal.interview_program
    interviews_signalled = np.bincount(who[focal.interview_signalled], minlength=n)
    order = sort_by_group_desc(who, focal.interview_preference, n)
    who, where = who[order], where[order]
    evaluation = focal.interview_evaluation[order]
    unranked = focal.interview_unranked[order]
    interviews = np.bincount(who, minlength=n)
    cap = focal.applicants.rank_list_cap[who]
    kept = (cap == 0) | (_places(interviews) < cap)
    who, where, evaluation, unranked = (x[kept] for x in (who, where, evaluation, unranked))
    n_population = population.applicants.size
    ranks = np.full(where.size, n_population + 1, dtype=np.int64)
    ranked = (evaluation >= params.selection.acceptability_bar) & ~unranked
    ranks[ranked] = _ranked_above(population, where[ranked], evaluation[ranked], n_programs)
    pgy1 = program_specialty[where] == focal.applicants.pgy1_track[who]
    return RankOrderLists(
        applicants=focal.applicants,
        n_population=0,
        sent=focal.sent,
        interviews=interviews,
        interviews_signalled=interviews_signalled,
        signal_counts=focal.signal_counts,
        **_primary_and_supplemental(who, where, ranks, evaluation, pgy1, n),
    )


def _primary_and_supplemental(who, where, ranks, evaluation, pgy1, n: int) -> dict:
    """The list fields of :class:`RankOrderLists` from entries sorted by applicant, then
    preference: the ``pgy1`` entries (an advanced seeker's one-year track) make the
    supplemental lists, the others the primary lists."""
    primary, pgy1 = np.flatnonzero(~pgy1), np.flatnonzero(pgy1)  # takes beat masks
    length = np.bincount(np.take(who, primary), minlength=n)
    return {
        "rol_indptr": np.r_[0, np.cumsum(length)],
        "rol_programs": np.take(where, primary),
        "program_ranks": np.take(ranks, primary),
        "position": _places(length),
        "evaluation": np.take(evaluation, primary),
        "pgy1_indptr": np.r_[0, np.cumsum(np.bincount(np.take(who, pgy1), minlength=n))],
        "pgy1_programs": np.take(where, pgy1),
        "pgy1_ranks": np.take(ranks, pgy1),
        "pgy1_evaluation": np.take(evaluation, pgy1),
    }


def _places(sizes) -> np.ndarray:
    """Each row's place in its group (0 for the first), for rows sorted by group, the groups
    of the given ``sizes``: :func:`~simulator.engine.csr.place_in_group`, from the sizes."""
    return np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _ranked_above(population: RankOrderLists, program, evaluation, n_programs) -> np.ndarray:
    """How many applicants each ``program`` ranks with an evaluation above ``evaluation``.

    A binary search in each program's ranked evaluations (best first,
    :func:`_program_lists`), all queries at once.
    """
    values, starts = _program_lists(population, n_programs)
    low, high = starts[program], starts[program + 1]
    base = low.copy()
    while (active := low < high).any():
        middle = (low + high) // 2
        above = active & (values[np.minimum(middle, values.size - 1)] > evaluation)
        low = np.where(above, middle + 1, low)
        high = np.where(active & ~above, middle, high)
    return low - base


def _ranked_in_order(evaluation, pgy1, by_program, per_program):
    """:func:`_program_lists` of the lists being built, from their entries in program order
    (``by_program``, ``per_program`` of them each): the evaluations in that order, unless a
    primary and a supplemental entry tie (equal quantised evaluations side by side at one
    program), which :func:`_program_lists` may order otherwise (then None).

    Entries of one kind keep their order in both, so only a tie of two kinds can differ;
    only neighbours less than two quantisation steps apart are looked at.
    """
    values = evaluation[by_program]
    starts = np.r_[0, np.cumsum(per_program)]
    quantiser = Quantiser.of(by_program, values, per_program.size) if values.size else None
    if quantiser is None or not quantiser.step:
        return None
    close = np.flatnonzero(values[:-1] - values[1:] < 2 / quantiser.step)
    program = np.searchsorted(starts, np.r_[close, close + 1], side="right").reshape(2, -1)
    kinds = pgy1[by_program[np.r_[close, close + 1]]].reshape(2, -1)
    levels = quantiser.levels(values[np.r_[close, close + 1]]).reshape(2, -1)
    tie = (program[0] == program[1]) & (kinds[0] != kinds[1]) & (levels[0] == levels[1])
    return None if tie.any() else (values, starts)


def _program_lists(population: RankOrderLists, n_programs):
    """The ranked evaluations (primary entries, then supplemental) in the order
    :func:`sort_by_group_desc` puts them, by program and best first, and where each
    program's start.

    The ranks already give that order: entries go to their program's start plus
    their rank.  Only a tie (equal quantised evaluations) between a primary and
    a supplemental entry could order them otherwise; the packed keys, checked
    increasing, show there is none, else the entries are sorted.
    """
    if population.program_lists is not None:
        return population.program_lists
    n = population.applicants.size
    ranks = np.r_[population.program_ranks, population.pgy1_ranks]
    ranked = np.flatnonzero(ranks < n)  # primary and supplemental entries alike
    where = np.r_[population.rol_programs, population.pgy1_programs][ranked]
    evaluations = np.r_[population.evaluation, population.pgy1_evaluation][ranked]
    starts = np.r_[0, np.cumsum(np.bincount(where, minlength=n_programs))]
    order = np.empty(ranked.size, dtype=np.int64)
    order[np.take(starts, where) + np.take(ranks, ranked)] = np.arange(ranked.size)
    quantiser = Quantiser.of(where, evaluations, n_programs) if ranked.size else None
    if quantiser is not None:
        values = np.take(evaluations, order)
        key = quantiser.keys_at(np.take(where, order), quantiser.levels(values))
        key |= order
        if np.all(key[1:] > key[:-1]):
            return values, starts
    return evaluations[sort_by_group_desc(where, evaluations, n_programs)], starts
