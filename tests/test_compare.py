"""simulator.study.compare: --values specs, variants, paired comparisons, sweep tables (small markets)."""

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.errors import ScenarioError
from simulator.market.published import load_published
from simulator.scenario.scenario import load_scenario
from simulator.stats import intervals as stats
from simulator.study import compare, trials

SCENARIOS = Path(__file__).parents[1] / "scenarios"
IMG = SCENARIOS / "img-internal-medicine.toml"
SMALL = ["market.scale=0.05", "market.focal_copies=8"]  # at this scale each copy has its own Match
TRIALS = 16
RANKS = (1, 2, 3, 0)  # 0: no cap

TWIN_STRATEGIES = """\
[[strategies]]
name = "twin A"
you.rank_list_length = 3
[[strategies]]
name = "twin B"
you.rank_list_length = 3
"""


# --------------------------------------------------------------------------- --values specs


@pytest.mark.parametrize(
    ("spec", "key", "expected"),
    [
        ("1:20", "you.rank_list_length", tuple(range(1, 21))),
        ("220:270:10", "you.step2ck", (220, 230, 240, 250, 260, 270)),
        ("220:265:10", "you.step2ck", (220, 230, 240, 250, 260)),
        ("230,240,250,260", "you.step2ck", (230, 240, 250, 260)),
        (" 5 ", "you.rank_list_length", (5,)),
        ("0:12:3", "you.usce_months", (0.0, 3.0, 6.0, 9.0, 12.0)),
        ("0:1:0.25", "you.usce_months", (0.0, 0.25, 0.5, 0.75, 1.0)),
        ("1,2.5", "you.years_since_graduation", (1.0, 2.5)),
        ("0:0.5:0.1", "selection.usce_hands_on_weight", (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)),
        ("none, j1,h1b", "you.visa", ("none", "j1", "h1b")),
        ("1:3", "applicants.step2ck_shift.non_us_img", (1.0, 2.0, 3.0)),
    ],
)
def test_parse_values(spec, key, expected):
    values = compare.parse_values(spec, key)
    assert values == expected
    assert [type(v) for v in values] == [type(v) for v in expected]


def test_decimal_ranges_have_no_float_drift():
    values = compare.parse_values("0:1:0.1", "you.usce_months")
    assert len(values) == 11
    assert values[3] == 0.3 and values[-1] == 1.0


@pytest.mark.parametrize(
    ("spec", "key", "message"),
    [
        (
            "",
            "you.rank_list_length",
            "--values: expected a range like 1:20 or 220:270:10, or a list like 230,240,250; found ''",
        ),
        (
            "20:1",
            "you.rank_list_length",
            "--values: the range '20:1' is empty (its start exceeds its stop)",
        ),
        (
            "a:b",
            "you.rank_list_length",
            "--values: expected numbers for you.rank_list_length, found 'a' in 'a:b'",
        ),
        (
            "230,,250",
            "you.step2ck",
            "--values: expected numbers for you.step2ck, found '' in '230,,250'",
        ),
        (
            "nan",
            "you.usce_months",
            "--values: expected numbers for you.usce_months, found 'nan' in 'nan'",
        ),
        ("1:20:0", "you.rank_list_length", "--values: the step of '1:20:0' must be positive"),
        (
            "1:2:3:4",
            "you.rank_list_length",
            "--values: expected START:STOP or START:STOP:STEP, found '1:2:3:4'",
        ),
        (
            "1.5",
            "you.rank_list_length",
            "--values: you.rank_list_length takes integers, found 1.5 in '1.5'",
        ),
        (
            "1:3:0.5",
            "you.rank_list_length",
            "--values: you.rank_list_length takes integers, found 1.5 in '1:3:0.5'",
        ),
        ("5,5", "you.rank_list_length", "--values: 5 appears more than once in '5,5'"),
        (
            "1:500",
            "you.rank_list_length",
            "--values: '1:500' gives 500 values; a sweep takes at most 100",
        ),
        (
            "1:3",
            "you.visa",
            "--values: you.visa takes names, not a range: give a comma list such as --values 'A,B', "
            "found '1:3'",
        ),
    ],
)
def test_parse_values_errors(spec, key, message):
    with pytest.raises(ScenarioError) as excinfo:
        compare.parse_values(spec, key)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "you.rank_lenght",
            "--param: no scenario key 'you.rank_lenght' (did you mean 'you.rank_list_length'?)",
        ),
        (
            "market.scale",
            "--param: market.scale: cannot be swept (a sweep varies one you.*, applicants.*, "
            "programs.* or selection.* key; use --set for the others)",
        ),
        (
            "applicants.step2ck_mean",
            "--param: applicants.step2ck_mean: is a table with one number per "
            "applicant type; sweep one entry, e.g. applicants.step2ck_mean.non_us_img",
        ),
    ],
)
def test_sweep_key_errors(key, message):
    with pytest.raises(ScenarioError) as excinfo:
        compare.parse_values("1:3", key)
    assert str(excinfo.value) == message


