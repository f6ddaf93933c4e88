"""Compare and sweep: --values specs, variants, paired estimates, their text, records and plots."""

import dataclasses
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.errors import ScenarioError
from simulator.market.published import load_published
from simulator.report import plots, records, text
from simulator.scenario import load_scenario
from simulator.stats import PairedDifference, proportion, unpaired_difference
from simulator.study import estimates, sweep_values, tallies, trials, variants

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
    values = sweep_values.parse_values(spec, key)
    assert values == expected
    assert [type(v) for v in values] == [type(v) for v in expected]


def test_decimal_ranges_have_no_float_drift():
    values = sweep_values.parse_values("0:1:0.1", "you.usce_months")
    assert len(values) == 11
    assert values[3] == 0.3 and values[-1] == 1.0


@pytest.mark.parametrize(
    ("spec", "key", "message"),
    [
        (
            "",
            "you.rank_list_length",
            "--values: expected a range like 1:20 or 220:270:10, or a list like 230,240,250; "
            "found ''",
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
            "--values: you.visa takes names, not a range: give a comma list such as "
            "--values 'A,B', found '1:3'",
        ),
    ],
)
def test_parse_values_errors(spec, key, message):
    with pytest.raises(ScenarioError) as excinfo:
        sweep_values.parse_values(spec, key)
    assert str(excinfo.value) == message


BOUNDS = "of at most 1,000,000,000,000 in size with at most 12 decimal places"


@pytest.mark.parametrize(
    ("spec", "key", "message"),
    [
        (
            "0:1e30",
            "you.usce_months",
            f"expected numbers for you.usce_months {BOUNDS}, found '1e30' in '0:1e30'",
        ),
        (
            "0:1e12",
            "you.rank_list_length",
            "'0:1e12' gives 1,000,000,000,001 values; a sweep takes at most 100",
        ),
        (
            "0:1:1e-12",
            "you.usce_months",
            "'0:1:1e-12' gives 1,000,000,000,001 values; a sweep takes at most 100",
        ),
        (
            "0:1e30:1e-30",
            "you.usce_months",
            f"expected numbers for you.usce_months {BOUNDS}, found '1e30' in '0:1e30:1e-30'",
        ),
        (
            "1e999999999:1e999999999",
            "you.rank_list_length",
            f"expected numbers for you.rank_list_length {BOUNDS}, "
            "found '1e999999999' in '1e999999999:1e999999999'",
        ),
        (
            "1e5000",
            "you.rank_list_length",
            f"expected numbers for you.rank_list_length {BOUNDS}, found '1e5000' in '1e5000'",
        ),
        (
            "1e-999999999",
            "you.usce_months",
            f"expected numbers for you.usce_months {BOUNDS}, "
            "found '1e-999999999' in '1e-999999999'",
        ),
        (
            "9" * 5000,
            "you.step2ck",
            f"expected numbers for you.step2ck {BOUNDS}, found '{'9' * 60}...' in '{'9' * 60}...'",
        ),
        ("inf", "you.usce_months", "expected numbers for you.usce_months, found 'inf' in 'inf'"),
        (
            "-inf:5",
            "you.usce_months",
            "expected numbers for you.usce_months, found '-inf' in '-inf:5'",
        ),
        ("1:2:0", "you.rank_list_length", "the step of '1:2:0' must be positive"),
        ("5:1", "you.rank_list_length", "the range '5:1' is empty (its start exceeds its stop)"),
        (
            "1,,2",
            "you.rank_list_length",
            "expected numbers for you.rank_list_length, found '' in '1,,2'",
        ),
        (
            ",".join(["1"] * 300_000),
            "you.rank_list_length",
            f"'{'1,' * 30}...' gives 300,000 values; a sweep takes at most 100",
        ),
        (
            ",".join(["none"] * 300_000),
            "you.visa",
            f"'{'none,' * 12}...' gives 300,000 values; a sweep takes at most 100",
        ),
        (
            "1\n2",
            "you.rank_list_length",
            "expected numbers for you.rank_list_length, found '1\\n2' in '1\\n2'",
        ),
        (
            "0.0000000000001",
            "you.usce_months",
            f"expected numbers for you.usce_months {BOUNDS}, "
            "found '0.0000000000001' in '0.0000000000001'",
        ),
    ],
)
def test_parse_values_refuses_what_could_hang_or_crash(spec, key, message):
    with pytest.raises(ScenarioError) as excinfo:
        sweep_values.parse_values(spec, key)
    assert str(excinfo.value) == f"--values: {message}"
    assert len(str(excinfo.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("0:1:0.000000000001", None),  # 10^12 + 1 values: refused by count, not expanded
        ("1.000000000000000000000000000000", (1.0,)),  # trailing zeros are not decimal places
        ("0.000000000001", (1e-12,)),
        ("1e12", (1e12,)),
        ("-1e12:-999999999999", (-1e12, -999999999999.0)),
    ],
)
def test_parse_values_bounds(spec, expected):
    if expected is None:
        with pytest.raises(ScenarioError):
            sweep_values.parse_values(spec, "you.usce_months")
    else:
        assert sweep_values.parse_values(spec, "you.usce_months") == expected


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
            "programs.*, selection.*, soap.*, geography.*, signals.*, couples.*, advanced.* key; "
            "use --set for the others)",
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
        sweep_values.parse_values("1:3", key)
    assert str(excinfo.value) == message


