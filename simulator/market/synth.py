"""Drawing one synthetic Match year: programs, applicants, applications, interviews, lists.

A trial is split in two so that strategies can share it:

* :func:`draw_market` draws everything about the national market that does
  not depend on the focal applicant (the user): programs, the applicant
  population, their applications, interviews and the programs' evaluations.
* :func:`draw_focal` adds ``focal_copies`` independent copies of the focal
  applicant to that market.  Each copy applies, is screened, interviewed and
  evaluated exactly as the population is, and is invited by a program when it
  beats the program's last invitee (it does not displace anyone: at most
  ``focal_copies`` extra interviews per program, a documented bias).
* :func:`match_market` builds the rank-order lists of everybody and runs the
  engine (applicant-proposing, as the NRMP does).

All random numbers come from the per-stage generators of :func:`trial_streams`;
the focal stream draws arrays of fixed shape whatever the focal applicant's
choices, so two strategies see the same noise (common random numbers).
Model assumptions are documented in ``docs/model.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, ndtri_exp

from simulator.engine.kernel import (
    deferred_acceptance,
    place_in_group,
    segment_aranges,
    segment_ids,
)
from simulator.errors import ScenarioError
from simulator.market.params import Focal, MarketParams
from simulator.vocabulary import APPLICANT_TYPES, IMG_TYPES, USCE_KINDS, VISA_POLICIES, VISAS

STAGES = ("programs", "applicants", "applications", "interviews", "lists", "focal")
TYPE_INDEX = {name: i for i, name in enumerate(APPLICANT_TYPES)}
US_MD, US_DO, US_IMG, NON_US_IMG, OTHER = range(len(APPLICANT_TYPES))
IS_IMG_TYPE = np.array([name in IMG_TYPES for name in APPLICANT_TYPES])
NONE, OBSERVERSHIP, HANDS_ON, US_CLERKSHIPS = range(len(USCE_KINDS))
NO_VISA, J1, H1B = range(len(VISAS))
POLICY_NONE, POLICY_J1, POLICY_J1_H1B = range(len(VISA_POLICIES))
# SPONSORS[visa * 3 + policy]: does a program with that visa policy sponsor that visa?
SPONSORS = np.array([[True, True, True], [False, True, True], [False, False, True]]).ravel()
MERIT_BANDS = 5
# Tracks that applicants rank beside a main choice, never as it: one-year PGY-1 years taken
# before an advanced position (not simulated), primary-care tracks of Internal Medicine and
# Pediatrics, and the few PGY-1 positions of specialties that mostly start at PGY-2.
ONE_YEAR_TRACKS = (
    "Medicine-Preliminary (PGY-1 Only)",
    "Surgery-Preliminary (PGY-1 Only)",
    "Transitional (PGY-1 Only)",
)
SECONDARY_TRACKS = ONE_YEAR_TRACKS + (
    "Medicine-Primary",
    "Pediatrics-Primary",
    "Dermatology (PGY-1 only)",
    "Radiology-Diagnostic (PGY-1 only)",
    "Radiation Oncology (PGY-1)",
    "Physical Medicine & Rehab (PGY-1)",
)
_CELLS_PER_BLOCK = 4_000_000  # dense application blocks are drawn in pieces this size


def trial_streams(seed: int, trial: int) -> dict[str, np.random.Generator]:
    """The generators of trial ``trial``: one per stage, from the scenario seed and ``trial`` alone."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(trial,)))
    return dict(zip(STAGES, rng.spawn(len(STAGES))))


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MarketInputs:
    """The published figures a trial needs, as arrays, scaled to ``scale`` of the nation."""

    specialties: tuple[str, ...]
    positions: np.ndarray  # per specialty
    programs: np.ndarray  # per specialty
    applicants: np.ndarray  # per applicant type
    ranking_counts: np.ndarray  # (types, specialties): applicants ranking each specialty
    backup_probability: np.ndarray  # per applicant type
    ranked_per_position: np.ndarray  # per specialty, nan where unpublished
    img_step2ck: dict  # specialty index -> (mean, sd) published for non-US IMGs
    scale: float


