"""Hand-written markets: parsing, arrays for the engine, and the NRMP's worked example pinned."""

from dataclasses import FrozenInstanceError

import nrmp_example
import numpy as np
import pytest

from simulator.errors import ScenarioError
from simulator.teaching.result import format_result, solve_market
from simulator.teaching.smallmarket import SmallMarket, load_market, parse_market

NRMP_EXAMPLE = nrmp_example.FILE
NRMP_APPLICANTS = nrmp_example.MATCHED
NRMP_PROGRAMS = nrmp_example.PROGRAMS_MATCHED
NRMP_TABLE = nrmp_example.TABLE

TINY = """
[programs.Mercy]
positions = 1
ranks = ["Chen", "Brown"]

[programs.City]
positions = 3

[applicants.Brown]
ranks = ["City", "Mercy"]

[applicants.Chen]
ranks = ["Mercy"]

[applicants.Lee]
"""


@pytest.mark.parametrize("proposing", ["applicants", "programs"])
def test_nrmp_example_result(proposing):
    market = load_market(NRMP_EXAMPLE)
    result = solve_market(market, proposing=proposing)
    assert result.applicants == NRMP_APPLICANTS
    assert list(result.applicants) == list(NRMP_APPLICANTS)  # file order
    assert result.programs == NRMP_PROGRAMS
    assert list(result.programs) == list(NRMP_PROGRAMS)
    assert [result.unfilled(p) for p in market.programs] == [1, 0, 1, 0]
    assert result.unmatched() == ["Anderson", "Brown"]
    assert result.to_json() == {"applicants": NRMP_APPLICANTS, "programs": NRMP_PROGRAMS}
    assert format_result(market, result) == NRMP_TABLE


def test_nrmp_example_file():
    market = load_market(NRMP_EXAMPLE)
    assert market.source == str(NRMP_EXAMPLE)
    assert market.applicants == tuple(NRMP_APPLICANTS)
    assert market.programs == ("Mercy", "City", "General", "State")
    assert market.positions == (2, 2, 2, 2)
    assert market.applicant_ranks[0] == ("City",)
    assert market.program_ranks[0] == ("Chen", "Garcia")


def test_parse_fields_and_defaults():
    market = parse_market(TINY)
    assert market == SmallMarket(
        applicants=("Brown", "Chen", "Lee"),
        programs=("Mercy", "City"),
        positions=(1, 3),
        applicant_ranks=(("City", "Mercy"), ("Mercy",), ()),
        program_ranks=(("Chen", "Brown"), ()),
        description="",
        source="<string>",
    )
    with pytest.raises(FrozenInstanceError):
        market.description = "changed"


def test_to_arrays():
    rol_indptr, rol_programs, program_ranks, capacities = parse_market(TINY).to_arrays()
    np.testing.assert_array_equal(rol_indptr, [0, 2, 3, 3])
    np.testing.assert_array_equal(rol_programs, [1, 0, 0])
    # City did not rank Brown: the sentinel is n_applicants (3).
    np.testing.assert_array_equal(program_ranks, [3, 1, 0])
    # City's 3 positions are capped at the 3 applicants (no change here).
    np.testing.assert_array_equal(capacities, [1, 3])
    for array in (rol_indptr, rol_programs, program_ranks, capacities):
        assert array.dtype == np.int64
        assert not array.flags.writeable


def test_capacities_capped_at_applicants():
    market = parse_market(TINY.replace("positions = 3", "positions = 10_000"))
    assert market.positions == (1, 10_000)
    assert market.to_arrays()[3].tolist() == [1, 3]
    result = solve_market(market)
    assert result.unfilled("City") == 10_000


def test_unranked_pairs_and_none_unmatched():
    result = solve_market(parse_market(TINY))
    # Brown prefers City, but City ranks nobody; Mercy takes Chen over Brown.
    assert result.applicants == {"Brown": None, "Chen": "Mercy", "Lee": None}
    assert result.programs == {"Mercy": ["Chen"], "City": []}

    everyone = parse_market(
        '[programs.A]\npositions = 1\nranks = ["x"]\n[applicants.x]\nranks = ["A"]\n'
    )
    text = format_result(everyone, solve_market(everyone))
    assert text.endswith("Unmatched applicants: none")
    assert "A        1          x        0" in text


def test_empty_matched_shown_as_dash():
    market = parse_market(TINY)
    lines = format_result(market, solve_market(market)).splitlines()
    assert lines[2] == "City     3          -        3"