def test_sweep_key_kinds():
    assert compare.sweep_key_kind("you.rank_list_length") is int
    assert compare.sweep_key_kind("you.usce_months") is float
    assert compare.sweep_key_kind("you.specialty") is str
    assert compare.sweep_key_kind("programs.interview_rounds") is int
    assert compare.sweep_key_kind("selection.type_penalty.us_img") is float


# --------------------------------------------------------------------------- variants


def test_sweep_variants_share_the_market_for_you_keys():
    scenario = load_scenario(IMG)
    variants = compare.sweep_variants(scenario, "you.rank_list_length", (1, 5, 0))
    assert [v.name for v in variants] == ["1", "5", "0"]
    assert [v.you.rank_list_length for v in variants] == [1, 5, 0]
    assert len({v.params for v in variants}) == 1  # one market per trial


def test_sweep_variants_change_the_market_for_population_keys():
    scenario = load_scenario(IMG)
    variants = compare.sweep_variants(scenario, "applicants.rank_list_cap", (5, 10))
    assert [v.params.applicants.rank_list_cap for v in variants] == [5, 10]
    assert all(v.you == scenario.you for v in variants)


def test_sweep_value_out_of_range():
    scenario = load_scenario(IMG)
    with pytest.raises(ScenarioError) as excinfo:
        compare.sweep_variants(scenario, "you.step2ck", (250, 350))
    assert (
        str(excinfo.value) == "--values: you.step2ck: expected an integer from 1 to 300, found 350"
    )


def test_fewer_than_two_strategies():
    scenario = load_scenario(IMG)
    with pytest.raises(ScenarioError) as excinfo:
        compare.strategy_variants(scenario)
    assert str(excinfo.value) == (
        f"{IMG}: strategies: expected two or more [[strategies]] blocks to compare, found 0"
    )


# --------------------------------------------------------------------------- simulated comparisons


@pytest.fixture(scope="module")
def sweep_run(tmp_path_factory):
    """One small run: rank-list lengths 1..4 and no cap, plus two identical strategies."""
    path = tmp_path_factory.mktemp("scenarios") / "twins.toml"
    path.write_text(IMG.read_text(encoding="utf-8") + "\n" + TWIN_STRATEGIES)
    scenario = load_scenario(path, SMALL)
    twins = compare.strategy_variants(scenario)
    variants = compare.sweep_variants(scenario, "you.rank_list_length", RANKS) + twins
    plan = compare.focal_plan(
        trials.plan_for(scenario, load_published(), strategies=False), variants
    )
    focal = trials.run_chunk(plan, range(TRIALS)).applicants
    return scenario, variants, focal


def test_focal_rows_only(sweep_run):
    scenario, variants, focal = sweep_run
    assert focal["is_focal"].all()
    assert len(focal) == TRIALS * scenario.market.focal_copies * len(variants)
    assert set(compare.FOCAL_COLUMNS) <= set(focal.columns)


def test_identical_strategies_differ_by_exactly_zero(sweep_run):
    _, _, focal = sweep_run
    result = compare.compare_focal(focal, ["twin A", "twin B"])
    difference = result.differences[0].paired
    assert difference.diff == 0.0
    assert difference.b_only == difference.a_only == 0
    assert difference.ci_low <= 0.0 <= difference.ci_high
    assert result.estimates[0].p_match == result.estimates[1].p_match
    assert result.differences[0].verdict.startswith("twin B: no clear difference (")
    # the twins are rank 3 under other names: the same outcomes
    same = compare.compare_focal(focal, ["3", "twin A"])
    assert same.differences[0].paired.diff == 0.0


