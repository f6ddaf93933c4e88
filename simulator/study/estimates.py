"""Estimates of a comparison or a sweep: each variant's chances and its paired difference.

From the focal copies' rows (one row per copy per trial per variant),
:func:`compare_focal` / :func:`sweep_focal` estimate each variant's chances
(clustered Wilson intervals, as ``matchsim run``) and, against the first
variant (the baseline), the paired difference of the chance of matching (or,
with ``outcome="placed"``, of a position through the Main Match or SOAP),
aligned by (trial, copy) (Newcombe's paired interval with a design effect for
clustering by trial, :func:`simulator.stats.paired_difference`).
:mod:`simulator.report` presents them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.errors import ScenarioError
from simulator.stats import PairedDifference, Proportion, paired_difference
from simulator.study.tallies import both_matched, focal_summary
from simulator.study.variants import value_label

__all__ = [
    "OUTCOMES",
    "Comparison",
    "Difference",
    "Estimate",
    "Sweep",
    "check_outcome",
    "outcome_check",
    "compare_focal",
    "pairing_gain",
    "sweep_focal",
    "unpaired_interval",
]


#: The outcomes a comparison can pair: the focal rows' column and the estimate's chance
#: (``both``: you and your partner matched, with ``[you.partner]``).
OUTCOMES = {
    "match": ("matched", "p_match"),
    "placed": ("placed", "p_placed"),
    "both": ("both_matched", "p_match_both"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """One variant's chances (clustered Wilson intervals) and its averages."""

    name: str
    p_match: Proportion
    p_match_preferred: Proportion
    p_match_top3: Proportion
    p_soap: Proportion
    p_placed: Proportion
    mean_applications: float
    mean_interviews: float
    mean_rol_length: float
    #: With ``[you.partner]``: your partner's chance of a match and both of yours; else None.
    p_match_partner: Proportion | None = None
    p_match_both: Proportion | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    """A variant's chance (of the comparison's outcome) minus the baseline's, paired by
    (trial, copy).

    ``paired`` is the reported interval; ``unpaired_ci_low`` / ``unpaired_ci_high``
    is what two independent runs of the same size would give (Newcombe's
    square-and-add of the two clustered Wilson intervals), kept to show what
    pairing buys.
    """

    name: str
    baseline: str
    paired: PairedDifference
    unpaired_ci_low: float
    unpaired_ci_high: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """Every strategy's estimate and, for each but the first, its paired difference."""

    estimates: tuple[Estimate, ...]
    differences: tuple[Difference, ...]
    trials: int
    copies: int
    #: The outcome the differences pair: "match" (the Main Match) or "placed" (the Main
    #: Match or SOAP).
    outcome: str = "match"

    @property
    def baseline(self) -> str:
        """The first variant's name."""
        return self.estimates[0].name


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """A scenario key's values, each with its estimate and its difference from the first value."""

    key: str
    values: tuple
    comparison: Comparison


def _estimate(name: str, rows: pd.DataFrame) -> Estimate:
    summary = focal_summary(rows)
    return Estimate(
        name=name,
        p_match=summary["p_match"],
        p_match_preferred=summary["p_match_preferred"],
        p_match_top3=summary["p_match_top3"],
        p_soap=summary["p_soap"],
        p_placed=summary["p_placed"],
        mean_applications=summary["mean_applications"],
        mean_interviews=summary["mean_interviews"],
        mean_rol_length=summary["mean_rol_length"],
        p_match_partner=summary.get("p_match_partner"),
        p_match_both=summary.get("p_match_both"),
    )


def _rows_by_variant(focal: pd.DataFrame, names) -> dict[str, pd.DataFrame]:
    """Each variant's focal rows sorted by (trial, copy); every variant must have the same pairs."""
    strategy = focal["strategy"].astype(str)
    out, keys = {}, None
    for name in names:
        rows = focal[strategy == name].sort_values(["trial", "copy"], kind="stable")
        pairs = rows[["trial", "copy"]].to_numpy()
        if keys is None:
            keys = pairs
        elif not np.array_equal(keys, pairs):
            raise ValueError(
                f"variant {name!r} has other (trial, copy) pairs than {names[0]!r}: "
                "outcomes cannot be paired"
            )
        out[name] = rows.reset_index(drop=True)
    return out


