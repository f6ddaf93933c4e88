"""Comparing strategies and sweeping a parameter, on common random numbers.

Both ``matchsim compare`` and ``matchsim sweep`` turn one scenario into a list
of :class:`~simulator.study.trials.Variant` s that :func:`simulator.study.trials.simulate_trial`
runs on the *same* trials: trial ``t`` draws its market once for every
distinct set of population parameters, and every variant's focal copies see
the same noise, so copy ``j`` of trial ``t`` under strategy A and under
strategy B differ only by the strategy.  A sweep over a ``you.*`` key
therefore draws each trial's market once, whatever the number of values; a
sweep over a population key (``applicants.*``, ``programs.*``,
``selection.*``) needs one market per value, drawn from the same seeds.

The steps:

1. :func:`strategy_variants` / :func:`sweep_variants` (with
   :func:`parse_values` for ``--values`` specs like ``1:20``, ``220:270:10``
   or ``230,240,250``) build and check the variants;
2. the trials run and keep only the focal copies' rows (one row per copy per
   trial per variant);
3. :func:`compare_focal` / :func:`sweep_focal` estimate each variant's
   chances (clustered Wilson intervals, as ``matchsim run``) and, against the
   first variant (the baseline), the paired difference of the chance of
   matching, aligned by (trial, copy) (Newcombe's paired interval with a
   design effect for clustering by trial, :func:`simulator.stats.intervals.paired_difference`);
4. :func:`format_comparison`, :func:`comparison_record`, :func:`plot_comparison`,
   :func:`format_sweep`, :func:`sweep_table` and :func:`plot_sweep` present them.

Nothing here imports click; bad input raises :class:`~simulator.errors.ScenarioError`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import typing
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.errors import ScenarioError, closest
from simulator.market.params import Focal, MarketParams
from simulator.report import summaries as report
from simulator.scenario.scenario import scenario_keys, with_changes
from simulator.stats import intervals as stats
from simulator.study.trials import Plan, Variant

__all__ = [
    "FOCAL_COLUMNS",
    "MAX_SWEEP_VALUES",
    "SWEEPABLE_ROOTS",
    "Comparison",
    "Difference",
    "Estimate",
    "Sweep",
    "compare_focal",
    "comparison_record",
    "format_comparison",
    "focal_plan",
    "format_sweep",
    "pairing_gain",
    "parse_values",
    "plot_comparison",
    "plot_sweep",
    "strategy_variants",
    "sweep_focal",
    "sweep_key_kind",
    "sweep_table",
    "sweep_variants",
    "unpaired_interval",
    "verdict",
    "write_sweep_csv",
]

#: Sections whose keys a sweep may vary: the focal applicant and the population parameters.
SWEEPABLE_ROOTS = ("you", "applicants", "programs", "selection")
#: Most values in one sweep (each value adds one Match per 33 or so copies to every trial,
#: about 0.08 s each at full scale).
MAX_SWEEP_VALUES = 100
#: The focal table's columns that compare and sweep read.
FOCAL_COLUMNS = (
    "trial",
    "strategy",
    "copy",
    "matched",
    "matched_preferred",
    "matched_rank",
    "n_applications",
    "n_interviews",
    "rol_length",
)
_PARAM = "--param"
_VALUES = "--values"
_MINUS = "\u2212"


# --------------------------------------------------------------------------- building variants


def strategy_variants(scenario) -> tuple[Variant, ...]:
    """One variant per ``[[strategies]]`` block of ``scenario``; the first is the baseline.

    Raises :class:`ScenarioError` when the scenario has fewer than two.
    (Unknown keys in a strategy block are already reported by
    :func:`simulator.scenario.scenario.load_scenario`.)
    """
    found = len(scenario.strategies)
    if found < 2:
        raise ScenarioError(
            scenario.source or None,
            "strategies",
            message=f"expected two or more [[strategies]] blocks to compare, found {found}",
        )
    return tuple(Variant(name=s.name, you=s.you, params=s.params) for s in scenario.strategies)


def sweep_key_kind(key: str) -> type:
    """The type (``int``, ``float`` or ``str``) of the sweepable scenario key ``key``.

    Raises :class:`ScenarioError` (naming ``--param``) for a key that does not
    exist, a per-type table given without its entry, or a key outside
    :data:`SWEEPABLE_ROOTS` (``seed``, ``trials``, ``market.*``).
    """
    leaves = scenario_keys(tables=False)
    if key not in leaves:
        tables = [k for k in scenario_keys(tables=True) if k not in leaves]
        if key in tables:
            raise ScenarioError(
                _PARAM,
                key,
                message="is a table with one number per applicant type; sweep one "
                f"entry, e.g. {key}.non_us_img",
            )
        raise ScenarioError(_PARAM, message=f"no scenario key '{key}'{closest(key, leaves)}")
    root, _, rest = key.partition(".")
    if root not in SWEEPABLE_ROOTS:
        raise ScenarioError(
            _PARAM,
            key,
            message="cannot be swept (a sweep varies one you.*, applicants.*, "
            "programs.* or selection.* key; use --set for the others)",
        )
    cls = Focal if root == "you" else MarketParams
    parts = rest.split(".") if root == "you" else key.split(".")
    for part in parts:
        cls = typing.get_type_hints(cls)[part]
    return cls


def parse_values(spec: str, key: str) -> tuple:
    """The values of a ``--values`` spec for scenario key ``key``, in the order given.

    ``START:STOP`` (step 1) and ``START:STOP:STEP`` are inclusive ranges
    (``220:270:10`` is 220, 230, ..., 270; the stop is included when the step
    lands on it); ``A,B,C`` is a list.  Integer keys take integers only;
    string keys (``you.specialty``, ``you.visa`` ...) take a comma list of
    names.  Ranges are computed in decimal, so ``0:1:0.1`` has exactly eleven
    values.  Whether each value is allowed for ``key`` is checked by
    :func:`sweep_variants`.

    Raises :class:`ScenarioError` (naming ``--values``) for an empty or
    non-numeric spec, an empty range, a step that is not positive, a
    non-integer for an integer key, a repeated value, or more than
    :data:`MAX_SWEEP_VALUES` values.
    """
    kind = sweep_key_kind(key)
    text = str(spec).strip()
    if not text:
        raise ScenarioError(
            _VALUES,
            message="expected a range like 1:20 or 220:270:10, or a list "
            "like 230,240,250; found ''",
        )
    if kind is str:
        values = _parse_names(text, key)
    elif ":" in text:
        values = _parse_range(text, key, kind)
    else:
        values = tuple(_number(token, key, kind, text) for token in text.split(","))
    if len(values) > MAX_SWEEP_VALUES:
        raise ScenarioError(
            _VALUES,
            message=f"'{text}' gives {len(values):,} values; a sweep "
            f"takes at most {MAX_SWEEP_VALUES}",
        )
    seen = set()
    for value in values:
        if value in seen:
            raise ScenarioError(
                _VALUES, message=f"{_label(value)} appears more than once in '{text}'"
            )
        seen.add(value)
    return values


def _parse_names(text: str, key: str) -> tuple[str, ...]:
    if ":" in text:
        raise ScenarioError(
            _VALUES,
            message=f"{key} takes names, not a range: give a comma list "
            f"such as --values 'A,B', found '{text}'",
        )
    names = tuple(name.strip() for name in text.split(","))
    if any(not name for name in names) and key != "you.backup_specialty":
        raise ScenarioError(
            _VALUES,
            message=f"expected a comma list of names for {key}, found an empty name in '{text}'",
        )
    return names


def _decimal(token: str, key: str, text: str) -> Decimal:
    token = token.strip()
    try:
        number = Decimal(token)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not token:
        raise ScenarioError(
            _VALUES, message=f"expected numbers for {key}, found '{token}' in '{text}'"
        )
    return number


def _as_kind(number: Decimal, key: str, kind: type, text: str):
    if kind is int:
        if number != number.to_integral_value():
            raise ScenarioError(
                _VALUES, message=f"{key} takes integers, found {number.normalize()} in '{text}'"
            )
        return int(number)
    return float(number)


def _number(token: str, key: str, kind: type, text: str):
    return _as_kind(_decimal(token, key, text), key, kind, text)


def _parse_range(text: str, key: str, kind: type) -> tuple:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ScenarioError(
            _VALUES, message=f"expected START:STOP or START:STOP:STEP, found '{text}'"
        )
    start, stop = (_decimal(p, key, text) for p in parts[:2])
    step = _decimal(parts[2], key, text) if len(parts) == 3 else Decimal(1)
    if step <= 0:
        raise ScenarioError(_VALUES, message=f"the step of '{text}' must be positive")
    if start > stop:
        raise ScenarioError(
            _VALUES, message=f"the range '{text}' is empty (its start exceeds its stop)"
        )
    count = int((stop - start) // step) + 1
    if count > MAX_SWEEP_VALUES:
        raise ScenarioError(
            _VALUES,
            message=f"'{text}' gives {count:,} values; a sweep takes at most {MAX_SWEEP_VALUES}",
        )
    return tuple(_as_kind(start + i * step, key, kind, text) for i in range(count))


def _label(value) -> str:
    """A value as a short label: ``5``, ``2.5``, ``Psychiatry``."""
    if isinstance(value, float):
        return f"{value:g}" if value == float(f"{value:g}") else repr(value)
    return str(value) if value != "" else "(none)"


def sweep_variants(scenario, key: str, values) -> tuple[Variant, ...]:
    """One variant of ``scenario`` per value of ``key``, named by the value.

    A ``you.*`` key changes the focal applicant only (every variant shares
    the market); a population key changes the market parameters.  Each value
    is checked exactly as in a scenario file (errors name ``--values``).  The
    scenario's own ``[[strategies]]``, if any, are ignored.
    """
    sweep_key_kind(key)
    focal = key.startswith("you.")
    variants = []
    for value in values:
        if focal:
            you, params = with_changes(scenario.you, {key: value}, source=_VALUES), scenario.params
        else:
            you, params = scenario.you, with_changes(scenario.params, {key: value}, source=_VALUES)
        variants.append(Variant(name=_label(value), you=you, params=params))
    return tuple(variants)


def focal_plan(plan: Plan, variants) -> Plan:
    """``plan`` running ``variants`` and keeping only the focal copies' rows."""
    return dataclasses.replace(plan, variants=tuple(variants), population=False)


