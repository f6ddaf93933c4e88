"""The pictures matchsim draws: a run's chances by group, a comparison, a sweep.

Drawn with matplotlib's object API (a :class:`matplotlib.figure.Figure`, no
pyplot and no backend switch, so the caller's matplotlib state is left alone),
imported only when a picture is drawn, and saved through
:func:`simulator.files.write_atomically`.  Every text that reaches a picture
passes through :func:`plot_text`: matplotlib reads the text between two ``$``
as mathtext, so a description such as "50% of $100" or a strategy named
``$x^$`` would fail to draw, and a long description would make a useless,
slow title.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.files import write_atomically
from simulator.report.outcomes import OUTCOME_SERIES
from simulator.study.estimates import Comparison, Sweep
from simulator.study.tallies import STEP2CK_BANDS, clustered
from simulator.vocabulary import APPLICANT_TYPES

__all__ = [
    "FUNNEL_LABELS",
    "LABEL_LIMIT",
    "TITLE_LIMIT",
    "plot_by_group",
    "plot_comparison",
    "plot_funnel",
    "plot_sweep",
    "plot_text",
    "write_run_plots",
]

#: Most characters of a title line (a longer one is cut, with an ellipsis).
TITLE_LIMIT = 120
#: Most characters of a tick label (a strategy name or a swept value).
LABEL_LIMIT = 40
_FIRST_LINE = re.compile(r"\S[^\r\n]*")


def plot_text(text, limit: int = TITLE_LIMIT) -> str:
    """``text`` as a picture shows it: its first non-blank line, cut to ``limit`` characters
    with an ellipsis, and every ``$`` escaped so that matplotlib draws it literally."""
    found = _FIRST_LINE.search(str(text))
    line = found.group(0).rstrip() if found else ""
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "\u2026"
    return line.replace("$", r"\$")


def _title(title: str, subtitle: str) -> str:
    """A title line (the user's text) and a subtitle line (the run's size), both shown safely."""
    lines = [plot_text(title), plot_text(subtitle)]
    return "\n".join(line for line in lines if line)


def _figure(figsize):
    """A figure of its own, not registered with pyplot (matplotlib is imported here, lazily)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _save(fig, path, dpi: int) -> None:
    """Write ``fig`` to ``path`` atomically, in the format its suffix names (PNG by default)."""
    kind = Path(path).suffix.lstrip(".") or "png"
    write_atomically(path, lambda temporary: fig.savefig(temporary, format=kind, dpi=dpi))


def _errors(proportions) -> np.ndarray:
    """Error-bar lengths below and above each estimate."""
    return np.array([[p.p - p.ci_low for p in proportions], [p.ci_high - p.p for p in proportions]])


# --------------------------------------------------------------------------- matchsim run


def plot_by_group(counts: pd.DataFrame, group: str, *, title: str, xlabel: str, path, focal=None):
    """Match probability with 95% intervals per value of ``group``, one line per applicant type."""
    fig = _figure((8, 4.8))
    ax = fig.subplots()
    categories = [str(c) for c in counts[group].cat.categories]
    x = np.arange(len(categories))
    for name in APPLICANT_TYPES:
        rows = counts[counts["applicant_type"] == name]
        if rows.empty:
            continue
        p, low, high = [], [], []
        for category in categories:
            cell = rows[rows[group].astype(str) == category]
            if cell["n"].sum() < 20:
                p.append(np.nan), low.append(np.nan), high.append(np.nan)
                continue
            estimate = clustered(cell["matched"], cell["n"])
            p.append(estimate.p), low.append(estimate.ci_low), high.append(estimate.ci_high)
        line = ax.plot(x, p, marker="o", label=name)[0]
        ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2)
    if focal is not None:
        position, estimate = focal
        ax.errorbar(
            [position],
            [estimate.p],
            yerr=[[estimate.p - estimate.ci_low], [estimate.ci_high - estimate.p]],
            fmt="*",
            color="black",
            markersize=12,
            capsize=4,
            label="you",
        )
    ax.set_xticks(x, [plot_text(c, LABEL_LIMIT) for c in categories], rotation=30)
    ax.set_ylim(0, 1)
    ax.set_xlabel(plot_text(xlabel))
    ax.set_ylabel("probability of matching (95% CI)")
    ax.set_title(plot_text(title))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    _save(fig, path, dpi=110)


#: The funnel's stages as a picture labels them, top to bottom.
FUNNEL_LABELS = {
    "sent": "sent",
    "not_read_visa": "not read: visa",
    "not_read_score": "not read: Step 2 CK cut-off",
    "not_read_graduation": "not read: graduation year",
    "not_read_attempts": "not read: failed attempt",
    "read": "read",
    "invited": "invited",
    "interviews": "interviews",
    "ranked": "programs ranked",
    "matched": "matched",
}


