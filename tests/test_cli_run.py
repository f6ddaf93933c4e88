"""``matchsim run`` in-process: exit codes, the printed table, the files written, exact error lines.

Every run uses a 3%-scale market, 2 trials and 4 copies of you, so one run
takes about a second (most of it drawing the two plots).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from contract import CONTRACT_COLUMNS
from scenario_text import YOU_NON_US_IMG

from simulator import __version__
from simulator.cli import main
from simulator.vocabulary import APPLICANT_TYPES

ROOT = Path(__file__).resolve().parents[1]

SCENARIO = (
    """\
description = "A non-US IMG in Internal Medicine, small market for tests"
seed = 11
trials = 2

[market]
scale = 0.03
focal_copies = 4

"""
    + YOU_NON_US_IMG
)

PROPORTION_KEYS = {"k", "n", "p", "ci_low", "ci_high", "method"}
PLOTS = ("match_by_step2ck.png", "match_by_rank_list_length.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")


def snapshot(folder: Path) -> dict:
    """Every file under ``folder`` with its bytes and modification time."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baseline(scenario_file, tmp_path_factory):
    """One ordinary run with one worker: (result, output folder)."""
    out = tmp_path_factory.mktemp("runs") / "one-worker"
    result = run("run", scenario_file, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    return result, out


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- a good run


def test_run_leads_with_you_in_88_columns(baseline):
    result, out = baseline
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"matchsim {__version__} run of small: 2 trials x 4 copies of you, scale 0.03, seed 11"
    )
    assert lines[2].split() == ["you", "chance", "95%", "CI"]
    row = lines[3]
    assert row.startswith("matched (any specialty) ")
    assert "%" in row and "–" in row  # an estimate and its interval
    assert lines[4].startswith("matched in Internal Medicine (Categorical) ")
    assert max(len(line) for line in lines) <= 88
    starts = [line.split()[0] for line in lines if line.strip()]
    for name in APPLICANT_TYPES:  # the population's rows are under --all-types
        assert name not in starts, name
    assert not any(line.startswith("fill rate") for line in lines)
    assert lines[-1].startswith(f"wrote {out} in ")
    assert "Traceback" not in result.output


def test_all_types_adds_a_row_for_every_type_and_the_fill_rate(scenario_file, tmp_path):
    result = run("run", scenario_file, "--workers", 1, "--all-types", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    starts = [line.split()[0] for line in lines if line.strip()]
    for name in APPLICANT_TYPES:
        assert starts.count(name) == 1, name
    row = next(line for line in lines if line.startswith("non_us_img "))
    assert "%" in row and "–" in row
    assert any(line.startswith("fill rate") for line in lines)
    assert max(len(line) for line in lines) <= 88


def test_the_backup_specialtys_share_is_printed_when_there_is_one(scenario_file, tmp_path):
    args = ["--set", "you.backup_specialty=Family Medicine", "--out", tmp_path / "out"]
    result = run("run", scenario_file, "--workers", 1, *args)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("matched in Fam"))
    assert row.startswith("matched in Family Medicine (backup) ")
    focal = summary_of(tmp_path / "out")["focal"]
    backup, any_, preferred = (focal[k] for k in ("p_match_backup", "p_match", "p_match_preferred"))
    assert backup["k"] == any_["k"] - preferred["k"] and backup["n"] == any_["n"]


def test_summary_json_has_the_documented_keys(baseline):
    _, out = baseline
    summary = summary_of(out)
    keys = {
        "matchsim",
        "seed",
        "trials",
        "focal_copies",
        "scenario",
        "focal",
        "by_type",
        "fill_rate",
    }
    assert keys <= set(summary)
    assert summary["matchsim"] == __version__
    assert (summary["seed"], summary["trials"], summary["focal_copies"]) == (11, 2, 4)
    assert summary["scenario"]["you"]["step2ck"] == 240
    p_match = summary["focal"]["p_match"]
    assert PROPORTION_KEYS <= set(p_match)
    assert p_match["n"] == 2 * 4
    assert 0 <= p_match["ci_low"] <= p_match["p"] <= p_match["ci_high"] <= 1
    assert p_match["p"] == pytest.approx(p_match["k"] / p_match["n"])
    assert isinstance(p_match["method"], str) and p_match["method"]
    assert set(summary["by_type"]) == set(APPLICANT_TYPES)
    for figures in summary["by_type"].values():
        p = figures["p_match"]
        assert PROPORTION_KEYS <= set(p)
        assert 0 <= p["ci_low"] <= p["p"] <= p["ci_high"] <= 1
    assert PROPORTION_KEYS <= set(summary["fill_rate"])


