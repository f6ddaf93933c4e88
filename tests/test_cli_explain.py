"""``matchsim explain``: outputs, JSON keys and shapes, and one exact error line per bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

SCENARIOS = Path(__file__).parents[1] / "scenarios"
NRMP = str(SCENARIOS / "nrmp-example.toml")
GALE_SHAPLEY = str(SCENARIOS / "lesson-gale-shapley.toml")
TRUE_PREFERENCES = str(SCENARIOS / "lesson-true-preferences.toml")
TRUNCATION = str(SCENARIOS / "lesson-program-truncation.toml")

EVENT_KEYS = {"kind", "applicant", "program", "applicant_choice", "program_choice", "displaced"}


def run(*args):
    return CliRunner().invoke(main, list(args), prog_name="matchsim")


def ok(*args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def test_trace_text_ends_with_the_match_table():
    output = ok("explain", NRMP)
    table = ok("match", NRMP).split("\n\n", 1)[1]  # without the description line
    assert output.startswith(
        "The NRMP's worked example: 8 applicants, 4 programs with 2 positions each\n\n"
        "How the Match works when applicants propose (the NRMP's algorithm):\n"
        "  1. Each applicant tries the first program on their list.\n"
    )
    assert output.endswith("\nResult\n\n" + table)
    assert [line for line in output.splitlines() if line.startswith("Round ")] == [
        "Round 1",
        "Round 2",
        "Round 3",
        "Round 4",
    ]


def test_program_proposing_trace_text():
    output = ok("explain", NRMP, "--proposing", "programs")
    assert "How the Match works when programs propose:" in output
    assert (
        "  Mercy offers positions to Chen (its 1st choice) and Garcia (its 2nd choice).\n" in output
    )
    assert "  Eastman turns down State (their 3rd choice), held since round 1:" in output


@pytest.mark.parametrize("proposing", ["applicants", "programs"])
def test_trace_json(proposing):
    data = json.loads(ok("explain", NRMP, "--json", "--proposing", proposing))
    assert set(data) == {"proposing", "rounds", "result"}
    assert data["proposing"] == proposing
    assert data["result"] == json.loads(ok("match", NRMP, "--json"))
    assert [r["round"] for r in data["rounds"]] == list(range(1, len(data["rounds"]) + 1))
    for round_ in data["rounds"]:
        assert set(round_) == {"round", "events"}
        for event in round_["events"]:
            assert set(event) == EVENT_KEYS
            assert event["kind"] in {"propose", "hold", "reject"}
    if proposing == "applicants":
        first = [e for e in data["rounds"][0]["events"] if e["kind"] == "propose"]
        assert [(e["applicant"], e["program"]) for e in first][:2] == [
            ("Anderson", "City"),
            ("Brown", "City"),
        ]


def test_why_text():
    output = ok("explain", NRMP, "--why", "Brown")
    assert output.startswith(
        "The NRMP's worked example: 8 applicants, 4 programs with 2 positions each\n\n"
        "Why is Brown unmatched? (applicants propose)\n\n"
        "Brown ranked 2 programs: City, Mercy.\n"
        "Brown is unmatched.\n"
    )
    assert (
        "- City (their 1st choice) ranked Brown 5th, but filled its 2 positions with\n"
        "  applicants it ranked higher: Garcia (its 1st choice) and Eastman (its 3rd\n"
        "  choice).\n"
        "  Brown tried City in round 1 and was rejected.\n"
        "- Mercy (their 2nd choice) did not rank Brown.\n"
    ) in output


def test_why_json():
    data = json.loads(ok("explain", NRMP, "--why", "Mercy", "--json"))
    assert set(data) == {"proposing", "rounds", "result", "why"}
    why = data["why"]
    assert why["name"] == "Mercy" and why["side"] == "program"
    assert (why["positions"], why["unfilled"], why["matched"]) == (2, 1, ["Chen"])
    assert why["reasons"] == [
        {
            "name": "Garcia",
            "choice": 2,
            "kind": "ranked-higher",
            "rank": 2,
            "instead": [{"name": "City", "choice": 1}],
            "story": "Garcia never got as far as Mercy on their list.",
        }
    ]
    assert {"name": "Davis", "rank": 1, "would_match": True} in why["missed"]


def test_compare_sides():
    assert "Nobody fares differently" in ok("explain", NRMP, "--compare-sides")
    output = ok("explain", GALE_SHAPLEY, "--compare-sides")
    assert (
        "Applicant  Applicants propose        Programs propose\n"
        "Alpha      Ash (their 1st choice)    Cedar (their 3rd choice)\n"
    ) in output
    data = json.loads(ok("explain", GALE_SHAPLEY, "--compare-sides", "--json"))
    assert set(data) == {"proposing", "rounds", "result", "compare_sides"}
    compare = data["compare_sides"]
    assert compare["same"] is False
    assert compare["applicants_proposing"] == json.loads(ok("match", GALE_SHAPLEY, "--json"))
    assert compare["programs_proposing"] == json.loads(
        ok("match", GALE_SHAPLEY, "--json", "--proposing", "programs")
    )
    assert [a["name"] for a in compare["applicants"]] == ["Alpha", "Beta", "Gamma"]


def test_manipulate_applicant_json():
    data = json.loads(ok("explain", TRUE_PREFERENCES, "--manipulate", "Patel", "--json"))
    assert {"proposing", "rounds", "result", "truthful", "best", "improved", "lists_tried"} <= set(
        data
    )
    assert data["truthful"] == {"list": ["City", "Mercy", "State"], "matched": "Mercy", "choice": 2}
    assert data["best"] == data["truthful"]
    assert data["improved"] is False
    assert data["lists_tried"] == 16
    assert data["limit"] == 109_601
    assert data["side"] == "applicant"
    assert [(o["matched"], o["lists"]) for o in data["outcomes"]] == [
        ("City", 0),
        ("Mercy", 7),
        ("State", 7),
        (None, 2),
    ]


def test_manipulate_program_json():
    data = json.loads(ok("explain", TRUNCATION, "--manipulate", "Lakeside", "--json"))
    assert data["improved"] is True
    assert data["truthful"] == {
        "list": ["Jones", "Kaur", "Ito", "Diaz"],
        "matched": ["Ito"],
        "choices": [3],
        "unfilled": 0,
    }
    assert data["best"] == {"list": ["Jones"], "matched": ["Jones"], "choices": [1], "unfilled": 0}
    assert data["lists_tried"] == 16
    assert [t["list"] for t in data["truncations"]] == [
        ["Jones", "Kaur", "Ito", "Diaz"],
        ["Jones", "Kaur", "Ito"],
        ["Jones", "Kaur"],
        ["Jones"],
        [],
    ]


def test_manipulate_text():
    output = ok("explain", TRUE_PREFERENCES, "--manipulate", "Patel")
    assert "Tried 16 lists: every ordering of every subset of the 3 programs.\n" in output
    assert output.endswith(
        "Best outcome of any list: Mercy (2nd choice), the same as the truthful list.\n"
        "No list gets Patel a program they prefer: ranking programs in true order of\n"
        "preference is safe.\n"
    )


def test_help_has_examples_that_run(monkeypatch):
    output = ok("explain", "-h")
    assert "Usage: matchsim explain [OPTIONS] FILE" in output
    for option in (
        "--proposing [applicants|programs]",
        "--compare-sides",
        "--why NAME",
        "--manipulate NAME",
        "--json",
    ):
        assert option in output
    examples = re.findall(r"^\s+(matchsim explain .+)$", output, flags=re.MULTILINE)
    assert len(examples) >= 4
    monkeypatch.chdir(SCENARIOS.parent)
    for example in examples:
        ok(*example.split()[1:])


def test_group_help_lists_explain():
    assert "  explain " in ok("-h")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--why", "Brwn"],
            "Error: --why: no applicant or program named 'Brwn' in {nrmp} (did you mean 'Brown'?)",
        ),
        (
            ["--manipulate", "Gneral"],
            "Error: --manipulate: no applicant or program named 'Gneral' in {nrmp} "
            "(did you mean 'General'?)",
        ),
        (["--why", "Nobody"], "Error: --why: no applicant or program named 'Nobody' in {nrmp}"),
        (
            ["--why", "Brown", "--manipulate", "Brown"],
            "Error: use only one of --compare-sides, --why and --manipulate, "
            "not --why and --manipulate",
        ),
        (
            ["--compare-sides", "--why", "Brown", "--json"],
            "Error: use only one of --compare-sides, --why and --manipulate, "
            "not --compare-sides and --why",
        ),
    ],
    ids=[
        "why-suggests",
        "manipulate-suggests",
        "no-suggestion",
        "why-and-manipulate",
        "compare-and-why",
    ],
)
def test_bad_option_values(args, line):
    result = run("explain", NRMP, *args)
    assert result.exit_code == 2
    assert result.output == line.format(nrmp=NRMP) + "\n"


def test_bad_proposing_is_a_usage_error():
    result = run("explain", NRMP, "--proposing", "hospitals")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--proposing': 'hospitals' is not one of" in result.output


def test_too_many_lists_says_so_and_stops(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    programs = [f"P{j}" for j in range(9)]
    listed = ", ".join(f'"{p}"' for p in programs)
    text = "".join(f'[programs.{p}]\npositions = 1\nranks = ["Ames"]\n' for p in programs)
    Path("big.toml").write_text(text + f"[applicants.Ames]\nranks = [{listed}]\n", encoding="utf-8")
    result = run("explain", "big.toml", "--manipulate", "Ames", "--json")
    assert result.exit_code == 2
    assert result.output == (
        "Error: --manipulate: Ames could submit 986,410 different lists over the 9 programs; "
        "matchsim tries at most 109,601 (every list over 8 programs): use a smaller market\n"
    )
    assert ok("explain", "big.toml", "--why", "Ames").startswith("Why did Ames match P0?")


@pytest.mark.parametrize(
    ("setup", "line"),
    [
        (lambda: None, "Error: market.toml: file not found"),
        (
            lambda: Path("market.toml").write_text("", encoding="utf-8"),
            "Error: market.toml: empty file "
            "(expected [programs.NAME] and [applicants.NAME] tables)",
        ),
        (
            lambda: Path("market.toml").write_text(
                '[programs.Mercy]\npositions = 1\nranks = ["Chen"]\n'
                '[applicants.Chen]\nranks = ["Mercey"]\n',
                encoding="utf-8",
            ),
            "Error: market.toml: applicants.Chen.ranks[0]: unknown program 'Mercey' "
            "(did you mean 'Mercy'?)",
        ),
    ],
    ids=["missing-file", "empty", "unknown-program"],
)
@pytest.mark.parametrize("extra", [[], ["--why", "Chen"], ["--manipulate", "Chen", "--json"]])
def test_bad_market_file(tmp_path, monkeypatch, setup, line, extra):
    monkeypatch.chdir(tmp_path)
    setup()
    result = run("explain", "market.toml", *extra)
    assert result.exit_code == 2
    assert result.output == line + "\n"
    assert "Traceback" not in result.output


def test_manipulate_a_program_with_huge_positions_is_quick(tmp_path):
    """Bug: positions far above the number of applicants made --manipulate build a list that
    long (OverflowError, or gigabytes); only as many positions as applicants can be filled."""
    path = tmp_path / "huge.toml"
    path.write_text(
        '[programs.City]\npositions = 10000\nranks = ["Ann", "Bo"]\n'
        '[applicants.Ann]\nranks = ["City"]\n[applicants.Bo]\nranks = ["City"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["explain", str(path), "--manipulate", "City"])
    assert result.exit_code == 0, result.output
    assert "City" in result.output
