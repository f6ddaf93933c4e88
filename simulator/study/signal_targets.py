"""Preference signals and geography beside the published interview-odds contrasts.

The published figures (``data/signal_effects.csv``) are odds ratios of an
interview offer for an application with a signal, to a program in the
division of a stated geographic preference, or from the program's state,
against one without; and Anesthesiology's interview rates with a gold and a
silver signal.  The model's odds ratio compares applications *of the same
applicant* (Mantel-Haenszel, one stratum per applicant), so who signals does
not confound it; it is computed per trial from the per-applicant counts of
``applicants.parquet`` (:data:`simulator.market.signals.SIGNAL_COUNTS`) and
averaged over trials.  Only active applicants of the population count.

A published range (2.71 to 9.07 over nine specialties) becomes a target at
its middle with half its width as tolerance, so "within" means inside the
range.  :func:`signal_tally` and :func:`signal_rates` give the interview rates
with and without a signal by specialty, which ``matchsim run`` reports, to
read the calibration by.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.market.published import PublishedData
from simulator.market.signals import SIGNAL_COUNTS
from simulator.study.targets import MIN_APPLICANTS, Target, over_trials

#: Effects with a published range of odds ratios: (row label, published name, compared).
RANGES = (
    ("signal", "signal", "with a signal vs without"),
    ("geographic preference", "geographic", "in the stated preferred division vs elsewhere"),
    ("in-state", "in_state", "in the applicant's state vs elsewhere"),
)
#: The tier contrast's tolerance (odds-ratio units): no range is published for it; about a
#: third of the figure. Assumption.
GOLD_SILVER_TOLERANCE = 1.0
TIER_SPECIALTY = "Anesthesiology"


def exposure_cells(applicants: pd.DataFrame, exposure: str) -> tuple[np.ndarray, ...]:
    """Per applicant (a, b, c, d, n): exposed and invited, exposed not invited, unexposed
    invited, unexposed not invited, and all applications compared.

    ``exposure``: ``signal``, ``geographic``, ``in_state`` (against every other
    application), or ``gold`` (against silver-signalled applications only).
    """
    count = {
        name: applicants[name].to_numpy(np.float64) for name in (*SIGNAL_COUNTS, "n_applications")
    }
    if exposure == "gold":
        exposed, invited = count["n_gold_signals"], count["n_invited_gold"]
        others = count["n_signals"] - exposed
        others_invited = count["n_invited_signalled"] - invited
    else:
        exposed, invited = {
            "signal": (count["n_signals"], count["n_invited_signalled"]),
            "geographic": (count["n_geographic"], count["n_invited_geographic"]),
            "in_state": (count["n_in_state"], count["n_invited_in_state"]),
        }[exposure]
        others = count["n_applications"] - exposed
        others_invited = count["n_invitations"] - invited
    a, c = invited, others_invited
    return a, exposed - a, c, others - c, exposed + others


def odds_ratio(applicants: pd.DataFrame, exposure: str) -> float:
    """The Mantel-Haenszel odds ratio of an invitation over applicants (NaN if undefined)."""
    a, b, c, d, n = exposure_cells(applicants, exposure)
    n = np.maximum(n, 1.0)
    top, bottom = float(np.sum(a * d / n)), float(np.sum(b * c / n))
    return top / bottom if bottom > 0 else float("nan")


def per_trial_odds_ratio(applicants: pd.DataFrame, exposure: str, trials) -> pd.Series:
    """:func:`odds_ratio` of each trial."""
    return pd.Series(
        {t: odds_ratio(group, exposure) for t, group in applicants.groupby("trial")},
        dtype=np.float64,
    ).reindex(trials)


def signal_targets(active: pd.DataFrame, published: PublishedData) -> list[Target]:
    """The published odds-ratio ranges (pooled over specialties) and Anesthesiology's
    gold/silver contrast, each beside the model's estimate."""
    trials = np.sort(active["trial"].unique())
    effects = published.signal_effects.set_index(["figure", "specialty"])["value"]
    targets = []
    for label, name, compared in RANGES:
        low, high = (
            effects[f"{name}_odds_ratio_low", "all"],
            effects[f"{name}_odds_ratio_high", "all"],
        )
        targets.append(
            Target(
                family="signals",
                label=label,
                figure="odds_ratio",
                unit="odds ratio",
                published=float(low + high) / 2,
                model=over_trials(per_trial_odds_ratio(active, name, trials), len(active)),
                tolerance_override=float(high - low) / 2,
                note=f"interview offers {compared}, all specialties; published {low:g} to {high:g}",
            )
        )
    gold, silver = (
        effects[f"{tier}_interview_rate", TIER_SPECIALTY] for tier in ("gold", "silver")
    )
    tier = active[active["specialty"] == TIER_SPECIALTY]
    targets.append(
        Target(
            family="signals",
            label=f"gold vs silver signal ({TIER_SPECIALTY})",
            figure="odds_ratio",
            unit="odds ratio",
            published=float((gold / (1 - gold)) / (silver / (1 - silver))),
            model=over_trials(per_trial_odds_ratio(tier, "gold", trials), len(tier)),
            tolerance_override=GOLD_SILVER_TOLERANCE,
            note=f"gold vs silver signal; published interview rates {gold:.0%} vs {silver:.0%}",
        )
    )
    return targets + specialty_signal_targets(active, published, trials)


