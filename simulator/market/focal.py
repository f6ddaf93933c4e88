"""The focal applicant (the user): copies of them put through the market already drawn.

:func:`draw_focal` adds copies of the focal applicant to a market of
:func:`simulator.market.year.draw_market`.  Each copy applies, is screened,
interviewed and evaluated exactly as the population is, and is invited by a
program when it beats the program's last invitee (it does not displace
anyone: one extra interview at that program, a documented bias; each copy is
then matched alone, :func:`simulator.market.match.place_copies`).
All its random numbers are drawn first (:func:`draw_focal_noise`), a column per
program of every specialty some strategy seeks, whatever the focal applicant's other
choices, so two strategies see the same noise (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.csr import place_in_group
from simulator.market.applicants import Applicants, advanced_specialty, stack_applicants
from simulator.market.applications import SCREENS, application_weights, screening_reasons
from simulator.market.codes import IS_IMG_TYPE, NON_US_IMG, TYPE_INDEX, US_CLERKSHIPS
from simulator.market.evaluation import known_merit, merit, penalty_table, program_preference
from simulator.market.focal_params import Focal
from simulator.market.geography import FIRST_STATE, NO_DIVISION, NO_STATE, draw_places
from simulator.market.params import MarketParams
from simulator.market.signals import (
    application_code,
    interview_bonus,
    place_signals,
    signal_counts,
)
from simulator.market.year import Market
from simulator.vocabulary import (
    APPLICANT_TYPES,
    DIVISIONS,
    STATES_PER_DIVISION,
    USCE_KINDS,
    VISAS,
)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FocalNoise:
    """The focal copies' random numbers: (copies, columns) arrays, a column per program of
    the specialties some strategy applies to (``column[p]``: program ``p``'s, -1 for the
    programs of no such specialty, which have no numbers).

    Drawn before anything about the focal applicant is known but those specialties, so
    every strategy of a comparison sees the same numbers at the same programs.
    """

    choice: np.ndarray  # Gumbel keys for choosing where to apply
    application: np.ndarray  # programs' reading of the application
    taste: np.ndarray  # the copy's personal taste for the program: signals, interviews, ranks
    interview: np.ndarray  # what the interview adds
    ranking: np.ndarray  # uniform: the program leaves the copy unranked if >= interview_rank_share
    other_merit: np.ndarray  # (copies,): what programs value beyond the copy's numbers
    home: np.ndarray  # (copies, 2) uniforms: the copy's home division and state, if drawn
    column: np.ndarray  # (programs,): each program's column, -1 if it has none

    def columns(self, first: int, last: int) -> slice:
        """The columns of programs ``first`` to ``last`` (one specialty, drawn)."""
        start = int(self.column[first])
        if start < 0 or self.column[last - 1] != start + last - 1 - first:
            raise ValueError(f"no focal noise was drawn for programs {first} to {last - 1}")
        return slice(start, start + last - first)


def draw_focal_noise(copies: int, n_programs: int, rng, *, blocks=None) -> FocalNoise:
    """Draw the focal copies' noise, in a fixed order.

    ``blocks``: the ``(first, last)`` ranges of programs (ascending, apart) whose noise
    may be needed (the specialties the copies may apply to, :func:`specialty_blocks`);
    only they get columns.  Each block has its own stream, keyed by its first program, so
    a program's noise is the same whichever other blocks are drawn: strategies in
    different specialties still share their noise.  Default: all programs as one block.
    """
    key = [int(k) for k in rng.integers(0, 2**63, size=2)]
    other_merit = rng.standard_normal(copies)
    home = rng.random((copies, 2))
    blocks = [(0, n_programs)] if blocks is None else blocks
    column = np.full(n_programs, -1, dtype=np.int64)
    width = 0
    for first, last in blocks:
        column[first:last] = np.arange(width, width + last - first)
        width += last - first
    arrays = {name: np.empty((copies, width)) for name in _PER_PROGRAM}
    for first, last in blocks:
        block = np.random.default_rng(np.random.SeedSequence(key, spawn_key=(int(first),)))
        size = (copies, int(last - first))
        at = slice(column[first], column[first] + last - first)
        arrays["choice"][:, at] = block.gumbel(size=size)
        arrays["application"][:, at] = block.standard_normal(size)
        arrays["taste"][:, at] = block.standard_normal(size)
        arrays["interview"][:, at] = block.standard_normal(size)
        arrays["ranking"][:, at] = block.random(size)
    return FocalNoise(**arrays, other_merit=other_merit, home=home, column=column)


#: The (copies, columns) arrays of :class:`FocalNoise`, in the order they are drawn.
_PER_PROGRAM = ("choice", "application", "taste", "interview", "ranking")


def specialty_blocks(programs, specialties, wanted) -> list[tuple[int, int]]:
    """The program ranges of the specialties named in ``wanted`` (empty names ignored),
    for :func:`draw_focal_noise`."""
    indices = sorted({specialties.index(name) for name in wanted if name})
    indptr = programs.specialty_indptr
    return [(int(indptr[s]), int(indptr[s + 1])) for s in indices]


#: The columns of :attr:`FocalEntries.funnel`: applications not read for each reason of
#: :data:`~simulator.market.applications.SCREENS`, read, and leading to an invitation.
FUNNEL_COUNTS = (*(f"not_read_{reason}" for reason in SCREENS), "read", "invited")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FocalEntries:
    """The focal copies and the interviews they hold (one row per interview).

    ``funnel`` counts, per copy, its applications by :data:`FUNNEL_COUNTS`; the
    first four add up to ``sent``.  Invitations are counted before the copy's
    interview cap.
    """

    applicants: Applicants
    sent: np.ndarray
    funnel: np.ndarray  # (copies, len(FUNNEL_COUNTS))
    interview_applicant: np.ndarray  # copy index
    interview_program: np.ndarray
    interview_preference: np.ndarray
    interview_evaluation: np.ndarray
    interview_unranked: np.ndarray
    interview_signalled: np.ndarray
    signal_counts: np.ndarray  # (copies, len(SIGNAL_COUNTS))

    def stacked(self, other: FocalEntries) -> FocalEntries:
        """These copies, then ``other``'s, numbered after them."""
        rows = ("interview_program", "interview_preference", "interview_evaluation")
        rows += ("interview_unranked", "interview_signalled")
        return FocalEntries(
            applicants=stack_applicants([self.applicants, other.applicants]),
            sent=np.r_[self.sent, other.sent],
            funnel=np.vstack((self.funnel, other.funnel)),
            signal_counts=np.vstack((self.signal_counts, other.signal_counts)),
            interview_applicant=np.r_[
                self.interview_applicant, other.interview_applicant + self.sent.size
            ],
            **{name: np.r_[getattr(self, name), getattr(other, name)] for name in rows},
        )

    def subset(self, copies: np.ndarray) -> FocalEntries:
        """Only the given copies, renumbered from 0 in that order."""
        renumber = np.full(self.sent.size, copies.size)  # copies.size: not kept
        renumber[copies] = np.arange(copies.size)
        kept = renumber[self.interview_applicant] < copies.size
        return FocalEntries(
            applicants=Applicants(
                **{f: getattr(self.applicants, f)[copies] for f in Applicants.__slots__}
            ),
            sent=self.sent[copies],
            funnel=self.funnel[copies],
            signal_counts=self.signal_counts[copies],
            interview_applicant=renumber[self.interview_applicant[kept]],
            interview_program=self.interview_program[kept],
            interview_preference=self.interview_preference[kept],
            interview_evaluation=self.interview_evaluation[kept],
            interview_unranked=self.interview_unranked[kept],
            interview_signalled=self.interview_signalled[kept],
        )


