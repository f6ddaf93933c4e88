"""What each side values: the applicants' merit and type penalties, the programs' appeal.

Programs judge an application by :func:`merit` less the :func:`penalty_table`
entry of its type; applicants rank programs by :func:`program_preference`.
"""

from __future__ import annotations

import numpy as np

from simulator.market.applicants import Applicants
from simulator.market.codes import HANDS_ON, IS_IMG_TYPE, OBSERVERSHIP
from simulator.market.params import MarketParams
from simulator.market.programs import Programs


def merit(applicants: Applicants, params: MarketParams) -> np.ndarray:
    """What every program values alike: :func:`known_merit` and what lies beyond the numbers."""
    return known_merit(applicants, params) + params.selection.other_merit_sd * (
        applicants.other_merit
    )


def known_merit(applicants: Applicants, params: MarketParams) -> np.ndarray:
    """The part of merit an applicant can read off their file: Step 2 CK, USCE, graduation,
    failed exam attempts.

    Applicants aim their applications by it (the rest of merit they cannot see).
    """
    s = params.selection
    months = np.minimum(np.nan_to_num(applicants.usce_months), s.usce_months_cap)
    # Observership months stated beside another kind count in the months left under the cap.
    extra = np.minimum(applicants.observership_months, s.usce_months_cap - months)
    per_month = np.select(
        [applicants.usce_kind == HANDS_ON, applicants.usce_kind == OBSERVERSHIP],
        [s.usce_hands_on_weight, s.usce_observership_weight],
        0.0,
    )
    return (
        s.step2ck_weight * (applicants.step2ck - 250.0) / 15.0
        + per_month * months
        + s.usce_observership_weight * extra
        - s.ysg_weight * np.maximum(applicants.ysg - 1.0, 0.0)
        - s.failed_attempt_weight * applicants.failed_attempts
    )


def penalty_table(programs: Programs, params: MarketParams) -> np.ndarray:
    """What each program subtracts for each applicant type, flat: ``[type * n_programs + program]``.

    US MD seniors: nothing; DO seniors: a flat penalty; IMG types: a penalty
    that shrinks with the program's IMG-friendliness, ``2 (1 - friendliness)``
    times the type's figure (so a program of average friendliness 0.5 applies it as is).
    """
    figure = np.array(params.selection.type_penalty.values())[:, None]
    scale = np.where(IS_IMG_TYPE[:, None], 2.0 * (1.0 - programs.friendliness)[None, :], 1.0)
    return (figure * scale).ravel()


def program_preference(programs, applicants, who, where, params, noise) -> np.ndarray:
    """How much applicant ``who`` wants program ``where``: desirability, taste, specialty,
    home division.  An advanced seeker wants its one-year PGY-1 track as much as its
    main choice: it needs both (and ranks them on separate lists)."""
    a = params.applicants
    # np.take: faster than indexing; specialties gathered as int16 when they fit (faster).
    small = np.int16 if programs.n_specialties < 2**15 else np.int64
    specialty = np.take(programs.specialty.astype(small), where)
    preferred = specialty == np.take(applicants.specialty.astype(small), who)
    preferred |= specialty == np.take(applicants.pgy1_track.astype(small), who)
    home = np.take(programs.division, where) == np.take(applicants.home_division, who)
    preference = np.take(programs.desirability, where) + a.taste_sd * noise
    preference += a.specialty_loyalty * preferred  # in place, in the same order
    preference += params.geography.home_preference * home
    return preference