def market_inputs(published, scale: float = 1.0) -> MarketInputs:
    """Turn :class:`simulator.market.published.PublishedData` into the arrays one trial draws from."""
    specialties = published.specialty_names
    positions = published.positions_by_specialty.reindex(specialties).to_numpy(float)
    programs = published.programs_by_specialty.reindex(specialties).to_numpy(float)
    n_programs = np.maximum(1, np.round(programs * scale)).astype(np.int64)
    n_positions = np.maximum(n_programs, np.round(positions * scale)).astype(np.int64)
    applicants = np.round(published.applicants_by_type.to_numpy(float) * scale).astype(np.int64)
    if applicants.min() < 1:
        smallest = float(published.applicants_by_type.min())
        raise ScenarioError(
            key="market.scale",
            expected=f"at least {0.5 / smallest:.6f} (one applicant of each type)",
            found=f"{scale:g}",
        )

    wide = published.specialty_applicants_wide  # specialties x the four main types
    counts = wide.to_numpy(float).T  # (4, specialties)
    pooled = counts.sum(axis=0, keepdims=True)  # "other" applicants: the pooled pattern
    counts = np.vstack([counts, pooled])
    # Applicants rank about 1.5 specialties each: the excess over one is the backup rate.
    active = published.applicants_by_type.to_numpy(float)
    per_applicant = counts.sum(axis=1) / np.r_[active[:4], active[:4].sum()]
    backup = np.clip(per_applicant - 1.0, 0.0, 1.0)

    ranked = published.applicants_ranked_per_position.set_index("specialty")["ranked_per_position"]
    ranked_per_position = ranked.reindex(specialties).to_numpy(float)
    img_step2ck = {}
    for name, group in (
        ("Internal Medicine (Categorical)", "non_us_img_internal_medicine"),
        ("Family Medicine", "non_us_img_family_medicine"),
    ):
        if name in specialties:
            img_step2ck[specialties.index(name)] = (
                published.step2ck(group, "mean"),
                published.step2ck(group, "sd"),
            )
    return MarketInputs(
        specialties=specialties,
        positions=n_positions,
        programs=n_programs,
        applicants=applicants,
        ranking_counts=counts,
        backup_probability=backup,
        ranked_per_position=ranked_per_position,
        img_step2ck=img_step2ck,
        scale=scale,
    )


# --------------------------------------------------------------------------- programs


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Programs:
    """One row per program, sorted by specialty."""

    specialty: np.ndarray
    positions: np.ndarray
    university: np.ndarray
    desirability: np.ndarray
    friendliness: np.ndarray
    visa_policy: np.ndarray
    step2ck_cutoff: np.ndarray
    ysg_limit: np.ndarray
    interview_slots: np.ndarray
    specialty_indptr: (
        np.ndarray
    )  # programs of specialty s: specialty_indptr[s]:specialty_indptr[s+1]

    @property
    def size(self) -> int:
        return self.specialty.size


def draw_programs(inputs: MarketInputs, params: MarketParams, rng) -> Programs:
    """Programs of every specialty: size, kind, desirability, IMG-friendliness, visas, screens."""
    p = params.programs
    counts = inputs.programs
    specialty = np.repeat(np.arange(counts.size), counts)
    indptr = np.r_[0, np.cumsum(counts)]
    n = specialty.size

    # Positions: one each, the rest spread in proportion to a lognormal size.
    size = rng.lognormal(0.0, p.size_sd, n)
    positions = 1 + _multinomial_by_group(inputs.positions - counts, size, indptr, rng)

    university = rng.random(n) < p.university_share
    desirability = rng.normal(0.0, 1.0, n) + p.university_desirability * university
    desirability = (desirability - desirability.mean()) / desirability.std()
    mean_friendliness = np.where(
        university, p.img_friendliness_university, p.img_friendliness_community
    )
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
    return Programs(
        specialty=specialty,
        positions=positions,
        university=university,
        desirability=desirability,
        friendliness=friendliness,
        visa_policy=visa_policy,
        step2ck_cutoff=cutoff,
        ysg_limit=ysg_limit,
        interview_slots=slots,
        specialty_indptr=indptr,
    )


