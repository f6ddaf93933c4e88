"""``matchsim match``: the NRMP example end to end, and one exact error line per bad input."""

import json
from pathlib import Path

import nrmp_example
import pytest
from click.testing import CliRunner

from simulator import __version__
from simulator.cli import main

NRMP_EXAMPLE = str(nrmp_example.FILE)
NRMP_TABLE = nrmp_example.TABLE + "\n"
NRMP_JSON = {"applicants": nrmp_example.MATCHED, "programs": nrmp_example.PROGRAMS_MATCHED}

GOOD = """\
[programs.Mercy]
positions = 2
ranks = ["Chen", "Garcia"]

[applicants.Chen]
ranks = ["Mercy"]

[applicants.Garcia]
ranks = ["Mercy"]
"""


def run(*args):
    return CliRunner().invoke(main, list(args), prog_name="matchsim")


@pytest.mark.parametrize("proposing", [None, "applicants", "programs"])
def test_nrmp_table(proposing):
    args = ["match", NRMP_EXAMPLE] + (["--proposing", proposing] if proposing else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.output == NRMP_TABLE


@pytest.mark.parametrize("proposing", ["applicants", "programs"])
def test_nrmp_json(proposing):
    result = run("match", NRMP_EXAMPLE, "--json", "--proposing", proposing)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == NRMP_JSON
    assert result.output == json.dumps(NRMP_JSON, indent=2) + "\n"


def test_match_help():
    for flag in ("-h", "--help"):
        result = run("match", flag)
        assert result.exit_code == 0
        assert "Usage: matchsim match [OPTIONS] FILE" in result.output
        assert "matchsim match scenarios/nrmp-example.toml" in result.output
        assert "--proposing [applicants|programs]" in result.output


def test_group_help_lists_match():
    result = run("-h")
    assert result.exit_code == 0
    assert "  match " in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"matchsim, version {__version__}\n"


def test_bad_proposing_is_a_usage_error():
    result = run("match", NRMP_EXAMPLE, "--proposing", "hospitals")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--proposing': 'hospitals' is not one of" in result.output


EMPTY = "empty file (expected [programs.NAME] and [applicants.NAME] tables)"

# (test id, file text, expected error line after "Error: market.toml: ")
BAD_MARKETS = [
    ("empty", "", EMPTY),
    ("only-comments", "# nothing here\n", EMPTY),
    (
        "malformed-toml",
        "[programs.Mercy\npositions = 2\n",
        "invalid TOML at line 1, column 16: Expected ']' at the end of a table declaration",
    ),
    (
        "no-programs",
        "[applicants.Chen]\nranks = []\n",
        "no programs (expected at least one [programs.NAME] table)",
    ),
    (
        "empty-programs",
        "[programs]\n[applicants.Chen]\n",
        "programs: expected at least one [programs.NAME] table, found none",
    ),
    (
        "programs-not-table",
        'programs = ["Mercy"]\n',
        "programs: expected a table of programs ([programs.NAME]), found an array",
    ),
    (
        "program-not-table",
        "[programs]\nMercy = 2\n",
        "programs.Mercy: expected a table ([programs.Mercy]), found integer 2",
    ),
    (
        "no-applicants",
        "[programs.Mercy]\npositions = 1\n",
        "no applicants (expected at least one [applicants.NAME] table)",
    ),
    (
        "unknown-top-key",
        "programme = 1\n" + GOOD,
        "programme: unknown key (did you mean 'programs'?)",
    ),
    (
        "unknown-program-key",
        GOOD.replace("positions", "postions"),
        "programs.Mercy.postions: unknown key (did you mean 'programs.Mercy.positions'?)",
    ),
    (
        "unknown-applicant-key",
        GOOD.replace("[applicants.Chen]\nranks", "[applicants.Chen]\nrank"),
        "applicants.Chen.rank: unknown key (did you mean 'applicants.Chen.ranks'?)",
    ),
    (
        "unknown-key-no-suggestion",
        GOOD + "[applicants.Lee]\nvisa = 'J-1'\n",
        "applicants.Lee.visa: unknown key",
    ),
    (
        "quoted-name",
        '[programs."St. Mary"]\npostions = 1\n',
        'programs."St. Mary".postions: unknown key '
        "(did you mean 'programs.\"St. Mary\".positions'?)",
    ),
    (
        "description-not-string",
        "description = 3\n" + GOOD,
        "description: expected a string, found integer 3",
    ),
    (
        "missing-positions",
        GOOD.replace("positions = 2\n", ""),
        "programs.Mercy.positions: missing (expected a non-negative integer)",
    ),
    (
        "negative-positions",
        GOOD.replace("positions = 2", "positions = -1"),
        "programs.Mercy.positions: expected a non-negative integer, found integer -1",
    ),
    (
        "float-positions",
        GOOD.replace("positions = 2", "positions = 2.5"),
        "programs.Mercy.positions: expected a non-negative integer, found float 2.5",
    ),
    (
        "bool-positions",
        GOOD.replace("positions = 2", "positions = true"),
        "programs.Mercy.positions: expected a non-negative integer, found boolean true",
    ),
    (
        "string-positions",
        GOOD.replace("positions = 2", 'positions = "two"'),
        'programs.Mercy.positions: expected a non-negative integer, found string "two"',
    ),
    (
        "ranks-not-list",
        GOOD.replace('ranks = ["Mercy"]', 'ranks = "Mercy"', 1),
        'applicants.Chen.ranks: expected a list of program names, found string "Mercy"',
    ),
    (
        "rank-not-string",
        GOOD.replace('["Chen", "Garcia"]', '["Chen", 2]'),
        "programs.Mercy.ranks[1]: expected an applicant name (a string), found integer 2",
    ),
    (
        "unknown-program",
        GOOD.replace('ranks = ["Mercy"]', 'ranks = ["Mercey"]', 1),
        "applicants.Chen.ranks[0]: unknown program 'Mercey' (did you mean 'Mercy'?)",
    ),
    (
        "unknown-applicant",
        GOOD.replace('["Chen", "Garcia"]', '["Chen", "Garica"]'),
        "programs.Mercy.ranks[1]: unknown applicant 'Garica' (did you mean 'Garcia'?)",
    ),
    (
        "unknown-name-no-suggestion",
        GOOD.replace('ranks = ["Mercy"]', 'ranks = ["Mercy", "Zzyzx"]', 1),
        "applicants.Chen.ranks[1]: unknown program 'Zzyzx'",
    ),
    (
        "duplicate-program",
        GOOD.replace('ranks = ["Mercy"]', 'ranks = ["Mercy", "Mercy"]', 1),
        "applicants.Chen.ranks[1]: 'Mercy' is listed twice (also at [0])",
    ),
    (
        "duplicate-applicant",
        GOOD.replace('["Chen", "Garcia"]', '["Chen", "Garcia", "Chen"]'),
        "programs.Mercy.ranks[2]: 'Chen' is listed twice (also at [0])",
    ),
]


@pytest.mark.parametrize(
    ("text", "line"), [case[1:] for case in BAD_MARKETS], ids=[case[0] for case in BAD_MARKETS]
)
def test_bad_market(tmp_path, monkeypatch, text, line):
    monkeypatch.chdir(tmp_path)
    Path("market.toml").write_text(text, encoding="utf-8")
    result = run("match", "market.toml")
    assert result.exit_code == 2
    assert result.output == f"Error: market.toml: {line}\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("setup", "line"),
    [
        (lambda: None, "Error: market.toml: file not found"),
        (
            lambda: Path("market.toml").mkdir(),
            "Error: market.toml: is a directory, expected a file",
        ),
        (
            lambda: Path("market.toml").write_bytes(b"\xff\xfe[programs]"),
            "Error: market.toml: not a UTF-8 text file",
        ),
    ],
    ids=["missing-file", "directory", "not-utf8"],
)
def test_unreadable_file(tmp_path, monkeypatch, setup, line):
    monkeypatch.chdir(tmp_path)
    setup()
    result = run("match", "market.toml")
    assert result.exit_code == 2
    assert result.output == line + "\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["match", "explain"])
def test_scenario_file_given_to_match(command):
    scenario = str(Path(NRMP_EXAMPLE).parent / "default.toml")
    result = run(command, scenario)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {scenario}: this looks like a scenario file "
        "(it has seed, trials, [market]): use matchsim run, compare or sweep\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["run"],
        ["compare"],
        ["sweep", "--param", "you.step2ck", "--values", "230,240"],
    ],
)
def test_market_file_given_to_run(args, tmp_path):
    result = run(*args[:1], NRMP_EXAMPLE, *args[1:], "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {NRMP_EXAMPLE}: this looks like a small-market file (it has [programs.Mercy]): "
        "use matchsim match or matchsim explain\n"
    )
