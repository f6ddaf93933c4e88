"""A smaller market that changes your answer says so: the share of your specialty you reach."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main
from simulator.market.focal_params import Focal
from simulator.market.published import load_published
from simulator.study.coverage import Coverage, coverage, scale_notes

ROOT = Path(__file__).resolve().parents[1]
ANESTHESIA = Focal(type="us_do", specialty="Anesthesiology", visa="none", applications=40)


def test_shares_at_this_scale_and_in_full():
    c = Coverage(specialty="X", applications=40, programs=47, programs_full=189)
    assert round(c.share, 3) == 0.851 and round(c.share_full, 3) == 0.212 and c.distorted
    assert not Coverage(specialty="X", applications=10, programs=47, programs_full=189).distorted


def test_the_programs_of_your_specialties_at_this_scale():
    found = coverage(ANESTHESIA, load_published(), 0.25)
    assert [(c.specialty, c.programs, c.programs_full) for c in found] == [
        ("Anesthesiology", 47, 189)
    ]


def test_no_note_at_full_scale_and_one_per_specialty_below():
    published = load_published()
    assert scale_notes([ANESTHESIA], published, 1.0) == []
    notes = scale_notes([ANESTHESIA, ANESTHESIA], published, 0.25)
    assert notes == [
        "at scale 0.25 your 40 applications reach 85% of the 47 programs of Anesthesiology, "
        "against 21% of 189 in the full market: your chance at this scale can differ from the "
        "full market's; use market.scale = 1 for your answers"
    ]


def test_run_and_sweep_say_it(tmp_path):
    scenario = str(ROOT / "scenarios" / "default.toml")
    small = ["--trials", "2", "--workers", "1", "--set", "market.scale=0.25", "--set",
             "market.focal_copies=8", "--set", "you.specialty=Anesthesiology"]  # fmt: skip
    result = CliRunner().invoke(main, ["run", scenario, *small, "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    notes = json.loads((tmp_path / "r" / "summary.json").read_text())["notes"]
    assert any("programs of Anesthesiology" in note for note in notes)
    result = CliRunner().invoke(
        main,
        ["sweep", scenario, "--param", "you.applications", "--values", "10,40", *small,
         "--out", str(tmp_path / "s")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "note: at scale 0.25 your 40 applications reach" in result.output
