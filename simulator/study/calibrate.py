"""Fit the model's free parameters to the published 2025 match rates, reproducibly.

The free parameters (the type penalties programs apply and the share of
one-year-track applicants who hold that track as their main choice) are
fitted by ``scipy.optimize.least_squares`` so that the simulated PGY-1 match
rates of the five applicant types and the PGY-1 fill rate meet the published
figures.  Every evaluation simulates the same trials (common random numbers),
so the objective is a deterministic function of the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.market import MarketInputs, draw_market, market_inputs, match_market, trial_streams
from simulator.market.params import MarketParams
from simulator.scenario import calibrated_keys, with_changes, write_calibration
from simulator.vocabulary import APPLICANT_TYPES

FREE_PARAMETERS = {
    # dotted key: (lower bound, upper bound)
    "selection.type_penalty.us_do": (-2.0, 4.0),
    "selection.type_penalty.us_img": (-2.0, 6.0),
    "selection.type_penalty.non_us_img": (-2.0, 6.0),
    "selection.type_penalty.other": (-2.0, 6.0),
    "applicants.one_year_track_share": (0.0, 1.0),
}
TARGET_NAMES = tuple(f"match_rate_{t}" for t in APPLICANT_TYPES) + ("fill_rate",)


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibration:
    """The fitted values, what they reproduce, and how they were found."""

    values: dict
    simulated: dict
    targets: dict
    trials: int
    seed: int
    scale: float
    evaluations: int

    @property
    def worst_gap(self) -> float:
        """Largest absolute gap between simulated and published figures (proportion)."""
        return max(abs(self.simulated[k] - self.targets[k]) for k in self.targets)


def published_targets(published) -> dict:
    """Match rate by applicant type and the fill rate, 2025."""
    rates = published.match_rate_by_type
    targets = {f"match_rate_{t}": float(rates[t]) for t in APPLICANT_TYPES}
    targets["fill_rate"] = float(published.market("pgy1_fill_rate"))
    return targets


def simulated_rates(params: MarketParams, inputs: MarketInputs, *, seed: int, trials: int) -> dict:
    """Population match rates by type and fill rate, pooled over ``trials`` trials."""
    matched = np.zeros(len(APPLICANT_TYPES))
    total = np.zeros(len(APPLICANT_TYPES))
    filled = positions = 0
    for trial in range(trials):
        market = draw_market(inputs, params, trial_streams(seed, trial))
        outcome = match_market(market, None, params)
        kind = outcome.applicants.type
        matched += np.bincount(kind, weights=outcome.matched, minlength=len(APPLICANT_TYPES))
        total += np.bincount(kind, minlength=len(APPLICANT_TYPES))
        filled += outcome.matched.sum()
        positions += outcome.programs.positions.sum()
    rates = {f"match_rate_{t}": float(m / n) for t, m, n in zip(APPLICANT_TYPES, matched, total)}
    rates["fill_rate"] = float(filled / positions)
    return rates


def calibrate(
    params: MarketParams,
    published,
    *,
    seed: int = 2025,
    trials: int = 2,
    scale: float = 1.0,
    progress=None,
) -> Calibration:
    """Fit :data:`FREE_PARAMETERS`, starting from ``params``; return the fit.

    ``progress``, if given, is called after every evaluation with
    ``(evaluation number, worst gap in points)``.
    """
    inputs = market_inputs(published, scale)
    targets = published_targets(published)
    keys = list(FREE_PARAMETERS)
    target = np.array([targets[name] for name in TARGET_NAMES])
    low, high = np.array(list(FREE_PARAMETERS.values())).T
    start = np.clip([parameter_value(params, key) for key in keys], low, high)
    evaluations = []

    def residuals(x):
        trial_params = with_changes(params, dict(zip(keys, map(float, x))))
        rates = simulated_rates(trial_params, inputs, seed=seed, trials=trials)
        gap = np.array([rates[name] for name in TARGET_NAMES]) - target
        evaluations.append(rates)
        if progress is not None:
            progress(len(evaluations), 100 * float(np.abs(gap).max()))
        return 100 * gap  # in percentage points

    from scipy.optimize import (
        least_squares,  # here: it takes 0.4 s to import, and only calibrate needs it
    )

    fit = least_squares(
        residuals,
        start,
        bounds=(low, high),
        diff_step=0.05,
        x_scale=0.3,
        xtol=1e-3,
        ftol=1e-3,
        max_nfev=60,
    )
    values = dict(zip(keys, map(float, fit.x)))
    final = simulated_rates(with_changes(params, values), inputs, seed=seed, trials=trials)
    return Calibration(
        values=values,
        simulated=final,
        targets=targets,
        trials=trials,
        seed=seed,
        scale=scale,
        evaluations=len(evaluations) + 1,
    )


def parameter_value(params: MarketParams, dotted: str) -> float:
    """The value of a dotted parameter key, e.g. ``selection.type_penalty.us_do``."""
    value = params
    for part in dotted.split("."):
        value = getattr(value, part)
    return float(value)


def save_calibration(fit: Calibration, path, *, command: str, seconds: float, overwrite: bool):
    """Write ``fit`` as a calibration file: every calibrated key, with how it was found.

    Keys not fitted (US MD seniors' penalty, the reference level) keep their
    documented defaults; the header records ``command``, the fit and the
    figures it reproduces.
    """
    header = [
        "Calibrated parameters of the 2025 Match, read by every scenario of year 2025 unless its",
        "[market] calibration names another file; a scenario's own values win.",
        f"Written by {command}",
        f"Fitted with scipy.optimize.least_squares on {fit.trials} full-market trial(s) x "
        f"scale {fit.scale}, seed {fit.seed}, {fit.evaluations} evaluations,",
        f"{seconds:.0f} s. What these values reproduce:",
        *calibration_table(fit),
    ]
    values = {key: parameter_value(MarketParams(), key) for key in calibrated_keys()} | fit.values
    write_calibration(path, values, "\n".join(header), overwrite=overwrite)


def calibration_table(fit: Calibration) -> list[str]:
    """Each target figure: simulated, published and the gap in points, one line each."""
    lines = [f"{'figure':24s} {'simulated':>10s} {'published':>10s} {'gap (points)':>13s}"]
    for name in TARGET_NAMES:
        gap = 100 * (fit.simulated[name] - fit.targets[name])
        lines.append(
            f"{name:24s} {fit.simulated[name]:10.3f} {fit.targets[name]:10.3f} {gap:+13.2f}"
        )
    return lines
