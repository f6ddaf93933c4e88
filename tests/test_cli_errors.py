"""Every mistake a user is known to make is one ``Error:`` line and exit status 2, no traceback.

The cases are the errors issues have reported: the library's own
(``MatchsimError`` and its kinds) and click's usage errors, which click would
otherwise print as a usage block over four lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[1]
IMG = str(ROOT / "scenarios" / "img-internal-medicine.toml")
RANKS = str(ROOT / "scenarios" / "compare-rank-list-length.toml")
NRMP = str(ROOT / "scenarios" / "nrmp-example.toml")
FAST = ("--trials", "1", "--workers", "1", "--set", "market.scale=0.03")


def run(*args, cwd=None):
    with pytest.MonkeyPatch.context() as patch:
        if cwd is not None:
            patch.chdir(cwd)
        return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_error_line(result, starts: str):
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: "), lines[0]
    assert lines[0].startswith(starts), lines[0]
    assert "Traceback" not in result.output


CASES = {
    "missing scenario file": (("run", "nope.toml"), "Error: nope.toml: file not found"),
    "a directory as scenario": (("run", "."), "Error: Invalid value for 'SCENARIO'"),
    "no scenario at all": (("run",), "Error: Missing argument 'SCENARIO'"),
    "unknown command": (("runn",), "Error: No such command 'runn'"),
    "zero trials": (("run", IMG, "--trials", "0"), "Error: Invalid value for '--trials'"),
    "zero workers": (("run", IMG, "--workers", "0"), "Error: Invalid value for '--workers'"),
    "unknown option": (
        ("run", IMG, "--trails", "3"),
        "Error: No such option '--trails'. Did you mean '--trials'?",
    ),
    "--set without =": (("run", IMG, "--set", "trials"), "Error: --set: expected dotted.key=value"),
    "--set unknown key": (("run", IMG, "--set", "you.stepck=250"), "Error: --set: you.stepck"),
    "--set out of range": (("run", IMG, "--set", "you.step2ck=900"), "Error: --set: you.step2ck"),
    "--set a newline": (
        ("run", IMG, "--set", "you.specialty=Internal\nMedicine"),
        "Error: --set: you.specialty",
    ),
    "--resume with --out": (
        ("run", IMG, "--resume", "x", "--out", "y"),
        "Error: --resume: cannot be combined with --out",
    ),
    "--resume of nothing": (("run", IMG, "--resume", "nowhere"), "Error: nowhere: no such folder"),
    "dask without scheduler": (
        ("run", IMG, "--executor", "dask"),
        "Error: --executor: dask needs --scheduler",
    ),
    "compare one strategy": (
        ("compare", IMG, *FAST),
        f"Error: {IMG}: strategies: expected two or more [[strategies]] blocks",
    ),
    "sweep bad values": (
        ("sweep", IMG, "--param", "you.step2ck", "--values", "abc", *FAST),
        "Error: --values",
    ),
    "sweep unknown key": (
        ("sweep", IMG, "--param", "you.nope", "--values", "1,2", *FAST),
        "Error: --param",
    ),
    "sweep without values": (
        ("sweep", IMG, "--param", "you.step2ck"),
        "Error: Missing option '--values'",
    ),
    "match a scenario file": ((("match", IMG)), f"Error: {IMG}"),
    "explain two questions": (
        ("explain", NRMP, "--why", "Brown", "--compare-sides"),
        "Error: use only one of --compare-sides, --why and --manipulate",
    ),
    "explain unknown name": (("explain", NRMP, "--why", "Nobody"), "Error: --why"),
    "a line separator in an argument": (
        ("match", NRMP, "ex\u2028tra"),
        "Error: Got unexpected extra argument (ex\\u2028tra)",
    ),
    "calibrate to an empty name": (
        ("calibrate", "--out", "", "--overwrite"),
        "Error: --out: expected a file name, found ''",
    ),
    "match bad proposing": (
        ("match", NRMP, "--proposing", "hospitals"),
        "Error: Invalid value for '--proposing'",
    ),
}


@pytest.mark.parametrize("args, starts", CASES.values(), ids=CASES.keys())
def test_known_mistakes_are_one_error_line(args, starts, tmp_path):
    assert_one_error_line(run(*args, cwd=tmp_path), starts)


def test_a_value_with_a_newline_stays_on_one_line(tmp_path):
    result = run("run", IMG, "--set", "you.specialty=Internal\nMedicine", cwd=tmp_path)
    assert "'Internal\\nMedicine'" in result.output


def test_bad_input_writes_nothing(tmp_path):
    for args, _ in CASES.values():
        run(*args, cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "taken").write_text("")
    result = run("run", IMG, *FAST, "--out", tmp_path / "taken")
    assert_one_error_line(result, "Error: ")
    assert (tmp_path / "taken").read_text() == ""
