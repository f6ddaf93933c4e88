"""The published figures in ``data/``: they load, pass their checks, name their sources,
and every check fires with its exact message on a corrupted copy."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from simulator.errors import DataError
from simulator.market.published import PublishedData, load_published
from simulator.market.published_files import DATA_FILES

ROOT = Path(__file__).resolve().parents[1]
SHARED_INPUTS = ROOT.parent / "shared" / "data" / "match2025_specialty_inputs.csv"


@pytest.fixture(scope="module")
def published() -> PublishedData:
    return load_published()


@pytest.fixture
def copy(tmp_path, published) -> Path:
    """A writable copy of the shipped data directory."""
    target = tmp_path / "data"
    target.mkdir()
    for name in DATA_FILES.values():
        shutil.copy(published.directory / name, target / name)
    return target


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(directory: Path, name: str, key: str, column: str, value: str) -> None:
    """Set one cell of ``name``: the row whose first column is ``key`` (first such row)."""
    path = directory / name
    rows = read_rows(path)
    col = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == key:
            row[col] = value
            break
    else:
        raise AssertionError(f"no row {key!r} in {name}")
    write_rows(path, rows)


def replace_text(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the shipped data ---------------------------------------------------------


def test_shipped_data_loads_and_is_cached(published):
    assert isinstance(published, PublishedData)
    assert load_published() is published
    for field, name in DATA_FILES.items():
        assert (published.directory / name).is_file()
        frame = getattr(published, field)
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0


def test_explicit_directory_is_read_afresh(published):
    again = load_published(published.directory)
    assert again is not published
    pd.testing.assert_frame_equal(again.specialties, published.specialties)


def test_published_data_is_frozen(published):
    with pytest.raises(dataclasses.FrozenInstanceError):
        published.specialties = None


@pytest.mark.parametrize("name", sorted(DATA_FILES.values()))
def test_every_row_names_its_source(published, name):
    rows = read_rows(published.directory / name)
    header, body = rows[0], rows[1:]
    assert header[-1] == "source"
    assert body
    for line, row in enumerate(body, start=2):
        assert len(row) == len(header), f"{name} line {line}"
        assert row[-1].strip(), f"{name} line {line} has no source"


def test_every_csv_is_loaded_and_described(published):
    shipped = {p.name for p in published.directory.glob("*.csv")}
    assert shipped == set(DATA_FILES.values())
    readme = (published.directory / "README.md").read_text(encoding="utf-8")
    for name in DATA_FILES.values():
        assert f"**`{name}`**" in readme


def test_pinned_applicant_types(published):
    active = published.applicants_by_type
    assert active.to_dict() == {
        "us_md": 20368,
        "us_do": 8392,
        "us_img": 4587,
        "non_us_img": 11465,
        "other": 2396,
    }
    assert published.matched_by_type.to_dict() == {
        "us_md": 19044,
        "us_do": 7773,
        "us_img": 3108,
        "non_us_img": 6653,
        "other": 1089,
    }
    rates = published.match_rate_by_type
    assert rates["non_us_img"] == pytest.approx(0.580)
    assert rates["us_md"] == pytest.approx(0.935)
    assert rates["us_img"] == pytest.approx(0.678)
    assert active.sum() == published.market("active_applicants") == 47208
    assert published.matched_by_type.sum() == published.market("pgy1_positions_filled") == 37667
    other = published.applicant_types.set_index("applicant_type").loc["other", "source"]
    assert other.startswith("derived: ")


def test_pinned_market_totals(published):
    assert published.market("registered_applicants") == 52498
    assert published.market("positions_offered") == 43237
    assert published.market("pgy1_positions_offered") == 40041
    assert published.market("programs") == 6626
    assert published.market("couples") == 1259
    assert isinstance(published.market("programs"), int)
    assert published.market("pgy1_fill_rate") == pytest.approx(0.941)
    assert published.market("couples_match_rate") == pytest.approx(0.932)
    with pytest.raises(KeyError) as excinfo:
        published.market("programz")
    assert excinfo.value.args[0] == "unknown market figure 'programz' (did you mean 'programs'?)"


def test_pinned_specialties(published):
    positions = published.positions_by_specialty
    assert len(published.specialty_names) == 29
    assert positions["Internal Medicine (Categorical)"] == 10941
    assert positions["Family Medicine"] == 5357
    assert published.programs_by_specialty["Internal Medicine (Categorical)"] == 758
    assert positions.sum() == 40041  # every PGY-1 position: 28 itemised specialties and the pool
    assert published.programs_by_specialty.sum() == 5224
    assert positions.dtype == "int64"
    estimated = published.specialties["source"].str.contains("estimated")
    assert estimated.sum() == 14  # 13 transcribed as estimated, and the pool
    wide = published.specialty_applicants_wide
    assert wide.shape == (29, 4)
    assert wide.loc["Other specialties (pooled)"].to_dict() == {
        "us_md": 151,
        "us_do": 71,
        "us_img": 43,
        "non_us_img": 106,
    }
    assert wide.loc["Internal Medicine (Categorical)"].to_dict() == {
        "us_md": 4522,
        "us_do": 2396,
        "us_img": 2099,
        "non_us_img": 7630,
    }


def test_pinned_step2ck_and_policies(published):
    assert published.step2ck("lcme_first_takers", "mean") == 250
    assert published.step2ck("lcme_first_takers", "sd") == 15
    assert published.step2ck("non_us_img_internal_medicine", "mean") == 245
    assert published.step2ck("non_us_img_family_medicine", "sd") == 12
    assert published.step2ck_passing_score == 218
    assert published.step2ck("img_examinees", "first_attempt_pass_rate") == pytest.approx(0.87)
    table = published.step2ck_percentile_table()
    assert table[250] == 47 and table[210] == 1 and table[275] == 98 and len(table) == 12
    assert published.visa_shares().to_dict() == pytest.approx(
        {"none": 0.363, "j1": 0.418, "j1_h1b": 0.220}
    )
    ranked = published.applicants_ranked_per_position.set_index("specialty")
    assert ranked.loc["Surgery (Categorical)", "ranked_per_position"] == pytest.approx(14.3)
    assert set(ranked["year"]) == {2020}
    apps = published.applications_per_applicant.set_index("applicant_type")
    assert apps.loc["img", "applications"] == 139 and apps.loc["all", "season"] == "2025-26"
    share = published.img_share_of_positions.set_index("program_kind")
    assert share.loc["community"].to_dict()["img_share_high"] == pytest.approx(0.70)


@pytest.mark.skipif(not SHARED_INPUTS.is_file(), reason="shared/ not beside the repository")
def test_specialty_tables_match_the_shared_inputs(published):
    """Every itemised row as in the shared file; the last row is the pool derived from it."""
    shared = pd.read_csv(SHARED_INPUTS)
    specialties = published.specialties.iloc[:-1]
    assert list(specialties["specialty"]) == list(shared["specialty"])
    assert list(specialties["programs"]) == list(shared["programs"])
    assert list(specialties["positions"]) == list(shared["positions"])
    assert list(specialties["source"]) == list(shared["source"])
    columns = {
        "us_md": "us_md_senior_applicants",
        "us_do": "us_do_senior_applicants",
        "us_img": "us_img_applicants",
        "non_us_img": "non_us_img_applicants",
    }
    wide = published.specialty_applicants_wide.iloc[:-1]
    for kind, column in columns.items():
        assert list(wide[kind]) == list(shared[column])
    pooled = published.specialties.iloc[-1]
    assert pooled["specialty"] == "Other specialties (pooled)"
    national = published.market("pgy1_positions_offered")
    assert pooled["positions"] == national - shared["positions"].sum() == 260


SHARED_CHARTING = {
    "charting_outcomes_us_md": ("charting_outcomes_2024_us_md.csv", "us_md_"),
    "charting_outcomes_non_us_img": ("charting_outcomes_2026_non_us_img.csv", "non_us_img_"),
}


@pytest.mark.parametrize("field", sorted(SHARED_CHARTING))
def test_charting_outcomes_match_the_shared_tables(published, field):
    """Same rows, counts, scores, ranks and sources as the shared file; rates as shares."""
    name, prefix = SHARED_CHARTING[field]
    path = ROOT.parent / "shared" / "data" / name
    if not path.is_file():
        pytest.skip("shared/ not beside the repository")
    shared = pd.read_csv(path)
    shared.columns = [c.removeprefix(prefix) for c in shared.columns]
    ours = getattr(published, field)
    assert list(ours["specialty"]) == list(shared["specialty"])
    assert list(ours["source"]) == list(shared["source"])
    pd.testing.assert_series_equal(
        ours["match_rate_preferred"],
        shared["match_rate_preferred_pct"] / 100,
        check_names=False,
        atol=1e-12,
    )
    for column in shared.columns:
        if column in ours.columns and column not in ("specialty", "source"):
            assert list(ours[column]) == list(shared[column]), column
    # PGY-1 specialties, or the advanced rows of those that mostly start at PGY-2.
    advanced = set(published.advanced_positions["specialty"])
    assert set(ours["model_specialty"]) <= set(published.specialty_names) | advanced
    assert ours["model_specialty"].is_unique


def test_pinned_charting_outcomes(published):
    us_md = published.charting_outcomes_us_md.set_index("specialty")
    assert len(us_md) == 17
    assert us_md.loc["Internal Medicine", "model_specialty"] == "Internal Medicine (Categorical)"
    assert us_md.loc["Diagnostic Radiology", "model_specialty"] == "Radiology-Diagnostic (PGY-2)"
    assert us_md.loc["General Surgery", "model_specialty"] == "Surgery (Categorical)"
    assert us_md.loc["Anesthesiology", ["matched_preferred", "not_matched"]].tolist() == [1136, 191]
    assert us_md.loc["Anesthesiology", "match_rate_preferred"] == 0.86
    img = published.charting_outcomes_non_us_img.set_index("specialty")
    assert len(img) == 9
    assert img.loc["Family Medicine", "ranks_not_matched_median"] == 1.0
    assert img.loc["Radiology-Diagnostic", "ranks_not_matched_median"] == 1.5
    assert img.loc["Family Medicine", "step2ck_matched_mean"] == 231.0
    assert img["positions"].dtype == "int64"


def test_pyproject_lists_every_subpackage():
    """``packages`` is an explicit list (``data/`` and the lessons of ``scenarios/`` are mapped
    in): a new subpackage must join it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "simulator").rglob("__init__.py")
    }
    assert on_disk | {"simulator.published", "simulator.web.lessons"} == listed
    assert setuptools["package-dir"] == {
        "simulator.published": "data",
        "simulator.web.lessons": "scenarios",
    }
    assert "*.csv" in setuptools["package-data"]["simulator.published"]


