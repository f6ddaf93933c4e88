"""Per-trial tallies of a run and the summaries computed from them.

Every probability is estimated from per-trial tallies and carries its sample
size and a 95% Wilson interval adjusted for clustering by trial (outcomes in
one simulated Match year share that market), see :mod:`simulator.stats`.
Presenting the summaries is :mod:`simulator.report`'s job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from simulator.stats import Proportion, clustered_proportion_from_counts
from simulator.study.signal_targets import signal_rates, signal_tally
from simulator.vocabulary import APPLICANT_TYPES

__all__ = [
    "FOCAL_COLUMNS",
    "FUNNEL_STAGES",
    "ROL_BUCKETS",
    "STEP2CK_BANDS",
    "clustered",
    "focal_summary",
    "merge_tallies",
    "run_summary",
    "soap_summary",
    "tallies",
    "type_summary",
]

STEP2CK_BANDS = (200, 220, 230, 240, 250, 260, 270, 301)
ROL_BUCKETS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 200)  # active applicants rank 1 or more
#: The columns of the focal copies' rows that the tallies, compare and sweep read.
FOCAL_COLUMNS = (
    "trial",
    "strategy",
    "copy",
    "matched",
    "matched_preferred",
    "matched_rank",
    "matched_program_kind",
    "matched_visa_policy",
    "matched_track",
    "pgy1_specialty",
    "partner_matched",
    "n_applications",
    "n_interviews",
    "rol_length",
    "n_not_read_visa",
    "n_not_read_score",
    "n_not_read_graduation",
    "n_not_read_attempts",
    "n_read",
    "n_invited",
    "n_soap_applications",
    "soap_placed",
    "placed",
    "n_signals",
    "n_gold_signals",
    "n_invited_signalled",
    "n_interviews_signalled",
)
#: The focal applicant's funnel: each stage and the column of the focal rows that counts it.
#: Screening reasons are attributed in this order (visa, score, graduation, attempts), so
#: ``sent = not_read_visa + not_read_score + not_read_graduation + not_read_attempts + read``
#: for every copy.
FUNNEL_STAGES = {
    "sent": "n_applications",
    "not_read_visa": "n_not_read_visa",
    "not_read_score": "n_not_read_score",
    "not_read_graduation": "n_not_read_graduation",
    "not_read_attempts": "n_not_read_attempts",
    "read": "n_read",
    "invited": "n_invited",
    "interviews": "n_interviews",
    "ranked": "rol_length",
    "matched": "matched",
}
#: Your preference signals: signals sent, gold among them, invitations and interviews from
#: programs you signalled (the column of the focal rows that counts each).
SIGNAL_STAGES = {
    "sent": "n_signals",
    "gold": "n_gold_signals",
    "invited": "n_invited_signalled",
    "interviews": "n_interviews_signalled",
}


def tallies(applicants: pd.DataFrame, programs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Small per-trial tables from which every reported figure is computed.

    ``focal``: one row per focal copy per trial and strategy; ``by_type``,
    ``by_preferred`` (by type and preferred specialty), ``by_step2ck`` and
    ``by_rol_length``: counts of active population applicants (who ranked a
    program, as the NRMP counts) and their matches per trial;
    ``fill``: PGY-1 positions, filled in the Main Match and in SOAP per trial;
    ``soap_rounds``: population applicants placed in SOAP per trial and round;
    ``couples``: active couple members and how many matched, per trial;
    ``by_signal``: active population applicants' applications and invitations with
    and without a signal per trial and preferred specialty.
    """
    population = applicants[~applicants["is_focal"] & applicants["active"]]
    focal = applicants.loc[applicants["is_focal"], list(FOCAL_COLUMNS)].reset_index(drop=True)
    band = pd.cut(
        population["step2ck"],
        STEP2CK_BANDS,
        right=False,
        labels=[f"{a}-{b - 1}" for a, b in zip(STEP2CK_BANDS, STEP2CK_BANDS[1:])],
    )
    rol = pd.cut(
        population["rol_length"],
        ROL_BUCKETS,
        right=False,
        labels=[_bucket_label(a, b) for a, b in zip(ROL_BUCKETS, ROL_BUCKETS[1:])],
    )
    keys = ["strategy", "trial", "applicant_type"]
    return {
        "focal": focal,
        "by_type": _count(population, keys),
        "by_preferred": _count(population, [*keys, "specialty"]),
        "by_step2ck": _count(population.assign(step2ck_band=band), [*keys, "step2ck_band"]),
        "by_rol_length": _count(population.assign(rol_bucket=rol), [*keys, "rol_bucket"]),
        "fill": programs[~programs["advanced"]]  # the PGY-1 positions, as published
        .groupby(["strategy", "trial"], observed=True)
        .agg(
            positions=("positions", "sum"),
            filled=("filled", "sum"),
            filled_soap=("filled_soap", "sum"),
            match_stable=("match_stable", "all"),
        )
        .reset_index(),
        "soap_rounds": applicants[~applicants["is_focal"] & applicants["soap_placed"]]
        .groupby(["strategy", "trial", "soap_round"], observed=True)
        .size()
        .reset_index(name="placed"),
        "by_signal": signal_tally(population, ["strategy", "trial", "specialty"]),
        "couples": population[population["in_couple"]]
        .groupby(["strategy", "trial"], observed=True)
        .agg(n=("matched", "size"), matched=("matched", "sum"))
        .reset_index(),
    }


