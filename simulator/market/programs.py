"""The programs of one Match year: size, kind, desirability, IMG-friendliness, visas, screens.

Screens: visa sponsorship, a Step 2 CK cut-off and a graduation-year limit for
IMGs, and (for a share of programs) no failed exam attempt for anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from simulator.market.codes import POLICY_J1, POLICY_J1_H1B, POLICY_NONE
from simulator.market.distributions import multinomial_by_group
from simulator.market.geography import program_places
from simulator.market.inputs import MarketInputs
from simulator.market.params import MarketParams


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Programs:
    """One row per program, sorted by specialty."""

    specialty: np.ndarray
    positions: np.ndarray
    university: np.ndarray
    desirability: np.ndarray
    friendliness: np.ndarray
    visa_policy: np.ndarray
    step2ck_cutoff: np.ndarray  # the Step 2 CK an IMG needs for the program to read it
    #: How many points lower the cut-off is for applicants who are not IMGs (all programs).
    step2ck_us_offset: float
    ysg_limit: np.ndarray
    attempts_screen: np.ndarray  # reads no application showing a failed exam attempt
    interview_slots: np.ndarray
    advanced: np.ndarray  # an advanced (PGY-2) position: it needs a PGY-1 year elsewhere
    division: np.ndarray  # US Census division (simulator.vocabulary.DIVISIONS)
    state: np.ndarray  # state code, numbered division by division (market.geography)
    #: The programs of specialty ``s`` are rows ``specialty_indptr[s]:specialty_indptr[s+1]``.
    specialty_indptr: np.ndarray

    @property
    def size(self) -> int:
        return self.specialty.size

    @property
    def n_specialties(self) -> int:
        """How many specialties there are: also the code of "no specialty" (unmatched)."""
        return self.specialty_indptr.size - 1


def draw_programs(inputs: MarketInputs, params: MarketParams, rng, places_rng) -> Programs:
    """Programs of every specialty: size, kind, desirability, IMG-friendliness, visas, screens;
    their division and state from ``places_rng`` (:mod:`simulator.market.geography`)."""
    p = params.programs
    counts = inputs.programs
    specialty = np.repeat(np.arange(counts.size), counts)
    indptr = np.r_[0, np.cumsum(counts)]
    n = specialty.size

    # Positions: one each, the rest spread in proportion to a lognormal size.
    size = rng.lognormal(0.0, p.size_sd, n)
    positions = 1 + multinomial_by_group(inputs.positions - counts, size, indptr, rng)

    university = rng.random(n) < p.university_share
    desirability = rng.normal(0.0, 1.0, n) + p.university_desirability * university
    desirability = (desirability - desirability.mean()) / desirability.std()
    mean_friendliness = np.where(
        university, p.img_friendliness_university, p.img_friendliness_community
    )
    if p.img_share_friendliness:  # (skipped at 0: the same draws, bit for bit)
        shift = p.img_share_friendliness * inputs.img_share_log_ratio[specialty]
        mean_friendliness = expit(logit(mean_friendliness) + shift)
    concentration = p.friendliness_concentration
    friendliness = rng.beta(
        mean_friendliness * concentration, (1 - mean_friendliness) * concentration
    )

    # Friendlier programs are likelier to sponsor visas: rank by friendliness plus noise.
    sponsorship = np.argsort(
        np.argsort(friendliness + rng.normal(0.0, p.sponsorship_noise, n))
    ) / max(n - 1, 1)
    visa_policy = np.full(n, POLICY_J1, dtype=np.int8)
    visa_policy[sponsorship < p.visa_none_share] = POLICY_NONE
    visa_policy[sponsorship >= 1 - p.visa_j1_h1b_share] = POLICY_J1_H1B

    cutoff = (
        p.step2ck_screen_mean
        + p.step2ck_screen_per_desirability * desirability
        + p.step2ck_screen_sd * rng.normal(0.0, 1.0, n)
    )
    has_limit = rng.random(n) < p.ysg_limit_share
    limit = np.maximum(1.0, np.round(rng.normal(p.ysg_limit_mean, p.ysg_limit_sd, n)))
    ysg_limit = np.where(has_limit, limit, np.inf)

    per_position = np.where(
        np.isnan(inputs.ranked_per_position),
        p.interviews_per_position,
        inputs.ranked_per_position / p.interview_rank_share,
    )
    slots = np.ceil(positions * per_position[specialty]).astype(np.int64)
    division, state = program_places(n, params, places_rng)
    return Programs(
        specialty=specialty,
        positions=positions,
        university=university,
        desirability=desirability,
        friendliness=friendliness,
        visa_policy=visa_policy,
        step2ck_cutoff=cutoff,
        step2ck_us_offset=p.step2ck_screen_us_offset,
        ysg_limit=ysg_limit,
        attempts_screen=rng.random(n) < p.attempts_screen_share,  # drawn last: streams stay
        interview_slots=slots,
        advanced=inputs.is_advanced[specialty],
        division=division,
        state=state,
        specialty_indptr=indptr,
    )
