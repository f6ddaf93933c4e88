"""Fit the model's free parameters to many published 2025 figures at once, reproducibly.

The free parameters (:data:`FREE_PARAMETERS`: the type penalties programs
apply, how much programs value beyond the numbers, their acceptability bar,
how many registrants stand behind each active applicant, and what a signal,
a gold signal, a stated geographic preference and being in-state add when
programs choose whom to interview) are fitted by
``scipy.optimize.least_squares`` to every target of
:mod:`simulator.study.validation` that has a tolerance, plus the active
applicants by type.  The loss is

    sum over targets of (weight * (model - published) / tolerance) ** 2

where a target's tolerance is issue 11's (:data:`.validation.TOLERANCES`;
counts, :data:`COUNTS`: a share of the published count), and
a row of a Charting Outcomes table (or of the signal's odds ratio by
specialty) weighs ``1 / sqrt(rows)`` of its figure, so that each published
table figure counts as much as one national rate; the published odds-ratio
ranges of an interview (signal, geographic preference, in-state) and
Anesthesiology's gold/silver contrast count one each (:data:`OWN_WEIGHT`).
Three validation figures are reported, not fitted (:data:`NOT_FITTED`):
the fill *rate*, whose count is fitted instead (the PGY-1 positions filled;
the market holds the nation's 40,041 PGY-1 positions, so rate and count are
one figure and fitting both would count it twice); and the
applicants ranked per position, published for 2020, before interviews went
virtual, which pull the acceptability bar against the 2025 fill; and the
couples' match rate, which rests on the couples' own assumptions
(``[couples]``).  SOAP's
figures are not fitted either (:data:`FAMILIES_NOT_FITTED`): SOAP has
parameters of its own and comes after the Main Match.
Every evaluation simulates the same trials (common random numbers), so the
loss is a deterministic function of the parameters.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.market import (
    MarketInputs,
    draw_market,
    market_inputs,
    match_population,
    trial_streams,
)
from simulator.market.params import MarketParams
from simulator.scenario import calibrated_keys, with_changes, write_calibration
from simulator.study.trials import applicant_table, program_table
from simulator.study.validation import Target, validate
from simulator.vocabulary import APPLICANT_TYPES

FREE_PARAMETERS = {
    # dotted key: (lower bound, upper bound)
    "selection.type_penalty.us_do": (-2.0, 6.0),
    "selection.type_penalty.us_img": (-2.0, 10.0),
    "selection.type_penalty.non_us_img": (-2.0, 10.0),
    "selection.type_penalty.other": (-2.0, 10.0),
    "selection.other_merit_sd": (0.0, 3.0),
    "selection.acceptability_bar": (-5.0, 3.0),
    **{f"applicants.registered_per_active.{t}": (1.0, 3.0) for t in APPLICANT_TYPES},
    "signals.silver_bonus": (0.0, 10.0),
    "signals.gold_bonus": (0.0, 12.0),
    "signals.geographic_bonus": (0.0, 8.0),
    "signals.in_state_bonus": (0.0, 8.0),
}
#: Families and figures whose every row is a published figure of its own (not a row of a
#: table): each weighs as much as one national rate.
OWN_WEIGHT = ("applicant_types", "odds_ratio")
#: Counted targets, each held to its share of the published count: 1% of the active
#: applicants of a type; half that for the PGY-1 positions filled (188 positions), whose
#: complement is what the Main Match leaves to SOAP (2,374 at the published count, against
#: SOAP's published 2,521 offered, PGY-2 included).
COUNTS = {"active_applicants": 0.01, "positions_filled": 0.005}
#: Reported, not fitted (see the module's docstring).
NOT_FITTED = ("fill_rate", "ranked_per_position", "couples_match_rate")
UNFITTED_MAES = ("ranked_per_position/ranked_per_position",)
#: SOAP comes after the Main Match, with parameters of its own (docs/model.md): its figures
#: are checked by ``matchsim validate``, not fitted here.
FAMILIES_NOT_FITTED = ("soap",)
#: The figures the calibration header reports, one line each.
TARGET_NAMES = (
    *(f"match_rate_{t}" for t in APPLICANT_TYPES),
    "fill_rate",
    "positions_filled",
    *(f"active_{t}" for t in APPLICANT_TYPES),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibration:
    """The fitted values, what they reproduce, and how they were found.

    ``simulated`` and ``targets`` hold :data:`TARGET_NAMES` (rates as
    proportions, active applicants as counts); ``maes`` each Charting Outcomes
    figure's mean absolute error at the fit.
    """

    values: dict
    simulated: dict
    targets: dict
    maes: dict
    loss: float
    trials: int
    seed: int
    scale: float
    evaluations: int

    @property
    def worst_gap(self) -> float:
        """Largest absolute gap between simulated and published rates (proportion)."""
        return max(abs(self.simulated[k] - self.targets[k]) for k in self.targets if "rate" in k)


def simulated_targets(params: MarketParams, inputs: MarketInputs, published, *, seed, trials):
    """Every validation target of ``trials`` trials of the market ``params`` describe."""
    applicants, programs = [], []
    population = (0, ("population",))
    for trial in range(trials):
        market = draw_market(inputs, params, trial_streams(seed, trial))
        outcome = match_population(market, params).outcome
        names = inputs.specialties
        applicants.append(
            applicant_table(outcome, trial=trial, strategy=population, specialties=names)
        )
        programs.append(program_table(outcome, trial=trial, strategy=population, specialties=names))
    run = {"scale": inputs.scale, "seed": seed, "trials": trials}
    return validate(
        pd.concat(applicants, ignore_index=True),
        pd.concat(programs, ignore_index=True),
        published,
        run,
    )


def residuals(targets: tuple[Target, ...]) -> dict:
    """Each fitted target's weighted, tolerance-scaled gap, keyed by (family, label, figure)."""
    scaled = {}
    for t in targets:
        key = (t.family, t.label, t.figure)
        if t.figure in COUNTS:
            scaled[key] = t.gap / t.published / COUNTS[t.figure]
        elif t.figure in NOT_FITTED or t.family in FAMILIES_NOT_FITTED:
            continue
        elif t.tolerance is not None and t.counted and t.gap is not None:
            scaled[key] = t.gap / t.tolerance
    rows = Counter((family, figure) for family, _, figure in scaled)
    return {
        key: gap
        if key[0] in OWN_WEIGHT or key[2] in OWN_WEIGHT
        else gap / math.sqrt(rows[key[0], key[2]])
        for key, gap in scaled.items()
    }