def test_summary_agrees_with_the_tables(baseline):
    _, out = baseline
    summary = summary_of(out)
    applicants = pd.read_parquet(out / "applicants.parquet")
    programs = pd.read_parquet(out / "programs.parquet")
    focal = applicants[applicants["is_focal"]]
    assert summary["focal"]["p_match"]["k"] == int(focal["matched"].sum())
    assert summary["focal"]["p_match"]["n"] == len(focal)
    interviewed = summary["focal"]["p_interview"]
    assert (interviewed["k"], interviewed["n"]) == (
        int((focal["n_interviews"] > 0).sum()),
        len(focal),
    )
    assert interviewed["p"] >= summary["focal"]["p_match"]["p"]  # no match without an interview
    assert (applicants["active"] == (applicants["rol_length"] > 0)).all()
    assert not (applicants["matched"] & ~applicants["active"]).any()
    population = applicants[~applicants["is_focal"] & applicants["active"]]  # as the NRMP counts
    for name, figures in summary["by_type"].items():
        rows = population[population["applicant_type"] == name]
        assert figures["p_match"]["n"] == len(rows), name
        assert figures["p_match"]["k"] == int(rows["matched"].sum()), name
    pgy1 = programs[~programs["advanced"]]  # the published fill rate is of PGY-1 positions
    assert summary["fill_rate"]["k"] == int(pgy1["filled"].sum())
    # Issue 16: your signals, and the population's interview offers with and without one.
    signals = summary["focal"]["signals"]
    for stage, column in (("sent", "n_signals"), ("interviews", "n_interviews_signalled")):
        assert signals[stage]["mean"] == pytest.approx(focal[column].mean()), stage
    assert signals["interviews"]["mean"] <= summary["focal"]["mean_interviews"]
    by_specialty = summary["signals_by_specialty"]
    assert by_specialty
    for specialty, rates in by_specialty.items():
        rows = population[population["specialty"] == specialty]
        assert rates["signalled"] == int(rows["n_signals"].sum()), specialty
        invited = rows["n_invited_signalled"].sum()
        assert rates["invited_signalled_pct"] == pytest.approx(100 * invited / rates["signalled"])
    assert summary["fill_rate"]["n"] == int(pgy1["positions"].sum())


def test_run_writes_both_tables(baseline):
    _, out = baseline
    applicants = pd.read_parquet(out / "applicants.parquet")
    programs = pd.read_parquet(out / "programs.parquet")
    assert [c for c in CONTRACT_COLUMNS if c not in applicants.columns] == []
    assert sorted(applicants["trial"].unique()) == [0, 1]
    assert applicants.groupby("trial")["is_focal"].sum().tolist() == [4, 4]
    wanted = {
        "trial",
        "specialty",
        "positions",
        "filled",
        *(f"filled_{t}" for t in APPLICANT_TYPES),
        "ranked",
    }
    assert wanted <= set(programs.columns)
    assert (programs["ranked"] >= programs["filled"]).all()  # a program fills from its list
    by_type = programs[[f"filled_{t}" for t in APPLICANT_TYPES]].sum(axis=1)
    assert (by_type == programs["filled"]).all()
    assert (programs["filled"] <= programs["positions"]).all()
    assert isinstance(applicants["applicant_type"].dtype, pd.CategoricalDtype)


def test_run_writes_both_plots_as_valid_pngs(baseline):
    _, out = baseline
    for name in PLOTS:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert data[12:16] == b"IHDR" and data.endswith(b"IEND\xaeB`\x82"), name
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width > 100 and height > 100, name


def test_run_leaves_no_partial_files(baseline):
    _, out = baseline
    leftovers = [p.name for p in out.rglob("*") if p.name.endswith(".partial")]
    assert leftovers == []
    assert not (out / "chunks").exists()