# -- every check fires on a corrupted copy -----------------------------------

# (file, first-column key of the row, column, new value, expected message)
CELL_CASES = [
    (
        "specialties_2025.csv",
        "Anesthesiology",
        "positions",
        "1805.5",
        "line 2 (specialty 'Anesthesiology'), column 'positions': expected a whole number, "
        "found '1805.5'",
    ),
    (
        "specialties_2025.csv",
        "Anesthesiology",
        "programs",
        "-3",
        "line 2 (specialty 'Anesthesiology'), column 'programs': expected a whole number, "
        "found '-3'",
    ),
    (
        "specialties_2025.csv",
        "Pathology",
        "source",
        "  ",
        "line 17 (specialty 'Pathology'), column 'source': empty; every row must name the "
        "publication, year and table of its figures",
    ),
    (
        "specialties_2025.csv",
        "Anesthesiology",
        "specialty",
        "",
        "line 2 (specialty ''), column 'specialty': empty",
    ),
    (
        "specialties_2025.csv",
        "Internal Medicine (Categorical)",
        "positions",
        "20941",
        "column 'positions': the specialties sum to 50,041 positions, more than "
        "pgy1_positions_offered = 40,041 in market_totals_2025.csv",
    ),
    (
        "specialties_2025.csv",
        "Internal Medicine (Categorical)",
        "programs",
        "2300",
        "column 'programs': the specialties sum to 6,766 programs, more than programs = 6,626 "
        "in market_totals_2025.csv",
    ),
    (
        "specialties_2025.csv",
        "Pathology",
        "programs",
        "0",
        "line 17 (specialty 'Pathology'), column 'programs': positions are offered but there "
        "are 0 programs",
    ),
    (
        "applicant_types_2025.csv",
        "us_md",
        "match_rate",
        "93.5",
        "line 2 (applicant_type 'us_md'), column 'match_rate': expected a share between 0 and 1, "
        "found '93.5'",
    ),
    (
        "applicant_types_2025.csv",
        "us_md",
        "match_rate",
        "high",
        "line 2 (applicant_type 'us_md'), column 'match_rate': expected a number, found 'high'",
    ),
    (
        "applicant_types_2025.csv",
        "us_md",
        "match_rate",
        "nan",
        "line 2 (applicant_type 'us_md'), column 'match_rate': expected a finite number, "
        "found 'nan'",
    ),
    (
        "applicant_types_2025.csv",
        "us_md",
        "match_rate",
        "0.925",
        "line 2 (applicant_type 'us_md'), column 'match_rate': 0.925 differs from matched_pgy1 / "
        "active_applicants = 19,044 / 20,368 = 0.9350 by more than 0.001",
    ),
    (
        "applicant_types_2025.csv",
        "us_do",
        "matched_pgy1",
        "9000",
        "line 3 (applicant_type 'us_do'), column 'matched_pgy1': 9,000 matched exceed 8,392 "
        "active applicants",
    ),
    (
        "applicant_types_2025.csv",
        "other",
        "active_applicants",
        "2397",
        "column 'active_applicants': the five applicant types sum to 47,209, but "
        "market_totals_2025.csv gives active_applicants = 47,208",
    ),
    (
        "applicant_types_2025.csv",
        "other",
        "matched_pgy1",
        "1090",
        "column 'matched_pgy1': the five applicant types sum to 37,668, but "
        "market_totals_2025.csv gives pgy1_positions_filled = 37,667",
    ),
    (
        "applicant_types_2025.csv",
        "other",
        "applicant_type",
        "others",
        "line 6 (applicant_type 'others'), column 'applicant_type': unknown value 'others' "
        "(did you mean 'other'?); expected one of us_md, us_do, us_img, non_us_img, other",
    ),
    (
        "applicant_types_2025.csv",
        "us_img",
        "source",
        "",
        "line 4 (applicant_type 'us_img'), column 'source': empty; every row must name the "
        "publication, year and table of its figures",
    ),
    (
        "market_totals_2025.csv",
        "programs",
        "value",
        "6626.5",
        "line 8 (figure 'programs'), column 'value': programs is a count; expected a whole "
        "number, found 6626.5",
    ),
    (
        "market_totals_2025.csv",
        "couples_match_rate",
        "value",
        "93.2",
        "line 10 (figure 'couples_match_rate'), column 'value': expected a share between 0 and 1, "
        "found 93.2",
    ),
    (
        "market_totals_2025.csv",
        "couples",
        "value",
        "-1",
        "line 9 (figure 'couples'), column 'value': expected a number of at least 0, found '-1'",
    ),
    (
        "market_totals_2025.csv",
        "registered_applicants",
        "value",
        "40000",
        "line 3 (figure 'active_applicants'), column 'value': 47,208 exceeds "
        "registered_applicants = 40,000",
    ),
    (
        "market_totals_2025.csv",
        "pgy1_fill_rate",
        "value",
        "0.951",
        "line 7 (figure 'pgy1_fill_rate'), column 'value': 0.951 differs from "
        "pgy1_positions_filled / pgy1_positions_offered = 37,667 / 40,041 = 0.9407 by more "
        "than 0.001",
    ),
    (
        "specialty_applicants_2025.csv",
        "Anesthesiology",
        "applicant_type",
        "us_mdd",
        "line 2 (specialty 'Anesthesiology', applicant_type 'us_mdd'), column 'applicant_type': "
        "unknown value 'us_mdd' (did you mean 'us_md'?); expected one of us_md, us_do, us_img, "
        "non_us_img",
    ),
    (
        "specialty_applicants_2025.csv",
        "Anesthesiology",
        "applicant_type",
        "us_do",
        "line 3 (specialty 'Anesthesiology', applicant_type 'us_do'): repeats line 2 "
        "(same specialty and applicant_type)",
    ),
    (
        "specialty_applicants_2025.csv",
        "Anesthesiology",
        "applicants",
        "30000",
        "line 2 (specialty 'Anesthesiology', applicant_type 'us_md'), column 'applicants': "
        "30,000 us_md applicants exceed the 20,368 active us_md applicants of "
        "applicant_types_2025.csv",
    ),
    (
        "specialty_applicants_2025.csv",
        "Anesthesiology",
        "specialty",
        "Anaesthesiology",
        "line 2 (specialty 'Anaesthesiology', applicant_type 'us_md'), column 'specialty': "
        "'Anaesthesiology' is not a specialty of specialties_2025.csv "
        "(did you mean 'Anesthesiology'?)",
    ),
    (
        "applicants_ranked_per_position.csv",
        "Internal Medicine (Categorical)",
        "specialty",
        "Internal Medicine",
        "line 2 (specialty 'Internal Medicine', year 2020), column 'specialty': "
        "'Internal Medicine' is not a specialty of specialties_2025.csv "
        "(did you mean 'Internal Medicine (Categorical)'?)",
    ),
    (
        "applicants_ranked_per_position.csv",
        "Family Medicine",
        "year",
        "20",
        "line 3 (specialty 'Family Medicine', year 20), column 'year': expected a year, found '20'",
    ),
    (
        "applications_per_applicant.csv",
        "img",
        "applications",
        "0",
        "line 5 (applicant_type 'img', season '2022'), column 'applications': expected a number "
        "above 0, found '0'",
    ),
    (
        "step2ck_norms.csv",
        "all_examinees",
        "value",
        "218.5",
        "line 8 (group 'all_examinees', statistic 'passing_score'), column 'value': expected a "
        "whole Step 2 CK score from 1 to 300, found 218.5",
    ),
    (
        "step2ck_norms.csv",
        "img_examinees",
        "value",
        "87",
        "line 10 (group 'img_examinees', statistic 'first_attempt_pass_rate'), column 'value': "
        "expected a share between 0 and 1, found 87",
    ),
    (
        "step2ck_norms.csv",
        "non_us_img_family_medicine",
        "statistic",
        "median",
        "line 6 (group 'non_us_img_family_medicine', statistic 'median'), column 'statistic': "
        "unknown value 'median' (did you mean 'mean'?); expected one of mean, sd, passing_score, "
        "previous_passing_score, first_attempt_pass_rate",
    ),
    (
        "step2ck_percentiles.csv",
        "lcme_first_takers",
        "percentile",
        "101",
        "line 2 (group 'lcme_first_takers', score 210), column 'percentile': expected a "
        "percentile between 0 and 100, found '101'",
    ),
    (
        "step2ck_percentiles.csv",
        "lcme_first_takers",
        "percentile",
        "5",
        "line 3 (group 'lcme_first_takers', score 220), column 'percentile': 4 at score 220 is "
        "below 5 at score 210; percentiles must not fall as the score rises",
    ),
    (
        "visa_policies.csv",
        "Internal Medicine (Categorical)",
        "share",
        "0.373",
        "column 'share': the shares of specialty 'Internal Medicine (Categorical)' sum to 1.011; "
        "expected 1 within 0.002",
    ),
    (
        "visa_policies.csv",
        "Internal Medicine (Categorical)",
        "policy",
        "h1b",
        "line 2 (specialty 'Internal Medicine (Categorical)', policy 'h1b'), column 'policy': "
        "unknown value 'h1b' (did you mean 'j1_h1b'?); expected one of none, j1, j1_h1b",
    ),
    (
        "visa_policies.csv",
        "Internal Medicine (Categorical)",
        "n_programs",
        "420",
        "line 3 (specialty 'Internal Medicine (Categorical)', policy 'j1'), column 'n_programs': "
        "419 differs from 420 on line 2; n_programs is the size of one survey",
    ),
    (
        "visa_policies.csv",
        "Internal Medicine (Categorical)",
        "specialty",
        "Internal Medicine",
        "line 2 (specialty 'Internal Medicine', policy 'none'), column 'specialty': "
        "'Internal Medicine' is not a specialty of specialties_2025.csv "
        "(did you mean 'Internal Medicine (Categorical)'?)",
    ),
    (
        "charting_outcomes_2024_us_md.csv",
        "Internal Medicine",
        "model_specialty",
        "Internal Medicine",
        "line 8 (specialty 'Internal Medicine'), column 'model_specialty': 'Internal Medicine' "
        "is not a specialty of specialties_2025.csv (did you mean 'Internal Medicine "
        "(Categorical)'?)",
    ),
    (
        "charting_outcomes_2024_us_md.csv",
        "Neurology",
        "model_specialty",
        "Psychiatry",
        "line 14 (specialty 'Psychiatry'), column 'model_specialty': 'Psychiatry' is also the "
        "model specialty of line 9; each model specialty stands for one published specialty",
    ),
    (
        "charting_outcomes_2024_us_md.csv",
        "Anesthesiology",
        "match_rate_preferred",
        "0.9",
        "line 2 (specialty 'Anesthesiology'), column 'match_rate_preferred': 0.9 differs from "
        "matched_preferred / (matched_preferred + not_matched) = 1,136 / 1,327 = 0.8561 by more "
        "than 0.005",
    ),
    (
        "charting_outcomes_2026_non_us_img.csv",
        "Neurology",
        "ranks_matched_q1",
        "7",
        "line 5 (specialty 'Neurology'), column 'ranks_matched_median': expected q1 <= median "
        "<= q3, found 7, 6, 10",
    ),
    (
        "img_share_of_positions.csv",
        "community",
        "img_share_low",
        "0.75",
        "line 2 (program_kind 'community'), column 'img_share_low': 0.75 is above "
        "img_share_high = 0.7",
    ),
    (
        "img_share_of_positions.csv",
        "university",
        "img_share_high",
        "1.3",
        "line 3 (program_kind 'university'), column 'img_share_high': expected a share between "
        "0 and 1, found '1.3'",
    ),
]


