"""Applicants like you: the run's own population of your type (and preferring your specialty)
beside the published rates, computed as ``matchsim validate`` computes them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import simulator as ms
from simulator.market.published import load_published
from simulator.report.outcomes import like_you_lines
from simulator.stats import clustered_proportion_from_counts
from simulator.study import tallies, trials, variants
from simulator.study.like_you import like_you
from simulator.study.validation import applicant_type_targets, specialty_targets

SCENARIO = "scenarios/img-internal-medicine.toml"
FAMILY = "Family Medicine"


@pytest.fixture(scope="module")
def family_run():
    """A non-US IMG preferring Family Medicine, a specialty of Charting Outcomes 2026."""
    overrides = {
        "trials": 3,
        "seed": 5,
        "market.scale": 0.2,
        "market.focal_copies": 8,
        "you.specialty": FAMILY,
    }
    return ms.run(ms.load_scenario(SCENARIO, overrides=overrides), workers=1)


def test_the_figures_are_the_validations_on_the_same_population(family_run):
    like = family_run.summary["applicants_like_you"]
    assert (like["applicant_type"], like["specialty"]) == ("non_us_img", FAMILY)
    applicants = family_run.applicants
    population = applicants[~applicants["is_focal"] & applicants["active"]]
    published = load_published()
    preferred = {
        t.label: t
        for t in specialty_targets(population, published.charting_outcomes_non_us_img, "non_us_img")
        if t.figure == "match_rate_preferred"
    }
    want = preferred[FAMILY]
    got = like["match_rate_preferred"]
    assert 100 * got["model"].p == pytest.approx(want.model.value)
    assert 100 * got["published"] == pytest.approx(want.published)
    assert got["source"] == "Charting Outcomes 2026"
    assert got["gap_points"] == pytest.approx(want.model.value - want.published)
    by_type = {
        t.label: t
        for t in applicant_type_targets(population, family_run.programs, published, 0.2)
        if t.figure == "match_rate"
    }
    assert 100 * like["match_rate"]["model"].p == pytest.approx(by_type["non_us_img"].model.value)
    assert like["match_rate"]["published"] == pytest.approx(0.58)


def test_summary_json_and_the_printed_run_carry_it(family_run):
    record = family_run.record["applicants_like_you"]
    assert set(record) == {"applicant_type", "specialty", "match_rate", "match_rate_preferred"}
    assert set(record["match_rate"]) == {
        "model",
        "published",
        "source",
        "gap_points",
        "tolerance_points",
        "within",
    }
    text = str(family_run)
    assert "applicants like you, in the population of this run: non-US IMGs" in text
    assert f"preferring {FAMILY}, matched to it" in text
    assert "published 58.0% (NRMP 2025)" in text


def test_compare_and_sweep_count_the_population_as_the_run_does():
    """Compare and sweep keep no population rows: their per-trial counts by type and
    preferred specialty equal the run's tallies of the same trials."""
    scenario = ms.load_scenario(
        SCENARIO, overrides={"seed": 5, "market.scale": 0.05, "market.focal_copies": 4}
    )
    plan = trials.plan_for(scenario, load_published(), strategies=False)
    run_tables = trials.run_chunk(plan, [0, 1]).tables
    by_preferred = tallies.tallies(run_tables["applicants"], run_tables["programs"])["by_preferred"]
    focal_plan = variants.focal_plan(plan, plan.variants)
    counts = trials.run_chunk(focal_plan, [0, 1]).tables["population_counts"]
    columns = ["trial", "applicant_type", "specialty", "n", "matched", "matched_preferred"]
    want, got = (
        frame[columns]
        .astype({"applicant_type": str, "specialty": str})
        .sort_values(columns[:3])
        .reset_index(drop=True)
        for frame in (by_preferred, counts)
    )
    pd.testing.assert_frame_equal(want, got, check_dtype=False)


def test_a_sweep_over_specialties_says_it_for_each(tmp_path):
    scenario = ms.load_scenario(
        SCENARIO,
        overrides={"trials": 2, "seed": 5, "market.scale": 0.1, "market.focal_copies": 8},
    )
    ms.sweep(scenario, "you.specialty", ["Pediatrics", FAMILY], workers=1, out=tmp_path / "s")
    record = json.loads((tmp_path / "s" / "sweep.json").read_text())
    blocks = record["applicants_like_you"]
    assert [b["specialty"] for b in blocks.values()] == ["Pediatrics (Categorical)", FAMILY]
    assert {b["match_rate_preferred"]["source"] for b in blocks.values()} == {
        "Charting Outcomes 2026"
    }


def figure(k, n, published, tolerance=5.0):
    """A figure of the block with the model's rate k/n (one count per trial)."""
    model = clustered_proportion_from_counts(np.asarray(k), np.asarray(n))
    gap = None if published is None else 100 * (model.p - published)
    return {
        "model": model,
        "published": published,
        "source": None if published is None else "Charting Outcomes 2026",
        "gap_points": gap,
        "tolerance_points": tolerance,
        "within": None if gap is None else abs(gap) <= tolerance,
    }


def block(preferred):
    return {
        "applicant_type": "non_us_img",
        "specialty": "Pediatrics (Categorical)",
        "match_rate": figure([580] * 10, [1000] * 10, 0.58, 1.5),
        "match_rate_preferred": preferred,
    }


def said(preferred) -> str:
    """The printed lines as one line of words."""
    return " ".join(" ".join(like_you_lines(block(preferred))).split())


def test_the_words_say_how_far_off_and_only_what_the_interval_supports():
    words = said(figure([560] * 10, [1000] * 10, 0.685))
    assert "within 1.5 points" in words  # the type's rate: 58.0% against 58.0%
    assert "the model is 12.5 points lower, beyond its 5-point tolerance" in words
    assert "your chance may be too low by about as much" in words
    # The same gap from two trials of a few applicants: the interval reaches the band.
    wide = said(figure([6, 5], [10, 10], 0.685))
    assert "not clearly beyond the 5-point tolerance" in wide
    assert "too low" not in wide
    assert "no published figure" in said(figure([480] * 10, [1000] * 10, None))


def test_a_run_without_applicants_like_you_says_none_rather_than_nan():
    """A tiny market.scale can leave a type without an active applicant: no rate, no NaN."""
    columns = ["trial", "applicant_type", "specialty", "n", "matched", "matched_preferred"]
    counts = pd.DataFrame([[0, "us_md", FAMILY, 10, 9, 9]], columns=columns)
    by_type = counts.groupby(["trial", "applicant_type"])[["n", "matched"]].sum().reset_index()
    like = like_you(by_type, counts, "non_us_img", FAMILY, load_published())
    assert like["match_rate"]["model"] is None and like["match_rate"]["gap_points"] is None
    assert like["match_rate_preferred"]["model"] is None
    words = " ".join(" ".join(like_you_lines(like)).split())
    assert words.count("none in this run") == 2 and "nan" not in words
