"""``matchsim validate``: the command on a tiny market, and its computations on known tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.market.published import load_published
from simulator.study.validation import (
    FAMILIES,
    MIN_APPLICANTS,
    mean,
    mean_gap,
    median,
    rate,
    specialty_targets,
    summaries,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = ("--set", "market.scale=0.03", "--trials", "2", "--workers", "1")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate") / "out"
    return invoke("validate", ROOT / "scenarios" / "default.toml", *TINY, "--out", out), out


def test_the_command_writes_the_report(tiny_run):
    result, out = tiny_run
    assert result.exit_code == 0, result.output
    for name in ("validation.json", "validation.md", "validation.png", "summary.json"):
        assert (out / name).is_file(), name
    assert "match rates by type" in result.output
    assert "US MD SENIORS BY PREFERRED SPECIALTY" in result.output
    markdown = (out / "validation.md").read_text(encoding="utf-8")
    assert "![model against published](validation.png)" in markdown
    assert "## Definitions" in markdown


def test_the_json_has_every_family_with_its_fields(tiny_run):
    _, out = tiny_run
    record = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert set(record["families"]) == set(FAMILIES)
    assert record["run"]["scale"] == 0.03 and record["run"]["trials"] == 2
    for family, content in record["families"].items():
        assert content["rows"], family
        for row in content["rows"]:
            assert {"label", "figure", "published", "model", "ci", "gap", "within"} <= set(row)
            assert len(row["ci"]) == 2
    figures = {r["figure"] for r in record["families"]["non_us_img"]["rows"]}
    assert {"match_rate_preferred", "step2ck_gap", "ranks_not_matched_median"} <= figures
    us_md = {r["label"] for r in record["families"]["us_md"]["rows"]}
    assert len(us_md) == len(load_published().charting_outcomes_us_md)
    assert [s["figures"] for s in record["families"]["us_md"]["summary"]] == [
        ["match_rate_preferred"],
        ["step2ck_gap"],
    ]


def test_docs_flag_writes_the_docs_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = ROOT / "scenarios" / "default.toml"
    result = invoke("validate", scenario, *TINY[:2], "--trials", "1", "--out", "run", "--docs")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "docs" / "img" / "validation.png").is_file()
    text = (tmp_path / "docs" / "validation.md").read_text(encoding="utf-8")
    assert "(img/validation.png)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--set", "market.scale=2"), "market.scale"),
        (("no-such-file.toml",), "no-such-file.toml"),
    ],
)
def test_bad_options_are_one_error_line(tmp_path, args, message):
    result = invoke("validate", *args, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    assert message in lines[0]


# -- the computations on hand-made tables ------------------------------------------------


def test_rate_is_clustered_by_trial():
    hit = pd.Series([True, False, True, True, False, False])
    trial = pd.Series([0, 0, 0, 1, 1, 1])
    estimate = rate(hit, trial, [0, 1])
    assert estimate.value == pytest.approx(50.0)
    assert estimate.n == 6
    assert estimate.ci_low < 50 < estimate.ci_high


def test_a_trial_without_rows_is_still_a_cluster():
    hit = pd.Series([True, True])
    trial = pd.Series([0, 0])
    assert rate(hit, trial, [0, 1]).value == pytest.approx(100.0)


def test_means_and_gaps_average_per_trial_values():
    step2ck = pd.Series([250, 240, 230, 260, 250, 220], dtype="int16")
    trial = pd.Series([0, 0, 0, 1, 1, 1])
    matched = pd.Series([True, True, False, True, True, False])
    estimate = mean(step2ck[matched], trial[matched])
    assert estimate.value == pytest.approx(250.0)  # trial means 245 and 255
    assert estimate.ci_low < 250 < estimate.ci_high
    gap = mean_gap(step2ck, trial, matched, ~matched)
    assert gap.value == pytest.approx(25.0)  # 245 - 230 = 15 and 255 - 220 = 35
    assert gap.n == 6


def test_gap_skips_trials_without_both_groups():
    values = pd.Series([250, 240, 260])
    trial = pd.Series([0, 0, 1])
    matched = pd.Series([True, False, True])
    gap = mean_gap(values, trial, matched, ~matched)
    assert gap.value == pytest.approx(10.0)
    assert gap.ci_low is None  # one trial: no interval


def test_median_of_contiguous_ranks():
    ranks = pd.Series([1, 2, 9, 3, 3, 4])
    trial = pd.Series([0, 0, 0, 1, 1, 1])
    assert median(ranks, trial).value == pytest.approx(2.5)  # medians 2 and 3


def applicants(trials: int, per_trial: int) -> pd.DataFrame:
    """Non-US IMGs preferring Family Medicine: a third matched there, a third elsewhere,
    a third unmatched; the matched score 240 and rank 4, the unmatched 230 and rank 1."""
    outcome = np.tile([0, 1, 2], per_trial // 3)
    frame = pd.DataFrame(
        {
            "trial": np.repeat(np.arange(trials), outcome.size),
            "applicant_type": "non_us_img",
            "specialty": "Family Medicine",
            "step2ck": np.tile(np.where(outcome == 0, 240, 230), trials),
            "contiguous_ranks": np.tile(np.where(outcome == 0, 4, 1), trials),
            "matched": np.tile(outcome < 2, trials),
            "matched_preferred": np.tile(outcome == 0, trials),
        }
    )
    return frame


def test_specialty_targets_use_the_published_definitions():
    table = load_published().charting_outcomes_non_us_img
    table = table[table["model_specialty"] == "Family Medicine"]
    targets = {t.figure: t for t in specialty_targets(applicants(3, 60), table, "non_us_img")}
    # matched elsewhere is in neither group: 20 of 40 per trial
    assert targets["match_rate_preferred"].model.value == pytest.approx(50.0)
    assert targets["match_rate_preferred"].published == pytest.approx(53.9)
    assert targets["match_rate_preferred"].gap == pytest.approx(-3.9)
    assert targets["match_rate_preferred"].within
    assert targets["step2ck_gap"].model.value == pytest.approx(10.0)
    assert targets["step2ck_gap"].published == pytest.approx(-1.0)
    assert not targets["step2ck_gap"].within
    assert targets["ranks_matched_median"].model.value == pytest.approx(4.0)
    assert targets["ranks_not_matched_median"].model.value == pytest.approx(1.0)
    assert all(t.counted for t in targets.values())  # 60 per trial >= MIN_APPLICANTS
    assert MIN_APPLICANTS <= 60


def test_few_applicants_are_shown_but_not_in_the_mae():
    table = load_published().charting_outcomes_non_us_img
    table = table[table["model_specialty"] == "Family Medicine"]
    targets = specialty_targets(applicants(2, 30), table, "non_us_img")
    assert not any(t.counted for t in targets)
    found = {s.figures: s for s in summaries(targets)}
    assert found[("match_rate_preferred",)].mae is None
    assert found[("match_rate_preferred",)].rows == 0


def test_soap_is_set_against_its_published_scale(tiny_run):
    result, out = tiny_run
    record = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    rows = {r["figure"]: r for r in record["families"]["soap"]["rows"]}
    published = load_published()
    assert rows["offered"]["published"] == published.market("soap_positions_offered") == 2521
    assert rows["filled"]["published"] == published.market("soap_positions_filled") == 2399
    assert rows["round1_share"]["published"] == pytest.approx(60.0)
    assert rows["round2_share"]["published"] == pytest.approx(80.0)
    assert rows["filled"]["model"] <= rows["offered"]["model"]  # SOAP fills only what is left
    assert "SOAP: " in result.output