@pytest.mark.parametrize(
    ("name", "key", "column", "value", "message"),
    CELL_CASES,
    ids=[f"{c[0].removesuffix('.csv')}-{c[2]}-{c[3] or 'empty'}" for c in CELL_CASES],
)
def test_corrupted_cell_is_reported(copy, name, key, column, value, message):
    set_cell(copy, name, key, column, value)
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.file == str(copy / name)
    assert excinfo.value.message == message
    assert str(excinfo.value) == f"{copy / name}: {message}"


def drop_rows(directory: Path, name: str, keep) -> None:
    path = directory / name
    rows = read_rows(path)
    write_rows(path, [rows[0]] + [row for row in rows[1:] if keep(row)])


def test_missing_file(copy):
    (copy / "visa_policies.csv").unlink()
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert str(excinfo.value) == f"{copy / 'visa_policies.csv'}: file not found"


def test_not_a_directory(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError) as excinfo:
        load_published(missing)
    assert str(excinfo.value) == f"{missing}: not a directory of published data"


def test_misspelt_column(copy):
    replace_text(copy, "specialties_2025.csv", "positions,source", "positons,source")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == "line 1: missing column 'positions' (did you mean 'positons'?)"


def test_unexpected_column(copy):
    rows = read_rows(copy / "img_share_of_positions.csv")
    write_rows(copy / "img_share_of_positions.csv", [[*row, "x"] for row in rows])
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == (
        "line 1: unexpected column 'x'; expected exactly: "
        "program_kind,img_share_low,img_share_high,source"
    )


