"""The published figures one trial draws from, as arrays scaled to a share of the nation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.errors import ScenarioError
from simulator.market.published_files import MAIN_APPLICANT_TYPES
from simulator.vocabulary import APPLICANT_TYPES


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
    #: (types, specialties): mean and SD of the Step 2 CK of applicants preferring the
    #: specialty, published in Charting Outcomes (nan where not).
    preferred_step2ck_mean: np.ndarray
    preferred_step2ck_sd: np.ndarray
    #: Per specialty: how far US MD seniors preferring it score above their average (0 where
    #: unpublished); types without figures of their own follow it (self-selection).
    specialty_score_shift: np.ndarray
    #: (specialties, 2): published gold and silver signals per applicant, -1 where unpublished.
    published_signals: np.ndarray
    couples: int  # couples in the Match (published), scaled
    #: Per specialty: True for the advanced (PGY-2) rows, appended after the PGY-1 ones.
    is_advanced: np.ndarray
    #: (types, specialties): each advanced specialty's positions split by the type mix of
    #: the published applicants of its PGY-1 specialty, where no count of its applicants is
    #: published; 0 elsewhere (PGY-1 specialties, and advanced ones in the next array).
    advanced_positions_by_type: np.ndarray
    #: (types, specialties): the applicants preferring an advanced specialty where Charting
    #: Outcomes publishes its US MD seniors (matched and not), the other types in the same
    #: mix, scaled; 0 elsewhere.
    advanced_seekers_by_type: np.ndarray
    #: Per specialty: ln of the IMGs' share of its published applicants (US-citizen and
    #: non-US IMGs, of the four main types) over Internal Medicine's, whose programs the
    #: APDIM surveys of IMG-friendliness describe (an advanced row: its PGY-1 specialty's).
    img_share_log_ratio: np.ndarray
    scale: float


#: The specialty whose programs' IMG-friendliness is published (APDIM surveys, data/
#: img_share_of_positions.csv): the others' is set against it (``programs.img_share_friendliness``).
FRIENDLINESS_REFERENCE = "Internal Medicine (Categorical)"


def market_inputs(published, scale: float = 1.0) -> MarketInputs:
    """The arrays one trial draws from, read off a :class:`.published.PublishedData`.

    The advanced (PGY-2) specialties of ``advanced_positions_2025.csv`` follow the
    PGY-1 ones; each takes its PGY-1 specialty's Step 2 CK figures and signals.
    """
    pgy1_names = published.specialty_names
    advanced = published.advanced_positions
    linked = np.array([pgy1_names.index(n) for n in advanced["pgy1_specialty"]], dtype=np.int64)
    specialties = pgy1_names + tuple(str(n) for n in advanced["specialty"])
    n_pgy1 = len(pgy1_names)
    # Each specialty's own row, or (advanced) its PGY-1 specialty's: for figures they share.
    own = np.r_[np.arange(n_pgy1), linked]
    positions = np.r_[
        published.positions_by_specialty.reindex(pgy1_names).to_numpy(float),
        advanced["positions"].to_numpy(float),
    ]
    programs = np.r_[
        published.programs_by_specialty.reindex(pgy1_names).to_numpy(float),
        advanced["programs"].to_numpy(float),
    ]
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
    img_share_log_ratio = _img_share_log_ratio(counts, pgy1_names)[own]
    counts = np.vstack([counts, pooled])
    is_advanced = np.arange(len(specialties)) >= n_pgy1
    mix = counts[:4, linked] / counts[:4, linked].sum(axis=0, keepdims=True)
    us_md = published.charting_outcomes_us_md.set_index("model_specialty")
    preferring = (us_md["matched_preferred"] + us_md["not_matched"]).reindex(advanced["specialty"])
    preferring = preferring.to_numpy(float) * scale
    has_count = ~np.isnan(preferring)
    advanced_by_type = np.zeros((len(APPLICANT_TYPES), len(specialties)))
    seekers_by_type = np.zeros_like(advanced_by_type)
    positions_scaled = np.round(advanced["positions"].to_numpy(float) * scale)
    advanced_by_type[:4, n_pgy1:] = np.where(has_count, 0.0, mix * positions_scaled)
    us_md_share = mix[APPLICANT_TYPES.index("us_md")]
    seekers_by_type[:4, n_pgy1:] = np.where(has_count, mix * preferring / us_md_share, 0.0)
    # Non-US IMGs preferring it, where their Charting Outcomes table counts them.
    img = published.charting_outcomes_non_us_img.set_index("model_specialty")
    img_preferring = (img["matched_preferred"] + img["not_matched"]).reindex(advanced["specialty"])
    img_preferring = img_preferring.to_numpy(float) * scale
    row = APPLICANT_TYPES.index("non_us_img")
    own_count = has_count & ~np.isnan(img_preferring)
    seekers_by_type[row, n_pgy1:] = np.where(
        own_count, img_preferring, seekers_by_type[row, n_pgy1:]
    )
    counts = np.hstack([counts, np.zeros((counts.shape[0], len(linked)))])  # never a backup
    # Applicants rank about 1.5 specialties each: the excess over one is the backup rate.
    active = published.applicants_by_type.to_numpy(float)
    per_applicant = counts.sum(axis=1) / np.r_[active[:4], active[:4].sum()]
    backup = np.clip(per_applicant - 1.0, 0.0, 1.0)

    ranked = published.applicants_ranked_per_position.set_index("specialty")["ranked_per_position"]
    ranked_per_position = ranked.reindex(specialties).to_numpy(float)
    preferred = published.preferred_step2ck
    row = preferred["applicant_type"].map(APPLICANT_TYPES.index).to_numpy()
    column = preferred["specialty"].map(specialties.index).to_numpy()
    step2ck_mean = np.full((len(APPLICANT_TYPES), len(specialties)), np.nan)
    step2ck_sd = np.full_like(step2ck_mean, np.nan)
    step2ck_mean[row, column] = preferred["mean"]
    step2ck_sd[row, column] = preferred["sd"]
    # An advanced row without figures of its own takes its PGY-1 specialty's.
    missing = np.isnan(step2ck_mean)
    step2ck_mean = np.where(missing, step2ck_mean[:, own], step2ck_mean)
    step2ck_sd = np.where(missing, step2ck_sd[:, own], step2ck_sd)
    us_md = preferred[preferred["applicant_type"] == "us_md"]
    average = np.average(us_md["mean"], weights=us_md["applicants"])
    specialty_score_shift = np.nan_to_num(step2ck_mean[APPLICANT_TYPES.index("us_md")] - average)
    signals = published.signal_counts.set_index("specialty")[["gold", "silver"]]
    published_signals = signals.reindex(pgy1_names).fillna(-1).to_numpy(np.int64)[own]
    return MarketInputs(
        specialties=specialties,
        published_signals=published_signals,
        positions=n_positions,
        programs=n_programs,
        applicants=applicants,
        ranking_counts=counts,
        backup_probability=backup,
        ranked_per_position=ranked_per_position,
        preferred_step2ck_mean=step2ck_mean,
        preferred_step2ck_sd=step2ck_sd,
        specialty_score_shift=specialty_score_shift,
        couples=round(published.market("couples") * scale),
        is_advanced=is_advanced,
        advanced_positions_by_type=advanced_by_type,
        advanced_seekers_by_type=seekers_by_type,
        img_share_log_ratio=img_share_log_ratio,
        scale=scale,
    )


def _img_share_log_ratio(counts, names) -> np.ndarray:
    """ln(IMG share of each specialty's applicants / the reference specialty's), from the
    (four main types, specialties) counts; half an applicant added to the IMGs and to the
    others so that a specialty no IMG ranks stays finite (Dermatology: 1 of 284).  0 for all
    when the reference specialty is not in the data."""
    img = (
        counts[MAIN_APPLICANT_TYPES.index("us_img")]
        + counts[MAIN_APPLICANT_TYPES.index("non_us_img")]
    )
    share = (img + 0.5) / (counts.sum(axis=0) + 1.0)
    if FRIENDLINESS_REFERENCE not in names:
        return np.zeros(share.size)
    return np.log(share / share[names.index(FRIENDLINESS_REFERENCE)])
