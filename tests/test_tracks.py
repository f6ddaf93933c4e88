"""A one-year preliminary position alone is not a career match (issue 14): ``matched_track``
in the tables, ``p_match`` and ``p_match_preliminary_only`` for you."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.market.applicants import ONE_YEAR_TRACKS

# A US IMG whose backup is a preliminary year: some copies match only that year.
#: Two trials of a tenth of the market, 64 copies: each scenario below adds its [you].
SMALL_RUN = """\
seed = 5
trials = 2

[market]
scale = 0.1
focal_copies = 64
"""
SCENARIO = f"""\
description = "A US IMG in Internal Medicine with a preliminary-year backup"
{SMALL_RUN}
[you]
type = "us_img"
specialty = "Internal Medicine (Categorical)"
backup_specialty = "Medicine-Preliminary (PGY-1 Only)"
step2ck = 228
usce_months = 0
usce_kind = "none"
years_since_graduation = 3
visa = "none"
applications = 120
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("tracks")
    (root / "s.toml").write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(root / "s.toml"), "--out", str(root / "out")])
    assert result.exit_code == 0, result.output
    return root / "out", result.output


def test_matched_track_says_which_matches_are_a_one_year_position(folder):
    out, _ = folder
    applicants = pd.read_parquet(out / "applicants.parquet")
    track = applicants["matched_track"]
    assert list(track.cat.categories) == ["categorical", "advanced", "preliminary"]
    assert (track.isna() == ~applicants["matched"]).all()
    one_year = applicants["matched_specialty"].isin(ONE_YEAR_TRACKS)
    assert ((track == "preliminary").fillna(False) == one_year).all()
    assert one_year.any()  # the population holds one-year tracks in every trial


def test_your_match_counts_a_career_position_and_the_one_year_alone_beside_it(folder):
    out, printed = folder
    focal = json.loads((out / "summary.json").read_text(encoding="utf-8"))["focal"]
    copies = pd.read_parquet(out / "applicants.parquet").query("is_focal")
    one_year = (copies["matched_track"] == "preliminary").fillna(False)
    assert focal["p_match"]["k"] == int((copies["matched"] & ~one_year).sum())
    assert focal["p_match_preliminary_only"]["k"] == int(one_year.sum())
    assert focal["p_match_preliminary_only"]["k"] > 0  # the backup year is within reach
    assert focal["p_placed"]["k"] == int(copies["placed"].sum())  # any position counts there
    assert focal["p_placed"]["p"] >= focal["p_match"]["p"] + focal["p_match_preliminary_only"]["p"]
    assert "matched to a one-year preliminary position only" in printed


def test_a_one_year_track_is_not_your_main_specialty(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        SCENARIO.replace(
            'specialty = "Internal Medicine (Categorical)"',
            'specialty = "Transitional (PGY-1 Only)"',
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "you.specialty" in lines[0] and "you.backup_specialty" in lines[0]


ADVANCED = f"""\
description = "A US MD senior seeking Anesthesiology's advanced positions"
{SMALL_RUN}
[you]
type = "us_md"
specialty = "Anesthesiology"
advanced = true
pgy1_track = "Medicine-Preliminary"
step2ck = 240
applications = 40
"""


def test_an_advanced_match_counts_with_or_without_its_pgy1_year(tmp_path):
    """you.advanced: copies match the advanced row (matched_track advanced), a PGY-1 year
    of their one-year track only with it, and p_match counts the advanced match either way,
    with p_match_advanced_without_pgy1 beside it."""
    (tmp_path / "s.toml").write_text(ADVANCED, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", str(tmp_path / "s.toml"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    focal = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["focal"]
    copies = pd.read_parquet(tmp_path / "o" / "applicants.parquet").query("is_focal")
    advanced = (copies["matched_track"] == "advanced").fillna(False)
    assert advanced.any()
    assert (copies.loc[advanced, "matched_specialty"] == "Anesthesiology (PGY-2)").all()
    year = copies["pgy1_specialty"].notna()
    assert not (year & ~advanced).any()
    assert (copies.loc[year, "pgy1_specialty"] == "Medicine-Preliminary (PGY-1 Only)").all()
    assert focal["p_match"]["k"] == int(copies["matched"].sum())
    assert focal["p_match_advanced_without_pgy1"]["k"] == int((advanced & ~year).sum())
    assert "matched in Anesthesiology (PGY-2)" in result.output
    assert "matched to an advanced position without a PGY-1 year" in result.output