def _multinomial_by_group(totals, weights, indptr, rng) -> np.ndarray:
    """Spread ``totals[g]`` items over the members of group ``g`` in proportion to ``weights``."""
    group = segment_ids(indptr)
    cumulative = np.cumsum(weights)
    start = np.r_[0.0, cumulative][indptr[:-1]]
    span = cumulative[indptr[1:] - 1] - start
    item_group = np.repeat(np.arange(totals.size), totals)
    target = start[item_group] + rng.random(item_group.size) * span[item_group]
    member = np.searchsorted(cumulative, target, side="right")
    member = np.clip(member, indptr[item_group], indptr[item_group + 1] - 1)
    return np.bincount(member, minlength=group.size)


# --------------------------------------------------------------------------- applicants


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Applicants:
    """One row per applicant."""

    type: np.ndarray
    specialty: np.ndarray  # preferred
    backup: np.ndarray  # backup specialty, or -1
    step2ck: np.ndarray
    usce_months: np.ndarray
    usce_kind: np.ndarray
    ysg: np.ndarray
    visa: np.ndarray
    applications: np.ndarray  # intended applications
    rank_list_cap: np.ndarray  # 0 = no cap

    @property
    def size(self) -> int:
        return self.type.size


def draw_applicants(inputs: MarketInputs, params: MarketParams, rng) -> Applicants:
    """The applicant population of one Match year, in the published proportions."""
    a = params.applicants
    kind = np.repeat(np.arange(len(APPLICANT_TYPES)), inputs.applicants)
    n = kind.size
    main_share, backup_share = specialty_shares(inputs, params)
    specialty = _categorical(main_share[kind], rng)
    # A backup: a draw from everyone's rankings, if it differs from the main choice.
    wants_backup = rng.random(n) < inputs.backup_probability[kind]
    elsewhere = backup_share[kind]
    elsewhere[np.arange(n), specialty] = 0.0  # a backup is another specialty than the main one
    backup = np.where(wants_backup, _categorical(elsewhere, rng), -1)

    mean = np.array(a.step2ck_mean.values())[kind] + np.array(a.step2ck_shift.values())[kind]
    sd = np.array(a.step2ck_sd.values(), dtype=float)[kind]
    for s, (img_mean, img_sd) in inputs.img_step2ck.items():
        chosen = (kind == NON_US_IMG) & (specialty == s)
        mean[chosen] = img_mean + a.step2ck_shift.non_us_img
        sd[chosen] = img_sd
    step2ck = _truncated_normal(mean, sd, low=a.passing_score, high=300, rng=rng)

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
    applications = _gamma_counts(mean_apps, a.applications_cv, rng)
    return Applicants(
        type=kind.astype(np.int8),
        specialty=specialty,
        backup=backup,
        step2ck=step2ck,
        usce_months=usce_months,
        usce_kind=usce_kind,
        ysg=ysg,
        visa=visa,
        applications=applications,
        rank_list_cap=np.full(n, a.rank_list_cap, dtype=np.int64),
    )


def specialty_shares(inputs: MarketInputs, params: MarketParams):
    """Each type's chance of choosing each specialty as main choice, and as backup.

    Both follow the published counts of applicants ranking each specialty.
    Secondary tracks are never a main choice, except that a share of those
    ranking a one-year track hold it as their main PGY-1 choice.
    """
    names = inputs.specialties
    one_year = np.array([name in ONE_YEAR_TRACKS for name in names])
    secondary = np.array([name in SECONDARY_TRACKS for name in names])
    weight = np.where(
        one_year, params.applicants.one_year_track_share, np.where(secondary, 0.0, 1.0)
    )
    main = inputs.ranking_counts * weight[None, :]
    backup = inputs.ranking_counts
    return main / main.sum(axis=1, keepdims=True), backup / backup.sum(axis=1, keepdims=True)