# --------------------------------------------------------------------------- estimates


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """One variant's chances (clustered Wilson intervals) and its averages."""

    name: str
    p_match: stats.Proportion
    p_match_preferred: stats.Proportion
    p_match_top3: stats.Proportion
    mean_applications: float
    mean_interviews: float
    mean_rol_length: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    """A variant's chance of matching minus the baseline's, paired by (trial, copy).

    ``paired`` is the reported interval; ``unpaired_ci_low`` / ``unpaired_ci_high``
    is what two independent runs of the same size would give (Newcombe's
    square-and-add of the two clustered Wilson intervals), kept to show what
    pairing buys.
    """

    name: str
    baseline: str
    paired: stats.PairedDifference
    unpaired_ci_low: float
    unpaired_ci_high: float

    @property
    def verdict(self) -> str:
        """The difference in plain words, see :func:`verdict`."""
        return verdict(self.name, self.paired)


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """Every strategy's estimate and, for each but the first, its paired difference."""

    estimates: tuple[Estimate, ...]
    differences: tuple[Difference, ...]
    trials: int
    copies: int

    @property
    def baseline(self) -> str:
        return self.estimates[0].name


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """A scenario key's values, each with its estimate and its difference from the first value."""

    key: str
    values: tuple
    comparison: Comparison