def specialty_signal_targets(active: pd.DataFrame, published: PublishedData, trials) -> list:
    """The signal's odds ratio in each preferred specialty against the published range (which
    spans nine specialties); rows with fewer than ``MIN_APPLICANTS`` active applicants per
    trial are shown but not counted."""
    low, high = published.odds_ratio_range("signal")
    targets = []
    for specialty, rows in active.groupby("specialty", observed=True):
        targets.append(
            Target(
                family="signals",
                label=str(specialty),
                figure="signal_odds_ratio",
                unit="odds ratio",
                published=float(low + high) / 2,
                model=over_trials(per_trial_odds_ratio(rows, "signal", trials), len(rows)),
                counted=len(rows) / max(len(trials), 1) >= MIN_APPLICANTS,
                tolerance_override=float(high - low) / 2,
                note=f"interview offers with a signal vs without; published {low:g} to {high:g}",
            )
        )
    return targets


def signal_tally(active: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys`` (e.g. strategy, trial, specialty): applications with and without
    a signal, the invitations of each, and the Mantel-Haenszel sums (``mh_top``,
    ``mh_bottom``), all additive over groups and trials."""
    a, b, c, d, n = exposure_cells(active, "signal")
    n = np.maximum(n, 1.0)
    cells = active[keys].assign(
        signalled=a + b,
        invited_signalled=a,
        not_signalled=c + d,
        invited_not_signalled=c,
        mh_top=a * d / n,
        mh_bottom=b * c / n,
    )
    return cells.groupby(keys, observed=True).sum().reset_index()


def signal_rates(tally: pd.DataFrame) -> dict:
    """By preferred specialty, pooled over the tally's rows: applications with and without a
    signal, the share of each that led to an invitation (%), and the odds ratio."""
    rates = {}
    for specialty, rows in tally.groupby("specialty", observed=True):
        total = rows[["signalled", "invited_signalled", "not_signalled", "invited_not_signalled",
                      "mh_top", "mh_bottom"]].sum()  # fmt: skip
        if total["signalled"] == 0 or total["not_signalled"] == 0:
            continue
        rates[str(specialty)] = {
            "signalled": int(total["signalled"]),
            "invited_signalled_pct": 100 * total["invited_signalled"] / total["signalled"],
            "not_signalled": int(total["not_signalled"]),
            "invited_not_signalled_pct": 100
            * total["invited_not_signalled"]
            / total["not_signalled"],
            "odds_ratio": total["mh_top"] / total["mh_bottom"]
            if total["mh_bottom"] > 0
            else float("nan"),
        }
    return rates
