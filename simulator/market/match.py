"""The Match of one trial: everybody's lists through the NRMP's procedure.

Singles, couples and the advanced seekers' supplemental PGY-1 lists are matched
together by :func:`simulator.engine.roth_peranson` (plain deferred acceptance
without couples and supplemental lists).  The population is matched once; each
focal copy then gets what it would get in a Match of the population and that
copy alone (insertion into the solved matching, :mod:`simulator.engine.insertion`):
copies never compete.  Insertion is exact for singles.  A PGY-1 seat held from a
supplemental list is a holder of its own, which a copy's chain sends on down that
list; a couple member or advanced holder that a chain turns away goes on down its
own list, as a single would (the partner is not withdrawn, the PGY-1 seat not
given back); a copy with an advanced position tries its supplemental list by a
second insertion.  docs/model.md measures these against the full procedure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.csr import segment_aranges, segment_ids
from simulator.engine.insertion import SolvedMarket, solo_outcomes
from simulator.engine.nrmp import roth_peranson
from simulator.market.applicants import Applicants, stack_applicants
from simulator.market.couple_copies import couple_outcomes
from simulator.market.couples import couple_lists
from simulator.market.focal import FUNNEL_COUNTS, FocalEntries
from simulator.market.lists import RankOrderLists, rank_order_lists, solo_lists
from simulator.market.params import MarketParams
from simulator.market.programs import Programs
from simulator.market.soap import SoapOutcome
from simulator.market.year import Market, Stopwatch
from simulator.vocabulary import APPLICANT_TYPES


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TrialOutcome:
    """What happened to every applicant (population first, then focal copies) and program."""

    applicants: Applicants
    is_focal: np.ndarray
    in_couple: np.ndarray  # one of a couple of the population (copies: never)
    sent: np.ndarray
    interviews: np.ndarray
    interviews_signalled: np.ndarray  # interviews held at programs the applicant signalled
    signal_counts: np.ndarray  # (applicants, len(SIGNAL_COUNTS)), market.signals
    rol_length: np.ndarray
    contiguous_ranks: np.ndarray
    matched_program: np.ndarray  # n_programs if unmatched
    #: The PGY-1 program an advanced match holds from a supplemental list; n_programs if none.
    pgy1_program: np.ndarray
    matched_rank: np.ndarray  # 1 = first choice, 0 = unmatched
    programs: Programs
    filled_by_type: np.ndarray  # (programs, applicant types), the population's matches only
    ranked: np.ndarray  # per program: population applicants it ranked (its list's length)
    #: (focal copies, len(FUNNEL_COUNTS)): :attr:`FocalEntries.funnel` of the copies, which
    #: are the last rows; the population's screening is not counted.
    focal_funnel: np.ndarray
    #: What SOAP did for each applicant, and the positions it filled per program (the
    #: population's): added by :func:`simulator.market.soap.place_in_soap`.
    soap: SoapOutcome | None = None
    filled_soap: np.ndarray | None = None
    #: False only if the NRMP's procedure stopped re-processing couples without reaching a
    #: stable matching (see :func:`simulator.engine.roth_peranson`).
    stable: bool = True
    #: With ``[you.partner]``: each row's partner's program (copies of you; n_programs if
    #: unmatched, and in the population's rows); None without a partner.
    partner_program: np.ndarray | None = None

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
    """Build the rank-order lists of the population and ``focal`` and run one Match of all.

    Copies in one Match compete with each other; :func:`match_solo_copies` is
    what studies use.  ``timings``, if a dict, receives the seconds each stage
    took (for benchmarks).
    """
    clock = Stopwatch(timings)
    programs = market.programs
    lists = rank_order_lists(market, focal, params)
    clock.lap("rank-order lists")
    match, pgy1, stable = _solve(lists, programs, market.couples, params)
    clock.lap("match")
    n = lists.applicants.size
    return _outcome(
        lists,
        match,
        pgy1,
        programs,
        in_couple=_members(market.couples, n),
        focal_funnel=_NO_FUNNEL if focal is None else focal.funnel,
        stable=stable,
    )


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PopulationMatch:
    """The population's rank-order lists, its Match and its outcome: what copies are placed in.

    One per market: every strategy of a comparison places its copies into the same one.
    """

    lists: RankOrderLists
    match: np.ndarray
    pgy1: np.ndarray  # the PGY-1 program held from a supplemental list; n_programs if none
    outcome: TrialOutcome


def match_population(market: Market, params: MarketParams, *, timings=None) -> PopulationMatch:
    """Build the population's lists and run the NRMP's algorithm on them, once."""
    clock = Stopwatch(timings)
    programs = market.programs
    lists = rank_order_lists(market, None, params)
    clock.lap("rank-order lists")
    match, pgy1, stable = _solve(lists, programs, market.couples, params)
    clock.lap("match")
    outcome = _outcome(
        lists,
        match,
        pgy1,
        programs,
        in_couple=_members(market.couples, match.size),
        focal_funnel=_NO_FUNNEL,
        stable=stable,
    )
    clock.lap("population's outcomes")
    return PopulationMatch(lists=lists, match=match, pgy1=pgy1, outcome=outcome)


def place_copies(
    population: PopulationMatch,
    focal: FocalEntries,
    params: MarketParams,
    partner: FocalEntries | None = None,
) -> TrialOutcome:
    """Give each focal copy its outcome alone in the population's matched market; with
    ``partner`` (a copy of your partner per copy of you), each pair of copies as a couple
    (:func:`simulator.market.couple_copies.couple_outcomes`).

    Rows: the population, then the copies; ``filled_by_type`` counts the population only.
    """
    base, lists = population.outcome, population.lists
    programs = base.programs
    solos = solo_lists(lists, focal, params, programs.specialty)
    if partner is not None:
        partner_solos = solo_lists(lists, partner, params, programs.specialty)
        yours, partners = couple_outcomes(solos, partner_solos, population, programs, params)
        no_pgy1 = np.full(yours.size, programs.size)
        return _with_copies(base, solos, yours, no_pgy1, focal, partner_program=partners)
    market = SolvedMarket(
        *_with_pgy1_holders(lists, population.pgy1, programs.size),
        programs.positions,
        np.r_[population.match, population.pgy1[population.pgy1 < programs.size]],
    )
    n = lists.applicants.size
    solo_match = solo_outcomes(
        market,
        solos.rol_indptr,
        solos.rol_programs,
        np.where(solos.program_ranks > n, _NOT_RANKED, solos.program_ranks),
    )
    # A copy holding an advanced position then tries its supplemental list alone: a second
    # insertion into the same solved market (its two chains are followed apart).
    advanced = (solo_match < programs.size) & programs.advanced[
        np.minimum(solo_match, programs.size - 1)
    ]
    supplemental = np.where(advanced, np.diff(solos.pgy1_indptr), 0)
    taken = segment_aranges(solos.pgy1_indptr[:-1], supplemental)
    solo_pgy1 = solo_outcomes(
        market,
        np.r_[0, np.cumsum(supplemental)],
        solos.pgy1_programs[taken],
        np.where(solos.pgy1_ranks[taken] > n, _NOT_RANKED, solos.pgy1_ranks[taken]),
    )
    return _with_copies(base, solos, solo_match, solo_pgy1, focal)


def _with_copies(base, solos, match, pgy1, focal, *, partner_program=None) -> TrialOutcome:
    """The population's outcome with the copies' rows after it (``partner_program``: each
    copy's partner's program, for copies matched as a couple)."""
    programs = base.programs
    copies = _outcome(
        solos,
        match,
        pgy1,
        programs,
        in_couple=np.full(match.size, partner_program is not None),
        focal_funnel=focal.funnel,
    )
    if partner_program is not None:
        partner_program = np.r_[np.full(base.is_focal.size, programs.size), partner_program]
    return TrialOutcome(
        applicants=stack_applicants([base.applicants, copies.applicants]),
        programs=programs,
        filled_by_type=base.filled_by_type,
        ranked=base.ranked,
        focal_funnel=focal.funnel,
        stable=base.stable,
        partner_program=partner_program,
        **{
            name: np.concatenate([getattr(base, name), getattr(copies, name)])
            for name in _PER_APPLICANT
        },
    )


def match_solo_copies(
    market: Market, focal: FocalEntries, params: MarketParams, *, timings=None
) -> TrialOutcome:
    """Match the population once, then give each focal copy its outcome alone in that market."""
    population = match_population(market, params, timings=timings)
    clock = Stopwatch(timings)
    outcome = place_copies(population, focal, params)
    clock.lap("focal copies")
    return outcome


def match_couple_copy(
    market: Market, yours: FocalEntries, partners: FocalEntries, copy: int, params: MarketParams
) -> tuple[int, int]:
    """Copy ``copy`` of you and of your partner added to the population as one more couple,
    and the whole Match run by the NRMP's procedure: ``(your program, your partner's)``.
    The reference :func:`place_copies` with a partner is measured against (a full Match
    per couple: slow)."""
    one = np.array([copy])
    lists = rank_order_lists(market, yours.subset(one).stacked(partners.subset(one)), params)
    n = market.applicants.size
    couples = np.vstack((market.couples, [[n, n + 1]]))
    match, _, _ = _solve(lists, market.programs, couples, params)
    return int(match[n]), int(match[n + 1])


_NO_FUNNEL = np.zeros((0, len(FUNNEL_COUNTS)), dtype=np.int64)  # no focal copies
#: Re-processing rounds before the NRMP's procedure stops without a stable matching (couples
#: can make one impossible; docs/model.md, couples): a stable Match takes about 10-15 here.
#: A cycle stops it sooner: once a round starts where an earlier one did.
REPROCESSING_ROUNDS = 40

_PER_APPLICANT = (
    "is_focal",
    "in_couple",
    "sent",
    "interviews",
    "interviews_signalled",
    "signal_counts",
    "rol_length",
    "contiguous_ranks",
    "matched_program",
    "pgy1_program",
    "matched_rank",
)


def _solve(lists: RankOrderLists, programs: Programs, couples, params):
    """Everyone's program and PGY-1 program from a supplemental list (the number of
    programs if none), and whether the matching is stable; without couples and
    supplemental lists, plain deferred acceptance."""
    pairs = couple_lists(lists, couples, programs, params)
    result = roth_peranson(
        **pairs.engine_arguments(programs.positions),
        max_rounds=REPROCESSING_ROUNDS,
        check_input=False,
        in_batches=True,
    )
    return result.match, result.pgy1, result.stable


#: "Not ranked" for a copy at a program, once :func:`_with_pgy1_holders` adds applicants.
_NOT_RANKED = np.iinfo(np.int64).max // 2


def _with_pgy1_holders(lists: RankOrderLists, pgy1: np.ndarray, n_programs: int):
    """The population's lists for insertion, with one extra applicant per PGY-1 seat held
    from a supplemental list: its list is the rest of that supplemental list, from the
    seat held on.  A copy's rejection chain that turns such a holder away sends it on
    down its supplemental list, as the NRMP's procedure does (with an empty list it keeps
    the advanced position alone).  Ranks are unchanged; "not ranked" becomes large.
    """
    n = lists.applicants.size
    holders = np.flatnonzero(pgy1 < n_programs)
    starts, ends = lists.pgy1_indptr[holders], lists.pgy1_indptr[holders + 1]
    entries = segment_aranges(starts, ends - starts)
    owner = np.repeat(np.arange(holders.size), ends - starts)
    held_from = np.flatnonzero(lists.pgy1_programs[entries] == pgy1[holders][owner])
    first = np.full(holders.size, entries.size)
    np.minimum.at(first, owner[held_from], held_from)
    kept = np.arange(entries.size) >= first[owner]
    extra_indptr = np.r_[0, np.cumsum(np.bincount(owner[kept], minlength=holders.size))]
    ranks = np.r_[lists.program_ranks, lists.pgy1_ranks[entries[kept]]]
    ranks += (ranks >= n) * (_NOT_RANKED - n)  # ranks lie in [0, n] (a blend: no branches)
    return (
        np.r_[lists.rol_indptr, lists.rol_indptr[-1] + extra_indptr[1:]],
        np.r_[lists.rol_programs, lists.pgy1_programs[entries[kept]]],
        ranks,
    )


def _members(couples, n: int) -> np.ndarray:
    in_couple = np.zeros(n, dtype=bool)
    in_couple[np.asarray(couples).ravel()] = True
    return in_couple


def _outcome(
    lists: RankOrderLists,
    match,
    pgy1,
    programs: Programs,
    *,
    in_couple,
    focal_funnel,
    stable: bool = True,
) -> TrialOutcome:
    """Each applicant's rank matched, list length and contiguous ranks; fills by type.
    The rows after the population's (``lists.n_population``) are focal copies."""
    applicants, n = lists.applicants, lists.applicants.size
    is_focal = np.arange(n) >= lists.n_population
    who = segment_ids(lists.rol_indptr)  # entries by applicant, in order of preference
    where, position = lists.rol_programs, lists.position
    rol_length = np.diff(lists.rol_indptr)
    matched_entry = np.flatnonzero(where == np.repeat(match, rol_length))
    matched_rank = np.zeros(n, dtype=np.int64)
    matched_rank[who[matched_entry]] = position[matched_entry] + 1
    specialty = np.repeat(applicants.specialty, rol_length)
    elsewhere = np.flatnonzero(programs.specialty[where] != specialty)
    whose = who[elsewhere]
    first = elsewhere[np.r_[True, whose[1:] != whose[:-1]][: whose.size]]  # each one's first
    first_elsewhere = rol_length.copy()
    first_elsewhere[who[first]] = position[first]
    n_types = len(APPLICANT_TYPES)
    filled_by_type = np.zeros(programs.size * n_types, dtype=np.int64)
    for seat in (match, pgy1):  # advanced seekers fill a PGY-1 seat too
        counted = (seat < programs.size) & ~is_focal  # the population only, not copies
        cell = seat[counted] * n_types + applicants.type[counted]
        filled_by_type += np.bincount(cell, minlength=filled_by_type.size)
    filled_by_type = filled_by_type.reshape(programs.size, n_types)
    population = lists.rol_indptr[lists.n_population]  # the population's entries come first
    on_program_list = lists.program_ranks[:population] < n  # n: unranked
    on_pgy1_list = lists.pgy1_ranks < n  # the population's: copies have none
    ranked = np.bincount(where[:population][on_program_list], minlength=programs.size)
    ranked += np.bincount(lists.pgy1_programs[on_pgy1_list], minlength=programs.size)
    return TrialOutcome(
        applicants=applicants,
        is_focal=is_focal,
        in_couple=in_couple,
        sent=lists.sent,
        interviews=lists.interviews,
        interviews_signalled=lists.interviews_signalled,
        signal_counts=lists.signal_counts,
        rol_length=rol_length,
        contiguous_ranks=first_elsewhere,
        matched_program=match,
        pgy1_program=pgy1,
        matched_rank=matched_rank,
        programs=programs,
        filled_by_type=filled_by_type,
        ranked=ranked,
        focal_funnel=focal_funnel,
        stable=stable,
    )