def _estimate(name: str, rows: pd.DataFrame) -> Estimate:
    summary = report.focal_summary(rows)
    return Estimate(
        name=name,
        p_match=summary["p_match"],
        p_match_preferred=summary["p_match_preferred"],
        p_match_top3=summary["p_match_top3"],
        mean_applications=summary["mean_applications"],
        mean_interviews=summary["mean_interviews"],
        mean_rol_length=summary["mean_rol_length"],
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


def unpaired_interval(a: stats.Proportion, b: stats.Proportion) -> tuple[float, float]:
    """Square-and-add interval of ``b - a`` for independent clustered estimates (Newcombe 1998b)."""
    d = b.p - a.p
    low = d - math.hypot(b.p - b.ci_low, a.ci_high - a.p)
    high = d + math.hypot(b.ci_high - b.p, a.p - a.ci_low)
    return max(-1.0, low), min(1.0, high)


def compare_focal(focal: pd.DataFrame, names, *, confidence: float = 0.95) -> Comparison:
    """Estimates and paired differences from the focal copies' rows of ``names`` (baseline first).

    ``focal`` has one row per focal copy per trial per variant with at least
    the columns of :data:`FOCAL_COLUMNS` (``strategy`` holding the variant
    name).  Copy ``j`` of trial ``t`` under a variant is paired with copy ``j``
    of trial ``t`` under the baseline; two variants with identical outcomes
    give a difference of exactly 0.0.
    """
    names = [str(n) for n in names]
    if len(names) < 1:
        raise ValueError("compare_focal needs at least one variant")
    rows = _rows_by_variant(focal, names)
    estimates = tuple(_estimate(name, rows[name]) for name in names)
    base = rows[names[0]]
    trial = base["trial"].to_numpy()
    differences = []
    for name, estimate in zip(names[1:], estimates[1:]):
        paired = stats.paired_difference(
            base["matched"].to_numpy(bool),
            rows[name]["matched"].to_numpy(bool),
            cluster=trial,
            confidence=confidence,
        )
        low, high = unpaired_interval(estimates[0].p_match, estimate.p_match)
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
    )