def plot_funnel(funnel: dict, path, *, title: str = "Your applications, stage by stage") -> None:
    """Your funnel: each stage's mean count per copy with its 95% interval, one bar each."""
    fig = _figure((8, 4.8))
    ax = fig.subplots()
    stages = [stage for stage in FUNNEL_LABELS if stage in funnel]
    mean = np.array([funnel[s]["mean"] for s in stages])
    low = np.array([funnel[s]["ci_low"] for s in stages])
    high = np.array([funnel[s]["ci_high"] for s in stages])
    y = np.arange(len(stages))
    lost = np.array([s.startswith("not_read") for s in stages])
    ax.barh(y, mean, color=np.where(lost, "tab:red", "tab:blue"), alpha=0.8)
    errors = np.nan_to_num(np.array([mean - low, high - mean]), nan=0.0)
    ax.errorbar(mean, y, xerr=errors, fmt="none", color="black", capsize=3)
    right = np.fmax(mean, high)  # each label beside its bar's interval
    for position, value, end in zip(y, mean, right):
        ax.annotate(
            f"{value:.1f}",
            (end, position),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    ax.set_yticks(y, [FUNNEL_LABELS[s] for s in stages])
    ax.invert_yaxis()
    ax.set_xlabel("mean count per copy of you (95% CI over trials)")
    ax.set_title(plot_text(title))
    ax.grid(axis="x", alpha=0.3)
    _save(fig, path, dpi=110)


def write_run_plots(tally: dict, summary: dict, you, directory) -> None:
    """The PNGs of ``matchsim run``: by Step 2 CK band, by rank-list length, your funnel."""
    directory = Path(directory)
    by_step2ck = tally["by_step2ck"]
    bands = list(by_step2ck["step2ck_band"].cat.categories)
    band = next(
        (
            i
            for i, (a, b) in enumerate(zip(STEP2CK_BANDS, STEP2CK_BANDS[1:]))
            if a <= you.step2ck < b
        ),
        None,
    )
    plot_by_group(
        by_step2ck,
        "step2ck_band",
        title="Match probability by Step 2 CK score",
        xlabel="Step 2 CK",
        path=directory / "match_by_step2ck.png",
        focal=None if band is None or band >= len(bands) else (band, summary["focal"]["p_match"]),
    )
    plot_by_group(
        tally["by_rol_length"],
        "rol_bucket",
        title="Match probability by rank-list length",
        xlabel="programs ranked",
        path=directory / "match_by_rank_list_length.png",
    )
    plot_funnel(summary["focal"]["funnel"], directory / "funnel.png")


# --------------------------------------------------------------------------- compare and sweep


def plot_comparison(comparison: Comparison, path, *, title: str, subtitle: str = "") -> None:
    """Each strategy's chances side by side (match, preferred specialty, top 3; first a position
    through the Match or SOAP when the comparison reads that outcome), 95% intervals."""
    estimates = comparison.estimates
    x = np.arange(len(estimates))
    fig = _figure((max(5.5, 1.4 * len(estimates) + 2.5), 4.4))
    ax = fig.subplots()
    series = [
        ("matched", "p_match", "o"),
        ("preferred specialty", "p_match_preferred", "s"),
        ("a top-3 choice", "p_match_top3", "^"),
    ]
    if comparison.outcome in OUTCOME_SERIES:
        series.insert(0, (*OUTCOME_SERIES[comparison.outcome], "D"))
    spread = 0.09 * (len(series) - 1)
    offsets = np.linspace(-spread, spread, len(series))
    for offset, (label, attribute, marker) in zip(offsets, series):
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
    ax.set_xticks(x, [plot_text(e.name, LABEL_LIMIT) for e in estimates])
    ax.set_xlim(-0.6, len(estimates) - 0.4)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability (95% CI)")
    ax.set_title(_title(title, subtitle), fontsize="medium")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="lower right", fontsize="small")
    _save(fig, path, dpi=90)


def plot_sweep(sweep: Sweep, path, *, title: str, subtitle: str = "") -> None:
    """The chance of matching against the swept value, with its 95% band; likewise the chance of
    matching to a top-3 choice (and to the preferred specialty, when that differs), and first
    of a position through the Match or SOAP when the sweep reads that outcome."""
    estimates = sweep.comparison.estimates
    numeric = all(isinstance(v, (int, float)) for v in sweep.values)
    x = np.array(sweep.values, dtype=float) if numeric else np.arange(len(sweep.values))
    fig = _figure((7, 4.2))
    ax = fig.subplots()
    series = [("matched", "p_match", "-")]
    if sweep.comparison.outcome in OUTCOME_SERIES:
        series.insert(0, (*OUTCOME_SERIES[sweep.comparison.outcome], "-"))
    if any(e.p_match_preferred.k != e.p_match.k for e in estimates):
        series.append(("matched to the preferred specialty", "p_match_preferred", "-"))
    series.append(("matched to a top-3 choice", "p_match_top3", "--"))
    for label, attribute, style in series:
        proportions = [getattr(e, attribute) for e in estimates]
        points = [p.p for p in proportions]
        line = ax.plot(x, points, style, marker="o", markersize=4, label=label)[0]
        ax.fill_between(
            x,
            [p.ci_low for p in proportions],
            [p.ci_high for p in proportions],
            color=line.get_color(),
            alpha=0.25,
            linewidth=0,
        )
    if not numeric:
        labels = [plot_text(v, LABEL_LIMIT) for v in sweep.values]
        ax.set_xticks(x, labels, rotation=30, ha="right")
    elif all(isinstance(v, int) for v in sweep.values):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, 1)
    ax.set_xlabel(plot_text(sweep.key))
    ax.set_ylabel("probability (95% CI)")
    ax.set_title(_title(title, subtitle), fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    _save(fig, path, dpi=90)