def focal_applicants(focal: Focal, copies: int, specialties: tuple[str, ...]) -> Applicants:
    """``copies`` identical rows describing the focal applicant."""
    kind = TYPE_INDEX[focal.type]
    is_img = IS_IMG_TYPE[kind]
    usce_kind = USCE_KINDS.index(focal.usce_kind) if is_img else US_CLERKSHIPS
    backup = specialties.index(focal.backup_specialty) if focal.backup_specialty else -1

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


def _categorical(probabilities: np.ndarray, rng) -> np.ndarray:
    """One draw per row of a (rows, categories) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(probabilities.shape[0])[:, None] * cumulative[:, -1:]
    return np.minimum((cumulative <= u).sum(axis=1), probabilities.shape[1] - 1)


def _truncated_normal(mean, sd, *, low, high, rng) -> np.ndarray:
    """Integer scores from a normal truncated to [low, high] (inverse-CDF sampling).

    A zero SD gives the mean, clipped to the range.
    """
    mean, sd = np.broadcast_arrays(np.asarray(mean, float), np.asarray(sd, float))
    u = rng.random(mean.shape)
    spread = sd > 0
    safe_sd = np.where(spread, sd, 1.0)
    z = truncated_normal_ppf(u, (low - mean) / safe_sd, (high - mean) / safe_sd)
    draw = mean + safe_sd * z
    return np.clip(np.round(np.where(spread, draw, mean)), low, high).astype(np.int64)


def truncated_normal_ppf(u, a, b) -> np.ndarray:
    """Quantile ``u`` of the standard normal truncated to [a, b], exact in the far tails.

    Works in log space, as ``scipy.stats.truncnorm.ppf`` does, mirroring an
    interval that lies above zero, so intervals far out in either tail keep
    their precision; it agrees with ``truncnorm.ppf`` to about 1e-11 without
    importing ``scipy.stats`` (half a second of every worker's start-up).
    """
    u, a, b = np.broadcast_arrays(*(np.asarray(x, float) for x in (u, a, b)))
    mirror = a > 0
    low, high = np.where(mirror, -b, a), np.where(mirror, -a, b)
    with np.errstate(divide="ignore"):  # log(0) at u = 0 or 1 is -inf, which is right
        log_u, log_not_u = np.log(u), np.log1p(-u)
        log_v, log_not_v = np.where(mirror, log_not_u, log_u), np.where(mirror, log_u, log_not_u)
        z = ndtri_exp(np.logaddexp(log_v + log_ndtr(high), log_not_v + log_ndtr(low)))
    return np.clip(np.where(mirror, -z, z), a, b)


def _gamma_counts(mean, cv, rng) -> np.ndarray:
    """Whole counts of at least one with the given mean and coefficient of variation."""
    if cv <= 0:
        return np.maximum(1, np.round(mean)).astype(np.int64)
    shape = 1.0 / cv**2
    return np.maximum(1, np.round(rng.gamma(shape, mean / shape))).astype(np.int64)


# --------------------------------------------------------------------------- evaluation


def merit(applicants: Applicants, params: MarketParams) -> np.ndarray:
    """What every program values alike: Step 2 CK, USCE and recency of graduation."""
    s = params.selection
    months = np.minimum(np.nan_to_num(applicants.usce_months), s.usce_months_cap)
    per_month = np.select(
        [applicants.usce_kind == HANDS_ON, applicants.usce_kind == OBSERVERSHIP],
        [s.usce_hands_on_weight, s.usce_observership_weight],
        0.0,
    )
    return (
        s.step2ck_weight * (applicants.step2ck - 250.0) / 15.0
        + per_month * months
        - s.ysg_weight * np.maximum(applicants.ysg - 1.0, 0.0)
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


def screened_in(applicants: Applicants, who, programs: Programs, where) -> np.ndarray:
    """Whether program ``where`` reads the application of applicant ``who`` at all.

    Visa: J-1 needs a sponsoring program, H-1B one that sponsors H-1B.  IMGs
    must also meet the program's Step 2 CK cut-off and graduation-year limit.
    """
    ok = SPONSORS[applicants.visa[who].astype(np.int64) * 3 + programs.visa_policy[where]]
    img = IS_IMG_TYPE[applicants.type[who]]
    img_who, img_where = who[img], where[img]
    ok[img] &= (applicants.step2ck[img_who] >= programs.step2ck_cutoff[img_where]) & (
        applicants.ysg[img_who] <= programs.ysg_limit[img_where]
    )
    return ok


def application_weights(programs: Programs, is_img, visa, merit_level, params: MarketParams):
    """How strongly applicants of a kind favour each program: a (kinds, programs) matrix.

    Bigger programs draw more applications; applicants needing a visa avoid
    programs that do not sponsor it; IMGs favour IMG-friendly programs; all
    favour programs within reach of their merit.
    """
    a = params.applicants
    is_img, visa, merit_level = (np.asarray(x)[:, None] for x in (is_img, visa, merit_level))
    sponsors = SPONSORS[visa * 3 + programs.visa_policy[None, :]]
    weight = (programs.positions**a.size_weight)[None, :] * np.where(
        sponsors, 1.0, a.visa_mismatch_weight
    )
    weight = weight * np.exp(
        a.friendliness_weight * is_img * (programs.friendliness[None, :] - 0.5)
    )
    reach = np.maximum(programs.desirability[None, :] - merit_level, 0.0)
    return weight * np.exp(-a.reach_weight * reach)


# --------------------------------------------------------------------------- market


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Market:
    """A drawn Match year without the focal applicant.

    ``interview_*`` arrays hold one row per interview held, sorted by applicant.
    ``invite_bar`` is the evaluation of each program's last invitee (``-inf``
    if it invited everyone it screened in): the bar a focal copy must clear.
    """

    programs: Programs
    applicants: Applicants
    merit: np.ndarray
    sent: np.ndarray  # applications actually sent per applicant
    interview_applicant: np.ndarray
    interview_program: np.ndarray
    interview_preference: np.ndarray
    interview_evaluation: np.ndarray
    interview_unranked: np.ndarray  # the program saw a reason not to rank this interviewee
    invite_bar: np.ndarray


def draw_market(inputs: MarketInputs, params: MarketParams, streams, *, timings=None) -> Market:
    """Programs, applicants, applications, interviews and evaluations of one Match year.

    ``timings``, if a dict, receives the seconds each stage took (for benchmarks).
    """
    clock = _Stopwatch(timings)
    programs = draw_programs(inputs, params, streams["programs"])
    clock.lap("programs")
    applicants = draw_applicants(inputs, params, streams["applicants"])
    applicant_merit = merit(applicants, params)
    clock.lap("applicants")
    who, where, sent = _draw_applications(
        programs, applicants, applicant_merit, inputs, params, streams["applications"]
    )
    clock.lap("applications and screening")
    rng = streams["interviews"]
    penalty = penalty_table(programs, params)
    evaluation = (
        applicant_merit[who]
        - penalty[applicants.type[who].astype(np.int64) * programs.size + where]
        + params.selection.application_noise_sd * rng.standard_normal(who.size, dtype=np.float32)
    )
    held, preference, invite_bar = _interviews(
        programs, applicants, who, where, evaluation, params, rng
    )
    interview_noise = streams["lists"].standard_normal(held.size, dtype=np.float32)
    unranked = streams["lists"].random(held.size) >= params.programs.interview_rank_share
    clock.lap("interviews")
    return Market(
        programs=programs,
        applicants=applicants,
        merit=applicant_merit,
        sent=sent,
        interview_applicant=who[held],
        interview_program=where[held],
        interview_preference=preference,
        interview_evaluation=evaluation[held]
        + params.selection.interview_noise_sd * interview_noise,
        interview_unranked=unranked,
        invite_bar=invite_bar,
    )


class _Stopwatch:
    """Records the seconds between laps into a dict, if one is given; otherwise does nothing."""

    def __init__(self, timings):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
            self.last = now


def _draw_applications(programs, applicants, applicant_merit, inputs, params, rng):
    """Who applies where, and which applications the programs read (screen in).

    Applicant ``a`` applies to program ``p`` of a specialty they seek with
    probability ``min(1, n_a w_p / sum w)`` (Poisson sampling), where ``n_a``
    is the number of applications they send to that specialty and ``w`` the
    weights of :func:`application_weights` for their kind (IMG or not, visa,
    merit band).  Returns the screened-in applications ``(who, where)`` and
    the number of applications each applicant sent.  Works on dense
    (applicants x programs) blocks of one specialty at a time.
    """
    n = applicants.size
    is_img = IS_IMG_TYPE[applicants.type]
    edges = np.quantile(applicant_merit, np.linspace(0, 1, MERIT_BANDS + 1)[1:-1])
    band = np.searchsorted(edges, applicant_merit)
    band_level = np.quantile(applicant_merit, (np.arange(MERIT_BANDS) + 0.5) / MERIT_BANDS)
    kinds = np.array(
        [(i, v, b) for i in (0, 1) for v in range(len(VISAS)) for b in range(MERIT_BANDS)]
    )
    kind_of = (is_img * len(VISAS) + applicants.visa) * MERIT_BANDS + band
    weights = application_weights(
        programs, kinds[:, 0], kinds[:, 1], band_level[kinds[:, 2]], params
    )
    sponsors = SPONSORS[kinds[:, 1:2] * 3 + programs.visa_policy[None, :]]

    share = params.applicants.backup_application_share
    has_backup = applicants.backup >= 0
    to_preferred = np.where(
        has_backup, np.round(applicants.applications * (1 - share)), applicants.applications
    )
    seekers = np.r_[np.arange(n), np.flatnonzero(has_backup)]
    sought = np.r_[applicants.specialty, applicants.backup[has_backup]]
    wanted = np.r_[to_preferred, (applicants.applications - to_preferred)[has_backup]].astype(
        np.float32
    )
    order = np.argsort(sought, kind="stable")
    seekers, sought, wanted = seekers[order], sought[order], wanted[order]
    bounds = np.searchsorted(sought, np.arange(len(inputs.specialties) + 1))

    who, where = [], []
    sent = np.zeros(n, dtype=np.int64)
    for s in range(len(inputs.specialties)):  # a loop over specialties, not applicants
        first, last = programs.specialty_indptr[s], programs.specialty_indptr[s + 1]
        block = weights[:, first:last]
        block = block / block.sum(axis=1, keepdims=True)
        scale = _inclusion_scale(
            block, kind_of[seekers[bounds[s] : bounds[s + 1]]], wanted[bounds[s] : bounds[s + 1]]
        )
        block = block.astype(np.float32)
        cutoff = programs.step2ck_cutoff[None, first:last]
        limit = programs.ysg_limit[None, first:last]
        step = max(1, _CELLS_PER_BLOCK // max(last - first, 1))
        for start in range(bounds[s], bounds[s + 1], step):
            part = seekers[start : min(start + step, bounds[s + 1])]
            chance = block[kind_of[part]]
            chance *= scale[start - bounds[s] : start - bounds[s] + part.size, None]
            applied = rng.random(chance.shape, dtype=np.float32) < chance
            sent[part] += np.count_nonzero(applied, axis=1)
            # Screening: visa sponsorship, and for IMGs the Step 2 CK cut-off and YSG limit.
            applied &= sponsors[kind_of[part], first:last]
            img = is_img[part]
            applied[img] &= (applicants.step2ck[part[img], None] >= cutoff) & (
                applicants.ysg[part[img], None] <= limit
            )
            hits = np.flatnonzero(applied)  # much faster than a 2-D np.nonzero
            hit_row = hits // applied.shape[1]
            who.append(part[hit_row])
            where.append(first + hits - hit_row * applied.shape[1])
    return np.concatenate(who), np.concatenate(where), sent


def _inclusion_scale(weights, kind, wanted) -> np.ndarray:
    """Per applicant, the ``c`` with ``sum_p min(1, c w_p) = wanted`` over their kind's weights.

    Poisson sampling with probabilities ``min(1, c w_p)`` then sends ``wanted``
    applications on average, however many programs a large ``wanted`` caps at
    certainty.  ``weights`` is (kinds, programs), each row summing to 1.
    ``f_j``, the expected count when the ``j``-th heaviest program just reaches
    probability 1, rises with ``j``; ``wanted`` falls between two of them.
    """
    n_kinds, q = weights.shape
    heaviest = -np.sort(-weights, axis=1)
    before = np.cumsum(heaviest, axis=1) - heaviest  # weight of the heavier programs
    f = np.arange(q) + (1.0 - before) / heaviest  # (kinds, q), rising along each row
    stride = 2.0 * q + 2.0  # lay the rows end to end in one increasing array
    wanted = np.minimum(wanted, q)  # more than every program: apply to all of them
    capped = np.searchsorted(
        (f + stride * np.arange(n_kinds)[:, None]).ravel(), wanted + stride * kind, side="right"
    )
    capped -= q * kind
    remaining = 1.0 - np.where(
        capped > 0, np.cumsum(heaviest, axis=1)[kind, np.maximum(capped - 1, 0)], 0.0
    )
    with np.errstate(divide="ignore", invalid="ignore"):  # all capped: c is infinite
        return np.where(capped >= q, np.inf, (wanted - capped) / remaining).astype(np.float32)


def _interviews(programs, applicants, who, where, evaluation, params, rng):
    """Programs invite their best applications; applicants accept in order of preference.

    Each round, a program invites the next best screened applications up to
    its free interview slots; each applicant accepts new invitations, most
    preferred first, up to their remaining interview cap, and declines the
    rest, which frees those slots for the next round.  Returns the indices of
    the applications that became interviews, the applicants' preference for
    them, and each program's invitation bar.
    """
    a = params.applicants
    order = _sort_by_group_desc(where, evaluation, programs.size)
    screened = np.bincount(where, minlength=programs.size)
    group_start = np.cumsum(screened) - screened
    invited_until = np.zeros(programs.size, dtype=np.int64)
    invite_until = np.minimum(programs.interview_slots, screened)
    invited = np.zeros(who.size, dtype=bool)
    accepted = np.zeros(who.size, dtype=bool)
    preference = np.zeros(who.size, dtype=np.float64)
    room = np.full(applicants.size, a.interview_cap, dtype=np.int64)
    for _ in range(params.programs.interview_rounds):
        new = order[segment_aranges(group_start + invited_until, invite_until - invited_until)]
        if not new.size:
            break
        invited[new] = True
        invited_until = invite_until
        preference[new] = program_preference(
            programs, applicants, who[new], where[new], params, rng.standard_normal(new.size)
        )
        by_applicant = new[_sort_by_group_desc(who[new], preference[new], applicants.size)]
        rank = place_in_group(who[by_applicant])
        yes = rank < room[who[by_applicant]]
        accepted[by_applicant[yes]] = True
        room -= np.bincount(who[by_applicant[yes]], minlength=applicants.size)
        declined = np.bincount(where[by_applicant[~yes]], minlength=programs.size)
        invite_until = np.minimum(invited_until + declined, screened)
    last_invited = order[np.maximum(group_start + invited_until - 1, 0)]
    invite_bar = np.where(invited_until >= screened, -np.inf, evaluation[last_invited])
    held = np.flatnonzero(accepted)
    return held, preference[held], invite_bar


def program_preference(programs, applicants, who, where, params, noise) -> np.ndarray:
    """How much applicant ``who`` wants program ``where``: desirability, taste, specialty."""
    a = params.applicants
    preferred = programs.specialty[where] == applicants.specialty[who]
    return programs.desirability[where] + a.taste_sd * noise + a.specialty_loyalty * preferred


def _sort_by_group_desc(group, value, n_groups) -> np.ndarray:
    """Indices ordering by ``group`` ascending, then ``value`` descending, ties by index.

    Packs (group, value quantised to the bits left over, index) into one int64
    so that NumPy's fast sort replaces a much slower ``lexsort``; values closer
    than the quantisation step (about 1e-6 of their range) count as ties.
    """
    value = np.asarray(value, dtype=np.float64)
    n = value.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    index_bits = max(1, (n - 1).bit_length())
    group_bits = max(1, (int(n_groups) - 1).bit_length())
    value_bits = 62 - index_bits - group_bits
    if value_bits < 20:
        return np.lexsort((-value, group))
    low, high = float(value.min()), float(value.max())
    step = (2.0**value_bits - 1) / (high - low) if high > low else 0.0
    quantised = ((high - value) * step).astype(np.int64)
    key = (np.asarray(group, dtype=np.int64) << (value_bits + index_bits)) | (
        quantised << index_bits
    )
    key |= np.arange(n, dtype=np.int64)
    return np.sort(key) & ((1 << index_bits) - 1)


# --------------------------------------------------------------------------- the focal applicant


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
        renumber = np.full(self.sent.size, -1)
        renumber[copies] = np.arange(copies.size)
        kept = renumber[self.interview_applicant] >= 0
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


#: At most this share of the applicants seeking the focal specialty are focal copies in
#: one Match: copies compete with each other.  Measured at this share, the competition
#: costs a copy about 0.2 points (docs/model.md, "The focal applicant").
COPIES_PER_MATCH_SHARE = 0.002


def copies_per_match(inputs: MarketInputs, focal: Focal) -> int:
    """How many focal copies may share one Match: 0.2% of the applicants seeking their specialty."""
    sought = [focal.specialty] + ([focal.backup_specialty] if focal.backup_specialty else [])
    main_types = inputs.ranking_counts[:4]  # the fifth row repeats their sum, for "other"
    seekers = min(main_types[:, inputs.specialties.index(s)].sum() for s in sought)
    return max(1, int(COPIES_PER_MATCH_SHARE * seekers * inputs.scale))


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


# --------------------------------------------------------------------------- the Match


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
        """Specialty index of the match, -1 if unmatched."""
        specialty = np.r_[self.programs.specialty, -1]
        return specialty[self.matched_program]


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
    applicants = _stack_applicants([p.applicants for p in pieces])
    offsets = np.cumsum([0] + [p.applicants.size for p in pieces])
    who = np.concatenate([p.interview_applicant + off for p, off in zip(pieces, offsets)])
    where = np.concatenate([p.interview_program for p in pieces])
    preference = np.concatenate([p.interview_preference for p in pieces])
    evaluation = np.concatenate([p.interview_evaluation for p in pieces])
    unranked = np.concatenate([p.interview_unranked for p in pieces])
    n = applicants.size

    # Applicants' lists: interviews in order of preference, cut to the cap.
    order = _sort_by_group_desc(who, preference, n)
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
    by_program = ranked[_sort_by_group_desc(where[ranked], evaluation[ranked], programs.size)]
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


def match_market(
    market: Market, focal: FocalEntries | None, params: MarketParams, *, timings=None
) -> TrialOutcome:
    """Build the rank-order lists and run the NRMP's applicant-proposing algorithm.

    ``timings``, if a dict, receives the seconds each stage took (for benchmarks).
    """
    clock = _Stopwatch(timings)
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
    :data:`COPIES_PER_MATCH_SHARE`).  The population's outcome is the one of
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
        applicants=_stack_applicants([market.applicants, focal.applicants]),
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


def _stack_applicants(parts) -> Applicants:
    """Concatenate applicant tables row-wise."""
    names = Applicants.__slots__
    return Applicants(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in names})
