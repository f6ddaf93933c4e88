"""The model beside every published target it should reproduce, each with its 95% interval.

A finished run of the default market (``applicants.parquet``,
``programs.parquet``, ``run.json``) is set against the published tables of
:class:`~simulator.market.published.PublishedData`, in four families:

* ``applicant_types``: PGY-1 match rate and active applicants of each
  applicant type, and the PGY-1 fill rate (2025);
* ``us_md``: US MD seniors by preferred specialty (Charting Outcomes 2024):
  match rate to the preferred specialty, mean Step 2 CK of the matched and
  of the not matched, and the gap between them;
* ``non_us_img``: the same for non-US IMGs (Charting Outcomes 2026), plus the
  median contiguous ranks of the matched and of the not matched;
* ``ranked_per_position``: applicants ranked per position by programs (2020),
  by specialty (``programs.parquet``'s ``ranked`` over ``positions``).

Definitions, chosen to be those of the publications (:data:`DEFINITIONS`
says them in words, and the report prints them): only the population is
counted (not the focal copies) and only *active* applicants, those who
ranked at least one program, as the NRMP counts; an applicant's preferred
specialty is the model's ``specialty``; "matched" means matched to it
(``matched_preferred``) and "not matched" means not matched at all, so an
applicant who matched in another specialty is in neither group, as in the
published rates (matched / (matched + not matched)).

Intervals are clustered by trial (the applicants of one simulated year share
its market): rates use :func:`~simulator.stats.clustered_proportion_from_counts`;
means, medians and gaps are the average over trials of each trial's value,
with a Student t interval over those per-trial values.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from simulator.errors import RunError
from simulator.market.published import PublishedData, load_published
from simulator.stats import clustered_proportion_from_counts
from simulator.vocabulary import APPLICANT_TYPES

#: A specialty counts towards its family's mean absolute error when the model has at least
#: this many active applicants of the type preferring it per trial (on average): fewer, and
#: the model's specialty is too small a market to stand for the published one.
MIN_APPLICANTS = 50
#: (family, figure) -> the issue's tolerance, in the figure's unit: a row is within it when
#: |model - published| is at most this; a family's mean absolute error is held to the same.
TOLERANCES = {
    ("applicant_types", "match_rate"): 1.5,
    ("applicant_types", "fill_rate"): 1.0,
    ("us_md", "match_rate_preferred"): 5.0,
    ("us_md", "step2ck_gap"): 3.0,
    ("non_us_img", "match_rate_preferred"): 5.0,
    ("non_us_img", "step2ck_gap"): 3.0,
    ("non_us_img", "ranks_matched_median"): 1.0,
    ("non_us_img", "ranks_not_matched_median"): 1.0,
    # Not one of issue 11's tolerances: one applicant per position, about 8% of the figure.
    ("ranked_per_position", "ranked_per_position"): 1.0,
}
#: Figures whose mean absolute error over specialties is a target of issue 11, by family;
#: the two contiguous-rank medians are held to one error together.
MAE_TARGETS = {
    "us_md": (("match_rate_preferred",), ("step2ck_gap",)),
    "non_us_img": (
        ("match_rate_preferred",),
        ("step2ck_gap",),
        ("ranks_matched_median", "ranks_not_matched_median"),
    ),
    "ranked_per_position": (("ranked_per_position",),),
}
DEFINITIONS = (
    "Population only (not the focal copies), and only active applicants: those who ranked "
    "at least one program, as the NRMP counts; the share of drawn applicants who ranked "
    "none is shown separately.",
    "Preferred specialty: the model's `specialty` of the applicant (NRMP: the specialty of "
    "the first program on the list).",
    "Matched = matched to the preferred specialty (`matched_preferred`); not matched = not "
    "matched at all. An applicant matched in another specialty is in neither group, as in "
    "the published rate matched / (matched + not matched).",
    "Contiguous ranks: programs of the preferred specialty ranked before the first program "
    "of another specialty.",
    f"A specialty counts towards a family's mean absolute error (MAE) when the model has at "
    f"least {MIN_APPLICANTS} active applicants of the type preferring it per trial.",
    "95% intervals are clustered by trial: rates are Wilson intervals widened by the design "
    "effect; means, medians and gaps are the mean of per-trial values with a Student t "
    "interval over trials.",
)
FAMILIES = ("applicant_types", "us_md", "non_us_img", "ranked_per_position")


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """A model figure with its 95% interval; ``value`` is ``None`` when nothing measured it."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int = 0