def sweep_focal(focal: pd.DataFrame, key: str, values) -> Sweep:
    """A :class:`Sweep` from the focal rows of the variants made by :func:`sweep_variants`."""
    values = tuple(values)
    comparison = compare_focal(focal, [_label(v) for v in values])
    return Sweep(key=key, values=values, comparison=comparison)


# --------------------------------------------------------------------------- words and tables


def _points(x: float, *, signed: bool = True) -> str:
    """A difference in percentage points, with a true minus sign: ``+1.2``, ``−0.4``."""
    text = f"{100 * x:+.1f}" if signed else f"{100 * abs(x):.1f}"
    return text.replace("-", _MINUS)


def verdict(name: str, difference: stats.PairedDifference) -> str:
    """Plain words for a paired difference in the chance of matching.

    ``"rank 12 raises your chance by 9.1 to 12.8 points"`` (or ``lowers``)
    only when the interval excludes zero; otherwise
    ``"rank 12: no clear difference (−0.4 to +1.2 points)"``.
    """
    if difference.ci_low > 0:
        return (
            f"{name} raises your chance by {_points(difference.ci_low, signed=False)} to "
            f"{_points(difference.ci_high, signed=False)} points"
        )
    if difference.ci_high < 0:
        return (
            f"{name} lowers your chance by {_points(difference.ci_high, signed=False)} to "
            f"{_points(difference.ci_low, signed=False)} points"
        )
    return (
        f"{name}: no clear difference ({_points(difference.ci_low)} to "
        f"{_points(difference.ci_high)} points)"
    )


def _estimate_lines(estimates, label: str) -> list[str]:
    width = max([len(label)] + [len(e.name) for e in estimates]) + 2
    header = (
        f"{label:{width}s}{'P(match)':>9s}  {'95% CI':13s}{'n':>8s}  "
        f"{'P(preferred)':>12s}  {'95% CI':13s}{'P(top 3)':>9s}  {'95% CI':13s}"
        f"{'interviews':>10s}{'ranked':>8s}"
    )
    lines = [header]
    for e in estimates:
        lines.append(
            f"{e.name:{width}s}{stats.format_percent(e.p_match.p):>9s}  "
            f"{stats.format_ci(e.p_match):13s}{e.p_match.n:>8,d}  "
            f"{stats.format_percent(e.p_match_preferred.p):>12s}  {stats.format_ci(e.p_match_preferred):13s}"
            f"{stats.format_percent(e.p_match_top3.p):>9s}  {stats.format_ci(e.p_match_top3):13s}"
            f"{e.mean_interviews:>10.1f}{e.mean_rol_length:>8.1f}"
        )
    return lines