def test_run_help():
    result = run("run", "-h")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: matchsim run [OPTIONS] SCENARIO")
    for option in ("--trials", "--seed", "--set", "--out", "--workers"):
        assert option in result.output


# --------------------------------------------------------------------------- output folders


def test_out_existing_non_empty_folder_is_refused_and_left_untouched(
    baseline, scenario_file, tmp_path
):
    _, previous = baseline
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine\n", encoding="utf-8")
    for folder in (previous, keep):
        before = snapshot(folder)
        result = run("run", scenario_file, "--workers", 1, "--out", folder)
        assert result.exit_code == 2, result.output
        assert result.output == (
            f"Error: {folder}: already exists and is not empty; choose another --out "
            "(earlier results are never overwritten)\n"
        )
        assert snapshot(folder) == before


def test_out_that_cannot_be_created_is_one_error_line(scenario_file, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    target = blocker / "run"
    result = run("run", scenario_file, "--workers", 1, "--trials", 1, "--out", target)
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {target}: cannot create the output folder (Not a directory)\n"


def test_out_existing_empty_folder_is_used(scenario_file, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("run", scenario_file, "--workers", 1, "--trials", 1, "--out", empty)
    assert result.exit_code == 0, result.output
    assert (empty / "summary.json").is_file()


@pytest.fixture(scope="module")
def default_folders(scenario_file, tmp_path_factory):
    """Two identical runs without --out from a fresh working directory (--set, --trials, --seed)."""
    cwd = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        results = [
            run(
                "run",
                scenario_file,
                "--workers",
                1,
                "--trials",
                1,
                "--seed",
                5,
                "--set",
                "you.step2ck=250",
            )
            for _ in range(2)
        ]
    for result in results:
        assert result.exit_code == 0, result.output
    return sorted((cwd / "results").iterdir())


def test_default_output_folder_is_new_each_time(default_folders):
    assert len(default_folders) == 2
    for folder in default_folders:
        assert folder.name.startswith("small-")
        assert (folder / "summary.json").is_file()


def test_two_identical_runs_give_identical_results(default_folders):
    first, second = default_folders
    assert (first / "summary.json").read_bytes() == (second / "summary.json").read_bytes()
    for table in ("applicants", "programs"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(first / f"{table}.parquet"),
            pd.read_parquet(second / f"{table}.parquet"),
        )


def test_set_trials_and_seed_take_effect(default_folders, baseline):
    folder = default_folders[0]
    summary = summary_of(folder)
    assert (summary["seed"], summary["trials"]) == (5, 1)
    assert summary["scenario"]["seed"] == 5 and summary["scenario"]["trials"] == 1
    assert summary["scenario"]["you"]["step2ck"] == 250
    assert summary["scenario"]["overrides"] == ["you.step2ck=250"]
    assert summary["focal"]["p_match"]["n"] == 1 * 4
    applicants = pd.read_parquet(folder / "applicants.parquet")
    assert set(applicants["trial"]) == {0}
    assert (applicants.loc[applicants["is_focal"], "step2ck"] == 250).all()
    # Another seed draws another market.
    _, other = baseline
    population = applicants[~applicants["is_focal"]]["step2ck"].to_numpy()
    original = pd.read_parquet(other / "applicants.parquet")
    original = original[(original["trial"] == 0) & ~original["is_focal"]]["step2ck"].to_numpy()
    assert population.size != original.size or (population != original).any()


# --------------------------------------------------------------------------- bad input


BAD_SCENARIOS = {
    "unknown key": (
        ("step2ck = 240", "stepck = 240"),
        "you.stepck: unknown key (did you mean 'you.step2ck'?)",
    ),
    "step2ck out of range": (
        ("step2ck = 240", "step2ck = 320"),
        "you.step2ck: expected an integer from 1 to 300, found 320",
    ),
    "negative usce_months": (
        ("usce_months = 3", "usce_months = -1"),
        "you.usce_months: expected a number from 0 to 120, found -1",
    ),
    "unknown specialty": (
        ('specialty = "Internal Medicine (Categorical)"', 'specialty = "Internal Medicin"'),
        "you.specialty: expected a specialty named in data/specialties_2025.csv, found "
        "'Internal Medicin' (did you mean 'Internal Medicine (Categorical)'?)",
    ),
    "unknown market key": (
        ("scale = 0.03", "scael = 0.03"),
        "market.scael: unknown key (did you mean 'market.scale'?)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SCENARIOS), ids=lambda c: c.replace(" ", "-"))
def test_bad_scenario_is_one_error_line_naming_file_and_key(case, tmp_path):
    (old, new), message = BAD_SCENARIOS[case]
    assert SCENARIO.count(old) == 1
    path = tmp_path / "bad.toml"
    path.write_text(SCENARIO.replace(old, new), encoding="utf-8")
    out = tmp_path / "out"
    result = run("run", path, "--workers", 1, "--out", out)
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {path}: {message}\n"
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing is written for a scenario that does not load


def test_bad_set_is_one_error_line_naming_set_and_key(scenario_file, tmp_path):
    result = run("run", scenario_file, "--set", "you.step2ck=320", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert (
        result.output == "Error: --set: you.step2ck: expected an integer from 1 to 300, found 320\n"
    )


def test_missing_scenario_file_is_one_error_line(tmp_path):
    path = tmp_path / "nowhere.toml"
    result = run("run", path, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {path}: file not found\n"


def test_tiny_scale_is_refused_before_anything_is_written(scenario_file, tmp_path):
    """Bug: market.scale=0.00001 rounds every applicant type to 0 people; the run died with
    an IndexError traceback and left a half-made output folder.  Now it is refused."""
    out = tmp_path / "tiny"
    result = run(
        "run",
        scenario_file,
        "--set",
        "market.scale=0.00001",
        "--trials",
        1,
        "--workers",
        1,
        "--out",
        out,
    )
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: --set: market.scale: expected at least ")
    assert result.output.endswith("(one applicant of each type), found 1e-05\n")
    assert len(result.output.splitlines()) == 1
    assert not out.exists()


# --------------------------------------------------------------------------- workers


def test_two_workers_give_the_same_summary_and_tables(baseline, scenario_file, tmp_path):
    result_one, one = baseline
    two = tmp_path / "two-workers"
    result_two = run("run", scenario_file, "--workers", 2, "--out", two)
    assert result_two.exit_code == 0, result_two.output
    assert summary_of(two) == summary_of(one)
    for table in ("applicants", "programs"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(two / f"{table}.parquet"), pd.read_parquet(one / f"{table}.parquet")
        )
    # The printed table too, but for the last line (the folder and the time taken).
    assert result_two.stdout.splitlines()[:-1] == result_one.stdout.splitlines()[:-1]


# --------------------------------------------------------------------------- the model's ordering


def test_match_rates_follow_the_models_ordering_of_types(scenario_file, tmp_path):
    """US MD seniors > US-citizen IMGs > non-US IMGs.

    The gaps are about 25 and 15 points (published 93.5%, 67.8%, 58.0%);
    at 6% scale over 3 trials each type has hundreds of applicants, so the
    ordering holds far beyond sampling noise.
    """
    out = tmp_path / "ordering"
    result = run(
        "run",
        scenario_file,
        "--set",
        "market.scale=0.06",
        "--trials",
        3,
        "--workers",
        1,
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    by_type = summary_of(out)["by_type"]
    p = {name: by_type[name]["p_match"]["p"] for name in ("us_md", "us_img", "non_us_img")}
    assert min(by_type[name]["p_match"]["n"] for name in p) > 500
    assert p["us_md"] > p["us_img"] > p["non_us_img"], p
    assert by_type["us_md"]["p_match"]["ci_low"] > by_type["non_us_img"]["p_match"]["ci_high"], (
        by_type
    )


def test_doubtful_runs_say_why_their_figures_are_doubtful(tmp_path):
    """One trial, and a market too small for the applications asked for: both said."""
    out = tmp_path / "tiny"
    result = CliRunner().invoke(
        main,
        ["run", str(ROOT / "scenarios" / "img-internal-medicine.toml"), "--trials", "1",
         "--workers", "1", "--set", "market.scale=0.001", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert [note[:40] for note in notes] == [
        "one trial: the intervals treat the copie",
        "you asked to send 100 applications, but ",
        "at scale 0.001 your 100 applications rea",
    ]
    printed = " ".join(result.output.split())  # notes are wrapped to fit 88 columns
    for note in notes:
        assert f"note: {note}" in printed
