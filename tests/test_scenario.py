"""Scenario files: loading, layering, ``--set``, strategies, every error message, calibration files
and the documentation of every key."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pytest

from simulator.errors import ScenarioError
from simulator.files import MAX_INPUT_BYTES
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams
from simulator.scenario import (
    MarketSettings,
    Scenario,
    calibrated_keys,
    default_calibration_path,
    load_scenario,
    parse_override,
    read_calibration,
    scenario_keys,
    scenario_reference_markdown,
    scenario_to_dict,
    with_changes,
    write_calibration,
)
from simulator.scenario.reference import REFERENCE_BEGIN, REFERENCE_END, refresh_reference
from simulator.scenario.schema import ENTRY_RANGES
from simulator.vocabulary import APPLICANT_TYPES

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "full_scenario.toml"
DOCS = ROOT / "docs" / "scenarios.md"


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shipped_params() -> MarketParams:
    """The defaults with the shipped calibration applied (whatever values it holds)."""
    return with_changes(MarketParams(), read_calibration(default_calibration_path()))


# ---------------------------------------------------------------------------
# A valid scenario
# ---------------------------------------------------------------------------


def test_full_scenario_loads_into_the_right_values():
    s = load_scenario(FIXTURE)
    assert isinstance(s, Scenario)
    assert (s.source, s.name) == (str(FIXTURE), "full_scenario")
    assert s.description == "A non-US IMG applying to Internal Medicine"
    assert (s.seed, s.trials) == (7, 60)
    assert s.market == MarketSettings(
        year=2025, scale=0.25, focal_copies=8, calibration=str(default_calibration_path())
    )
    assert s.you == Focal(
        type="non_us_img",
        specialty="Internal Medicine (Categorical)",
        backup_specialty="Family Medicine",
        step2ck=245,
        usce_months=4.0,
        usce_kind="observership",
        years_since_graduation=3.0,
        visa="h1b",
        applications=150,
        rank_list_length=0,
    )
    assert type(s.you.step2ck) is int and type(s.you.usce_months) is float
    base = shipped_params()
    assert s.params.applicants.rank_list_cap == 20
    assert s.params.applicants.step2ck_shift.non_us_img == 5.0
    assert s.params.applicants.step2ck_shift.us_img == 0.0
    assert s.params.applicants.usce_mean_months.us_img == 9.0
    assert (
        s.params.applicants.usce_mean_months.non_us_img
        == base.applicants.usce_mean_months.non_us_img
    )
    assert s.params.programs.visa_none_share == 0.4
    assert s.params.selection.interview_noise_sd == 0.4
    assert s.params.selection.type_penalty.us_do == 0.25
    assert s.params.selection.type_penalty.us_img == base.selection.type_penalty.us_img
    assert s.params.selection.acceptability_bar == base.selection.acceptability_bar
    assert s.params.advanced == base.advanced
    assert s.overrides == ()


def test_fixture_strategies():
    s = load_scenario(FIXTURE)
    assert [st.name for st in s.strategies] == ["rank 5", "hands-on and more applications", "as is"]
    rank5, hands_on, as_is = s.strategies
    assert rank5.changes == (("you.rank_list_length", 5),)
    assert rank5.you == dataclasses.replace(s.you, rank_list_length=5)
    assert rank5.params == s.params
    assert hands_on.changes == (
        ("you.usce_kind", "hands_on"),
        ("you.applications", 250),
        ("selection.step2ck_weight", 1.5),
    )
    assert hands_on.you == dataclasses.replace(s.you, usce_kind="hands_on", applications=250)
    assert hands_on.params.selection.step2ck_weight == 1.5
    assert hands_on.params.selection.type_penalty == s.params.selection.type_penalty
    assert (as_is.changes, as_is.you, as_is.params) == ((), s.you, s.params)


def test_defaults_fill_everything_not_set(tmp_path):
    s = load_scenario(write(tmp_path, "seed = 5\n"))
    assert (s.seed, s.trials, s.description, s.strategies) == (5, 40, "", ())
    assert s.market == MarketSettings(calibration=str(default_calibration_path()))
    assert s.you == Focal()
    assert s.params == shipped_params()


def test_shipped_calibration_file_holds_only_calibrated_keys():
    values = read_calibration(default_calibration_path())
    assert set(values) == set(calibrated_keys())
    assert {f"selection.type_penalty.{t}" for t in APPLICANT_TYPES} <= set(calibrated_keys())


# ---------------------------------------------------------------------------
# Layering: defaults < calibration < scenario file < --set
# ---------------------------------------------------------------------------


def test_layering_order(tmp_path, monkeypatch):
    write(
        tmp_path, "[selection.type_penalty]\nus_md = 0.1\nus_do = 0.3\nus_img = 0.9\n", "cal.toml"
    )
    scenario = write(
        tmp_path,
        '[market]\ncalibration = "../cal.toml"\n[selection.type_penalty]\nus_img = 1.0\n',
        "sub/s.toml",
    )
    s = load_scenario(scenario)
    penalty = s.params.selection.type_penalty
    assert s.market.calibration == str(tmp_path / "sub" / ".." / "cal.toml")
    assert penalty.us_md == 0.1  # calibration over default
    assert penalty.us_do == 0.3  # calibration
    assert penalty.us_img == 1.0  # file over calibration
    assert penalty.non_us_img == MarketParams().selection.type_penalty.non_us_img  # default
    s = load_scenario(
        scenario, ["selection.type_penalty.us_img=1.2", "selection.type_penalty.us_md=-1"]
    )
    assert s.params.selection.type_penalty.us_img == 1.2  # --set over file
    assert s.params.selection.type_penalty.us_md == -1.0  # --set over calibration
    assert s.params.selection.type_penalty.us_do == 0.3


def test_set_calibration_path_is_relative_to_the_current_directory(tmp_path, monkeypatch):
    write(tmp_path, "[selection.type_penalty]\nus_do = -3\n", "cal.toml")
    scenario = write(tmp_path, "seed = 1\n", "sub/s.toml")
    monkeypatch.chdir(tmp_path)
    s = load_scenario(scenario, ["market.calibration=cal.toml"])
    assert s.params.selection.type_penalty.us_do == -3.0
    assert s.market.calibration == "cal.toml"


def test_later_set_wins_and_overrides_are_kept(tmp_path):
    path = write(tmp_path, "[you]\nstep2ck = 230\n")
    overrides = ("you.step2ck=250", "you.step2ck=260", "you.specialty=Psychiatry")
    s = load_scenario(path, overrides)
    assert (s.you.step2ck, s.you.specialty, s.overrides) == (260, "Psychiatry", overrides)


def test_strategies_apply_on_top_of_set(tmp_path):
    path = write(tmp_path, '[[strategies]]\nname = "rank 5"\nyou.rank_list_length = 5\n')
    s = load_scenario(path, ["you.step2ck=255"])
    assert s.strategies[0].you.step2ck == 255
    assert s.strategies[0].you.rank_list_length == 5


def test_set_can_replace_the_strategies(tmp_path):
    path = write(tmp_path, '[[strategies]]\nname = "a"\n')
    s = load_scenario(path, ['strategies=[{name = "b", you = {applications = 50}}]'])
    assert [(st.name, st.changes) for st in s.strategies] == [("b", (("you.applications", 50),))]


# ---------------------------------------------------------------------------
# --set parsing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you.step2ck=250", ("you.step2ck", 250)),
        (" you.step2ck = 250 ", ("you.step2ck", 250)),
        ("market.scale=0.5", ("market.scale", 0.5)),
        ("you.specialty=Psychiatry", ("you.specialty", "Psychiatry")),
        (
            "you.specialty=Internal Medicine (Categorical)",
            ("you.specialty", "Internal Medicine (Categorical)"),
        ),
        ('you.specialty="Psychiatry"', ("you.specialty", "Psychiatry")),
        ("description=2025", ("description", "2025")),  # a text key keeps the text
        ("description=a=b", ("description", "a=b")),
        ("you.backup_specialty=", ("you.backup_specialty", "")),
        ("you.visa=none", ("you.visa", "none")),
        ("you.step2ck=true", ("you.step2ck", True)),  # parsed; rejected when checked
        ("applicants.step2ck_shift={us_img = 5}", ("applicants.step2ck_shift", {"us_img": 5})),
        ("you.nonsense=1", ("you.nonsense", 1)),  # keys are checked by load_scenario
    ],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


@pytest.mark.parametrize("text", ["you.step2ck", "=5", "you..step2ck=1", " =1"])
def test_parse_override_refuses_malformed(text):
    with pytest.raises(ScenarioError) as excinfo:
        parse_override(text)
    assert str(excinfo.value) == f"--set: expected dotted.key=value, found '{text}'"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("you.step2ck=320", "you.step2ck: expected an integer from 1 to 300, found 320"),
        ("you.stpe2ck=3", "you.stpe2ck: unknown key (did you mean 'you.step2ck'?)"),
        (
            "you.specialty=Psychiatri",
            "you.specialty: expected a specialty named in data/specialties_2025.csv, "
            "found 'Psychiatri' (did you mean 'Psychiatry'?)",
        ),
        (
            "applicants.step2ck_shift={non_us = 5}",
            "applicants.step2ck_shift.non_us: unknown key "
            "(did you mean 'applicants.step2ck_shift.non_us_img'?)",
        ),
        (
            "strategies=[{}]",
            "strategies[1].name: missing (every strategy needs a unique, non-empty name)",
        ),
    ],
)
def test_set_errors_name_set(tmp_path, override, message):
    path = write(tmp_path, "seed = 1\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, [override])
    assert str(excinfo.value) == f"--set: {message}"
    assert excinfo.value.file == "--set"


def test_cross_field_error_blames_the_layer_that_caused_it(tmp_path):
    path = write(tmp_path, '[you]\nusce_kind = "none"\nusce_months = 0\n')
    assert load_scenario(path).you.usce_kind == "none"
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, ["you.usce_months=2"])
    assert str(excinfo.value) == (
        "--set: you.usce_months: expected 0 when you.usce_kind is 'none', found 2.0"
    )


# ---------------------------------------------------------------------------
# Every error, with its exact message
# ---------------------------------------------------------------------------

HUGE = "9" * 5000  # more digits than Python converts from text (4300)
ERRORS = {
    # unknown keys, with the full dotted path suggested
    "unknown key": (
        "[you]\nstpe2ck = 240\n",
        "you.stpe2ck: unknown key (did you mean 'you.step2ck'?)",
    ),
    "unknown top key": ("seeed = 3\n", "seeed: unknown key (did you mean 'seed'?)"),
    "unknown section": ("[slection]\n", "slection: unknown key (did you mean 'selection'?)"),
    "strategies typo": (
        '[[strategy]]\nname = "a"\n',
        "strategy: unknown key (did you mean 'strategies'?)",
    ),
    "unknown nested": (
        "[applicants]\nstep2ck_shift.non_us = 5\n",
        "applicants.step2ck_shift.non_us: unknown key "
        "(did you mean 'applicants.step2ck_shift.non_us_img'?)",
    ),
    "key in wrong section": (
        "[selection]\ntaste_sd = 1\n",
        "selection.taste_sd: unknown key (did you mean 'applicants.taste_sd'?)",
    ),
    "unknown, no match": ("[you]\nzzz = 1\n", "you.zzz: unknown key"),
    # types
    "int given bool": (
        "[you]\nstep2ck = true\n",
        "you.step2ck: expected an integer from 1 to 300, found true",
    ),
    "int given fraction": (
        "[you]\nstep2ck = 240.5\n",
        "you.step2ck: expected an integer from 1 to 300, found 240.5",
    ),
    "int given string": (
        '[you]\nstep2ck = "240"\n',
        "you.step2ck: expected an integer from 1 to 300, found '240'",
    ),
    "float given string": (
        '[selection]\nysg_weight = "x"\n',
        "selection.ysg_weight: expected a number from 0 to 10, found 'x'",
    ),
    "float given nan": (
        "[selection]\nacceptability_bar = nan\n",
        "selection.acceptability_bar: expected a finite number, found nan",
    ),
    "string given number": ("description = 3\n", "description: expected a string, found 3"),
    "string given date": (
        "description = 1979-05-27\n",
        "description: expected a string, found date 1979-05-27",
    ),
    "section given value": ("applicants = 3\n", "applicants: expected a table, found 3"),
    "value given table": (
        "[you.step2ck]\n",
        "you.step2ck: expected an integer from 1 to 300, found a table",
    ),
    "per-type given number": (
        "[applicants]\nstep2ck_shift = 5\n",
        "applicants.step2ck_shift: expected a table of numbers by applicant "
        "type (us_md, us_do, us_img, non_us_img, other), found 5",
    ),
    "per-type entry type": (
        "[applicants.ysg_mean]\nus_img = [1]\n",
        "applicants.ysg_mean.us_img: expected a number from 0 to 60, found an array",
    ),
    # ranges
    "above range": (
        "[you]\nstep2ck = 320\n",
        "you.step2ck: expected an integer from 1 to 300, found 320",
    ),
    "negative usce": (
        "[you]\nusce_months = -1\n",
        "you.usce_months: expected a number from 0 to 120, found -1",
    ),
    "negative seed": (
        "seed = -1\n",
        "seed: expected an integer from 0 to 9223372036854775807, found -1",
    ),
    "zero trials": ("trials = 0\n", "trials: expected an integer from 1 to 100000, found 0"),
    "focal copies": (
        "[market]\nfocal_copies = 4097\n",
        "market.focal_copies: expected an integer from 1 to 4096, found 4097",
    ),
    "per-type range": (
        "[applicants.usce_none_share]\nnon_us_img = 1.5\n",
        "applicants.usce_none_share.non_us_img: expected a number from 0 to 1, found 1.5",
    ),
    "scale zero": (
        "[market]\nscale = 0\n",
        "market.scale: expected a number greater than 0 and at most 1, found 0",
    ),
    "scale above one": (
        "[market]\nscale = 1.5\n",
        "market.scale: expected a number greater than 0 and at most 1, found 1.5",
    ),
    "year": (
        "[market]\nyear = 2024\n",
        "market.year: expected one of the years with published data (2025), found 2024",
    ),
    # choices
    "type": (
        '[you]\ntype = "other"\n',
        "you.type: expected one of us_md, us_do, us_img, non_us_img, found 'other'",
    ),
    "visa": (
        '[you]\nvisa = "h1"\n',
        "you.visa: expected one of none, j1, h1b, found 'h1' (did you mean 'h1b'?)",
    ),
    "usce kind": (
        '[you]\nusce_kind = "hands-off"\n',
        "you.usce_kind: expected one of none, observership, hands_on, found 'hands-off' "
        "(did you mean 'hands_on'?)",
    ),
    "specialty": (
        '[you]\nspecialty = "Internal Medcine"\n',
        "you.specialty: expected a specialty named in data/specialties_2025.csv, found "
        "'Internal Medcine' (did you mean 'Internal Medicine (Categorical)'?)",
    ),
    "specialty, no match": (
        '[you]\nspecialty = "Xyz"\n',
        "you.specialty: expected a specialty named in data/specialties_2025.csv, found 'Xyz'",
    ),
    "backup specialty": (
        '[you]\nbackup_specialty = "psychiatri"\n',
        "you.backup_specialty: expected a specialty named in "
        "data/specialties_2025.csv or '' for none, found 'psychiatri' "
        "(did you mean 'Psychiatry'?)",
    ),
    # rules between keys
    "usce none with months": (
        '[you]\nusce_kind = "none"\nusce_months = 3\n',
        "you.usce_months: expected 0 when you.usce_kind is 'none', found 3.0",
    ),
    "backup equals preferred": (
        '[you]\nspecialty = "Psychiatry"\nbackup_specialty = "Psychiatry"\n',
        "you.backup_specialty: expected a specialty other than "
        "you.specialty, or '' for none, found 'Psychiatry'",
    ),
    "us img with visa": (
        '[you]\ntype = "us_img"\nvisa = "j1"\n',
        "you.visa: expected 'none' (only non-US IMGs need a visa; you.type is "
        "'us_img'), found 'j1'",
    ),
    "us md with visa": (
        '[you]\ntype = "us_md"\nvisa = "h1b"\n',
        "you.visa: expected 'none' (only non-US IMGs need a visa; you.type is "
        "'us_md'), found 'h1b'",
    ),
    "applicant visa shares": (
        "[applicants]\nvisa_j1_share = 0.7\nvisa_h1b_share = 0.4\n",
        "applicants.visa_h1b_share: expected at most 0.3 (1 - "
        "applicants.visa_j1_share; the two shares add up to at most 1), "
        "found 0.4",
    ),
    "program visa shares": (
        "[programs]\nvisa_none_share = 0.9\n",
        "programs.visa_j1_h1b_share: expected at most 0.1 (1 - "
        "programs.visa_none_share; the two shares add up to at most 1), "
        "found 0.22",
    ),
    "usce shares": (
        "[applicants]\nusce_none_share.us_img = 0.5\n",
        "applicants.usce_none_share.us_img: expected at most 0.15 (1 - "
        "applicants.usce_hands_on_share.us_img; the two shares add up to at most 1), "
        "found 0.5",
    ),
    # strategies
    "strategy without name": (
        "[[strategies]]\nyou.rank_list_length = 3\n",
        "strategies[1].name: missing (every strategy needs a unique, non-empty name)",
    ),
    "strategy empty name": (
        '[[strategies]]\nname = " "\n',
        "strategies[1].name: expected a non-empty string, found ' '",
    ),
    "strategy name type": (
        "[[strategies]]\nname = 5\n",
        "strategies[1].name: expected a string, found 5",
    ),
    "strategy duplicate": (
        '[[strategies]]\nname = "a"\n[[strategies]]\nname = "a"\n',
        "strategies[2].name: expected a name no other strategy has, found 'a' "
        "(the name of strategies[1] too)",
    ),
    "strategy bad value": (
        '[[strategies]]\nname = "a"\n[[strategies]]\nname = "b"\nyou.rank_list_length = 500\n',
        "strategies[2].you.rank_list_length: expected an integer from 0 to 200, found 500",
    ),
    "strategy unknown key": (
        '[[strategies]]\nname = "a"\nyou.rank_lenght = 5\n',
        "strategies[1].you.rank_lenght: unknown key "
        "(did you mean 'strategies[1].you.rank_list_length'?)",
    ),
    "strategy key in wrong section": (
        '[[strategies]]\nname = "a"\nyou.taste_sd = 1\n',
        "strategies[1].you.taste_sd: unknown key "
        "(did you mean 'strategies[1].applicants.taste_sd'?)",
    ),
    "strategy seed": (
        '[[strategies]]\nname = "a"\nseed = 3\n',
        "strategies[1].seed: not allowed in a strategy (a strategy may set name, "
        "you.*, applicants.*, programs.* and selection.*)",
    ),
    "strategy market": (
        '[[strategies]]\nname = "a"\nmarket.scale = 0.5\n',
        "strategies[1].market.scale: not allowed in a strategy (a strategy may set "
        "name, you.*, applicants.*, programs.* and selection.*)",
    ),
    "strategy rule": (
        '[you]\nusce_kind = "hands_on"\nusce_months = 3\n'
        '[[strategies]]\nname = "a"\nyou.usce_kind = "none"\n',
        "strategies[1].you.usce_months: expected 0 when you.usce_kind is 'none', found 3.0",
    ),
    "strategy share rule": (
        '[[strategies]]\nname = "a"\napplicants.visa_h1b_share = 0.5\n',
        "strategies[1].applicants.visa_h1b_share: expected at most 0.45 (1 - "
        "applicants.visa_j1_share; the two shares add up to at most 1), "
        "found 0.5",
    ),
    "strategies not array": (
        "strategies = 3\n",
        "strategies: expected an array of tables ([[strategies]]), found 3",
    ),
    "strategy not table": ("strategies = [1]\n", "strategies[1]: expected a table, found 1"),
    # files
    "empty file": (
        "# nothing but a comment\n\n",
        "empty file (expected scenario settings such as a [you] table)",
    ),
    "malformed TOML": (
        "seed = 1\n[you\nstep2ck = 1\n",
        "invalid TOML at line 2, column 5: Expected ']' at the end of a table declaration",
    ),
    "malformed at end": ("seed = 1\ntrials = ", "invalid TOML at line 2, column 10: Invalid value"),
    "duplicate key": (
        "seed = 1\nseed = 2\n",
        "invalid TOML at line 2, column 9: Cannot overwrite a value",
    ),
    # integers too long to convert, or beyond every range (issue 12)
    "integer key": (
        f"[you]\nstep2ck = {HUGE}\n",
        "you.step2ck: expected an integer from 1 to 300, found an integer of 5,000 digits",
    ),
    "negative, with underscores": (
        f"[you]\napplications = -1_{HUGE}\n",
        "you.applications: expected an integer from 1 to 2000, found an integer of 5,001 digits",
    ),
    "number key": (
        f"[selection]\nysg_weight = {HUGE}\n",
        "selection.ysg_weight: expected a number from 0 to 10, found an integer of 5,000 digits",
    ),
    "text key": (
        f"description = {HUGE}\n",
        "description: expected a string, found an integer of 5,000 digits",
    ),
    "per-type entry": (
        f"[applicants.step2ck_shift]\nus_img = {HUGE}\n",
        "applicants.step2ck_shift.us_img: expected a number from -100 to 100, "
        "found an integer of 5,000 digits",
    ),
    "in a strategy": (
        f'[[strategies]]\nname = "a"\nyou.rank_list_length = {HUGE}\n',
        "strategies[1].you.rank_list_length: expected an integer from 0 to 200, "
        "found an integer of 5,000 digits",
    ),
    "after a huge one, a syntax error is still found": (
        f"seed = {HUGE}\n[you\n",
        "invalid TOML at line 2, column 5: Expected ']' at the end of a table declaration",
    ),
    # within Python's limit, but beyond every range: shown by size, not digit by digit.
    "long seed": (
        "seed = 1" + "0" * 30 + "\n",
        "seed: expected an integer from 0 to 9223372036854775807, found an integer of 31 digits",
    ),
    "beyond a float": (
        "[market]\nscale = 1" + "0" * 400 + "\n",
        "market.scale: expected a number greater than 0 and at most 1, "
        "found an integer of 401 digits",
    ),
    # a small hand-written market given where a scenario belongs
    "small market": (
        '[programs.Mercy]\npositions = 1\nranks = ["Chen"]\n[applicants.Chen]\nranks = []\n',
        "this looks like a small-market file (it has [programs.Mercy]): "
        "use matchsim match or matchsim explain",
    ),
    "small market, applicants only": (
        '[applicants."Dr. Chen"]\nranks = ["Mercy"]\n',
        "this looks like a small-market file (it has [applicants.Dr. Chen]): "
        "use matchsim match or matchsim explain",
    ),
    "scenario section that is not a market": (
        "[programs.interview_rounds]\nranks = 1\n",
        "programs.interview_rounds: expected an integer from 1 to 10, found a table",
    ),
}


@pytest.mark.parametrize(("text", "message"), list(ERRORS.values()), ids=list(ERRORS))
def test_error_messages(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == f"{path}: {message}"
    assert excinfo.value.file == str(path)


def test_error_carries_key_expected_found(tmp_path):
    path = write(tmp_path, "[you]\nstep2ck = 320\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    error = excinfo.value
    assert (error.key, error.expected, error.found) == (
        "you.step2ck",
        "an integer from 1 to 300",
        "320",
    )


def test_whole_float_is_accepted_for_an_integer(tmp_path):
    s = load_scenario(write(tmp_path, "[you]\nstep2ck = 240.0\napplications = 80\n"))
    assert s.you.step2ck == 240 and type(s.you.step2ck) is int


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(tmp_path / "absent.toml")
    assert str(excinfo.value) == f"{tmp_path / 'absent.toml'}: file not found"
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(tmp_path)
    assert str(excinfo.value) == f"{tmp_path}: is a directory, expected a file"


def test_missing_calibration_file(tmp_path):
    path = write(tmp_path, '[market]\ncalibration = "nope.toml"\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == (
        f"{path}: market.calibration: expected a calibration file (a regular .toml file), "
        f"found 'nope.toml' ({(tmp_path / 'nope.toml').resolve()}: file not found)"
    )


def test_bad_calibration_file_is_named(tmp_path):
    cal = write(tmp_path, "[selection]\ninterview_noise_sd = 1\n", "cal.toml")
    path = write(tmp_path, '[market]\ncalibration = "cal.toml"\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == (
        f"{cal}: selection.interview_noise_sd: not a calibrated parameter "
        "(set it in a scenario file instead)"
    )


def test_strategy_with_no_changes_is_allowed(tmp_path):
    s = load_scenario(write(tmp_path, '[[strategies]]\nname = "baseline"\n'))
    (only,) = s.strategies
    assert (only.name, only.changes, only.you, only.params) == ("baseline", (), s.you, s.params)


# ---------------------------------------------------------------------------
# with_changes
# ---------------------------------------------------------------------------


def test_with_changes_focal():
    you = with_changes(Focal(), {"you.rank_list_length": np.int64(5), "you.step2ck": 250.0})
    assert you == dataclasses.replace(Focal(), rank_list_length=5, step2ck=250)
    assert type(you.rank_list_length) is int


def test_with_changes_params():
    params = with_changes(
        MarketParams(), {"applicants.step2ck_shift.us_img": 5, "selection": {"ysg_weight": 0.2}}
    )
    assert params.applicants.step2ck_shift.us_img == 5.0
    assert params.selection.ysg_weight == 0.2
    assert params.programs == MarketParams().programs


def test_with_changes_scenario_rederives_strategies():
    s = load_scenario(FIXTURE)
    changed = with_changes(
        s, {"you.step2ck": 260, "seed": 9, "market.scale": 0.5, "applicants.rank_list_cap": 10}
    )
    assert (changed.seed, changed.market.scale, changed.you.step2ck) == (9, 0.5, 260)
    assert changed.market.calibration == s.market.calibration
    assert changed.params.applicants.rank_list_cap == 10
    assert [st.you.step2ck for st in changed.strategies] == [260, 260, 260]
    assert changed.strategies[0].you.rank_list_length == 5
    assert changed.strategies[1].params.applicants.rank_list_cap == 10
    assert s.you.step2ck == 245  # the original is untouched


def test_with_changes_sweeps_usce_months_from_zero():
    assert with_changes(Focal(), {"you.usce_months": 0}).usce_months == 0.0


@pytest.mark.parametrize(
    ("target", "changes", "message"),
    [
        (
            Focal(),
            {"you.step2ck": 400},
            "you.step2ck: expected an integer from 1 to 300, found 400",
        ),
        (
            Focal(),
            {"rank_list_length": 3},
            "rank_list_length: unknown key (did you mean 'you.rank_list_length'?)",
        ),
        (
            Focal(),
            {"applicants.taste_sd": 1},
            "applicants.taste_sd: not a setting of the focal applicant (you.*)",
        ),
        (
            Focal(usce_kind="hands_on", usce_months=3),
            {"you.usce_kind": "none"},
            "you.usce_months: expected 0 when you.usce_kind is 'none', found 3",
        ),
        (
            Focal(),
            {"you.advanced": True},
            "you.advanced: expected false: you.specialty has no advanced (PGY-2) positions in the "
            "model (those that do: Anesthesiology, Dermatology, Neurology, Physical Medicine & "
            "Rehab, Radiation Oncology, Radiology-Diagnostic), found true",
        ),
        (
            Focal(specialty="Anesthesiology", backup_specialty="Transitional (PGY-1 Only)"),
            {"you.advanced": True},
            "you.backup_specialty: expected a specialty other than you.pgy1_track (your "
            "supplemental lists already go there), or '' for none, found 'Transitional (PGY-1 "
            "Only)'",
        ),
        (
            Focal(),
            {"you.pgy1_track": "Family Medicine"},
            "you.pgy1_track: expected one of Medicine-Preliminary (PGY-1 Only), "
            "Surgery-Preliminary (PGY-1 Only), Transitional (PGY-1 Only), found 'Family Medicine'",
        ),
        (
            MarketParams(),
            {"you.step2ck": 250},
            "you.step2ck: not a setting of the market parameters (applicants.*, programs.*, "
            "selection.*, soap.*, geography.*, signals.*, couples.*, advanced.*)",
        ),
        (
            MarketParams(),
            {"programs.visa_j1_h1b_share": 0.7},
            "programs.visa_j1_h1b_share: expected at most 0.637 (1 - programs.visa_none_share; the "
            "two shares add up to at most 1), found 0.7",
        ),
    ],
)
def test_with_changes_errors(target, changes, message):
    with pytest.raises(ScenarioError) as excinfo:
        with_changes(target, changes)
    assert str(excinfo.value) == message


def test_with_changes_scenario_errors_name_the_source():
    s = load_scenario(FIXTURE)
    with pytest.raises(ScenarioError) as excinfo:
        with_changes(s, {"market.calibration": "x.toml"})
    assert str(excinfo.value) == (
        f"{FIXTURE}: market.calibration: cannot be changed after loading "
        "(the calibration layer is already applied)"
    )
    with pytest.raises(ScenarioError) as excinfo:
        with_changes(s, {"you.step2ck": 0}, source="sweep")
    assert str(excinfo.value) == "sweep: you.step2ck: expected an integer from 1 to 300, found 0"


def test_with_changes_checks_strategies_against_the_new_base(tmp_path):
    path = write(
        tmp_path,
        '[you]\nusce_kind = "hands_on"\nusce_months = 0\n'
        '[[strategies]]\nname = "a"\n[[strategies]]\nname = "no USCE"\n'
        'you.usce_kind = "none"\n',
    )
    s = load_scenario(path)
    assert s.strategies[1].you.usce_kind == "none"
    with pytest.raises(ScenarioError) as excinfo:
        with_changes(s, {"you.usce_months": 3}, source="sweep")
    assert str(excinfo.value) == (
        "sweep: strategies[2].you.usce_months: expected 0 when you.usce_kind is 'none', found 3.0"
    )


def test_with_changes_rejects_other_targets():
    with pytest.raises(TypeError):
        with_changes("not a scenario", {})


# ---------------------------------------------------------------------------
# scenario_to_dict
# ---------------------------------------------------------------------------


def test_scenario_to_dict_is_json_and_laid_out_like_the_file():
    s = load_scenario(FIXTURE, ["you.step2ck=250"])
    d = json.loads(json.dumps(scenario_to_dict(s)))
    assert set(d) == {
        "name",
        "source",
        "description",
        "seed",
        "trials",
        "market",
        "you",
        "applicants",
        "programs",
        "selection",
        "soap",
        "geography",
        "signals",
        "couples",
        "advanced",
        "strategies",
        "overrides",
    }
    assert d["you"] == dataclasses.asdict(s.you)
    assert d["market"]["calibration"] == s.market.calibration
    assert d["applicants"]["step2ck_shift"]["non_us_img"] == 5.0
    assert d["selection"]["acceptability_bar"] == s.params.selection.acceptability_bar
    assert d["strategies"][0] == {"name": "rank 5", "you": {"rank_list_length": 5}}
    assert d["strategies"][1] == {
        "name": "hands-on and more applications",
        "you": {"usce_kind": "hands_on", "applications": 250},
        "selection": {"step2ck_weight": 1.5},
    }
    assert d["strategies"][2] == {"name": "as is"}
    assert d["overrides"] == ["you.step2ck=250"]
    # Every documented key is in the dict.
    for key in scenario_keys(tables=False):
        node = d
        for part in key.split("."):
            node = node[part]


# ---------------------------------------------------------------------------
# Calibration files
# ---------------------------------------------------------------------------


def test_calibration_round_trip(tmp_path):
    values = {
        "selection.type_penalty.us_img": -2.123456789012345,
        "selection.type_penalty.us_do": 0.3,
        "selection.type_penalty.non_us_img": 1,
    }
    path = write_calibration(tmp_path / "cal.toml", values, "Fitted by a test.\nSecond line.")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Fitted by a test.\n# Second line.\n")
    assert read_calibration(path) == {k: float(v) for k, v in values.items()}
    # and a scenario reads it as its calibration layer
    s = load_scenario(write(tmp_path, '[market]\ncalibration = "cal.toml"\n'))
    assert s.params.selection.type_penalty.us_img == -2.123456789012345


def test_write_calibration_refuses_to_overwrite(tmp_path):
    key = "selection.type_penalty.us_do"
    path = write_calibration(tmp_path / "cal.toml", {key: -2}, "first")
    with pytest.raises(ScenarioError) as excinfo:
        write_calibration(path, {key: -3}, "second")
    assert str(excinfo.value) == (
        f"{path}: already exists; not overwriting it (pass overwrite=True to replace it)"
    )
    assert read_calibration(path) == {key: -2.0}
    write_calibration(path, {key: -3}, "second", overwrite=True)
    assert read_calibration(path) == {key: -3.0}
    assert path.read_text(encoding="utf-8").startswith("# second\n")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"selection.ysg_weight": 0.1},
            "selection.ysg_weight: not a calibrated parameter (set it in a scenario file instead)",
        ),
        (
            {"selection.type_penalty.us_mdd": 0.1},
            "selection.type_penalty.us_mdd: unknown key "
            "(did you mean 'selection.type_penalty.us_md'?)",
        ),
        (
            {"selection.type_penalty.us_md": 50},
            "selection.type_penalty.us_md: expected a number from -20 to 20, found 50",
        ),
    ],
)
def test_write_calibration_checks_values(tmp_path, values, message):
    path = tmp_path / "cal.toml"
    with pytest.raises(ScenarioError) as excinfo:
        write_calibration(path, values, "header")
    assert str(excinfo.value) == f"{path}: {message}"
    assert not path.exists()


def test_read_calibration_refuses_other_keys(tmp_path):
    path = write(tmp_path, "seed = 1\n", "cal.toml")
    with pytest.raises(ScenarioError) as excinfo:
        read_calibration(path)
    assert str(excinfo.value) == (
        f"{path}: seed: not a calibrated parameter (set it in a scenario file instead)"
    )


def test_read_calibration_allows_comments_only(tmp_path):
    assert read_calibration(write(tmp_path, "# not fitted yet\n", "cal.toml")) == {}


# ---------------------------------------------------------------------------
# Documentation cannot go stale
# ---------------------------------------------------------------------------


def test_docs_mention_every_key():
    text = DOCS.read_text(encoding="utf-8")
    missing = [key for key in scenario_keys() if f"`{key}`" not in text]
    assert not missing, f"docs/scenarios.md does not document {missing}"
    for key in ("seed", "trials", "description", "strategies", "--set", "calibration_2025.toml"):
        assert key in text


def test_docs_reference_is_up_to_date():
    text = DOCS.read_text(encoding="utf-8")
    assert REFERENCE_BEGIN in text and REFERENCE_END in text
    assert refresh_reference(text) == text, (
        "docs/scenarios.md is out of date: "
        "run `python -m simulator.scenario.reference docs/scenarios.md`"
    )
    assert scenario_reference_markdown() in text


def test_every_per_type_table_has_an_entry_range():
    tables = [key for key in scenario_keys() if key not in scenario_keys(tables=False)]
    assert tables and set(tables) == set(ENTRY_RANGES)


# ---------------------------------------------------------------------------
# Hostile input (issue 12): each problem is one ScenarioError naming file and key
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            f"you.step2ck={HUGE}",
            "you.step2ck: expected an integer from 1 to 300, found an integer of 5,000 digits",
        ),
        (
            f"applicants.step2ck_shift={{us_img = -{HUGE}}}",
            "applicants.step2ck_shift.us_img: expected a number from -100 to 100, "
            "found an integer of 5,000 digits",
        ),
        (
            "seed=" + "1" * 25,
            "seed: expected an integer from 0 to 9223372036854775807, "
            "found an integer of 25 digits",
        ),
    ],
)
def test_huge_integers_in_set(tmp_path, override, message):
    path = write(tmp_path, "seed = 1\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, [override])
    assert str(excinfo.value) == f"--set: {message}"


def test_huge_integer_as_text_is_kept_as_text(tmp_path):
    s = load_scenario(write(tmp_path, "seed = 1\n"), [f"description={HUGE}"])
    assert s.description == HUGE


def test_huge_integers_in_with_changes():
    with pytest.raises(ScenarioError) as excinfo:
        with_changes(Focal(), {"you.step2ck": 10**5000})
    assert str(excinfo.value) == (
        "you.step2ck: expected an integer from 1 to 300, found an integer of 5,001 digits"
    )


def _deep_tables(levels: int) -> str:
    return "[" + ".".join(["a"] * levels) + "]\n"


NESTED_TOO_DEEPLY = "nested too deeply (more than 100 levels of tables and arrays)"


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 500 + "]" * 500 + "\n",
        "x = " + "{a = " * 500 + "1" + "}" * 500 + "\n",
        _deep_tables(500),
        "x = " + "[" * 100 + "]" * 100 + "\n",  # the document itself is the 101st level
    ],
    ids=["arrays", "inline tables", "table header", "just past the limit"],
)
def test_nesting_too_deep_in_a_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == f"{path}: {NESTED_TOO_DEEPLY}"


def test_nesting_at_the_limit_is_parsed(tmp_path):
    path = write(tmp_path, "x = " + "[" * 99 + "]" * 99 + "\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == f"{path}: x: unknown key"


def test_nesting_too_deep_in_set(tmp_path):
    path = write(tmp_path, "seed = 1\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, ["strategies=" + "[" * 500 + "]" * 500])
    assert str(excinfo.value) == f"--set: {NESTED_TOO_DEEPLY}"


def test_nesting_too_deep_in_a_calibration_file(tmp_path):
    cal = write(tmp_path, _deep_tables(500), "cal.toml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, '[market]\ncalibration = "cal.toml"\n'))
    assert str(excinfo.value) == f"{cal}: {NESTED_TOO_DEEPLY}"


SCALE_TOO_SMALL = "market.scale: expected at least 0.000209 (one applicant of each type), found {}"


def test_scale_too_small_names_set_and_the_key(tmp_path):
    path = write(tmp_path, "[market]\nscale = 0.5\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, ["market.scale=1e-9"])
    assert str(excinfo.value) == "--set: " + SCALE_TOO_SMALL.format("1e-09")
    assert (excinfo.value.file, excinfo.value.key) == ("--set", "market.scale")


def test_scale_too_small_names_the_file_and_with_changes_source(tmp_path):
    path = write(tmp_path, "[market]\nscale = 0.0001\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == f"{path}: " + SCALE_TOO_SMALL.format("0.0001")
    s = load_scenario(path, ["market.scale=0.01"])
    with pytest.raises(ScenarioError) as excinfo:
        with_changes(s, {"market.scale": 1e-5}, source="sweep")
    assert str(excinfo.value) == "sweep: " + SCALE_TOO_SMALL.format("1e-05")


def test_smallest_scale_the_check_allows_draws_a_market():
    from simulator.market import market_inputs
    from simulator.market.published import load_published

    smallest = load_published().applicants_by_type.min()
    scale = 0.5 / smallest * 1.001
    market = with_changes(load_scenario(FIXTURE), {"market.scale": scale}).market
    assert market_inputs(load_published(), market.scale).applicants.min() == 1


# Every rule between keys, as (first key, its value, second key, its value, message).
RULES = [
    (
        "you.usce_months",
        "2",
        "you.usce_kind",
        '"none"',
        "you.usce_months: expected 0 when you.usce_kind is 'none', found 2.0",
    ),
    (
        "you.specialty",
        '"Psychiatry"',
        "you.backup_specialty",
        '"Psychiatry"',
        "you.backup_specialty: expected a specialty other than you.specialty, or '' for none, "
        "found 'Psychiatry'",
    ),
    (
        "you.type",
        '"us_md"',
        "you.visa",
        '"j1"',
        "you.visa: expected 'none' (only non-US IMGs need a visa; you.type is 'us_md'), found 'j1'",
    ),
    (
        "applicants.visa_j1_share",
        "0.6",
        "applicants.visa_h1b_share",
        "0.5",
        "applicants.visa_h1b_share: expected at most 0.4 (1 - applicants.visa_j1_share; "
        "the two shares add up to at most 1), found 0.5",
    ),
    (
        "programs.visa_none_share",
        "0.5",
        "programs.visa_j1_h1b_share",
        "0.6",
        "programs.visa_j1_h1b_share: expected at most 0.5 (1 - programs.visa_none_share; "
        "the two shares add up to at most 1), found 0.6",
    ),
    (
        "applicants.usce_hands_on_share.other",
        "0.7",
        "applicants.usce_none_share.other",
        "0.4",
        "applicants.usce_none_share.other: expected at most 0.3 (1 - "
        "applicants.usce_hands_on_share.other; the two shares add up to at most 1), found 0.4",
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[rule[2] for rule in RULES])
def test_every_rule_between_keys_names_the_layer_that_set_them(tmp_path, rule):
    first, a, second, b, message = rule
    both = write(tmp_path, f"{first} = {a}\n{second} = {b}\n", "both.toml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(both)
    assert str(excinfo.value) == f"{both}: {message}"
    for in_file, in_set in (((first, a), (second, b)), ((second, b), (first, a))):
        path = write(tmp_path, f"{in_file[0]} = {in_file[1]}\n", "one.toml")
        with pytest.raises(ScenarioError) as excinfo:
            load_scenario(path, [f"{in_set[0]}={in_set[1]}"])
        assert str(excinfo.value) == f"--set: {message}"
    strategy = f'[[strategies]]\nname = "s"\n{first} = {a}\n{second} = {b}\n'
    path = write(tmp_path, strategy, "strategy.toml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == f"{path}: strategies[1].{message}"


def test_strategies_given_with_set_name_set(tmp_path):
    path = write(tmp_path, '[you]\nusce_kind = "hands_on"\nusce_months = 3\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, ['strategies=[{name = "a", you = {usce_kind = "none"}}]'])
    assert str(excinfo.value) == (
        "--set: strategies[1].you.usce_months: expected 0 when you.usce_kind is 'none', found 3.0"
    )


def test_the_documented_calibration_file_loads(tmp_path):
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## The calibration file") :]
    start = section.index("```toml\n") + len("```toml\n")
    example = section[start : section.index("```\n", start)]
    values = read_calibration(write(tmp_path, example + "\n", "cal.toml"))
    assert values and set(values) <= set(calibrated_keys())
    path = write(tmp_path, '[market]\ncalibration = "cal.toml"\n')
    assert load_scenario(path).params == with_changes(MarketParams(), values)


def test_the_documented_calibration_error_is_the_real_one(tmp_path):
    path = write(tmp_path, "[selection]\nysg_weight = 1\n", "cal.toml")
    with pytest.raises(ScenarioError) as excinfo:
        read_calibration(path)
    assert str(excinfo.value) == (
        f"{path}: selection.ysg_weight: not a calibrated parameter (set it in a scenario file "
        "instead)"
    )
    assert excinfo.value.message.replace(" ", "") in DOCS.read_text(encoding="utf-8").replace(
        "\n", ""
    ).replace(" ", "")


CALIBRATION_WANTED = "expected a calibration file (a regular .toml file)"


def _not_toml(tmp_path: Path) -> str:
    write(tmp_path, "[selection.type_penalty]\nus_do = 1\n", "cal.txt")
    return "'cal.txt' (not a .toml file)"


def _link_to_other(tmp_path: Path) -> str:
    secret = write(tmp_path, "secret = 1\n", "secret")
    (tmp_path / "cal.toml").symlink_to(secret)
    return f"'cal.toml' (a link to {secret.resolve()}, not a .toml file)"


def _directory(tmp_path: Path) -> str:
    (tmp_path / "cal.toml").mkdir()
    return f"'cal.toml' ({(tmp_path / 'cal.toml').resolve()}: is a directory, expected a file)"


def _fifo(tmp_path: Path) -> str:
    os.mkfifo(tmp_path / "cal.toml")
    return (
        f"'cal.toml' ({(tmp_path / 'cal.toml').resolve()}: is not a regular file "
        "(a device, pipe or socket))"
    )


def _too_large(tmp_path: Path) -> str:
    with open(tmp_path / "cal.toml", "wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: takes no disk space
    return (
        f"'cal.toml' ({(tmp_path / 'cal.toml').resolve()}: is {MAX_INPUT_BYTES + 1:,} bytes; "
        f"input files may be {MAX_INPUT_BYTES:,} at most)"
    )


@pytest.mark.parametrize("make", [_not_toml, _link_to_other, _directory, _fifo, _too_large])
def test_calibration_must_be_a_regular_toml_file(tmp_path, monkeypatch, make):
    found = make(tmp_path)
    name = found.split("'")[1]
    path = write(tmp_path, f'[market]\ncalibration = "{name}"\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == f"{path}: market.calibration: {CALIBRATION_WANTED}, found {found}"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, [f"market.calibration={name}"])
    assert str(excinfo.value) == f"--set: market.calibration: {CALIBRATION_WANTED}, found {found}"


def test_calibration_file_with_other_keys_is_refused(tmp_path):
    cal = write(tmp_path, '[you]\nspecialty = "Psychiatry"\n', "cal.toml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, '[market]\ncalibration = "cal.toml"\n'))
    assert str(excinfo.value) == (
        f"{cal}: you.specialty: not a calibrated parameter (set it in a scenario file instead)"
    )


def test_read_calibration_refuses_other_suffixes(tmp_path):
    path = write(tmp_path, "[selection.type_penalty]\nus_do = 1\n", "cal.txt")
    with pytest.raises(ScenarioError) as excinfo:
        read_calibration(path)
    assert str(excinfo.value) == f"{path}: not a .toml file (calibration files are TOML)"


def test_a_choice_written_with_other_case_or_punctuation_is_accepted(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[you]\ntype = "Non-US IMG"\nvisa = "H-1B"\nusce_kind = "hands on"\nusce_months = 2\n'
        'specialty = "internal medicine"\nbackup_specialty = "family medicine"\n'
    )
    you = load_scenario(path).you
    assert (you.type, you.visa, you.usce_kind) == ("non_us_img", "h1b", "hands_on")
    assert you.specialty == "Internal Medicine (Categorical)"  # the one name it starts
    assert you.backup_specialty == "Family Medicine"
    overridden = load_scenario(path, ["you.visa=J-1", "you.specialty=Pediatrics"]).you
    assert (overridden.visa, overridden.specialty) == ("j1", "Pediatrics (Categorical)")


def test_a_name_shared_by_several_specialties_is_refused_with_a_suggestion(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[you]\nspecialty = "Medicine"\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value).startswith(
        f"{path}: you.specialty: expected a specialty named in data/specialties_2025.csv, "
        "found 'Medicine'"
    )


def test_a_comlex_score_gets_the_reason_it_cannot_be_used(tmp_path):
    path = write(tmp_path, '[you]\ntype = "us_do"\ncomlex_level2 = 600\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value) == (
        f"{path}: you.comlex_level2: unknown key (matchsim models programs' reading of Step 2 "
        "CK only; no published concordance of COMLEX Level 2-CE with Step 2 CK is in its data, "
        "so a COMLEX score cannot be used: give your Step 2 CK as you.step2ck if you took it)"
    )