def _difference_lines(comparison: Comparison, label: str) -> list[str]:
    width = max([len(label)] + [len(d.name) for d in comparison.differences]) + 2
    lines = [
        f"{label:{width}s}{'difference':>11s}  {'95% CI (points)':17s}{'pairs':>8s}  "
        f"{'unpaired 95% CI':17s}"
    ]
    for d in comparison.differences:
        p = d.paired
        lines.append(
            f"{d.name:{width}s}{_points(p.diff) + ' pts':>11s}  "
            f"{_points(p.ci_low) + ' to ' + _points(p.ci_high):17s}{p.n:>8,d}  "
            f"{_points(d.unpaired_ci_low) + ' to ' + _points(d.unpaired_ci_high):17s}"
        )
    return lines


def pairing_gain(comparison: Comparison) -> float:
    """Median ratio of the unpaired to the paired interval width (nan without differences)."""
    ratios = [
        (d.unpaired_ci_high - d.unpaired_ci_low) / d.paired.width
        for d in comparison.differences
        if d.paired.width > 0
    ]
    return float(np.median(ratios)) if ratios else math.nan


def format_comparison(comparison: Comparison, *, title: str) -> str:
    """What ``matchsim compare`` prints: estimates, paired differences, verdicts."""
    lines = [title, "", *_estimate_lines(comparison.estimates, "strategy"), ""]
    if comparison.differences:
        lines.append(
            f"Your chance of matching against the baseline ({comparison.baseline}), "
            "paired on the same markets:"
        )
        lines += _difference_lines(comparison, "strategy")
        lines.append("")
        lines += [d.verdict for d in comparison.differences]
        gain = pairing_gain(comparison)
        lines.append("")
        if math.isfinite(gain):
            lines.append(
                f"Pairing (common random numbers) makes these intervals {gain:.1f}x narrower "
                "than two independent runs of the same size (the unpaired column)."
            )
    lines.append(
        "Intervals: Wilson, widened for clustering by trial; differences: Newcombe's paired "
        "interval, widened likewise."
    )
    return "\n".join(lines)


def format_sweep(sweep: Sweep, *, title: str) -> str:
    """What ``matchsim sweep`` prints: one row per value, then the change from the first value."""
    comparison = sweep.comparison
    lines = [title, "", *_estimate_lines(comparison.estimates, sweep.key), ""]
    if comparison.differences:
        lines.append(
            f"Your chance of matching against {sweep.key} = {comparison.baseline}, paired "
            "on the same markets:"
        )
        lines += _difference_lines(comparison, sweep.key)
        lines.append("")
    lines.append(
        "Intervals: Wilson, widened for clustering by trial; differences: Newcombe's paired "
        "interval, widened likewise."
    )
    return "\n".join(lines)


def _proportion_fields(p: stats.Proportion, prefix: str) -> dict:
    return {f"{prefix}ci_low": p.ci_low, f"{prefix}ci_high": p.ci_high}


def comparison_record(comparison: Comparison, changes=None) -> list[dict]:
    """The ``strategies`` list of ``comparison.json``: one dict per strategy, baseline first.

    Every entry has ``name``, ``p_match``, ``ci_low``, ``ci_high``, ``n`` (and
    more); every non-baseline entry also ``diff``, ``diff_ci_low``,
    ``diff_ci_high`` (paired, in probability units) and its ``verdict``.
    ``changes`` maps a strategy name to the keys it sets.
    """
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
            "mean_applications": e.mean_applications,
            "mean_interviews": e.mean_interviews,
            "mean_rol_length": e.mean_rol_length,
        }
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
                    "verdict": d.verdict,
                }
            )
        out.append(entry)
    return out


