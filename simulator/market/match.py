"""The Match of one trial: everybody's lists through the NRMP's applicant-proposing algorithm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.kernel import deferred_acceptance, segment_ids
from simulator.market.applicants import Applicants, stack_applicants
from simulator.market.focal import FocalEntries
from simulator.market.lists import rank_order_lists
from simulator.market.params import MarketParams
from simulator.market.programs import Programs
from simulator.market.year import Market, Stopwatch
from simulator.vocabulary import APPLICANT_TYPES


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TrialOutcome:
    """What happened to every applicant (population first, then focal copies) and program."""

    applicants: Applicants
    is_focal: np.ndarray
    sent: np.ndarray
    interviews: np.ndarray
    rol_length: np.ndarray
    contiguous_ranks: np.ndarray
    matched_program: np.ndarray  # n_programs if unmatched
    matched_rank: np.ndarray  # 1 = first choice, 0 = unmatched
    programs: Programs
    filled_by_type: np.ndarray  # (programs, applicant types), the population's matches only

    @property
    def matched(self) -> np.ndarray:
        return self.matched_program < self.programs.size

    @property
    def matched_specialty(self) -> np.ndarray:
        """Specialty index of the match; the number of specialties if unmatched."""
        specialty = np.r_[self.programs.specialty, self.programs.n_specialties]
        return specialty[self.matched_program]


def match_market(
    market: Market, focal: FocalEntries | None, params: MarketParams, *, timings=None
) -> TrialOutcome:
    """Build the rank-order lists and run the NRMP's applicant-proposing algorithm.

    ``timings``, if a dict, receives the seconds each stage took (for benchmarks).
    """
    clock = Stopwatch(timings)
    programs = market.programs
    lists = rank_order_lists(market, focal, params)
    applicants, n = lists.applicants, lists.applicants.size
    clock.lap("rank-order lists")
    match = deferred_acceptance(
        lists.rol_indptr,
        lists.rol_programs,
        lists.program_ranks,
        programs.positions,
        check_input=False,
    )
    clock.lap("match")
    who = segment_ids(lists.rol_indptr)
    where, position = lists.rol_programs, lists.position
    matched_entry = where == match[who]
    matched_rank = np.zeros(n, dtype=np.int64)
    matched_rank[who[matched_entry]] = position[matched_entry] + 1
    rol_length = np.diff(lists.rol_indptr)
    elsewhere = programs.specialty[where] != applicants.specialty[who]
    first_elsewhere = rol_length.copy()
    np.minimum.at(first_elsewhere, who[elsewhere], position[elsewhere])
    matched = match < programs.size
    counted = matched & (np.arange(n) < lists.n_population)  # the population only, not copies
    filled_by_type = np.zeros((programs.size, len(APPLICANT_TYPES)), dtype=np.int64)
    np.add.at(filled_by_type, (match[counted], applicants.type[counted]), 1)
    return TrialOutcome(
        applicants=applicants,
        is_focal=np.arange(n) >= lists.n_population,
        sent=lists.sent,
        interviews=lists.interviews,
        rol_length=rol_length,
        contiguous_ranks=first_elsewhere,
        matched_program=match,
        matched_rank=matched_rank,
        programs=programs,
        filled_by_type=filled_by_type,
    )


def match_in_groups(
    market: Market, focal: FocalEntries, params: MarketParams, per_match: int
) -> TrialOutcome:
    """Match the focal copies ``per_match`` at a time, each group in its own Match.

    Bounds how many copies compete with each other (see
    :data:`simulator.market.focal.COPIES_PER_MATCH_SHARE`).  The population's outcome is the one of
    the first group's Match.
    """
    copies = focal.sent.size
    groups = [np.arange(i, min(i + per_match, copies)) for i in range(0, copies, per_match)]
    outcomes = [match_market(market, focal.subset(group), params) for group in groups]
    if len(outcomes) == 1:
        return outcomes[0]
    first, n = outcomes[0], market.applicants.size

    def stacked(name):
        return np.concatenate([getattr(first, name)[:n]] + [getattr(o, name)[n:] for o in outcomes])

    return TrialOutcome(
        applicants=stack_applicants([market.applicants, focal.applicants]),
        is_focal=stacked("is_focal"),
        sent=stacked("sent"),
        interviews=stacked("interviews"),
        rol_length=stacked("rol_length"),
        contiguous_ranks=stacked("contiguous_ranks"),
        matched_program=stacked("matched_program"),
        matched_rank=stacked("matched_rank"),
        programs=first.programs,
        filled_by_type=first.filled_by_type,
    )