def draw_focal(
    market: Market, focal: Focal, noise: FocalNoise, params: MarketParams, specialties
) -> FocalEntries:
    """Put the focal copies through applications, screening and interviews on ``market``.

    Each copy applies to exactly ``focal.applications`` programs (fewer if its
    specialties have fewer), chosen by weighted sampling without replacement
    (Gumbel top-k) with the population's weights; a program invites a copy it
    screens in when the copy's evaluation clears its last invitee's; a copy
    accepts its invitations, most preferred first, up to the interview cap.
    Only the cells a copy applied to are computed, with the same arithmetic as
    on every cell, so the results do not depend on which cells are computed.
    """
    programs = market.programs
    copies, n_programs = noise.choice.shape[0], programs.size
    applicants = focal_applicants(focal, noise, specialties, params)
    everywhere = np.arange(n_programs)
    reasons = screening_reasons(
        applicants, np.zeros(n_programs, dtype=np.int64), programs, everywhere
    )
    screen = ~reasons.any(axis=0)
    known = known_merit(applicants, params)[:1]
    eligible = {"broad": None, "visa_sponsoring": ~reasons[0], "img_friendly": screen}[
        focal.application_policy
    ]
    applied = _applied(applicants, known, noise, focal, programs, params, specialties, eligible)
    row, col = np.divmod(np.flatnonzero(applied), n_programs)
    cell = noise.column[col]  # the copy's noise at that program: [row, cell]
    sent = np.bincount(row, minlength=copies)  # applications per copy

    unread = [np.bincount(row[reason[col]], minlength=copies) for reason in reasons]
    penalty = penalty_table(programs, params).reshape(len(APPLICANT_TYPES), -1)
    base = merit(applicants, params)[row] - penalty[applicants.type[0], col]
    margin = known[0] - penalty[applicants.type[0], col] - market.invite_bar[col]
    margin = np.where(screen[col], margin, -np.inf)
    tier = _signals(focal, applicants, row, col, margin, market, noise.taste[row, cell], params)
    code = application_code(tier, applicants, row, programs, col)
    evaluation = base + params.selection.application_noise_sd * noise.application[row, cell]
    invitation = evaluation + interview_bonus(code, params)
    is_invited = screen[col] & (invitation >= market.invite_bar[col])
    counts = signal_counts(row, copies, code, is_invited)
    invited = np.flatnonzero(is_invited)
    row, col, cell = row[invited], col[invited], cell[invited]
    evaluation, tier = evaluation[invited], tier[invited]
    read = sent - np.sum(unread, axis=0)
    funnel = np.stack([*unread, read, np.bincount(row, minlength=copies)], axis=1)
    preference = program_preference(programs, applicants, row, col, params, noise.taste[row, cell])
    # Accept invitations, most preferred first (ties: the lower program), up to the cap.
    by_preference = np.lexsort((-preference, row))
    rank = np.empty(row.size, dtype=np.int64)
    rank[by_preference] = place_in_group(row[by_preference])
    held = rank < params.applicants.interview_cap
    row, col, cell = row[held], col[held], cell[held]
    interview = evaluation[held] + params.selection.interview_noise_sd * noise.interview[row, cell]
    return FocalEntries(
        applicants=applicants,
        sent=sent,
        funnel=funnel,
        interview_applicant=row,
        interview_program=col,
        interview_preference=preference[held],
        interview_evaluation=interview,
        interview_unranked=noise.ranking[row, cell] >= params.programs.interview_rank_share,
        interview_signalled=tier[held] > 0,
        signal_counts=counts,
    )


