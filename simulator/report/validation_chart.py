"""The validation chart: model against published, one panel per group of figures.

Each panel sets every row's model value (with its 95% interval) against the
published figure, with the identity line and the tolerance band, and names the
rows furthest outside it.
"""

from __future__ import annotations

import numpy as np

from simulator.files import write_atomically
from simulator.report.plots import plot_text
from simulator.study.validation import TOLERANCES, Validation

#: Chart panels: (title, unit, [(family, figure, marker, legend)]).
PANELS = (
    (
        "Match rate by type, fill rate (%)",
        [
            ("applicant_types", "match_rate", "o", "by type"),
            ("applicant_types", "fill_rate", "s", "fill"),
        ],
    ),
    (
        "Match rate to preferred specialty (%)",
        [
            ("us_md", "match_rate_preferred", "o", "US MD"),
            ("non_us_img", "match_rate_preferred", "^", "non-US IMG"),
        ],
    ),
    (
        "Step 2 CK gap, matched − not matched",
        [("us_md", "step2ck_gap", "o", "US MD"), ("non_us_img", "step2ck_gap", "^", "non-US IMG")],
    ),
    (
        "Median contiguous ranks, non-US IMG",
        [
            ("non_us_img", "ranks_matched_median", "^", "matched"),
            ("non_us_img", "ranks_not_matched_median", "v", "not matched"),
        ],
    ),
    (
        "Applicants ranked per position by programs",
        [("ranked_per_position", "ranked_per_position", "o", "by specialty")],
    ),
)


def plot_validation(validation: Validation, path) -> None:
    """Model against published, one panel each of :data:`PANELS`; saved as PNG at ``path``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 9.5), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    for ax, (title, series) in zip(axes, PANELS):
        _panel(ax, validation.targets, title, series)
    _odds_ratio_panel(axes[len(PANELS)], validation.targets)
    run = validation.run
    fig.suptitle(
        plot_text(
            f"matchsim validate: {run['trials']} trials, seed {run['seed']}, scale "
            f"{run['scale']:g}. Bars: 95% intervals; faint: too few applicants (not in the MAE)"
        )
    )
    write_atomically(path, lambda temporary: fig.savefig(temporary, format="png", dpi=110))


def _panel(ax, targets, title: str, series, labels: int = 4) -> None:
    """One panel: each series' rows with error bars, the identity line and tolerance band;
    the ``labels`` counted rows furthest outside the tolerance are named."""
    shown, ends, outside = [], [], []
    for colour, (family, figure, marker, legend) in enumerate(series):
        rows = [
            t
            for t in targets
            if t.family == family and t.figure == figure and t.model.value is not None
        ]
        for counted, alpha, name in ((True, 1.0, legend), (False, 0.3, None)):
            mine = [t for t in rows if t.counted == counted]
            if not mine:
                continue
            x = np.array([t.published for t in mine])
            y = np.array([t.model.value for t in mine])
            low = np.array([t.model.ci_low if t.model.ci_low is not None else np.nan for t in mine])
            high = np.array(
                [t.model.ci_high if t.model.ci_high is not None else np.nan for t in mine]
            )
            ax.errorbar(
                x,
                y,
                yerr=np.nan_to_num([y - low, high - y]),
                fmt=marker,
                alpha=alpha,
                color=f"C{colour}",
                capsize=2,
                label=name,
            )
            shown += [*x, *y]
            if counted:
                ends += [*low[np.isfinite(low)], *high[np.isfinite(high)]]
                outside += [t for t in mine if t.within is False]
    if not shown:
        ax.set_axis_off()
        return
    values = shown + [v for v in ends if min(shown) - 10 <= v <= max(shown) + 10]
    span = max(values) - min(values)
    edge = (min(values) - 0.08 * span - 0.5, max(values) + 0.08 * span + 0.5)
    tolerance = TOLERANCES.get(series[0][:2], 0.0)
    line = np.array(edge)
    ax.plot(line, line, color="black", linewidth=0.8, label="model = published")
    ax.fill_between(
        line, line - tolerance, line + tolerance, color="grey", alpha=0.15, label=f"±{tolerance:g}"
    )
    outside.sort(key=lambda t: abs(t.gap), reverse=True)
    for t in outside[:labels]:
        ax.annotate(
            plot_text(t.label, 28),
            (t.published, t.model.value),
            fontsize=7,
            xytext=(4, -3),
            textcoords="offset points",
        )
    ax.set(xlim=edge, ylim=edge, title=title, xlabel="published", ylabel="model")
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="lower right")


def _odds_ratio_panel(ax, targets) -> None:
    """The interview odds ratios (signal, geography, in-state, gold vs silver, and the
    signal's by specialty) as points with their intervals over the published ranges (bars)."""
    rows = [t for t in targets if t.family == "signals" and t.counted and t.model.value is not None]
    if not rows:
        ax.set_visible(False)
        return
    y = np.arange(len(rows))[::-1]
    for row, t in zip(y, rows):
        low, high = t.published - t.tolerance, t.published + t.tolerance
        ax.plot([low, high], [row, row], color="grey", alpha=0.35, linewidth=5)
        m = t.model
        error = [[m.value - (m.ci_low if m.ci_low is not None else m.value)],
                 [(m.ci_high if m.ci_high is not None else m.value) - m.value]]  # fmt: skip
        ax.errorbar(m.value, row, xerr=np.maximum(error, 0), fmt="o", capsize=2,
                    color="C0" if t.within else "C3", markersize=4)  # fmt: skip
    ax.set_yticks(y, [plot_text(t.label, 30) for t in rows], fontsize=6)
    ax.set(
        title="Interview odds ratios (bars: published ranges)",
        xlabel="odds ratio of an interview offer, within applicant",
    )