def headline(validation, published) -> dict:
    """:data:`TARGET_NAMES` of a validation: rates as proportions, active applicants as counts."""
    found = {}
    for t in validation.targets:
        if t.family != "applicant_types":
            continue
        if t.figure == "match_rate":
            found[f"match_rate_{t.label}"] = t.model.value / 100
        elif t.figure == "fill_rate":
            found["fill_rate"] = t.model.value / 100
        elif t.figure == "positions_filled":
            found["positions_filled"] = t.model.value
        elif t.figure == "active_applicants":
            found[f"active_{t.label}"] = t.model.value
    return found


def published_targets(published) -> dict:
    """:data:`TARGET_NAMES` as published, 2025."""
    rates = published.match_rate_by_type
    targets = {f"match_rate_{t}": float(rates[t]) for t in APPLICANT_TYPES}
    targets["fill_rate"] = float(published.market("pgy1_fill_rate"))
    targets["positions_filled"] = float(published.market("pgy1_positions_filled"))
    targets |= {f"active_{t}": float(published.applicants_by_type[t]) for t in APPLICANT_TYPES}
    return targets


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
    ``(evaluation number, loss)``.
    """
    inputs = market_inputs(published, scale)
    keys = list(FREE_PARAMETERS)
    low, high = np.array(list(FREE_PARAMETERS.values())).T
    start = np.clip([parameter_value(params, key) for key in keys], low, high)
    fitted_rows: list = []
    evaluations = []

    def loss_terms(x):
        trial_params = with_changes(params, dict(zip(keys, map(float, x))))
        found = residuals(
            simulated_targets(trial_params, inputs, published, seed=seed, trials=trials).targets
        )
        if not fitted_rows:  # the rows of the first evaluation, in a fixed order, always
            fitted_rows.extend(sorted(found))
        terms = np.array([found.get(row, 0.0) for row in fitted_rows])
        evaluations.append(float(terms @ terms))
        if progress is not None:
            progress(len(evaluations), evaluations[-1])
        return terms

    from scipy.optimize import (
        least_squares,  # here: it takes 0.4 s to import, and only calibrate needs it
    )

    fit = least_squares(
        loss_terms,
        start,
        bounds=(low, high),
        diff_step=0.03,
        x_scale=np.maximum(0.1 * (high - low), 0.05),
        xtol=1e-3,
        ftol=1e-3,
        max_nfev=60,
    )
    values = dict(zip(keys, map(float, fit.x)))
    final = simulated_targets(
        with_changes(params, values), inputs, published, seed=seed, trials=trials
    )
    return Calibration(
        values=values,
        simulated=headline(final, published),
        targets=published_targets(published),
        maes={"/".join((s.family, *s.figures)): s.mae for s in final.summaries},
        loss=float(2 * fit.cost),
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
    lines = [f"{'figure':24s} {'simulated':>10s} {'published':>10s} {'gap':>13s}"]
    for name in TARGET_NAMES:
        model, published = fit.simulated[name], fit.targets[name]
        if name.startswith("active_") or name == "positions_filled":
            gap = f"{100 * (model / published - 1):+.2f}%"
            lines.append(f"{name:24s} {model:10.0f} {published:10.0f} {gap:>13s}")
        else:
            gap = f"{100 * (model - published):+.2f} points"
            lines.append(f"{name:24s} {model:10.3f} {published:10.3f} {gap:>13s}")
    lines.append("fill_rate is reported, not fitted: positions_filled is fitted instead")
    lines.append(f"{'table figure (fitted unless noted)':40s} {'mean absolute error':>20s}")
    lines += [
        f"{name:40s} {mae:20.2f}" + ("  (reported, not fitted)" if name in UNFITTED_MAES else "")
        for name, mae in fit.maes.items()
        if mae is not None
    ]
    lines.append(f"loss (sum of squared scaled gaps) {fit.loss:.2f}")
    return lines