NOTHING = Estimate(value=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """One published figure beside the model's estimate of it."""

    family: str
    label: str
    figure: str
    unit: str
    published: float
    model: Estimate
    counted: bool = True
    note: str = ""

    @property
    def tolerance(self) -> float | None:
        return TOLERANCES.get((self.family, self.figure))

    @property
    def gap(self) -> float | None:
        """Model minus published, in the figure's unit."""
        return None if self.model.value is None else self.model.value - self.published

    @property
    def within(self) -> bool | None:
        """|gap| within the tolerance; ``None`` without a tolerance or a model value."""
        if self.tolerance is None or self.gap is None:
            return None
        return abs(self.gap) <= self.tolerance + 1e-9


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """A family's mean absolute error over its counted rows for some figures."""

    family: str
    figures: tuple[str, ...]
    mae: float | None
    rows: int
    tolerance: float

    @property
    def within(self) -> bool | None:
        return None if self.mae is None else self.mae <= self.tolerance + 1e-9


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    """Every target, the families' summaries, and what the run was."""

    targets: tuple[Target, ...]
    summaries: tuple[Summary, ...]
    run: dict
    inactive_share: dict


# -- estimates over trials ----------------------------------------------------------------


def rate(hit: pd.Series, trial: pd.Series, trials) -> Estimate:
    """Percent of rows with ``hit``, clustered by ``trial`` (each of ``trials`` a cluster)."""
    if len(hit) == 0:
        return NOTHING
    grouped = hit.astype(np.int64).groupby(trial.to_numpy())
    k = grouped.sum().reindex(trials, fill_value=0).to_numpy()
    n = grouped.size().reindex(trials, fill_value=0).to_numpy()
    p = clustered_proportion_from_counts(k, n)
    return Estimate(value=100 * p.p, ci_low=100 * p.ci_low, ci_high=100 * p.ci_high, n=p.n)


def over_trials(per_trial: pd.Series, n: int) -> Estimate:
    """The mean of per-trial values (NaN ones dropped), with a Student t interval over trials."""
    values = per_trial.dropna().to_numpy(dtype=np.float64)
    if values.size == 0:
        return NOTHING
    mean = float(values.mean())
    if values.size < 2:
        return Estimate(value=mean, n=n)
    spread = float(values.std(ddof=1)) / math.sqrt(values.size)
    half = float(scipy_stats.t.ppf(0.975, values.size - 1)) * spread
    return Estimate(value=mean, ci_low=mean - half, ci_high=mean + half, n=n)


def mean(values: pd.Series, trial: pd.Series) -> Estimate:
    """The per-trial mean of ``values``, averaged over the trials that have any."""
    return over_trials(values.groupby(trial.to_numpy()).mean(), len(values))


def median(values: pd.Series, trial: pd.Series) -> Estimate:
    """The per-trial median of ``values``, averaged over the trials that have any."""
    return over_trials(values.groupby(trial.to_numpy()).median(), len(values))


def mean_gap(values: pd.Series, trial: pd.Series, group: pd.Series, other: pd.Series) -> Estimate:
    """Per-trial mean of ``values`` in ``group`` minus in ``other``, over trials having both."""
    first = values[group].groupby(trial[group].to_numpy()).mean()
    second = values[other].groupby(trial[other].to_numpy()).mean()
    return over_trials(first - second, int(group.sum() + other.sum()))


# -- the families -------------------------------------------------------------------------


def applicant_type_targets(
    applicants: pd.DataFrame, programs: pd.DataFrame, published: PublishedData, scale: float
) -> list[Target]:
    """Match rate and active applicants per type; the PGY-1 fill rate."""
    trials = np.sort(applicants["trial"].unique())
    targets = []
    for kind in APPLICANT_TYPES:
        rows = applicants[applicants["applicant_type"] == kind]
        label = kind
        targets.append(
            Target(
                family="applicant_types",
                label=label,
                figure="match_rate",
                unit="%",
                published=100 * float(published.match_rate_by_type[kind]),
                model=rate(rows["matched"], rows["trial"], trials),
            )
        )
        counts = rows.groupby("trial").size().reindex(trials, fill_value=0) / scale
        targets.append(
            Target(
                family="applicant_types",
                label=label,
                figure="active_applicants",
                unit="applicants",
                published=float(published.applicants_by_type[kind]),
                model=over_trials(counts.astype(np.float64), len(rows)),
                note="per trial, divided by market.scale",
            )
        )
    filled = programs.groupby("trial")[["filled", "positions"]].sum().reindex(trials, fill_value=0)
    fill = clustered_proportion_from_counts(filled["filled"], filled["positions"])
    targets.append(
        Target(
            family="applicant_types",
            label="all programs",
            figure="fill_rate",
            unit="%",
            published=100 * float(published.market("pgy1_fill_rate")),
            model=Estimate(
                value=100 * fill.p, ci_low=100 * fill.ci_low, ci_high=100 * fill.ci_high, n=fill.n
            ),
            note=f"over the model's {filled['positions'].mean() / scale:,.0f} positions",
        )
    )
    targets.append(
        Target(
            family="applicant_types",
            label="all programs",
            figure="positions_filled",
            unit="positions",
            published=float(published.market("pgy1_positions_filled")),
            model=over_trials((filled["filled"] / scale).astype(np.float64), int(fill.n)),
            note="per trial, divided by market.scale",
        )
    )
    return targets


def registered_target(population: pd.DataFrame, published: PublishedData, scale) -> Target:
    """Registered applicants, active or not: not fitted, the check on ``registered_per_active``."""
    trials = np.sort(population["trial"].unique())
    counts = population.groupby("trial").size().reindex(trials, fill_value=0) / scale
    return Target(
        family="applicant_types",
        label="all types",
        figure="registered_applicants",
        unit="applicants",
        published=float(published.market("registered_applicants")),
        model=over_trials(counts.astype(np.float64), len(population)),
        note="per trial, divided by market.scale; not fitted",
    )


def specialty_targets(applicants: pd.DataFrame, table: pd.DataFrame, family: str) -> list[Target]:
    """One Charting Outcomes table (rows by specialty) against the model's ``family`` type."""
    trials = np.sort(applicants["trial"].unique())
    mine = applicants[applicants["applicant_type"] == family]
    targets = []
    for row in table.itertuples(index=False):
        rows = mine[mine["specialty"] == row.model_specialty]
        matched, unmatched = rows["matched_preferred"], ~rows["matched"]
        counted = len(rows) >= MIN_APPLICANTS * len(trials)
        both = rows[matched | unmatched]
        figures = {
            "match_rate_preferred": (
                "%",
                100 * row.match_rate_preferred,
                rate(both["matched_preferred"], both["trial"], trials),
            ),
            "step2ck_matched_mean": (
                "score",
                row.step2ck_matched_mean,
                mean(rows["step2ck"][matched], rows["trial"][matched]),
            ),
            "step2ck_not_matched_mean": (
                "score",
                row.step2ck_not_matched_mean,
                mean(rows["step2ck"][unmatched], rows["trial"][unmatched]),
            ),
            "step2ck_gap": (
                "points",
                row.step2ck_matched_mean - row.step2ck_not_matched_mean,
                mean_gap(rows["step2ck"], rows["trial"], matched, unmatched),
            ),
        }
        if family == "non_us_img":
            ranks = rows["contiguous_ranks"]
            figures["ranks_matched_median"] = (
                "ranks",
                row.ranks_matched_median,
                median(ranks[matched], rows["trial"][matched]),
            )
            figures["ranks_not_matched_median"] = (
                "ranks",
                row.ranks_not_matched_median,
                median(ranks[unmatched], rows["trial"][unmatched]),
            )
        note = f"{len(rows) / max(len(trials), 1):.0f} active applicants per trial"
        for figure, (unit, published, model) in figures.items():
            targets.append(
                Target(
                    family=family,
                    label=row.specialty,
                    figure=figure,
                    unit=unit,
                    published=float(published),
                    model=model,
                    counted=counted,
                    note=note,
                )
            )
    return targets


def ranked_per_position_targets(programs: pd.DataFrame, published: PublishedData) -> list[Target]:
    """Applicants ranked per position by programs, by specialty: each trial's total ranked
    over its total positions, averaged over trials (published: 2020)."""
    trials = np.sort(programs["trial"].unique())
    targets = []
    for row in published.applicants_ranked_per_position.itertuples(index=False):
        rows = programs[programs["specialty"] == row.specialty]
        per_trial = rows.groupby("trial")[["ranked", "positions"]].sum().reindex(trials)
        targets.append(
            Target(
                family="ranked_per_position",
                label=row.specialty,
                figure="ranked_per_position",
                unit="per position",
                published=float(row.ranked_per_position),
                model=over_trials(per_trial["ranked"] / per_trial["positions"], len(rows)),
                note=f"published {row.year}",
            )
        )
    return targets


def summaries(targets) -> tuple[Summary, ...]:
    """The mean absolute error of each target figure group over counted rows with a value."""
    found = []
    for family, groups in MAE_TARGETS.items():
        for figures in groups:
            gaps = [
                abs(t.gap)
                for t in targets
                if t.family == family and t.figure in figures and t.counted and t.gap is not None
            ]
            found.append(
                Summary(
                    family=family,
                    figures=figures,
                    mae=float(np.mean(gaps)) if gaps else None,
                    rows=len(gaps),
                    tolerance=TOLERANCES[(family, figures[0])],
                )
            )
    return tuple(found)


def validate(
    applicants: pd.DataFrame, programs: pd.DataFrame, published: PublishedData, run: dict
) -> Validation:
    """Every target of the run's tables (``run`` holds its ``scale``, ``seed``, ``trials``)."""
    population = applicants[~applicants["is_focal"]]
    active = population[population["active"]]
    inactive = 1 - population.groupby("applicant_type", observed=True)["active"].mean()
    targets = [
        registered_target(population, published, run["scale"]),
        *applicant_type_targets(active, programs, published, run["scale"]),
        *specialty_targets(active, published.charting_outcomes_us_md, "us_md"),
        *specialty_targets(active, published.charting_outcomes_non_us_img, "non_us_img"),
        *ranked_per_position_targets(programs, published),
    ]
    return Validation(
        targets=tuple(targets),
        summaries=summaries(targets),
        run=run,
        inactive_share={str(k): 100 * float(v) for k, v in inactive.items()},
    )


def validate_folder(path, published: PublishedData | None = None) -> Validation:
    """:func:`validate` on the finished run folder ``path`` (its tables and ``run.json``)."""
    path = Path(path)
    try:
        record = json.loads((path / "run.json").read_text(encoding="utf-8"))
        applicants = pd.read_parquet(path / "applicants.parquet")
        programs = pd.read_parquet(path / "programs.parquet")
    except (OSError, ValueError) as error:
        raise RunError(str(path), message=f"not a finished run folder ({error})") from None
    scenario = record["scenario"]
    run = {
        "folder": str(path),
        "scenario": scenario.get("source", ""),
        "seed": scenario["seed"],
        "trials": scenario["trials"],
        "scale": scenario["market"]["scale"],
        "options": record.get("options", {}),
    }
    return validate(applicants, programs, published or load_published(), run)