def test_sweep_key_kinds():
    assert variants.sweep_key_kind("you.rank_list_length") is int
    assert variants.sweep_key_kind("you.usce_months") is float
    assert variants.sweep_key_kind("you.specialty") is str
    assert variants.sweep_key_kind("programs.interview_rounds") is int
    assert variants.sweep_key_kind("selection.type_penalty.us_img") is float


# --------------------------------------------------------------------------- variants


def test_sweep_variants_share_the_market_for_you_keys():
    scenario = load_scenario(IMG)
    swept = variants.sweep_variants(scenario, "you.rank_list_length", (1, 5, 0))
    assert [v.name for v in swept] == ["1", "5", "0"]
    assert [v.you.rank_list_length for v in swept] == [1, 5, 0]
    assert len({v.params for v in swept}) == 1  # one market per trial


def test_sweep_variants_change_the_market_for_population_keys():
    scenario = load_scenario(IMG)
    swept = variants.sweep_variants(scenario, "applicants.rank_list_cap", (5, 10))
    assert [v.params.applicants.rank_list_cap for v in swept] == [5, 10]
    assert all(v.you == scenario.you for v in swept)


def test_sweep_value_out_of_range():
    scenario = load_scenario(IMG)
    with pytest.raises(ScenarioError) as excinfo:
        variants.sweep_variants(scenario, "you.step2ck", (250, 350))
    assert (
        str(excinfo.value) == "--values: you.step2ck: expected an integer from 1 to 300, found 350"
    )


def test_fewer_than_two_strategies():
    scenario = load_scenario(IMG)
    with pytest.raises(ScenarioError) as excinfo:
        variants.strategy_variants(scenario)
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
    twins = variants.strategy_variants(scenario)
    every = variants.sweep_variants(scenario, "you.rank_list_length", RANKS) + twins
    plan = variants.focal_plan(trials.plan_for(scenario, load_published(), strategies=False), every)
    focal = trials.run_chunk(plan, range(TRIALS)).tables["focal"]
    return scenario, every, focal


def plan_tables(scenario):
    return variants.focal_plan(
        trials.plan_for(scenario, load_published(), strategies=False), ()
    ).tables


def test_focal_rows_only(sweep_run):
    scenario, every, focal = sweep_run
    assert plan_tables(scenario) == ("focal", "population_counts")
    assert "is_focal" not in focal.columns
    assert len(focal) == TRIALS * scenario.market.focal_copies * len(every)
    assert set(tallies.FOCAL_COLUMNS) <= set(focal.columns)


def test_identical_strategies_differ_by_exactly_zero(sweep_run):
    _, _, focal = sweep_run
    result = estimates.compare_focal(focal, ["twin A", "twin B"])
    difference = result.differences[0].paired
    assert difference.diff == 0.0
    assert difference.b_only == difference.a_only == 0
    assert difference.ci_low <= 0.0 <= difference.ci_high
    assert result.estimates[0].p_match == result.estimates[1].p_match
    twin_b = result.differences[0]
    assert text.verdict(twin_b.name, twin_b.paired).startswith("twin B: no clear difference (")
    # the twins are rank 3 under other names: the same outcomes
    same = estimates.compare_focal(focal, ["3", "twin A"])
    assert same.differences[0].paired.diff == 0.0