def test_pairing_is_narrower_than_unpaired(sweep_run):
    """Ranking 3 programs instead of 2: the paired interval beats every unpaired one."""
    _, _, focal = sweep_run
    half = focal[focal["trial"] < TRIALS // 2]
    difference = compare.compare_focal(half, ["2", "3"]).differences[0]
    assert difference.paired.diff > 0
    # the same outcomes, pairing ignored: with and without the clustering by trial
    a = half[half["strategy"] == "2"]["matched"].to_numpy()
    b = half[half["strategy"] == "3"]["matched"].to_numpy()
    unpaired = stats.unpaired_difference(a, b)
    assert math.isclose(unpaired.diff, difference.paired.diff)
    assert difference.paired.width < unpaired.width
    assert difference.paired.width < difference.unpaired_ci_high - difference.unpaired_ci_low
    # a truly unpaired study of the same size: each strategy on its own markets
    other = focal[focal["trial"] >= TRIALS // 2]
    p_a = compare.compare_focal(half, ["2"]).estimates[0].p_match
    p_b = compare.compare_focal(other, ["3"]).estimates[0].p_match
    low, high = compare.unpaired_interval(p_a, p_b)
    assert difference.paired.width < 0.75 * (high - low)


def test_pairing_gain_is_reported(sweep_run):
    _, _, focal = sweep_run
    result = compare.compare_focal(focal, ["2", "3", "0"])
    assert compare.pairing_gain(result) > 1
    assert "x narrower than two independent runs" in compare.format_comparison(result, title="T")


def test_pairing_aligns_trial_and_copy(sweep_run):
    _, _, focal = sweep_run
    shuffled = focal.sample(frac=1.0, random_state=np.random.default_rng(1))
    assert compare.compare_focal(shuffled, ["1", "0"]) == compare.compare_focal(focal, ["1", "0"])


def test_longer_lists_match_more_on_average(sweep_run):
    _, _, focal = sweep_run
    sweep = compare.sweep_focal(focal, "you.rank_list_length", RANKS)
    p = [e.p_match.p for e in sweep.comparison.estimates]
    assert all(later >= earlier - 0.01 for earlier, later in zip(p, p[1:])), p
    assert p[-1] > p[0] + 0.1, p
    # ranking everything never ranks more than the interviews held
    table = compare.sweep_table(sweep)
    assert (table["mean_rol_length"] <= table["mean_interviews"] + 1e-12).all()
    assert table["diff_vs_first"].iloc[0] == 0.0


def test_comparison_record_shape(sweep_run):
    scenario, _, focal = sweep_run
    result = compare.compare_focal(focal, ["1", "3", "0"])
    record = compare.comparison_record(result, {"3": {"you.rank_list_length": 3}})
    json.dumps(record)  # plain values only
    assert [r["name"] for r in record] == ["1", "3", "0"]
    for entry in record:
        assert {"name", "p_match", "ci_low", "ci_high", "n"} <= set(entry)
        assert entry["ci_low"] <= entry["p_match"] <= entry["ci_high"]
        assert entry["n"] == TRIALS * scenario.market.focal_copies
    assert "diff" not in record[0]
    for entry in record[1:]:
        assert {"diff", "diff_ci_low", "diff_ci_high", "verdict"} <= set(entry)
        assert entry["diff_ci_low"] <= entry["diff"] <= entry["diff_ci_high"]
        assert math.isclose(entry["diff"], entry["p_match"] - record[0]["p_match"], abs_tol=1e-12)
    assert record[1]["changes"] == {"you.rank_list_length": 3}


def test_sweep_csv_shape(sweep_run, tmp_path):
    _, _, focal = sweep_run
    sweep = compare.sweep_focal(focal, "you.rank_list_length", RANKS)
    compare.write_sweep_csv(sweep, tmp_path / "sweep.csv")
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert list(table.columns[:5]) == ["value", "p_match", "ci_low", "ci_high", "n"]
    assert "p_match_preferred" in table.columns
    assert table["value"].tolist() == list(RANKS)
    assert (table["ci_low"] <= table["p_match"]).all() and (
        table["p_match"] <= table["ci_high"]
    ).all()
    compare.plot_sweep(sweep, tmp_path / "sweep.png", title="test")
    assert (tmp_path / "sweep.png").stat().st_size > 1000


# --------------------------------------------------------------------------- words


def _difference(low, high, diff=None):
    diff = (low + high) / 2 if diff is None else diff
    return stats.PairedDifference(
        diff=diff,
        ci_low=low,
        ci_high=high,
        n=100,
        n_clusters=10,
        confidence=0.95,
        method="m",
        p_a=0.5,
        p_b=0.5 + diff,
        b_only=0,
        a_only=0,
        n_effective=100.0,
    )


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (0.091, 0.128, "rank 12 raises your chance by 9.1 to 12.8 points"),
        (-0.052, -0.03, "rank 12 lowers your chance by 3.0 to 5.2 points"),
        (-0.004, 0.012, "rank 12: no clear difference (\u22120.4 to +1.2 points)"),
        (0.0, 0.012, "rank 12: no clear difference (+0.0 to +1.2 points)"),
    ],
)
def test_verdict(low, high, words):
    assert compare.verdict("rank 12", _difference(low, high)) == words


def test_format_comparison_mentions_every_strategy(sweep_run):
    _, _, focal = sweep_run
    result = compare.compare_focal(focal, ["1", "0"])
    text = compare.format_comparison(result, title="T")
    assert text.startswith("T\n")
    assert "0 raises your chance by" in text
    assert "against the baseline (1)" in text


def test_comparison_is_frozen(sweep_run):
    _, _, focal = sweep_run
    result = compare.compare_focal(focal, ["1", "0"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.trials = 3


def test_variant_names_must_pair(sweep_run):
    _, _, focal = sweep_run
    partial = focal[~((focal["strategy"] == "0") & (focal["trial"] == 0))]
    with pytest.raises(ValueError, match="cannot be paired"):
        compare.compare_focal(partial, ["1", "0"])
