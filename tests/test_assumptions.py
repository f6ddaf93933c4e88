"""Effects that rest on assumed parameters say so, naming the parameters."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main
from simulator.scenario import load_scenario
from simulator.study.assumptions import ASSUMED_VIA, assumed_parameters, strategy_assumptions

ROOT = Path(__file__).resolve().parents[1]
IM = "Internal Medicine (Categorical)"
SMALL = ("--trials", "2", "--workers", "1", "--set", "market.scale=0.05",
         "--set", "market.focal_copies=8")  # fmt: skip


def test_usce_score_and_graduation_rest_on_assumed_weights():
    assert assumed_parameters(["you.usce_months"], (IM,)) == ASSUMED_VIA["you.usce_months"]
    assert "selection.step2ck_weight" in assumed_parameters(["you.step2ck"], (IM,))
    assert "selection.ysg_weight" in assumed_parameters(["you.years_since_graduation"], (IM,))


def test_a_visa_rests_on_assumptions_outside_internal_medicine_only():
    assert assumed_parameters(["you.visa"], (IM, "")) == ()
    assert assumed_parameters(["you.visa"], ("Family Medicine", "")) == (
        "programs.visa_none_share",
        "programs.visa_j1_h1b_share",
    )


def test_changing_a_model_parameter_names_it_and_nothing_rests_on_a_list_length():
    assert assumed_parameters(["selection.ysg_weight"], (IM,)) == ("selection.ysg_weight",)
    assert assumed_parameters(["you.rank_list_length"], (IM,)) == ()


def test_each_strategy_names_what_its_difference_from_the_baseline_rests_on():
    scenario = load_scenario(ROOT / "scenarios" / "compare-usce.toml")
    found = strategy_assumptions(scenario)
    assert list(found) == [s.name for s in scenario.strategies[1:]]
    assert all("selection.usce_hands_on_weight" in params for params in found.values())
    ranks = strategy_assumptions(
        load_scenario(ROOT / "scenarios" / "compare-rank-list-length.toml")
    )
    assert set(ranks.values()) == {()}


def test_compare_and_sweep_say_it_under_the_verdict_and_in_their_json(tmp_path):
    out = tmp_path / "usce"
    result = CliRunner().invoke(
        main, ["compare", str(ROOT / "scenarios" / "compare-usce.toml"), *SMALL, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("rests on assumed parameters, not published figures") == 3
    strategies = json.loads((out / "comparison.json").read_text())["strategies"]
    assert "assumed_parameters" not in strategies[0]
    assert strategies[1]["assumed_parameters"] == list(ASSUMED_VIA["you.usce_months"])
    out = tmp_path / "score"
    result = CliRunner().invoke(
        main,
        ["sweep", str(ROOT / "scenarios" / "sweep-step2ck.toml"), "--param", "you.step2ck",
         "--values", "230,250", *SMALL, "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "The effect of you.step2ck rests on assumed parameters" in result.output
    assert (
        "selection.step2ck_weight"
        in json.loads((out / "sweep.json").read_text())["assumed_parameters"]
    )


def test_a_us_seniors_score_rests_on_the_offset_of_their_cut_offs_too():
    """Programs screen a US senior at their cut-off less an assumed offset; an IMG at the
    cut-off itself: only the senior's score effect names the offset."""
    senior = assumed_parameters(["you.step2ck"], (IM,), applicant_type="us_md")
    img = assumed_parameters(["you.step2ck"], (IM,), applicant_type="non_us_img")
    assert senior == (*ASSUMED_VIA["you.step2ck"], "programs.step2ck_screen_us_offset")
    assert img == ASSUMED_VIA["you.step2ck"]
