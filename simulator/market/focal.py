"""The focal applicant (the user): copies of them put through the market already drawn.

:func:`draw_focal` adds copies of the focal applicant to a market of
:func:`simulator.market.year.draw_market`.  Each copy applies, is screened,
interviewed and evaluated exactly as the population is, and is invited by a
program when it beats the program's last invitee (it does not displace
anyone: at most ``focal_copies`` extra interviews per program, a documented bias).
All its random numbers are drawn first (:func:`draw_focal_noise`), in arrays
of fixed shape whatever the focal applicant's choices, so two strategies see
the same noise (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.market.applicants import Applicants
from simulator.market.applications import application_weights, screened_in
from simulator.market.codes import IS_IMG_TYPE, TYPE_INDEX, US_CLERKSHIPS
from simulator.market.evaluation import merit, penalty_table, program_preference
from simulator.market.params import Focal, MarketParams
from simulator.market.year import Market
from simulator.vocabulary import APPLICANT_TYPES, USCE_KINDS, VISAS


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FocalNoise:
    """The focal copies' random numbers: (copies, programs) arrays of fixed shape.

    Drawn before anything about the focal applicant is known, so every
    strategy of a comparison sees the same numbers at the same programs.
    """

    choice: np.ndarray  # Gumbel keys for choosing where to apply
    application: np.ndarray  # programs' reading of the application
    taste: np.ndarray  # the copy's personal taste for the program
    interview: np.ndarray  # what the interview adds
    ranking: np.ndarray  # uniform: the program leaves the copy unranked if >= interview_rank_share


def draw_focal_noise(copies: int, n_programs: int, rng) -> FocalNoise:
    """Draw the focal copies' noise, in a fixed order and shape."""
    shape = (copies, n_programs)
    return FocalNoise(
        choice=rng.gumbel(size=shape),
        application=rng.standard_normal(shape),
        taste=rng.standard_normal(shape),
        interview=rng.standard_normal(shape),
        ranking=rng.random(shape),
    )


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FocalEntries:
    """The focal copies and the interviews they hold (one row per interview)."""

    applicants: Applicants
    sent: np.ndarray
    interview_applicant: np.ndarray  # copy index
    interview_program: np.ndarray
    interview_preference: np.ndarray
    interview_evaluation: np.ndarray
    interview_unranked: np.ndarray

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
            interview_applicant=renumber[self.interview_applicant[kept]],
            interview_program=self.interview_program[kept],
            interview_preference=self.interview_preference[kept],
            interview_evaluation=self.interview_evaluation[kept],
            interview_unranked=self.interview_unranked[kept],
        )


def draw_focal(
    market: Market, focal: Focal, noise: FocalNoise, params: MarketParams, specialties
) -> FocalEntries:
    """Put the focal copies through applications, screening and interviews on ``market``.

    Each copy applies to exactly ``focal.applications`` programs (fewer if its
    specialties have fewer), chosen by weighted sampling without replacement
    (Gumbel top-k) with the population's weights; a program invites a copy it
    screens in when the copy's evaluation clears its last invitee's.
    """
    programs = market.programs
    copies = noise.choice.shape[0]
    applicants = focal_applicants(focal, copies, specialties)
    level = merit(applicants, params)[:1]
    weights = application_weights(
        programs, IS_IMG_TYPE[applicants.type[:1]], applicants.visa[:1], level, params
    )[0]
    keys = np.log(weights)[None, :] + noise.choice
    applied = np.zeros(keys.shape, dtype=bool)
    sought = [(specialties.index(focal.specialty), focal.applications)]
    if focal.backup_specialty:
        to_backup = int(round(focal.applications * params.applicants.backup_application_share))
        sought = [
            (sought[0][0], focal.applications - to_backup),
            (specialties.index(focal.backup_specialty), to_backup),
        ]
    for specialty, wanted in sought:
        first, last = programs.specialty_indptr[specialty], programs.specialty_indptr[specialty + 1]
        take = min(int(wanted), last - first)
        if take > 0:
            best = np.argpartition(-keys[:, first:last], take - 1, axis=1)[:, :take]
            np.put_along_axis(applied[:, first:last], best, True, axis=1)

    everywhere = np.arange(programs.size)
    screen = screened_in(applicants, np.zeros(programs.size, dtype=np.int64), programs, everywhere)
    evaluation = (
        level
        - penalty_table(programs, params).reshape(len(APPLICANT_TYPES), -1)[applicants.type[:1]]
        + params.selection.application_noise_sd * noise.application
    )
    invited = applied & screen[None, :] & (evaluation >= market.invite_bar[None, :])
    copy_index = np.repeat(np.arange(copies), programs.size).reshape(copies, programs.size)
    preference = program_preference(
        programs, applicants, copy_index, everywhere[None, :], params, noise.taste
    )
    # Accept invitations, most preferred first, up to the interview cap.
    ranked = np.where(invited, preference, -np.inf)
    order = np.argsort(-ranked, axis=1, kind="stable")
    accepted_order = (
        np.arange(programs.size)[None, :]
        < np.minimum(invited.sum(axis=1), params.applicants.interview_cap)[:, None]
    )
    held = np.zeros_like(invited)
    np.put_along_axis(held, order, accepted_order, axis=1)
    row, col = np.nonzero(held)
    interview = evaluation + params.selection.interview_noise_sd * noise.interview
    return FocalEntries(
        applicants=applicants,
        sent=applied.sum(axis=1),
        interview_applicant=row,
        interview_program=col,
        interview_preference=preference[row, col],
        interview_evaluation=interview[row, col],
        interview_unranked=noise.ranking[row, col] >= params.programs.interview_rank_share,
    )


def focal_applicants(focal: Focal, copies: int, specialties: tuple[str, ...]) -> Applicants:
    """``copies`` identical rows describing the focal applicant."""
    kind = TYPE_INDEX[focal.type]
    is_img = IS_IMG_TYPE[kind]
    usce_kind = USCE_KINDS.index(focal.usce_kind) if is_img else US_CLERKSHIPS
    no_backup = len(specialties)
    backup = specialties.index(focal.backup_specialty) if focal.backup_specialty else no_backup

    def column(value, dtype):
        return np.full(copies, value, dtype=dtype)

    return Applicants(
        type=column(kind, np.int8),
        specialty=column(specialties.index(focal.specialty), np.int64),
        backup=column(backup, np.int64),
        step2ck=column(focal.step2ck, np.int64),
        usce_months=column(focal.usce_months if is_img else np.nan, float),
        usce_kind=column(usce_kind, np.int8),
        ysg=column(focal.years_since_graduation, float),
        visa=column(VISAS.index(focal.visa), np.int8),
        applications=column(focal.applications, np.int64),
        rank_list_cap=column(focal.rank_list_length, np.int64),
    )