def test_bad_proposing_side():
    with pytest.raises(ValueError) as excinfo:
        solve_market(parse_market(TINY), proposing="hospitals")
    assert "proposing must be one of" in str(excinfo.value)


def test_error_carries_file_and_key():
    with pytest.raises(ScenarioError) as excinfo:
        parse_market(TINY.replace("positions = 1", "postions = 1"), source="tiny.toml")
    error = excinfo.value
    assert error.file == "tiny.toml"
    assert error.key == "programs.Mercy.postions"
    assert str(error) == (
        "tiny.toml: programs.Mercy.postions: unknown key (did you mean 'programs.Mercy.positions'?)"
    )


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError) as excinfo:
        load_market(path)
    assert str(excinfo.value) == f"{path}: file not found"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "<string>: empty file (expected [programs.NAME] and [applicants.NAME] tables)"),
        ("[applicants.x]\n", "<string>: no programs (expected at least one [programs.NAME] table)"),
        (
            TINY.replace('ranks = ["Mercy"]', 'ranks = ["Mercey"]'),
            "<string>: applicants.Chen.ranks[0]: unknown program 'Mercey' (did you mean 'Mercy'?)",
        ),
        (
            TINY.replace("positions = 1", "positions = true"),
            "<string>: programs.Mercy.positions: "
            "expected a non-negative integer, found boolean true",
        ),
        (
            TINY.replace('["Chen", "Brown"]', '["Chen", "Brown", "Chen"]'),
            "<string>: programs.Mercy.ranks[2]: 'Chen' is listed twice (also at [0])",
        ),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(ScenarioError) as excinfo:
        parse_market(text)
    assert str(excinfo.value) == message
    assert "\n" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            TINY.replace("positions = 3", "positions = 10_001"),
            "programs.City.positions: expected at most 10,000 positions, found integer 10001",
        ),
        (
            TINY.replace("positions = 3", "positions = 9223372036854775807"),
            "programs.City.positions: expected at most 10,000 positions, "
            "found integer 9223372036854775807",
        ),
        (
            TINY.replace("positions = 3", "positions = 1" + "0" * 5000),
            "programs.City.positions: expected at most 10,000 positions, "
            "found an integer of 5,001 digits",
        ),
        (
            TINY.replace("[applicants.Lee]", '[applicants.""]'),
            'applicants."": a name must not be blank',
        ),
        (
            TINY.replace("[programs.City]", '[programs." \\t "]'),
            'programs." \\t ": a name must not be blank',
        ),
        (
            TINY.replace("[applicants.Lee]", '[applicants."Lee\\nSmith"]'),
            'applicants."Lee\\nSmith": a name must be one line of text '
            "(no line breaks or control characters)",
        ),
        (
            TINY.replace("[programs.City]", '[programs."Ci\\u0000ty"]'),
            'programs."Ci\\x00ty": a name must be one line of text '
            "(no line breaks or control characters)",
        ),
        (
            TINY.replace('ranks = ["Mercy"]', 'ranks = ["Mer\\u2028cy"]'),
            "applicants.Chen.ranks[0]: unknown program 'Mer\\u2028cy' (did you mean 'Mercy'?)",
        ),
        (
            "a = " + "[" * 2000 + "]" * 2000,
            "nested too deeply (more than 100 levels of tables and arrays)",
        ),
    ],
)
def test_names_and_positions_are_bounded(text, message):
    with pytest.raises(ScenarioError) as excinfo:
        parse_market(text)
    assert str(excinfo.value) == f"<string>: {message}"
    assert len(str(excinfo.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("seed = 1\ntrials = 5\n[you]\nstep2ck = 240\n", "seed, trials, [you]"),
        ("[[strategies]]\nname = 'a'\n" + TINY, "[[strategies]]"),
        ("[programs]\ninterview_rounds = 2\n", "programs.interview_rounds"),
        (TINY + "[applicants.step2ck_mean]\nus_md = 240\n", "applicants.step2ck_mean"),
    ],
)
def test_scenario_file_given_as_market(text, found):
    with pytest.raises(ScenarioError) as excinfo:
        parse_market(text, source="s.toml")
    assert str(excinfo.value) == (
        f"s.toml: this looks like a scenario file (it has {found}): "
        "use matchsim run, compare or sweep"
    )


def test_program_named_like_a_scenario_key_is_fine():
    market = parse_market(
        TINY.replace("[programs.City]", "[programs.interview_rounds]").replace(
            '"City"', '"interview_rounds"'
        )
    )
    assert market.programs == ("Mercy", "interview_rounds")