def test_repeated_column(copy):
    rows = read_rows(copy / "img_share_of_positions.csv")
    write_rows(copy / "img_share_of_positions.csv", [[*row, row[-1]] for row in rows])
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == "line 1: column 'source' appears twice"


def test_wrong_number_of_fields(copy):
    replace_text(copy, "applications_per_applicant.csv", "us_do,2022,92,", "us_do,2022,92,1,")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == (
        "line 4: expected 4 fields, found 5 (quote values that contain a comma)"
    )


def test_empty_file(copy):
    (copy / "market_totals_2025.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == "empty file; expected a header line: figure,value,source"


def test_header_only(copy):
    drop_rows(copy, "img_share_of_positions.csv", lambda row: False)
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == "no data rows after the header"


def test_blank_lines_are_skipped_and_line_numbers_kept(copy):
    set_cell(copy, "specialties_2025.csv", "Anesthesiology", "positions", "x")
    path = copy / "specialties_2025.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([lines[0], "\n", *lines[1:], "\n"]), encoding="utf-8")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == (
        "line 3 (specialty 'Anesthesiology'), column 'positions': expected a whole number, "
        "found 'x'"
    )


def test_missing_applicant_type(copy):
    drop_rows(copy, "applicant_types_2025.csv", lambda row: row[0] != "other")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == (
        "no row for applicant_type 'other'; expected one row for each of "
        "us_md, us_do, us_img, non_us_img, other"
    )