def _bucket_label(low: int, high: int) -> str:
    return str(low) if high == low + 1 else f"{low}-{high - 1}"


def _count(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, observed=True)
    counts = grouped.agg(
        n=("matched", "size"),
        matched=("matched", "sum"),
        matched_preferred=("matched_preferred", "sum"),
        soap_placed=("soap_placed", "sum"),
        placed=("placed", "sum"),
    )
    return counts.reset_index()


def merge_tallies(parts: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Concatenate the tallies of several chunks."""
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}


def clustered(k_per_trial, n_per_trial) -> Proportion:
    """A proportion pooled over trials, its interval adjusted for clustering by trial."""
    return clustered_proportion_from_counts(np.asarray(k_per_trial), np.asarray(n_per_trial))


def focal_summary(focal: pd.DataFrame) -> dict:
    """The focal applicant's chances: at least one interview, match, match in the preferred
    specialty, top-3 choice, match in the backup specialty (you apply to those two only), a
    position through SOAP, and a position at all (``p_placed``: the Main Match or SOAP).

    ``p_match`` (and the backup's) counts a career position only: a one-year preliminary or
    transitional year alone is ``p_match_preliminary_only`` (issue 14), and an advanced
    (PGY-2) position counts whether or not a PGY-1 year came with it
    (``p_match_advanced_without_pgy1``: without, partially matched); ``p_placed``
    counts any position.  The population's rates by type count every PGY-1 match, as the
    NRMP does.
    """
    one_year = (focal["matched_track"] == "preliminary").fillna(False).astype(bool)
    advanced = (focal["matched_track"] == "advanced").fillna(False).astype(bool)
    per_trial = (
        focal.assign(
            interviewed=focal["n_interviews"] > 0,
            career=focal["matched"] & ~one_year,
            backup=focal["matched"] & ~one_year & ~focal["matched_preferred"],
            one_year=one_year,
            partial=advanced & focal["pgy1_specialty"].isna(),
        )
        .groupby("trial")
        .agg(
            n=("matched", "size"),
            interviewed=("interviewed", "sum"),
            matched=("career", "sum"),
            one_year=("one_year", "sum"),
            partial=("partial", "sum"),
            backup=("backup", "sum"),
            preferred=("matched_preferred", "sum"),
            top3=("matched_rank", lambda r: int((r <= 3).sum())),
            soap=("soap_placed", "sum"),
            placed=("placed", "sum"),
        )
    )
    ranks = focal["matched_rank"].dropna().astype(int)
    distribution = ranks.value_counts().sort_index()
    return _partner_chances(focal) | {
        "p_interview": clustered(per_trial["interviewed"], per_trial["n"]),
        "p_match": clustered(per_trial["matched"], per_trial["n"]),
        "p_match_preliminary_only": clustered(per_trial["one_year"], per_trial["n"]),
        "p_match_advanced_without_pgy1": clustered(per_trial["partial"], per_trial["n"]),
        "p_match_preferred": clustered(per_trial["preferred"], per_trial["n"]),
        "p_match_top3": clustered(per_trial["top3"], per_trial["n"]),
        "p_match_backup": clustered(per_trial["backup"], per_trial["n"]),
        "p_soap": clustered(per_trial["soap"], per_trial["n"]),
        "p_placed": clustered(per_trial["placed"], per_trial["n"]),
        "matched_rank_distribution": {
            int(rank): {"count": int(count), "share_of_matches": float(count / max(len(ranks), 1))}
            for rank, count in distribution.items()
        },
        "matched_where": {
            column: _shares(focal[column])
            for column in ("matched_program_kind", "matched_visa_policy")
        },
        "mean_applications": float(focal["n_applications"].mean()),
        "mean_interviews": float(focal["n_interviews"].mean()),
        "mean_rol_length": float(focal["rol_length"].mean()),
        "mean_soap_applications": float(focal["n_soap_applications"].mean()),
        "funnel": funnel_summary(focal),
        "signals": funnel_summary(focal, SIGNAL_STAGES),
    }


def both_matched(focal: pd.DataFrame) -> pd.Series:
    """Per focal row: you matched to a career position (as ``p_match`` counts it) and your
    partner matched (``[you.partner]``; False without one)."""
    one_year = (focal["matched_track"] == "preliminary").fillna(False).astype(bool)
    partner = focal["partner_matched"].fillna(False).astype(bool)
    return focal["matched"].astype(bool) & ~one_year & partner


def _partner_chances(focal: pd.DataFrame) -> dict:
    """With ``[you.partner]``: your partner's chance of a match (``p_match_partner``) and the
    chance that both of you match (``p_match_both``), a one-year position alone counting
    for you as it does in ``p_match``; nothing without a partner."""
    partner = focal.get("partner_matched")
    if partner is None or partner.isna().all():
        return {}
    partner = partner.fillna(False).astype(bool)
    per_trial = (
        focal.assign(partner=partner, both=both_matched(focal))
        .groupby("trial")
        .agg(n=("matched", "size"), partner=("partner", "sum"), both=("both", "sum"))
    )
    return {
        "p_match_partner": clustered(per_trial["partner"], per_trial["n"]),
        "p_match_both": clustered(per_trial["both"], per_trial["n"]),
    }


def _shares(column: pd.Series) -> dict:
    """Each category's count and share among the rows that have one (your matches)."""
    counts = column.value_counts(dropna=True, sort=False)
    total = max(int(counts.sum()), 1)
    return {
        str(kind): {"count": int(n), "share_of_matches": float(n / total)}
        for kind, n in counts.items()
    }


def funnel_summary(
    focal: pd.DataFrame, stages: dict = FUNNEL_STAGES, confidence: float = 0.95
) -> dict:
    """Each stage of ``stages`` (:data:`FUNNEL_STAGES`, :data:`SIGNAL_STAGES`): the mean count
    per copy and its interval.

    The interval is a t interval over the per-trial means (copies in one trial
    share a market, so the trial is the unit), cut at 0; it is missing (NaN) with one trial.
    """
    columns = list(stages.values())
    counts = focal[columns].astype(float)
    per_trial = counts.groupby(focal["trial"]).mean()
    m = len(per_trial)
    if m > 1:
        half = special.stdtrit(m - 1, 0.5 + confidence / 2) * per_trial.sem(ddof=1)
    else:
        half = pd.Series(np.nan, index=columns)
    mean = counts.mean()
    return {
        stage: {
            "mean": float(mean[column]),
            "ci_low": float(max(mean[column] - half[column], 0.0)),  # counts are >= 0
            "ci_high": float(mean[column] + half[column]),
            "n": len(focal),
            "n_trials": m,
            "method": "t interval over per-trial means",
        }
        for stage, column in stages.items()
    }


def type_summary(by_type: pd.DataFrame) -> dict:
    """Each applicant type's chance of matching (any specialty, preferred specialty), of a
    position through SOAP, and of a position at all (the Main Match or SOAP)."""
    out = {}
    for name in APPLICANT_TYPES:
        rows = by_type[by_type["applicant_type"] == name]
        if rows.empty:
            continue
        out[name] = {
            "p_match": clustered(rows["matched"], rows["n"]),
            "p_match_preferred": clustered(rows["matched_preferred"], rows["n"]),
            "p_soap": clustered(rows["soap_placed"], rows["n"]),
            "p_placed": clustered(rows["placed"], rows["n"]),
        }
    return out


def soap_summary(fill: pd.DataFrame, rounds: pd.DataFrame) -> dict:
    """SOAP's scale: positions offered (those the Main Match left) and filled per trial, the
    share filled, and the cumulative share of SOAP's placements by the end of each round."""
    offered = fill["positions"] - fill["filled"]
    placed = rounds.groupby("soap_round")["placed"].sum().sort_index()
    total = max(int(placed.sum()), 1)
    return {
        "positions_offered": float(offered.mean()),
        "positions_filled": float(fill["filled_soap"].mean()),
        "fill_share": clustered(fill["filled_soap"], offered),
        "filled_by_round": {int(r): float(k / total) for r, k in placed.cumsum().items()},
    }


def run_summary(tally: dict[str, pd.DataFrame]) -> dict:
    """Everything ``matchsim run`` prints, for one strategy's tallies."""
    fill = tally["fill"]
    return {
        "focal": focal_summary(tally["focal"]),
        "by_type": type_summary(tally["by_type"]),
        "fill_rate": clustered(fill["filled"], fill["positions"]),
        "soap": soap_summary(fill, tally["soap_rounds"]),
        "signals_by_specialty": signal_rates(tally["by_signal"]),
        "couples": couples_summary(tally["couples"], fill),
    }


def couples_summary(couples: pd.DataFrame, fill: pd.DataFrame) -> dict | None:
    """Active couple members matched (the population's), and the trials whose Match stopped
    without a stable matching; None without couples."""
    if not len(couples):
        return None
    return {
        "members_matched": clustered(couples["matched"], couples["n"]),
        "trials_without_stable_matching": int((~fill["match_stable"]).sum()),
        "trials": len(fill),
    }
