"""The records matchsim writes: JSON-ready values, comparison.json's strategies, sweep.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.files import write_atomically
from simulator.report.text import verdict
from simulator.stats import Proportion
from simulator.study.estimates import Comparison, Sweep

__all__ = ["comparison_record", "sweep_table", "to_jsonable", "write_sweep_csv"]


def to_jsonable(value):
    """Summaries (with Proportion results) as plain JSON-ready values."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def _proportion_fields(p: Proportion, prefix: str) -> dict:
    """A proportion's confidence limits under prefixed keys."""
    return {f"{prefix}ci_low": p.ci_low, f"{prefix}ci_high": p.ci_high}


def comparison_record(comparison: Comparison, changes=None, assumptions=None) -> list[dict]:
    """The ``strategies`` list of ``comparison.json``: one dict per strategy, baseline first.

    Every entry has ``name``, ``p_match``, ``ci_low``, ``ci_high``, ``n`` (and
    more, ``p_soap`` and ``p_placed`` among them); every non-baseline entry also ``diff``,
    ``diff_ci_low``, ``diff_ci_high`` (paired, in probability units, of the comparison's
    outcome: matching, or with ``placed`` a position through the Match or SOAP) and its
    ``verdict``.
    ``changes`` maps a strategy name to the keys it sets; ``assumptions`` a
    non-baseline strategy to the assumed parameters its difference rests on
    (``assumed_parameters``, empty when none).
    """
    assumptions = assumptions or {}
    differences = {d.name: d for d in comparison.differences}
    out = []
    for e in comparison.estimates:
        p = e.p_match
        entry = {
            "name": e.name,
            "p_match": p.p,
            "ci_low": p.ci_low,
            "ci_high": p.ci_high,
            "n": p.n,
            "k": p.k,
            "n_effective": p.n_effective,
            "n_clusters": p.n_clusters,
            "method": p.method,
            "p_match_preferred": e.p_match_preferred.p,
            **_proportion_fields(e.p_match_preferred, "preferred_"),
            "p_match_top3": e.p_match_top3.p,
            **_proportion_fields(e.p_match_top3, "top3_"),
            "p_soap": e.p_soap.p,
            **_proportion_fields(e.p_soap, "soap_"),
            "p_placed": e.p_placed.p,
            **_proportion_fields(e.p_placed, "placed_"),
            "mean_applications": e.mean_applications,
            "mean_interviews": e.mean_interviews,
            "mean_rol_length": e.mean_rol_length,
        }
        entry.update(_couple_fields(e))  # [you.partner]
        if changes is not None and e.name in changes:
            entry["changes"] = dict(changes[e.name])
        if e.name in differences:
            d = differences[e.name]
            entry.update(
                {
                    "diff": d.paired.diff,
                    "diff_ci_low": d.paired.ci_low,
                    "diff_ci_high": d.paired.ci_high,
                    "diff_baseline": d.baseline,
                    "diff_pairs": d.paired.n,
                    "diff_n_effective": d.paired.n_effective,
                    "diff_design_effect": d.paired.design_effect,
                    "diff_method": d.paired.method,
                    "diff_b_only": d.paired.b_only,
                    "diff_a_only": d.paired.a_only,
                    "unpaired_ci_low": d.unpaired_ci_low,
                    "unpaired_ci_high": d.unpaired_ci_high,
                    "verdict": verdict(d.name, d.paired, comparison.outcome),
                    "assumed_parameters": list(assumptions.get(d.name, ())),
                }
            )
        out.append(entry)
    return out


def sweep_table(sweep: Sweep) -> pd.DataFrame:
    """One row per value: ``value, p_match, ci_low, ci_high, n``, the preferred-specialty,
    top-3, SOAP (``p_soap``) and Match-or-SOAP (``p_placed``) chances with their intervals, and
    the paired difference from the first value (of the sweep's outcome)."""
    differences = {d.name: d.paired for d in sweep.comparison.differences}
    rows = []
    for value, e in zip(sweep.values, sweep.comparison.estimates):
        d = differences.get(e.name)
        rows.append(
            {
                "value": value,
                "p_match": e.p_match.p,
                "ci_low": e.p_match.ci_low,
                "ci_high": e.p_match.ci_high,
                "n": e.p_match.n,
                "p_match_preferred": e.p_match_preferred.p,
                "preferred_ci_low": e.p_match_preferred.ci_low,
                "preferred_ci_high": e.p_match_preferred.ci_high,
                "p_match_top3": e.p_match_top3.p,
                "top3_ci_low": e.p_match_top3.ci_low,
                "top3_ci_high": e.p_match_top3.ci_high,
                "p_soap": e.p_soap.p,
                "soap_ci_low": e.p_soap.ci_low,
                "soap_ci_high": e.p_soap.ci_high,
                "p_placed": e.p_placed.p,
                "placed_ci_low": e.p_placed.ci_low,
                "placed_ci_high": e.p_placed.ci_high,
                "n_effective": e.p_match.n_effective,
                "n_clusters": e.p_match.n_clusters,
                "diff_vs_first": 0.0 if d is None else d.diff,
                "diff_ci_low": 0.0 if d is None else d.ci_low,
                "diff_ci_high": 0.0 if d is None else d.ci_high,
                "mean_interviews": e.mean_interviews,
                "mean_rol_length": e.mean_rol_length,
                **_couple_fields(e),
            }
        )
    return pd.DataFrame(rows)


def _couple_fields(e) -> dict:
    """With ``[you.partner]``: your partner's chance and both of yours, with their intervals."""
    if e.p_match_partner is None:
        return {}
    return {
        "p_match_partner": e.p_match_partner.p,
        **_proportion_fields(e.p_match_partner, "partner_"),
        "p_match_both": e.p_match_both.p,
        **_proportion_fields(e.p_match_both, "both_"),
    }


def write_sweep_csv(sweep: Sweep, path) -> None:
    """Write :func:`sweep_table` to ``path`` atomically."""
    table = sweep_table(sweep)
    write_atomically(
        path, lambda temporary: table.to_csv(temporary, index=False, float_format="%.6g")
    )