#: Margins beyond this (a program that invites everyone it reads, or one that does not read
#: you) count as this: sorting needs finite values.
_SUREST = 1e3


def _signals(focal: Focal, applicants, row, col, margin, market, taste, params) -> np.ndarray:
    """Where each copy's signals go (a tier per application), by ``you.signal_policy``.

    A copy wants a program as the population does (desirability, home
    division, its own taste); its margin at a program is its known merit less
    the program's type penalty and its last invitee's bar (what past interview
    data tell an adviser), lowest where the program does not read it; ``taste``, its
    taste noise at each application (the same that orders its interviews and list).
    Each specialty you apply to gets ``you.signals`` signals (gold first), at most its
    allowance.
    """
    programs, budget = market.programs, market.signal_budget
    specialty = programs.specialty[col]
    gold, total = budget[specialty, 0], budget.sum(axis=1)[specialty]
    if focal.signals >= 0:
        total = np.minimum(total, focal.signals)
        gold = np.minimum(gold, total)
    home = programs.division[col] == applicants.home_division[row]
    preference = (
        programs.desirability[col]
        + params.geography.home_preference * home
        + params.applicants.taste_sd * taste
    )
    # One budget per specialty of a copy: its main choice, backup and one-year track.
    kind = np.where(
        specialty == applicants.specialty[0],
        0,
        np.where(specialty == applicants.pgy1_track[0], 2, 1),
    )
    return place_signals(
        3 * row + kind,
        preference,
        np.clip(margin, -_SUREST, _SUREST),
        gold,
        total,
        focal.signal_policy,
        reach_share=focal.signal_reach_share,
        safer_share=focal.signal_safer_share,
    )


