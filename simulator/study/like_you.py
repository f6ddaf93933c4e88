"""How the model does for applicants like you: the run's own population beside published figures.

Your own chance has no published counterpart, but two nearby figures do, and
every run has the population to compute them: the PGY-1 match rate of your
applicant type (NRMP 2025) and, for US MD seniors and non-US IMGs, Charting
Outcomes' match rate to the preferred specialty of those preferring yours
(2024 and 2026 tables).  Both use :mod:`.validation`'s definitions (active
population applicants only; to the preferred specialty: matched to it over
matched to it or not matched at all) and its tolerances; a gap beyond the
tolerance says how far the model is off for applicants like you.
"""

from __future__ import annotations

import pandas as pd

from simulator.market.published import PublishedData
from simulator.study.tallies import clustered
from simulator.study.targets import TOLERANCES

#: Where each published figure comes from, in the words the report prints.
TYPE_RATE_SOURCE = "NRMP 2025"
PREFERRED_TABLES = {
    "us_md": ("charting_outcomes_us_md", "Charting Outcomes 2024"),
    "non_us_img": ("charting_outcomes_non_us_img", "Charting Outcomes 2026"),
}


def like_you(
    by_type: pd.DataFrame,
    by_preferred: pd.DataFrame,
    applicant_type: str,
    specialty: str,
    published: PublishedData,
) -> dict:
    """The ``applicants_like_you`` block of ``summary.json``: for the population of your
    type (``match_rate``) and of your type preferring your specialty
    (``match_rate_preferred``), the model's rate with its interval and n, the published
    rate (``None`` where none is published), the gap in points and whether it is within
    the validation's tolerance."""
    mine = by_type[by_type["applicant_type"] == applicant_type]
    cell = by_preferred[
        (by_preferred["applicant_type"] == applicant_type)
        & (by_preferred["specialty"] == specialty)
    ]
    decided = cell["matched_preferred"] + cell["n"] - cell["matched"]  # matched there or nowhere
    table, source = PREFERRED_TABLES.get(applicant_type, (None, None))
    row = pd.DataFrame()
    if table is not None:
        rows = getattr(published, table)
        row = rows[rows["model_specialty"] == specialty]
    return {
        "applicant_type": applicant_type,
        "specialty": specialty,
        "match_rate": _figure(
            _rate(mine["matched"], mine["n"]),
            float(published.match_rate_by_type[applicant_type]),
            TOLERANCES[("applicant_types", "match_rate")],
            TYPE_RATE_SOURCE,
        ),
        "match_rate_preferred": _figure(
            _rate(cell["matched_preferred"], decided),
            float(row["match_rate_preferred"].iloc[0]) if len(row) else None,
            TOLERANCES.get((applicant_type, "match_rate_preferred")),
            source if len(row) else None,
        ),
    }


def _rate(k: pd.Series, n: pd.Series):
    """The clustered rate of per-trial counts; ``None`` when the run holds nobody it counts
    (a tiny market.scale can leave a type without an active applicant)."""
    return clustered(k, n) if n.sum() > 0 else None


def _figure(model, published: float | None, tolerance, source: str | None) -> dict:
    """One figure: ``model`` is ``None`` when the run holds no applicant it counts."""
    gap = None if published is None or model is None else 100 * (model.p - published)
    return {
        "model": model,
        "published": published,
        "source": source,
        "gap_points": gap,
        "tolerance_points": tolerance,
        "within": None if gap is None else bool(abs(gap) <= tolerance),
    }


def like_you_by_strategy(counts: pd.DataFrame, variants, published: PublishedData) -> dict:
    """:func:`like_you` for each strategy (or swept value) of a comparison or sweep, from
    its ``population_counts`` (:func:`simulator.study.trials.population_counts`): name ->
    block, for the type and specialty of that strategy's copies of you."""
    blocks = {}
    for variant in variants:
        mine = counts[counts["strategy"] == variant.name]
        by_type = (
            mine.groupby(["trial", "applicant_type"], observed=True)[["n", "matched"]]
            .sum()
            .reset_index()
        )
        blocks[variant.name] = like_you(
            by_type, mine, variant.you.type, variant.you.specialty, published
        )
    return blocks