def sweep_table(sweep: Sweep) -> pd.DataFrame:
    """One row per value: ``value, p_match, ci_low, ci_high, n``, the preferred-specialty and
    top-3 chances with their intervals, and the paired difference from the first value."""
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
                "n_effective": e.p_match.n_effective,
                "n_clusters": e.p_match.n_clusters,
                "diff_vs_first": 0.0 if d is None else d.diff,
                "diff_ci_low": 0.0 if d is None else d.ci_low,
                "diff_ci_high": 0.0 if d is None else d.ci_high,
                "mean_interviews": e.mean_interviews,
                "mean_rol_length": e.mean_rol_length,
            }
        )
    return pd.DataFrame(rows)


def write_sweep_csv(sweep: Sweep, path) -> None:
    """Write :func:`sweep_table` to ``path`` atomically (a temporary name, then a rename)."""
    path = Path(path)
    temporary = Path(str(path) + ".partial")
    sweep_table(sweep).to_csv(temporary, index=False, float_format="%.6g")
    os.replace(temporary, path)


# --------------------------------------------------------------------------- plots


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _errors(proportions) -> np.ndarray:
    return np.array([[p.p - p.ci_low for p in proportions], [p.ci_high - p.p for p in proportions]])


def plot_comparison(comparison: Comparison, path, *, title: str) -> None:
    """Each strategy's chances side by side (match, preferred specialty, top-3), with 95% intervals."""
    plt = _pyplot()
    estimates = comparison.estimates
    x = np.arange(len(estimates))
    fig, ax = plt.subplots(
        figsize=(max(5.5, 1.4 * len(estimates) + 2.5), 4.4), constrained_layout=True
    )
    series = [
        ("matched", "p_match", "o"),
        ("preferred specialty", "p_match_preferred", "s"),
        ("a top-3 choice", "p_match_top3", "^"),
    ]
    for offset, (label, attribute, marker) in zip((-0.18, 0.0, 0.18), series):
        proportions = [getattr(e, attribute) for e in estimates]
        ax.errorbar(
            x + offset,
            [p.p for p in proportions],
            yerr=_errors(proportions),
            fmt=marker,
            capsize=4,
            markersize=6,
            label=label,
        )
    ax.set_xticks(x, [e.name for e in estimates])
    ax.set_xlim(-0.6, len(estimates) - 0.4)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability (95% CI)")
    ax.set_title(title, fontsize="medium")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="lower right", fontsize="small")
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_sweep(sweep: Sweep, path, *, title: str) -> None:
    """The chance of matching against the swept value, with its 95% band; likewise the chance of
    matching to a top-3 choice (and to the preferred specialty, when that differs)."""
    plt = _pyplot()
    estimates = sweep.comparison.estimates
    numeric = all(isinstance(v, (int, float)) for v in sweep.values)
    x = np.array(sweep.values, dtype=float) if numeric else np.arange(len(sweep.values))
    fig, ax = plt.subplots(figsize=(7, 4.2), constrained_layout=True)
    series = [("matched", "p_match", "-")]
    if any(e.p_match_preferred.k != e.p_match.k for e in estimates):
        series.append(("matched to the preferred specialty", "p_match_preferred", "-"))
    series.append(("matched to a top-3 choice", "p_match_top3", "--"))
    for label, attribute, style in series:
        proportions = [getattr(e, attribute) for e in estimates]
        line = ax.plot(x, [p.p for p in proportions], style, marker="o", markersize=4, label=label)[
            0
        ]
        ax.fill_between(
            x,
            [p.ci_low for p in proportions],
            [p.ci_high for p in proportions],
            color=line.get_color(),
            alpha=0.25,
            linewidth=0,
        )
    if not numeric:
        ax.set_xticks(x, [str(v) for v in sweep.values], rotation=30, ha="right")
    elif all(isinstance(v, int) for v in sweep.values):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, 1)
    ax.set_xlabel(sweep.key)
    ax.set_ylabel("probability (95% CI)")
    ax.set_title(title, fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    fig.savefig(path, dpi=90)
    plt.close(fig)
