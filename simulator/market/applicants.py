"""The applicant population of one Match year, drawn in the published proportions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr

from simulator.market.codes import (
    H1B,
    HANDS_ON,
    IS_IMG_TYPE,
    J1,
    NO_VISA,
    NON_US_IMG,
    NONE,
    OBSERVERSHIP,
    US_CLERKSHIPS,
)
from simulator.market.distributions import categorical_rows, gamma_counts, truncated_normal_scores
from simulator.market.geography import applicant_places
from simulator.market.inputs import MarketInputs
from simulator.market.params import MarketParams
from simulator.vocabulary import APPLICANT_TYPES, ONE_YEAR_TRACKS, advanced_row_name

# Tracks that applicants rank beside a main choice, never as it: the one-year PGY-1 years
# (ONE_YEAR_TRACKS: advanced seekers' supplemental lists, and others' backups),
# primary-care tracks of Internal Medicine and Pediatrics, and the few PGY-1 positions of
# specialties that mostly start at PGY-2.
#: The PGY-1 positions of the specialties the published tables do not itemise (combined
#: programs and small specialties), pooled into one row so that the market holds every
#: PGY-1 position: applicants of the population may prefer it, you may not name it.
POOLED_SPECIALTY = "Other specialties (pooled)"
SECONDARY_TRACKS = ONE_YEAR_TRACKS + (
    "Medicine-Primary",
    "Pediatrics-Primary",
    "Dermatology (PGY-1 only)",
    "Radiology-Diagnostic (PGY-1 only)",
    "Radiation Oncology (PGY-1)",
    "Physical Medicine & Rehab (PGY-1)",
)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Applicants:
    """One row per applicant."""

    type: np.ndarray
    specialty: np.ndarray  # preferred
    backup: np.ndarray  # backup specialty; the number of specialties if none
    #: The one-year PGY-1 track of an applicant whose main choice is an advanced (PGY-2)
    #: specialty (their supplemental lists); the number of specialties if none.
    pgy1_track: np.ndarray
    step2ck: np.ndarray
    usce_months: np.ndarray
    usce_kind: np.ndarray
    ysg: np.ndarray
    visa: np.ndarray
    applications: np.ndarray  # intended applications
    rank_list_cap: np.ndarray  # 0 = no cap
    #: What programs value beyond the numbers (letters, school, research, fit), a standard
    #: normal z: common to every program, unseen by the applicant when choosing where to apply.
    other_merit: np.ndarray
    step1_attempts: np.ndarray  # attempts it took to pass: 1 = first time
    step2ck_attempts: np.ndarray
    step3: np.ndarray  # passed Step 3 (an H-1B needs it)
    #: Observership months beside ``usce_months`` of ``usce_kind`` (only you may state both).
    observership_months: np.ndarray
    home_division: np.ndarray  # US Census division they come from or want to live in
    home_state: np.ndarray  # their US state; NO_STATE (-1) for non-US IMGs
    #: The division of their stated geographic preference; NO_DIVISION (-1) if none.
    preferred_division: np.ndarray

    @property
    def failed_attempts(self) -> np.ndarray:
        """Failed attempts at Step 1 and Step 2 CK together."""
        return self.step1_attempts + self.step2ck_attempts - 2

    @property
    def size(self) -> int:
        return self.type.size


def draw_applicants(inputs: MarketInputs, params: MarketParams, rng, places_rng) -> Applicants:
    """The registered applicants of one Match year, in the published proportions.

    Each type's published active count times its ``registered_per_active``:
    those who end with no interview certify no list and are not active.  Their
    home division and state come from ``places_rng`` (:mod:`simulator.market.geography`).
    """
    a = params.applicants
    kind = np.repeat(np.arange(len(APPLICANT_TYPES)), registered_counts(inputs, params))
    n = kind.size
    main_share, backup_share = specialty_shares(inputs, params)
    specialty = categorical_rows(main_share, kind, rng)
    # A backup: a draw from everyone's rankings, if it differs from the main choice.
    wants_backup = rng.random(n) < inputs.backup_probability[kind]
    n_specialties = len(inputs.specialties)
    # The (type, main choice) pairs present: the backup's probabilities and the Step 2 CK's
    # distribution depend on them alone.
    code = kind * n_specialties + specialty
    present = np.bincount(code, minlength=len(APPLICANT_TYPES) * n_specialties) > 0
    pair = (np.cumsum(present) - 1)[code]
    pair_kind, pair_specialty = np.divmod(np.flatnonzero(present), n_specialties)
    elsewhere = backup_share[pair_kind]
    elsewhere[np.arange(pair_kind.size), pair_specialty] = 0.0  # another specialty
    backup = np.where(wants_backup, categorical_rows(elsewhere, pair, rng), n_specialties)
    # An advanced seeker's one-year track is their supplemental list, not a backup.
    one_year = np.isin(backup, one_year_tracks(inputs)) & inputs.is_advanced[specialty]
    backup[one_year] = len(inputs.specialties)

    mean, sd = step2ck_distribution(pair_kind, pair_specialty, inputs, params)
    step2ck = truncated_normal_scores(mean, sd, low=a.passing_score, high=300, rng=rng, at=pair)

    is_img = IS_IMG_TYPE[kind]
    none_share = np.array(a.usce_none_share.values())[kind]
    hands_on_share = np.array(a.usce_hands_on_share.values())[kind]
    u = rng.random(n)
    usce_kind = np.where(
        u < none_share,
        NONE,
        np.where(u < none_share + (1 - none_share) * hands_on_share, HANDS_ON, OBSERVERSHIP),
    )
    usce_kind = np.where(is_img, usce_kind, US_CLERKSHIPS).astype(np.int8)
    mean_months = np.array(a.usce_mean_months.values())[kind]
    months = 1.0 + rng.poisson(np.maximum(mean_months - 1.0, 0.0))
    usce_months = np.where(usce_kind == NONE, 0.0, months)
    usce_months = np.where(is_img, usce_months, np.nan)
    ysg = rng.poisson(np.array(a.ysg_mean.values())[kind]).astype(float)

    visa_draw = rng.random(n)
    visa = np.where(
        visa_draw < a.visa_j1_share,
        J1,
        np.where(visa_draw < a.visa_j1_share + a.visa_h1b_share, H1B, NO_VISA),
    )
    visa = np.where(kind == NON_US_IMG, visa, NO_VISA).astype(np.int8)

    mean_apps = np.array(a.applications_mean.values())[kind]
    applications = gamma_counts(mean_apps, a.applications_cv, rng)
    home_division, home_state, preferred_division = applicant_places(kind, params, places_rng)
    other_merit = rng.standard_normal(n)
    step1_attempts = 1 + (rng.random(n) < np.array(a.step1_failure_share.values())[kind])
    step2ck_attempts = 1 + (rng.random(n) < np.array(a.step2ck_failure_share.values())[kind])
    return Applicants(
        type=kind.astype(np.int8),
        specialty=specialty,
        backup=backup,
        pgy1_track=pgy1_tracks(kind, specialty, inputs, rng),
        step2ck=step2ck,
        usce_months=usce_months,
        usce_kind=usce_kind,
        ysg=ysg,
        visa=visa,
        applications=applications,
        rank_list_cap=np.full(n, a.rank_list_cap, dtype=np.int64),
        other_merit=other_merit,
        step1_attempts=step1_attempts,
        step2ck_attempts=step2ck_attempts,
        # Every H-1B applicant has passed Step 3 (one who had not would apply on a J-1).
        step3=visa == H1B,
        observership_months=np.zeros(n),
        home_division=home_division,
        home_state=home_state,
        preferred_division=preferred_division,
    )


def step2ck_distribution(kind, specialty, inputs: MarketInputs, params: MarketParams):
    """Mean and SD of each applicant's Step 2 CK, by type and preferred specialty.

    Applicants choose specialties by their scores (self-selection): where
    Charting Outcomes publishes the Step 2 CK of a type's applicants preferring
    a specialty, that is their distribution; elsewhere the type's mean plus
    ``applicants.score_self_selection`` times how far US MD seniors preferring
    the specialty score above their own average, with the type's SD.
    ``applicants.step2ck_shift`` is added to every score of a type.
    """
    a = params.applicants
    type_sd = np.array(a.step2ck_sd.values(), dtype=float)[:, None]
    sd = np.where(np.isnan(inputs.preferred_step2ck_sd), type_sd, inputs.preferred_step2ck_sd)
    # The published scores are those of applicants in the Match, who all passed: draws are
    # truncated at the passing score, so their untruncated mean lies a little lower.
    published = mean_before_truncation(inputs.preferred_step2ck_mean, sd, a.passing_score)
    own = np.array(a.step2ck_mean.values())[:, None]
    own = own + a.score_self_selection * inputs.specialty_score_shift[None, :]
    mean = np.where(np.isnan(published), own, published)
    mean += np.array(a.step2ck_shift.values())[:, None]
    return mean[kind, specialty], sd[kind, specialty]


def mean_before_truncation(truncated_mean, sd, low, *, iterations: int = 30) -> np.ndarray:
    """The mean ``m`` of a normal with SD ``sd`` whose part above ``low`` has mean
    ``truncated_mean`` (nan stays nan).

    Solves ``m + sd * lambda((low - m) / sd) = truncated_mean``, where
    ``lambda`` is the normal's inverse Mills ratio, by fixed-point iteration
    (a contraction: the ratio's slope lies between 0 and 1).
    """
    target = np.asarray(truncated_mean, dtype=float)
    sd = np.maximum(np.asarray(sd, dtype=float), 1e-9)
    mean = target.copy()
    for _ in range(iterations):
        a = (low - mean) / sd
        mills = np.exp(-0.5 * a**2 - 0.5 * np.log(2 * np.pi) - log_ndtr(-a))
        mean = target - sd * mills
    return mean


def registered_counts(inputs: MarketInputs, params: MarketParams) -> np.ndarray:
    """Registered applicants of each type: the published active ones, times the type's
    ``registered_per_active``."""
    ratio = np.array(params.applicants.registered_per_active.values())
    return np.round(inputs.applicants * ratio).astype(np.int64)


def specialty_shares(inputs: MarketInputs, params: MarketParams):
    """Each type's chance of choosing each specialty as main choice, and as backup.

    Advanced (PGY-2) specialties are the main choice of their published US MD seniors
    preferring them and the other types in proportion (``inputs.advanced_seekers_by_type``),
    or where none are published of ``advanced.applicants_per_position`` registered
    applicants per position (``inputs.advanced_positions_by_type``), both times
    ``advanced.share``; nobody's backup.
    Otherwise both follow the published counts of applicants ranking each specialty;
    secondary tracks are never a main choice.
    """
    secondary = np.array([name in SECONDARY_TRACKS for name in inputs.specialties])
    main = inputs.ranking_counts * ~secondary[None, :]
    main = main / main.sum(axis=1, keepdims=True)
    a = params.advanced
    seekers = inputs.advanced_seekers_by_type
    seekers = a.share * (seekers + a.applicants_per_position * inputs.advanced_positions_by_type)
    advanced = seekers / np.maximum(registered_counts(inputs, params), 1)[:, None]
    advanced *= min(1.0, 0.5 / max(advanced.sum(axis=1).max(), 1e-12))  # at most half a type
    main = main * (1.0 - advanced.sum(axis=1, keepdims=True)) + advanced
    backup = inputs.ranking_counts
    return main, backup / backup.sum(axis=1, keepdims=True)


def advanced_specialty(specialties, name: str) -> int | None:
    """The index of ``name``'s advanced (PGY-2) row in ``specialties``, if it has one
    (:func:`simulator.vocabulary.advanced_row_name`)."""
    row = advanced_row_name(name)
    return specialties.index(row) if row in specialties else None


def one_year_tracks(inputs: MarketInputs) -> np.ndarray:
    """The specialty indices of the one-year PGY-1 tracks (:data:`ONE_YEAR_TRACKS`)."""
    return np.array([inputs.specialties.index(n) for n in ONE_YEAR_TRACKS], dtype=np.int64)


def pgy1_tracks(kind, specialty, inputs: MarketInputs, rng) -> np.ndarray:
    """The one-year track of each applicant whose main choice is advanced (else none):
    drawn in the proportions of their type's published applicants ranking each track."""
    tracks = one_year_tracks(inputs)
    seeking = np.flatnonzero(inputs.is_advanced[specialty])
    weights = inputs.ranking_counts[:, tracks]
    weights = weights / weights.sum(axis=1, keepdims=True)
    out = np.full(kind.size, len(inputs.specialties), dtype=np.int64)
    out[seeking] = tracks[categorical_rows(weights, kind[seeking], rng)]
    return out


def stack_applicants(parts) -> Applicants:
    """Concatenate applicant tables row-wise."""
    names = Applicants.__slots__
    return Applicants(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in names})
