"""``matchsim compare`` and ``matchsim sweep`` in-process at small scale: outputs, files, errors."""

import json
import shlex
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simulator import __version__
from simulator.cli import main
from simulator.scenario import load_scenario
from simulator.study.sweep_values import parse_values
from simulator.study.variants import strategy_variants, sweep_variants

SCENARIOS = Path(__file__).parents[1] / "scenarios"
README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
IMG = str(SCENARIOS / "img-internal-medicine.toml")
RANKS = str(SCENARIOS / "compare-rank-list-length.toml")
SMALL = [
    "--set",
    "market.scale=0.03",
    "--set",
    "market.focal_copies=8",
    "--trials",
    "2",
    "--workers",
    "1",
]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")


def error_lines(result):
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def test_compare_writes_its_files(tmp_path):
    out = tmp_path / "out"
    result = run("compare", RANKS, *SMALL, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"matchsim {__version__} compare of compare-rank-list-length:\n"
        "  2 trials x 8 copies of you, scale 0.03, seed 2025\n"
    )
    for name in ("rank 5", "rank 8", "rank 12", "no cap"):
        assert f"\n{name} " in result.output
    assert "against the baseline (rank 5)" in result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 88
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.json",
        "comparison.png",
        "focal.parquet",
        "report.html",
        "run.json",
    ]
    comparison = json.loads((out / "comparison.json").read_text())
    assert comparison["seed"] == 2025 and comparison["trials"] == 2
    assert comparison["baseline"] == "rank 5"
    strategies = comparison["strategies"]
    assert [s["name"] for s in strategies] == ["rank 5", "rank 8", "rank 12", "no cap"]
    for s in strategies:
        assert {"name", "p_match", "ci_low", "ci_high", "n"} <= set(s)
        assert s["n"] == 2 * 8
    assert "diff" not in strategies[0]
    for s in strategies[1:]:
        assert {"diff", "diff_ci_low", "diff_ci_high"} <= set(s)
    focal = pd.read_parquet(out / "focal.parquet")
    assert len(focal) == 4 * 2 * 8
    assert {
        "trial",
        "strategy",
        "copy",
        "matched",
        "matched_preferred",
        "matched_rank",
        "n_interviews",
        "rol_length",
    } <= set(focal.columns)


def with_strategies(tmp_path, *strategies) -> Path:
    """The IMG scenario with ``[[strategies]]`` blocks ``(name, key, value)`` appended."""
    blocks = "".join(f'[[strategies]]\nname = "{n}"\n{k} = {v}\n' for n, k, v in strategies)
    path = tmp_path / "strategies.toml"
    path.write_text(Path(IMG).read_text(encoding="utf-8") + "\n" + blocks, encoding="utf-8")
    return path


def test_compare_identical_strategies(tmp_path):
    scenario = with_strategies(tmp_path, ("A", "you.step2ck", 250), ("B", "you.step2ck", 250))
    result = run("compare", scenario, *SMALL, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "B: no clear difference (" in result.output
    strategies = json.loads((tmp_path / "out" / "comparison.json").read_text())["strategies"]
    assert strategies[1]["diff"] == 0.0


def test_sweep_writes_its_files(tmp_path):
    out = tmp_path / "out"
    result = run(
        "sweep", IMG, "--param", "you.rank_list_length", "--values", "1:3", *SMALL, "--out", out
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"matchsim {__version__} sweep of you.rank_list_length in img-internal-medicine:\n"
        "  3 values, 2 trials x 8 copies of you, scale 0.03, seed 2025\n"
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "focal.parquet",
        "report.html",
        "run.json",
        "sweep.csv",
        "sweep.json",
        "sweep.png",
    ]
    assert max(len(line) for line in result.stdout.splitlines()) <= 88
    assert "P(preferred)" not in result.stdout
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns[:5]) == ["value", "p_match", "ci_low", "ci_high", "n"]
    assert "p_match_preferred" in table.columns
    assert table["value"].tolist() == [1, 2, 3]
    assert (table["n"] == 2 * 8).all()
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["param"] == "you.rank_list_length" and meta["values"] == [1, 2, 3]
    assert meta["shares_markets"] is True


def test_sweep_of_names(tmp_path):
    result = run(
        "sweep",
        IMG,
        "--param",
        "you.visa",
        "--values",
        "none,h1b",
        *SMALL,
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "out" / "sweep.csv")["value"].tolist() == ["none", "h1b"]


def test_dollar_signs_and_long_descriptions_reach_the_plots(tmp_path):
    """Issue 12: matplotlib read the text between two $ as mathtext, so a strategy named $x^$
    or a description such as "50% of $100" ended in a traceback; a 1 MB description went
    whole into the sweep's title."""
    scenario = with_strategies(
        tmp_path, ("$x^$", "you.rank_list_length", 3), ("50% of $100", "you.rank_list_length", 5)
    )
    result = run("compare", scenario, *SMALL, "--out", tmp_path / "compare")
    assert result.exit_code == 0, result.output
    assert "\n$x^$ " in result.output and "\n50% of $100 " in result.output
    assert (tmp_path / "compare" / "comparison.png").stat().st_size > 1000
    for description in ("50% of $100", "a long description, " * 50_000):
        out = tmp_path / f"sweep-{len(description)}"
        result = run(
            "sweep",
            IMG,
            *("--param", "you.rank_list_length", "--values", "1,3"),
            *SMALL,
            *("--set", f"description={description}", "--out", out),
        )
        assert result.exit_code == 0, result.output
        assert (out / "sweep.png").stat().st_size > 1000


