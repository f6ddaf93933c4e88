"""Turning simulated tables into honest figures: per-trial tallies, summaries, tables, plots.

Every probability is estimated from per-trial tallies and carries its sample
size and a 95% Wilson interval adjusted for clustering by trial (outcomes in
one simulated Match year share that market), see :mod:`simulator.stats.intervals`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.stats import intervals as stats
from simulator.vocabulary import APPLICANT_TYPES

STEP2CK_BANDS = (200, 220, 230, 240, 250, 260, 270, 301)
ROL_BUCKETS = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 200)


def tallies(applicants: pd.DataFrame, programs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Small per-trial tables from which every reported figure is computed.

    ``focal``: one row per focal copy per trial and strategy; ``by_type``,
    ``by_step2ck`` and ``by_rol_length``: counts of population applicants and
    matches per trial; ``fill``: positions and filled per trial.
    """
    population = applicants[~applicants["is_focal"]]
    focal = applicants.loc[
        applicants["is_focal"],
        [
            "trial",
            "strategy",
            "copy",
            "matched",
            "matched_preferred",
            "matched_rank",
            "n_applications",
            "n_interviews",
            "rol_length",
        ],
    ].reset_index(drop=True)
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
        "by_step2ck": _count(population.assign(step2ck_band=band), [*keys, "step2ck_band"]),
        "by_rol_length": _count(population.assign(rol_bucket=rol), [*keys, "rol_bucket"]),
        "fill": programs.groupby(["strategy", "trial"], observed=True)[["positions", "filled"]]
        .sum()
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
    )
    return counts.reset_index()


def merge_tallies(parts: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Concatenate the tallies of several chunks."""
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}


def clustered(k_per_trial, n_per_trial) -> stats.Proportion:
    """A proportion pooled over trials, its interval adjusted for clustering by trial."""
    return stats.clustered_proportion_from_counts(np.asarray(k_per_trial), np.asarray(n_per_trial))


def focal_summary(focal: pd.DataFrame) -> dict:
    """The focal applicant's chances: match, match in the preferred specialty, top-3 choice."""
    per_trial = focal.groupby("trial").agg(
        n=("matched", "size"),
        matched=("matched", "sum"),
        preferred=("matched_preferred", "sum"),
        top3=("matched_rank", lambda r: int((r <= 3).sum())),
    )
    ranks = focal["matched_rank"].dropna().astype(int)
    distribution = ranks.value_counts().sort_index()
    return {
        "p_match": clustered(per_trial["matched"], per_trial["n"]),
        "p_match_preferred": clustered(per_trial["preferred"], per_trial["n"]),
        "p_match_top3": clustered(per_trial["top3"], per_trial["n"]),
        "matched_rank_distribution": {
            int(rank): {"count": int(count), "share_of_matches": float(count / max(len(ranks), 1))}
            for rank, count in distribution.items()
        },
        "mean_applications": float(focal["n_applications"].mean()),
        "mean_interviews": float(focal["n_interviews"].mean()),
        "mean_rol_length": float(focal["rol_length"].mean()),
    }


def type_summary(by_type: pd.DataFrame) -> dict:
    """Match probability (any specialty, preferred specialty) of each applicant type."""
    out = {}
    for name in APPLICANT_TYPES:
        rows = by_type[by_type["applicant_type"] == name]
        if rows.empty:
            continue
        out[name] = {
            "p_match": clustered(rows["matched"], rows["n"]),
            "p_match_preferred": clustered(rows["matched_preferred"], rows["n"]),
        }
    return out


def run_summary(tally: dict[str, pd.DataFrame]) -> dict:
    """Everything ``matchsim run`` prints, for one strategy's tallies."""
    fill = tally["fill"]
    return {
        "focal": focal_summary(tally["focal"]),
        "by_type": type_summary(tally["by_type"]),
        "fill_rate": clustered(fill["filled"], fill["positions"]),
    }


def format_run_summary(summary: dict, *, title: str) -> str:
    """The table ``matchsim run`` prints."""
    rows = [("you", summary["focal"])] + list(summary["by_type"].items())
    header = f"{'':12s}{'P(match)':>9s}  {'95% CI':13s}{'n':>9s}  {'effective n':>11s}   {'P(match, preferred specialty)':>29s}  95% CI"
    lines = [title, "", header]
    for name, figures in rows:
        p, preferred = figures["p_match"], figures["p_match_preferred"]
        lines.append(
            f"{name:12s}{stats.format_percent(p.p):>9s}  {stats.format_ci(p):13s}{p.n:>9,d}  "
            f"{p.n_effective:>11,.0f}   "
            f"{stats.format_percent(preferred.p):>29s}  {stats.format_ci(preferred)}"
        )
    fill = summary["fill_rate"]
    lines.append(
        f"{'fill rate':12s}{stats.format_percent(fill.p):>9s}  "
        f"{stats.format_ci(fill):13s}{fill.n:>9,d}  {fill.n_effective:>11,.0f}"
    )
    focal = summary["focal"]
    top3 = focal["p_match_top3"]
    lines += [
        "",
        f"you: matched to one of your top 3 choices {stats.format_percent(top3.p)} "
        f"(95% CI {stats.format_ci(top3)})",
        f"you: on average {focal['mean_applications']:.0f} applications, "
        f"{focal['mean_interviews']:.1f} interviews, {focal['mean_rol_length']:.1f} programs ranked",
    ]
    distribution = focal["matched_rank_distribution"]
    if distribution:
        shares = ", ".join(
            f"#{rank} {d['share_of_matches']:.0%}" for rank, d in list(distribution.items())[:10]
        )
        lines.append(f"you: where on your list you matched (share of your matches): {shares}")
    lines.append(
        "Intervals: Wilson, widened for clustering by trial (effective n); see docs/model.md."
    )
    return "\n".join(lines)


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


# --------------------------------------------------------------------------- plots


def plot_by_group(counts: pd.DataFrame, group: str, *, title: str, xlabel: str, path, focal=None):
    """Match probability with 95% intervals per value of ``group``, one line per applicant type."""
    from matplotlib.figure import Figure  # no pyplot: leaves the caller's backend alone

    fig = Figure(figsize=(8, 4.8), constrained_layout=True)
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
    ax.set_xticks(x, categories, rotation=30)
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("probability of matching (95% CI)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    fig.savefig(path, dpi=110)


def write_run_plots(tally: dict, summary: dict, you, directory) -> None:
    """The two PNGs of ``matchsim run``: by Step 2 CK band and by rank-list length."""
    from pathlib import Path

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
