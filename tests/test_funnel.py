"""Your funnel: applications sent, not read (visa, score, graduation year), read, invited,
interviews, programs ranked, matched; its identity per copy, ``summary.json`` and the words.

Runs use a 3%-scale market, 2 trials and 4 copies of you.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scenario_text import YOU_NON_US_IMG

from simulator.cli import main
from simulator.market.applications import screened_in, screening_reasons
from simulator.market.codes import TYPE_INDEX
from simulator.report.funnel import format_funnel
from simulator.study.tallies import FUNNEL_STAGES

SCENARIO = """\
description = "A non-US IMG in Internal Medicine, small market for the funnel"
seed = 11
trials = 2

[market]
scale = 0.03
focal_copies = 4

""" + YOU_NON_US_IMG.replace("years_since_graduation = 2", "years_since_graduation = 6")

#: Few programs sponsor a visa and applicants ignore sponsorship: the visa screen dominates.
VISA_DOMINATES = (
    "applicants.visa_mismatch_weight=1",
    "programs.visa_none_share=0.9",
    "programs.visa_j1_h1b_share=0.05",
)


def run_funnel_scenario(folder: Path, *settings: str):
    """Run the funnel scenario with ``--set`` ``settings`` into ``folder``: (result, out)."""
    scenario = folder / "funnel.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    sets = [a for key in settings for a in ("--set", key)]
    args = ["run", scenario, "--workers", 1, *sets, "--out", folder / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")
    assert result.exit_code == 0, result.output
    return result, folder / "out"


@pytest.fixture(scope="module")
def ordinary(tmp_path_factory):
    return run_funnel_scenario(tmp_path_factory.mktemp("ordinary"))


@pytest.fixture(scope="module")
def visa_bound(tmp_path_factory):
    return run_funnel_scenario(tmp_path_factory.mktemp("visa"), *VISA_DOMINATES)


def focal_rows(folder: Path):
    table = pd.read_parquet(folder / "applicants.parquet")
    return table[table["is_focal"]], table[~table["is_focal"]]


@pytest.mark.parametrize("which", ["ordinary", "visa_bound"])
def test_the_stages_add_up_for_every_copy(which, request):
    _, out = request.getfixturevalue(which)
    focal, population = focal_rows(out)
    assert len(focal) == 8
    unread = focal[
        ["n_not_read_visa", "n_not_read_score", "n_not_read_graduation", "n_not_read_attempts"]
    ]
    assert (unread.sum(axis=1) + focal["n_read"] == focal["n_applications"]).all()
    assert (unread >= 0).all().all()
    assert (focal["n_invited"] <= focal["n_read"]).all()
    assert (focal["n_interviews"] <= focal["n_invited"]).all()
    assert (focal["rol_length"] <= focal["n_interviews"]).all()
    assert (~focal["matched"] | (focal["rol_length"] >= 1)).all()
    # Counted for your copies only: missing in the population's rows.
    assert population["n_read"].isna().all() and not focal["n_read"].isna().any()


def test_summary_json_has_the_funnel_with_intervals(ordinary):
    _, out = ordinary
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    funnel = summary["focal"]["funnel"]
    assert list(funnel) == list(FUNNEL_STAGES)
    for figures in funnel.values():
        assert figures["n"] == 8 and figures["n_trials"] == 2
        assert 0 <= figures["ci_low"] <= figures["mean"] <= figures["ci_high"]
        assert figures["method"] == "t interval over per-trial means"
    parts = ("not_read_visa", "not_read_score", "not_read_graduation", "not_read_attempts", "read")
    assert math.isclose(sum(funnel[s]["mean"] for s in parts), funnel["sent"]["mean"])
    assert funnel["matched"]["mean"] <= 1


def test_run_draws_the_funnel(ordinary):
    _, out = ordinary
    data = (out / "funnel.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")


def test_the_funnel_is_printed_in_words(ordinary):
    result, _ = ordinary
    text = result.output
    assert re.search(r"^you: of your \d+ applications, ", text, re.MULTILINE)
    assert "went to programs that cannot sponsor your visa," in text
    assert "were cut by a Step 2 CK cut-off" in text and "by a graduation-year limit;" in text
    assert "led to an invitation," in text and "programs ranked" in text
    # The funnel follows your probability.
    assert text.index("you: of your") > text.index("you  ")


def test_when_visa_screening_dominates_the_sentence_names_it(visa_bound):
    result, out = visa_bound
    focal, _ = focal_rows(out)
    assert focal["n_not_read_visa"].sum() > focal["n_applications"].sum() / 2
    assert "you: most of your applications went to programs that cannot sponsor your visa" in (
        result.output
    )


def _funnel(**means) -> dict:
    return {stage: {"mean": means.get(stage, 0.0)} for stage in FUNNEL_STAGES}


def test_format_funnel_words_and_the_biggest_loss():
    lines = format_funnel(
        _funnel(
            sent=100,
            not_read_visa=20,
            not_read_score=30,
            not_read_graduation=5,
            read=45,
            invited=4.1,
            interviews=3.1,
            ranked=3.1,
        )
    )
    assert lines[0] == (
        "you: of your 100 applications, 20 went to programs that cannot sponsor your visa,"
    )
    assert (
        lines[1]
        == "  30 were cut by a Step 2 CK cut-off, 5 by a graduation-year limit; 45 were read,"
    )
    assert lines[2] == "  4.1 led to an invitation, 3.1 to interviews, 3.1 programs ranked"
    assert (
        lines[3] == "you: your biggest loss: 40.9 applications were read but led to no invitation"
    )
    assert format_funnel(_funnel(sent=0)) == [] and format_funnel(None) == []


def test_screening_reasons_are_exclusive_in_order_and_agree_with_screened_in():
    """Every application is read or has exactly one reason: visa before score before year
    before a failed attempt; an H-1B without Step 3 is sponsored nowhere."""
    n = 3 * 3 * 2 * 2 * 2 * 2 * 2
    visa, policy, low_score, old, failed, strict, step3 = (
        a.ravel() for a in np.indices((3, 3, 2, 2, 2, 2, 2))
    )
    applicants = SimpleNamespace(
        visa=visa.astype(np.int8),
        type=np.full(n, TYPE_INDEX["non_us_img"], dtype=np.int8),
        step2ck=np.where(low_score, 200, 250),
        ysg=np.where(old, 10.0, 1.0),
        failed_attempts=failed,
        step3=step3 == 1,
    )
    programs = SimpleNamespace(
        visa_policy=policy,
        step2ck_cutoff=np.full(n, 230),
        step2ck_us_offset=0.0,
        ysg_limit=np.full(n, 5.0),
        attempts_screen=strict == 1,
    )
    who = where = np.arange(n)
    reasons = screening_reasons(applicants, who, programs, where)
    assert reasons.sum(axis=0).max() == 1
    np.testing.assert_array_equal(
        ~reasons.any(axis=0), screened_in(applicants, who, programs, where)
    )
    visa_fail, score_fail, graduation_fail, attempts_fail = reasons
    np.testing.assert_array_equal(score_fail, ~visa_fail & (low_score == 1))
    np.testing.assert_array_equal(graduation_fail, ~visa_fail & (low_score == 0) & (old == 1))
    np.testing.assert_array_equal(
        attempts_fail, ~visa_fail & ~score_fail & ~graduation_fail & (failed == 1) & (strict == 1)
    )
    # H-1B (visa 2): only a J-1 and H-1B sponsor (policy 2), and only with Step 3 passed.
    h1b = visa == 2
    np.testing.assert_array_equal(visa_fail[h1b], ~((policy[h1b] == 2) & (step3[h1b] == 1)))


@pytest.mark.parametrize(
    ("offset", "cut"),
    [(0.0, [True, True, False]), (5.0, [False, True, False]), (10.0, [False, False, False])],
)
def test_us_graduates_meet_the_cut_off_lowered_by_the_offset(offset, cut):
    """A US MD senior is screened at a program's Step 2 CK cut-off less
    ``programs.step2ck_screen_us_offset``; an IMG at the cut-off itself, whatever the offset;
    a score exactly at the lowered cut-off passes."""
    us_md, img = TYPE_INDEX["us_md"], TYPE_INDEX["non_us_img"]
    applicants = SimpleNamespace(
        visa=np.zeros(6, dtype=np.int8),
        type=np.array([us_md] * 3 + [img] * 3, dtype=np.int8),
        step2ck=np.array([225, 220, 230, 225, 220, 230]),
        ysg=np.zeros(6),
        failed_attempts=np.zeros(6, dtype=np.int64),
        step3=np.zeros(6, dtype=bool),
    )
    programs = SimpleNamespace(
        visa_policy=np.zeros(6, dtype=np.int64),
        step2ck_cutoff=np.full(6, 230.0),
        step2ck_us_offset=offset,
        ysg_limit=np.full(6, 5.0),
        attempts_screen=np.zeros(6, dtype=bool),
    )
    who = where = np.arange(6)
    score_fail = screening_reasons(applicants, who, programs, where)[1]
    np.testing.assert_array_equal(score_fail, cut + [True, True, False])


def test_where_you_matched_counts_your_matches_by_kind_of_program(tmp_path):
    scenario = tmp_path / "senior.toml"
    scenario.write_text(
        SCENARIO.replace('type = "non_us_img"', 'type = "us_md"')
        .replace('visa = "j1"', 'visa = "none"')
        .replace('usce_kind = "hands_on"', 'usce_kind = "none"')
        .replace("usce_months = 3", "usce_months = 0"),
        encoding="utf-8",
    )
    args = ["run", scenario, "--workers", 1, "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")
    assert result.exit_code == 0, result.output
    focal, _ = focal_rows(tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    where = summary["focal"]["matched_where"]
    matched = focal[focal["matched"]]
    assert len(matched) > 0  # a US MD senior in Internal Medicine matches
    for column in ("matched_program_kind", "matched_visa_policy"):
        counts = {kind: d["count"] for kind, d in where[column].items() if d["count"]}
        assert counts == matched[column].value_counts().loc[lambda c: c > 0].to_dict()
        assert sum(counts.values()) == len(matched)
        assert focal.loc[~focal["matched"], column].isna().all()
    assert "you: the programs you matched at: " in result.output