def test_pairing_is_narrower_than_unpaired(sweep_run):
    """Ranking 3 programs instead of 2: the paired interval beats every unpaired one."""
    _, _, focal = sweep_run
    half = focal[focal["trial"] < TRIALS // 2]
    difference = estimates.compare_focal(half, ["2", "3"]).differences[0]
    assert difference.paired.diff > 0
    # the same outcomes, pairing ignored, with the clustering by trial (the paired interval
    # is clustered too; an interval that ignores the clustering is not a fair yardstick:
    # with 8 copies in each of 8 markets it can be the narrower of the two)
    a = half[half["strategy"] == "2"]["matched"].to_numpy()
    b = half[half["strategy"] == "3"]["matched"].to_numpy()
    assert math.isclose(unpaired_difference(a, b).diff, difference.paired.diff)
    assert difference.paired.width < difference.unpaired_ci_high - difference.unpaired_ci_low
    # a truly unpaired study of the same size: each strategy on its own markets
    other = focal[focal["trial"] >= TRIALS // 2]
    p_a = estimates.compare_focal(half, ["2"]).estimates[0].p_match
    p_b = estimates.compare_focal(other, ["3"]).estimates[0].p_match
    low, high = estimates.unpaired_interval(p_a, p_b)
    assert difference.paired.width < high - low


def test_pairing_gain_is_reported(sweep_run):
    _, _, focal = sweep_run
    result = estimates.compare_focal(focal, ["2", "3", "0"])
    assert estimates.pairing_gain(result) > 1
    printed = " ".join(text.format_comparison(result, title="T").split())  # wrapped at 88
    assert "x narrower than two independent runs" in printed


def test_pairing_aligns_trial_and_copy(sweep_run):
    _, _, focal = sweep_run
    shuffled = focal.sample(frac=1.0, random_state=np.random.default_rng(1))
    shuffled_result = estimates.compare_focal(shuffled, ["1", "0"])
    assert shuffled_result == estimates.compare_focal(focal, ["1", "0"])


def test_longer_lists_match_more_on_average(sweep_run):
    _, _, focal = sweep_run
    sweep = estimates.sweep_focal(focal, "you.rank_list_length", RANKS)
    p = [e.p_match.p for e in sweep.comparison.estimates]
    assert all(later >= earlier - 0.01 for earlier, later in zip(p, p[1:])), p
    assert p[-1] > p[0] + 0.1, p
    # ranking everything never ranks more than the interviews held
    table = records.sweep_table(sweep)
    assert (table["mean_rol_length"] <= table["mean_interviews"] + 1e-12).all()
    assert table["diff_vs_first"].iloc[0] == 0.0


def test_comparison_record_shape(sweep_run):
    scenario, _, focal = sweep_run
    result = estimates.compare_focal(focal, ["1", "3", "0"])
    record = records.comparison_record(result, {"3": {"you.rank_list_length": 3}})
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
    sweep = estimates.sweep_focal(focal, "you.rank_list_length", RANKS)
    records.write_sweep_csv(sweep, tmp_path / "sweep.csv")
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert list(table.columns[:5]) == ["value", "p_match", "ci_low", "ci_high", "n"]
    assert "p_match_preferred" in table.columns
    assert table["value"].tolist() == list(RANKS)
    assert (table["ci_low"] <= table["p_match"]).all() and (
        table["p_match"] <= table["ci_high"]
    ).all()
    plots.plot_sweep(sweep, tmp_path / "sweep.png", title="test")
    assert (tmp_path / "sweep.png").stat().st_size > 1000


# --------------------------------------------------------------------------- words


def _difference(low, high, diff=None):
    diff = (low + high) / 2 if diff is None else diff
    return PairedDifference(
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
    assert text.verdict("rank 12", _difference(low, high)) == words


def test_format_comparison_mentions_every_strategy(sweep_run):
    _, _, focal = sweep_run
    result = estimates.compare_focal(focal, ["1", "0"])
    printed = text.format_comparison(result, title="T")
    assert printed.startswith("T\n")
    assert "0 raises your chance by" in printed
    assert "against the baseline (1)" in printed


def test_comparison_is_frozen(sweep_run):
    _, _, focal = sweep_run
    result = estimates.compare_focal(focal, ["1", "0"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.trials = 3


def test_variant_names_must_pair(sweep_run):
    _, _, focal = sweep_run
    partial = focal[~((focal["strategy"] == "0") & (focal["trial"] == 0))]
    with pytest.raises(ValueError, match="cannot be paired"):
        estimates.compare_focal(partial, ["1", "0"])


# --------------------------------------------------------------------------- plots


def _comparison(*names) -> estimates.Comparison:
    """A comparison of strategies with made-up chances, to draw without simulating."""
    chances = [proportion(3 + i, 10) for i in range(len(names))]
    return estimates.Comparison(
        estimates=tuple(
            estimates.Estimate(
                name=name,
                p_match=p,
                p_match_preferred=p,
                p_match_top3=p,
                p_soap=p,
                p_placed=p,
                mean_applications=30.0,
                mean_interviews=8.0,
                mean_rol_length=8.0,
            )
            for name, p in zip(names, chances)
        ),
        differences=(),
        trials=1,
        copies=10,
    )


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("50% of $100", r"50% of \$100"),
        ("$x^$", r"\$x^\$"),
        ("first line\nsecond line", "first line"),
        ("\n  \r\n  the first words \nmore", "the first words"),
        ("", ""),
        (250, "250"),
    ],
)
def test_plot_text(shown, expected):
    assert plots.plot_text(shown) == expected


def test_plot_text_shortens_long_lines():
    shown = plots.plot_text("word " * 200_000 + "\nsecond line")  # a 1 MB description
    assert len(shown) <= plots.TITLE_LIMIT and shown.endswith("\u2026")
    assert shown.startswith("word word")
    assert plots.plot_text("$" * 500, 10) == "\\$" * 9 + "\u2026"  # cut first, then escaped


def test_plots_draw_dollar_signs_and_long_texts(tmp_path):
    """Issue 12: a strategy named $x^$ or a description with $ raised from matplotlib's
    mathtext parser, and a 1 MB description made the picture useless and slow."""
    description = "50% of $100: " + "long words " * 100_000
    comparison = _comparison("$x^$", "50% of $100", "a" * 1_000)
    started = time.perf_counter()
    plots.plot_comparison(comparison, tmp_path / "comparison.png", title=description)
    names = tuple(e.name for e in comparison.estimates)
    sweep = estimates.Sweep(key="you.specialty", values=names, comparison=comparison)
    plots.plot_sweep(sweep, tmp_path / "sweep.png", title=description, subtitle="$1 trial$")
    assert time.perf_counter() - started < 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comparison.png", "sweep.png"]
    for name in ("comparison.png", "sweep.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failed_plot_leaves_the_old_picture(tmp_path, monkeypatch):
    path = tmp_path / "comparison.png"
    path.write_bytes(b"old")
    monkeypatch.setattr(plots, "_errors", lambda proportions: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        plots.plot_comparison(_comparison("a", "b"), path, title="T")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["comparison.png"]


def test_importing_matchsim_imports_no_matplotlib_and_plots_need_no_pyplot(tmp_path):
    """matplotlib is imported only when a picture is drawn, and never through pyplot."""
    script = f"""
import sys
import simulator.cli, simulator.report.records, simulator.report.text
from simulator.report import plots
from simulator.stats import proportion
from simulator.study.estimates import Comparison, Estimate
assert "matplotlib" not in sys.modules, "importing matchsim imported matplotlib"
p = proportion(3, 10)
one = Estimate(name="a", p_match=p, p_match_preferred=p, p_match_top3=p, p_soap=p, p_placed=p,
               mean_applications=1.0, mean_interviews=1.0, mean_rol_length=1.0)
comparison = Comparison(estimates=(one,), differences=(), trials=1, copies=10)
plots.plot_comparison(comparison, {str(tmp_path / "c.png")!r}, title="T")
assert "matplotlib" in sys.modules and "matplotlib.pyplot" not in sys.modules
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c.png").stat().st_size > 1000