def test_missing_market_figure(copy):
    drop_rows(copy, "market_totals_2025.csv", lambda row: row[0] != "couples")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message.startswith("no row for figure 'couples'; expected one row for")


def test_missing_specialty_applicants_row(copy):
    drop_rows(
        copy,
        "specialty_applicants_2025.csv",
        lambda row: row[:2] != ["Vascular Surgery", "non_us_img"],
    )
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == (
        "specialty 'Vascular Surgery' of specialties_2025.csv has no row for "
        "applicant_type 'non_us_img'"
    )


def test_missing_step2ck_norm(copy):
    drop_rows(copy, "step2ck_norms.csv", lambda row: row[1] != "passing_score")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == (
        "no row for group 'all_examinees' with statistic 'passing_score'"
    )


def test_missing_percentile_group(copy):
    rows = read_rows(copy / "step2ck_percentiles.csv")
    write_rows(copy / "step2ck_percentiles.csv", [rows[0]] + [["lcme", *r[1:]] for r in rows[1:]])
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == "no rows for group 'lcme_first_takers'"


def test_missing_program_kind(copy):
    drop_rows(copy, "img_share_of_positions.csv", lambda row: row[0] != "university")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == (
        "no row for program_kind 'university'; expected one row for each of community, university"
    )


def test_not_utf8(copy):
    (copy / "visa_policies.csv").write_bytes(b"specialty,policy\n\xff\xfe\n")
    with pytest.raises(DataError) as excinfo:
        load_published(copy)
    assert excinfo.value.message == "not UTF-8 text (invalid start byte at byte 17)"