def _applied(applicants, level, noise, focal: Focal, programs, params, specialties, eligible):
    """Where each copy applies, (copies, programs): the top Gumbel keys within each specialty.

    A key is the log of the population's application weight plus the copy's
    Gumbel noise (the home-division term per copy: copies may come from
    different divisions).  ``eligible`` (programs, or ``None`` for all) limits
    where the copy applies, as ``you.application_policy`` says; ``img_friendly``
    also weighs IMG-friendliness more (``applicants.friendly_policy_weight``).
    """
    nowhere = [NO_DIVISION]
    log_weights = np.log(
        application_weights(
            programs, IS_IMG_TYPE[applicants.type[:1]], applicants.visa[:1], level, nowhere, params
        )[0]
    )
    if focal.application_policy == "img_friendly":
        log_weights = log_weights + params.applicants.friendly_policy_weight * (
            programs.friendliness - 0.5
        )
    if eligible is not None:
        log_weights = np.where(eligible, log_weights, -np.inf)
    applied = np.zeros((noise.choice.shape[0], programs.size), dtype=bool)
    main = int(applicants.specialty[0])
    to_backup = to_pgy1 = 0
    if focal.backup_specialty:
        to_backup = int(round(focal.applications * params.applicants.backup_application_share))
    if focal.advanced:  # as the population's advanced seekers (applications._sought)
        to_pgy1 = int(round(focal.applications * params.advanced.pgy1_application_share))
    sought = [(main, max(focal.applications - to_backup - to_pgy1, 0))]
    if to_backup:
        sought.append((specialties.index(focal.backup_specialty), to_backup))
    if to_pgy1:
        sought.append((int(applicants.pgy1_track[0]), to_pgy1))
    for specialty, wanted in sought:
        first, last = programs.specialty_indptr[specialty], programs.specialty_indptr[specialty + 1]
        available = last - first if eligible is None else np.count_nonzero(eligible[first:last])
        take = min(int(wanted), int(available))
        if take > 0:
            home = programs.division[None, first:last] == applicants.home_division[:, None]
            keys = log_weights[None, first:last] + noise.choice[:, noise.columns(first, last)]
            keys += params.geography.home_application_weight * home
            best = np.argpartition(-keys, take - 1, axis=1)[:, :take]
            np.put_along_axis(applied[:, first:last], best, True, axis=1)
    return applied


def focal_applicants(focal: Focal, noise: FocalNoise, specialties, params) -> Applicants:
    """One row per copy of the focal applicant: alike but for what programs value beyond
    the numbers and, unless ``you.home_region`` is set, where the copy comes from."""
    other_merit = noise.other_merit
    copies = len(other_merit)
    kind = TYPE_INDEX[focal.type]
    is_img = IS_IMG_TYPE[kind]
    usce_kind = USCE_KINDS.index(focal.usce_kind) if is_img else US_CLERKSHIPS
    no_backup = len(specialties)
    backup = specialties.index(focal.backup_specialty) if focal.backup_specialty else no_backup
    specialty = specialties.index(focal.specialty)
    pgy1_track = no_backup
    if focal.advanced:  # you seek the advanced row, with your one-year track beside it
        specialty = advanced_specialty(specialties, focal.specialty)
        pgy1_track = specialties.index(focal.pgy1_track)

    def column(value, dtype):
        return np.full(copies, value, dtype=dtype)

    return Applicants(
        type=column(kind, np.int8),
        specialty=column(specialty, np.int64),
        backup=column(backup, np.int64),
        pgy1_track=column(pgy1_track, np.int64),
        step2ck=column(focal.step2ck, np.int64),
        usce_months=column(focal.usce_months if is_img else np.nan, float),
        usce_kind=column(usce_kind, np.int8),
        ysg=column(focal.years_since_graduation, float),
        visa=column(VISAS.index(focal.visa), np.int8),
        applications=column(focal.applications, np.int64),
        rank_list_cap=column(focal.rank_list_length, np.int64),
        other_merit=np.asarray(other_merit, dtype=float),
        step1_attempts=column(focal.step1_attempts, np.int64),
        step2ck_attempts=column(focal.step2ck_attempts, np.int64),
        step3=column(focal.step3, bool),
        observership_months=column(focal.observership_months if is_img else 0.0, float),
        **_home(focal, kind, noise.home, params),
    )


def _home(focal: Focal, kind: int, uniforms, params) -> dict:
    """Each copy's home division and state, and the division of its stated preference."""
    division, state = draw_places(uniforms.shape[0], params, uniforms[:, 0], uniforms[:, 1])
    if focal.home_region:
        chosen = DIVISIONS.index(focal.home_region)
        division = np.full_like(division, chosen)
        within = np.minimum(
            (uniforms[:, 1] * STATES_PER_DIVISION[chosen]).astype(np.int64),
            STATES_PER_DIVISION[chosen] - 1,
        )
        state = (FIRST_STATE[chosen] + within).astype(np.int16)
    if kind == NON_US_IMG:
        state = np.full_like(state, NO_STATE)
    stated = {"home": division, "none": np.full_like(division, NO_DIVISION)}.get(
        focal.geographic_preference
    )
    if stated is None:
        stated = np.full_like(division, DIVISIONS.index(focal.geographic_preference))
    return {"home_division": division, "home_state": state, "preferred_division": stated}