def unpaired_interval(a: Proportion, b: Proportion) -> tuple[float, float]:
    """Square-and-add interval of ``b - a`` for independent clustered estimates (Newcombe 1998b)."""
    d = b.p - a.p
    low = d - math.hypot(b.p - b.ci_low, a.ci_high - a.p)
    high = d + math.hypot(b.ci_high - b.p, a.p - a.ci_low)
    return max(-1.0, low), min(1.0, high)


def check_outcome(outcome: str, variants=()) -> str:
    """``outcome`` if it is one of :data:`OUTCOMES` that every variant can give (``both``
    needs a partner in each), else a :class:`ScenarioError`."""
    if outcome not in OUTCOMES:
        raise ScenarioError(None, "outcome", "one of " + ", ".join(OUTCOMES), repr(outcome))
    alone = [v.name for v in variants if outcome == "both" and not v.you.has_partner]
    if alone:
        raise ScenarioError(
            None,
            "--outcome",
            message=f"both reads your chance and your partner's together, but {alone[0]!r} "
            "has no partner: give [you.partner] a specialty (in the scenario or in every "
            "strategy), or use --outcome match",
        )
    return outcome


def outcome_check(outcome: str, variants_of):
    """A scenario check for the commands: :func:`check_outcome` on ``variants_of(scenario)``
    (a scenario whose variants cannot give ``outcome`` writes nothing)."""
    return lambda scenario: check_outcome(outcome, variants_of(scenario))


def compare_focal(
    focal: pd.DataFrame, names, *, confidence: float = 0.95, outcome: str = "match"
) -> Comparison:
    """Estimates and paired differences from the focal copies' rows of ``names`` (baseline first).

    The differences pair ``outcome`` (one of :data:`OUTCOMES`): matching in the
    Main Match (``"match"``) or a position at all, the Main Match or SOAP (``"placed"``).

    ``focal`` has one row per focal copy per trial per variant with at least
    the columns of :data:`simulator.study.tallies.FOCAL_COLUMNS` (``strategy`` holding the variant
    name).  Copy ``j`` of trial ``t`` under a variant is paired with copy ``j``
    of trial ``t`` under the baseline; two variants with identical outcomes
    give a difference of exactly 0.0.
    """
    names = [str(n) for n in names]
    if len(names) < 1:
        raise ValueError("compare_focal needs at least one variant")
    column, chance = OUTCOMES[check_outcome(outcome)]
    rows = _rows_by_variant(focal, names)
    if outcome == "both":
        rows = {name: r.assign(both_matched=both_matched(r)) for name, r in rows.items()}
    estimates = tuple(_estimate(name, rows[name]) for name in names)
    base = rows[names[0]]
    trial = base["trial"].to_numpy()
    differences = []
    for name, estimate in zip(names[1:], estimates[1:]):
        paired = paired_difference(
            base[column].to_numpy(bool),
            rows[name][column].to_numpy(bool),
            cluster=trial,
            confidence=confidence,
        )
        low, high = unpaired_interval(getattr(estimates[0], chance), getattr(estimate, chance))
        differences.append(
            Difference(
                name=name,
                baseline=names[0],
                paired=paired,
                unpaired_ci_low=low,
                unpaired_ci_high=high,
            )
        )
    copies = int(base.groupby("trial").size().max()) if len(base) else 0
    return Comparison(
        estimates=estimates,
        differences=tuple(differences),
        trials=int(base["trial"].nunique()),
        copies=copies,
        outcome=outcome,
    )


def sweep_focal(focal: pd.DataFrame, key: str, values, *, outcome: str = "match") -> Sweep:
    """A :class:`Sweep` from the focal rows of the variants of
    :func:`simulator.study.variants.sweep_variants`; differences pair ``outcome``."""
    values = tuple(values)
    comparison = compare_focal(focal, [value_label(v) for v in values], outcome=outcome)
    return Sweep(key=key, values=values, comparison=comparison)


def pairing_gain(comparison: Comparison) -> float:
    """Median ratio of the unpaired to the paired interval width (nan without differences)."""
    ratios = [
        (d.unpaired_ci_high - d.unpaired_ci_low) / d.paired.width
        for d in comparison.differences
        if d.paired.width > 0
    ]
    return float(np.median(ratios)) if ratios else math.nan