@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_help(command):
    result = run(command, "-h")
    assert result.exit_code == 0
    assert "Example" in result.output


UNKNOWN_KEY = """\
[[strategies]]
name = "rank 5"
you.rank_list_lenght = 5

[[strategies]]
name = "rank 12"
you.rank_list_length = 12
"""

ONE_STRATEGY = """\
[[strategies]]
name = "rank 5"
you.rank_list_length = 5
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            UNKNOWN_KEY,
            "Error: {path}: strategies[1].you.rank_list_lenght: unknown key "
            "(did you mean 'strategies[1].you.rank_list_length'?)",
        ),
        (
            ONE_STRATEGY,
            "Error: {path}: strategies: expected two or more [[strategies]] blocks to "
            "compare, found 1",
        ),
        (
            None,
            "Error: {path}: strategies: expected two or more [[strategies]] blocks to compare, "
            "found 0",
        ),
    ],
)
def test_compare_bad_scenarios(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    if text is None:
        path = IMG  # a scenario without strategies
    else:
        path.write_text(Path(IMG).read_text(encoding="utf-8") + "\n" + text)
    out = tmp_path / "out"
    result = run("compare", path, *SMALL, "--out", out)
    assert result.exit_code == 2
    assert error_lines(result) == [message.format(path=path)]
    assert len(result.output.splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("param", "values", "message"),
    [
        (
            "you.rank_lenght",
            "1:20",
            "Error: --param: no scenario key 'you.rank_lenght' "
            "(did you mean 'you.rank_list_length'?)",
        ),
        (
            "market.scale",
            "0.1:0.5:0.1",
            "Error: --param: market.scale: cannot be swept (a sweep varies one you.*, "
            "applicants.*, programs.*, selection.*, soap.*, geography.*, signals.*, couples.*, "
            "advanced.* key; use --set for the others)",
        ),
        (
            "you.rank_list_length",
            "20:1",
            "Error: --values: the range '20:1' is empty (its start exceeds its stop)",
        ),
        (
            "you.rank_list_length",
            "",
            "Error: --values: expected a range like 1:20 or 220:270:10, or a list like "
            "230,240,250; found ''",
        ),
        (
            "you.step2ck",
            "high:low",
            "Error: --values: expected numbers for you.step2ck, found 'high' in 'high:low'",
        ),
        (
            "you.step2ck",
            "230,2x0",
            "Error: --values: expected numbers for you.step2ck, found '2x0' in '230,2x0'",
        ),
        (
            "you.rank_list_length",
            "1:5:0.5",
            "Error: --values: you.rank_list_length takes integers, found 1.5 in '1:5:0.5'",
        ),
        (
            "you.step2ck",
            "250:350:50",
            "Error: --values: you.step2ck: expected an integer from 1 to 300, found 350",
        ),
    ],
)
def test_sweep_bad_input(tmp_path, param, values, message):
    out = tmp_path / "out"
    result = run("sweep", IMG, "--param", param, "--values", values, *SMALL, "--out", out)
    assert result.exit_code == 2
    assert error_lines(result) == [message]
    assert len(result.output.splitlines()) == 1
    assert not out.exists()


def shipped_commands(pattern):
    """The command written at the top of each shipped compare or sweep scenario."""
    found = {}
    for path in sorted(SCENARIOS.glob(pattern)):
        lines = [
            line.lstrip("# ").strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#   matchsim ")
        ]
        assert len(lines) == 1, f"{path.name} should name the command that runs it"
        found[path.name] = lines[0]
    return found


@pytest.mark.parametrize("name", sorted(shipped_commands("sweep-*.toml")))
def test_shipped_sweep_commands_are_valid(name):
    """Each sweep scenario's command (in its top comment and in the README) parses and loads."""
    words = shlex.split(shipped_commands("sweep-*.toml")[name])
    assert words[:3] == ["matchsim", "sweep", f"scenarios/{name}"]
    options = dict(zip(words[3::2], words[4::2]))
    assert set(options) == {"--param", "--values"}
    scenario = load_scenario(SCENARIOS / name)
    values = parse_values(options["--values"], options["--param"])
    assert len(sweep_variants(scenario, options["--param"], values)) == len(values) >= 5
    assert " ".join(words) in README


@pytest.mark.parametrize("name", sorted(shipped_commands("compare-*.toml")))
def test_shipped_compare_scenarios_have_strategies(name):
    assert shipped_commands("compare-*.toml")[name] == f"matchsim compare scenarios/{name}"
    assert len(strategy_variants(load_scenario(SCENARIOS / name))) >= 3
    assert f"scenarios/{name}" in README


def test_all_types_prints_every_column(tmp_path):
    args = ["--param", "you.rank_list_length", "--values", "1,2", *SMALL, "--all-types"]
    result = run("sweep", IMG, *args, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "P(match)" in line)
    assert header.split()[:4] == ["you.rank_list_length", "P(match)", "95%", "CI"]
    assert "P(preferred)" in header and " n " in header
