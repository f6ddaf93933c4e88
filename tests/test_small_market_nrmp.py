"""Small markets under the NRMP's own rules: couples, advanced programs, supplemental PGY-1 lists.

The TOML syntax is a contract (issue 14); each bad input is one error naming
the file and the key.  ``matchsim match`` and ``explain`` run such markets
through the NRMP's procedure, and the step-by-step procedure that ``explain``
tells ends in the engine's matching on random small markets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.engine import roth_peranson
from simulator.errors import ScenarioError
from simulator.teaching import explain_market, format_lesson, load_market, solve_market
from simulator.teaching.nrmp_market import Couple
from simulator.teaching.nrmp_procedure import MAX_ROUNDS, run_procedure
from simulator.teaching.nrmp_trace import trace_nrmp
from simulator.teaching.nrmp_trace_text import format_nrmp_trace
from simulator.teaching.nrmp_why import explain_nrmp
from simulator.teaching.nrmp_why_text import format_nrmp_explanation
from simulator.teaching.result import format_result
from simulator.teaching.smallmarket import SmallMarket, parse_market

ROOT = Path(__file__).resolve().parents[1]
COUPLES = ROOT / "scenarios" / "lesson-couples.toml"
ADVANCED = ROOT / "scenarios" / "lesson-advanced.toml"

#: The issue's contract example, completed with the programs it names.
CONTRACT = """
[programs.Rad]
positions = 1
track = "advanced"            # starts at PGY-2
ranks = ["Lee", "Kim"]

[programs.Prelim]
positions = 1
track = "preliminary"
ranks = ["Lee", "Davis"]

[programs.Transitional]
positions = 1
track = "preliminary"
ranks = ["Kim", "Lee"]

[programs.City]
positions = 2
ranks = ["Davis", "Eastman", "Kim", "Lee"]

[programs.Mercy]
positions = 2
ranks = ["Eastman", "Davis"]

[applicants.Lee]
ranks = ["Rad", "City"]
supplemental = { Rad = ["Prelim", "Transitional"] }   # PGY-1 list tried once Lee holds Rad

[applicants.Kim]
ranks = ["City"]

[couples.Davis-Eastman]
members = ["Davis", "Eastman"]                         # not declared again under [applicants]
ranks = [["Mercy", "Mercy"], ["City", "City"], ["-", "City"]]   # "-": no match for that member
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")


def market_file(tmp_path, text: str) -> Path:
    path = tmp_path / "market.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- parsing -----------------------------------------------------------------------------------


def test_the_contract_syntax_is_read():
    market = parse_market(CONTRACT)
    assert market.applicants == ("Lee", "Kim", "Davis", "Eastman")  # couple members last
    assert market.applicant_ranks[2:] == ((), ())
    assert market.tracks == ("advanced", "preliminary", "preliminary", "categorical", "categorical")
    assert market.supplemental == ((("Rad", ("Prelim", "Transitional")),), (), (), ())
    assert market.couples == (
        Couple(
            name="Davis-Eastman",
            members=("Davis", "Eastman"),
            ranks=(("Mercy", "Mercy"), ("City", "City"), (None, "City")),
        ),
    )
    assert market.program_ranks[4] == ("Eastman", "Davis")  # programs rank couple members
    assert market.nrmp_rules and market.track("City") == "categorical"
    assert market.couple_of("Eastman") is market.couples[0] and market.couple_of("Lee") is None


def test_the_engine_arrays():
    arrays = parse_market(CONTRACT).to_nrmp_arrays()
    assert arrays["couples"].tolist() == [[2, 3]]
    assert arrays["pair_programs"].tolist() == [[4, 4], [3, 3], [5, 3]]  # 5: no match
    assert arrays["pair_ranks"].tolist() == [[1, 0], [0, 1], [4, 1]]
    assert arrays["supplemental_indptr"].tolist() == [0, 2, 2, 2]  # Lee's Rad, Lee's City, Kim's
    assert arrays["supplemental_programs"].tolist() == [1, 2]
    assert arrays["supplemental_ranks"].tolist() == [0, 1]


def test_a_market_of_couples_needs_no_applicants_table():
    market = parse_market(
        '[programs.A]\npositions = 1\nranks = ["x"]\n'
        '[couples.C]\nmembers = ["x", "y"]\nranks = [["A", "-"]]\n'
    )
    assert market.applicants == ("x", "y")
    assert solve_market(market).to_json() == {
        "applicants": {"x": "A", "y": None},
        "programs": {"A": ["x"]},
        "stable": True,
    }


def test_preliminary_tracks_alone_keep_deferred_acceptance():
    market = parse_market(
        '[programs.Prelim]\npositions = 1\ntrack = "preliminary"\nranks = ["Kim"]\n'
        '[programs.City]\npositions = 1\nranks = ["Kim"]\n'
        '[applicants.Kim]\nranks = ["Prelim", "City"]\n'
    )
    assert market.tracks == ("preliminary", "categorical") and not market.nrmp_rules
    result = solve_market(market)
    assert result.to_json() == {
        "applicants": {"Kim": "Prelim"},
        "programs": {"Prelim": ["Kim"], "City": []},
    }
    assert "Track" in format_result(market, result)


def test_couples_must_be_tables():
    with pytest.raises(ScenarioError) as excinfo:
        parse_market("couples = 3\n[programs.A]\npositions = 1\n[applicants.x]\n")
    assert str(excinfo.value) == (
        "<string>: couples: expected a table of couples ([couples.NAME]), found integer 3"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "[applicants.Kim]",
            "[applicants.Davis]\n[applicants.Kim]",
            "couples.Davis-Eastman.members[0]: 'Davis' is also declared as [applicants.Davis]: "
            "a couple member is declared only in [couples.Davis-Eastman]",
        ),
        (
            '["Davis", "Eastman"]',
            '["Davis", "Eastman", "Ford"]',
            "couples.Davis-Eastman.members: expected a list of two applicant names, "
            "found an array of 3",
        ),
        (
            '["Davis", "Eastman"]',
            '"Davis"',
            "couples.Davis-Eastman.members: expected a list of two applicant names, "
            'found string "Davis"',
        ),
        (
            '["Davis", "Eastman"]',
            '["Davis", 3]',
            "couples.Davis-Eastman.members[1]: expected an applicant name (a string), "
            "found integer 3",
        ),
        (
            '["Davis", "Eastman"]',
            '["Davis", "Davis"]',
            "couples.Davis-Eastman.members[1]: 'Davis' is listed twice (also at [0])",
        ),
        (
            '["Davis", "Eastman"]',
            '["Davis", ""]',
            "couples.Davis-Eastman.members[1]: a name must not be blank",
        ),
        (
            'members = ["Davis", "Eastman"]',
            "",
            "couples.Davis-Eastman.members: missing (expected the two members' names)",
        ),
        (
            '["-", "City"]]',
            '["-", "City"]]\n[couples.Other]\nmembers = ["Eastman", "Ford"]',
            "couples.Other.members[0]: 'Eastman' is already a member of [couples.Davis-Eastman]",
        ),
        (
            '["City", "City"], ',
            '["City", "City", "Mercy"], ',
            'couples.Davis-Eastman.ranks[1]: expected a pair of program names or "-" '
            "(a list of two), found an array of 3",
        ),
        (
            '["City", "City"], ',
            '["City"], ',
            'couples.Davis-Eastman.ranks[1]: expected a pair of program names or "-" '
            "(a list of two), found an array of 1",
        ),
        (
            '["City", "City"], ',
            '"City", ',
            'couples.Davis-Eastman.ranks[1]: expected a pair of program names or "-" '
            '(a list of two), found string "City"',
        ),
        (
            '["City", "City"], ',
            '["City", 1], ',
            'couples.Davis-Eastman.ranks[1][1]: expected a program name or "-" (a string), '
            "found integer 1",
        ),
        (
            '["City", "City"], ',
            '["City", "Citty"], ',
            "couples.Davis-Eastman.ranks[1][1]: unknown program 'Citty' (did you mean 'City'?)",
        ),
        (
            '["City", "City"], ',
            '["-", "-"], ',
            'couples.Davis-Eastman.ranks[1]: ["-", "-"] is no match for both members '
            "(leave it out)",
        ),
        (
            '["City", "City"], ',
            '["Mercy", "Mercy"], ',
            'couples.Davis-Eastman.ranks[1]: ["Mercy", "Mercy"] is listed twice (also at [0])',
        ),
        (
            'ranks = [["Mercy"',
            'rank = [["Mercy"',
            "couples.Davis-Eastman.rank: unknown key (did you mean 'couples.Davis-Eastman.ranks'?)",
        ),
        (
            '[["Mercy", "Mercy"], ["City", "City"], ["-", "City"]]',
            '"Mercy"',
            'couples.Davis-Eastman.ranks: expected a list of pairs of program names ("-": no '
            'match), found string "Mercy"',
        ),
        (
            "[couples.Davis-Eastman]",
            '[couples."Davis\\nEastman"]',
            'couples."Davis\\nEastman": a name must be one line of text '
            "(no line breaks or control characters)",
        ),
        (
            '{ Rad = ["Prelim", "Transitional"] }',
            '["Prelim"]',
            'applicants.Lee.supplemental: expected a table of PGY-1 lists ({ ADVANCED = ["PGY-1", '
            "...] }), found an array",
        ),
        (
            '{ Rad = ["Prelim", "Transitional"] }',
            '{ City = ["Prelim"] }',
            "applicants.Lee.supplemental.City: 'City' is not an advanced program (its track is "
            '"categorical"): only an advanced program has a supplemental PGY-1 list',
        ),
        (
            'ranks = ["Rad", "City"]',
            'ranks = ["City"]',
            "applicants.Lee.supplemental.Rad: 'Rad' is not on Lee's list (applicants.Lee.ranks): "
            "a supplemental list belongs to an advanced program the applicant ranks",
        ),
        (
            '{ Rad = ["Prelim", "Transitional"] }',
            '{ Radd = ["Prelim"] }',
            "applicants.Lee.supplemental.Radd: unknown program 'Radd' (did you mean 'Rad'?)",
        ),
        (
            '["Prelim", "Transitional"]',
            '["Prelim", "Rad"]',
            "applicants.Lee.supplemental.Rad[1]: 'Rad' is an advanced program (it starts at "
            "PGY-2): a supplemental list names PGY-1 programs",
        ),
        (
            '["Prelim", "Transitional"]',
            '["Prelim", "Prelim"]',
            "applicants.Lee.supplemental.Rad[1]: 'Prelim' is listed twice (also at [0])",
        ),
        (
            '["Prelim", "Transitional"]',
            '"Prelim"',
            "applicants.Lee.supplemental.Rad: expected a list of program names, "
            'found string "Prelim"',
        ),
        (
            'track = "advanced"',
            'track = "Advanced"',
            'programs.Rad.track: expected one of "categorical", "advanced" or "preliminary", '
            'found string "Advanced"',
        ),
        (
            "[programs.Mercy]",
            '[programs."-"]\npositions = 1\n[programs.Mercy]',
            'programs.-: a program cannot be named "-" in a market with couples ("-" is no match '
            "in a couple's pair)",
        ),
        (
            'ranks = ["Eastman", "Davis"]',
            'ranks = ["Davis-Eastman"]',
            "programs.Mercy.ranks[0]: unknown applicant 'Davis-Eastman' (did you mean 'Eastman'?)",
        ),
    ],
)
def test_bad_input_is_one_error_naming_file_and_key(old, new, message):
    assert old in CONTRACT
    with pytest.raises(ScenarioError) as excinfo:
        parse_market(CONTRACT.replace(old, new, 1), source="m.toml")
    assert str(excinfo.value) == f"m.toml: {message}"


def test_bad_input_on_the_command_line_is_one_error_line(tmp_path):
    path = market_file(tmp_path, CONTRACT.replace('["City", "City"], ', '["City"], '))
    for command in ("match", "explain"):
        result = run(command, path)
        assert result.exit_code == 2
        assert result.output == (
            f"Error: {path}: couples.Davis-Eastman.ranks[1]: expected a pair of program names "
            'or "-" (a list of two), found an array of 1\n'
        )


# -- matchsim match ----------------------------------------------------------------------------


def match_json(tmp_path, text: str) -> dict:
    result = run("match", market_file(tmp_path, text), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_supplemental_pgy1_position_is_held(tmp_path):
    assert match_json(tmp_path, CONTRACT) == {
        "applicants": {"Lee": "Rad", "Kim": "City", "Davis": "Mercy", "Eastman": "Mercy"},
        "programs": {
            "Rad": ["Lee"],
            "Prelim": ["Lee"],
            "Transitional": [],
            "City": ["Kim"],
            "Mercy": ["Eastman", "Davis"],
        },
        "pgy1": {"Lee": "Prelim"},
        "stable": True,
    }


def test_an_advanced_position_is_kept_without_a_pgy1_year(tmp_path):
    found = match_json(tmp_path, ADVANCED.read_text(encoding="utf-8"))
    assert found["applicants"]["Patel"] == "Radiology"  # not Medicine, lower on the list
    assert found["pgy1"] == {"Lee": "Transitional"}  # Patel holds none
    assert "Patel" not in found["programs"]["Medicine"]
    assert "stable" not in found  # no couples


def test_a_couple_matches_together_or_with_no_match_for_one(tmp_path):
    one_at_mercy = 'positions = 1\nranks = ["Eastman"'
    together = match_json(
        tmp_path, CONTRACT.replace('positions = 2\nranks = ["Eastman"', one_at_mercy)
    )
    assert (together["applicants"]["Davis"], together["applicants"]["Eastman"]) == ("City", "City")
    alone = match_json(tmp_path, COUPLES.read_text(encoding="utf-8"))
    assert (alone["applicants"]["Adams"], alone["applicants"]["Brown"]) == ("General", None)
    assert alone["stable"] is True and "pgy1" not in alone


def test_the_stable_flag_says_when_no_stable_matching_was_found(tmp_path):
    # The couple displaces Ford from City; Ford displaces Eastman at General; the couple
    # leaves; Ford returns to City; the couple comes back: no stable matching exists.
    cycling = (
        '[programs.City]\npositions = 1\nranks = ["Davis", "Ford"]\n'
        '[programs.General]\npositions = 1\nranks = ["Ford", "Eastman"]\n'
        '[applicants.Ford]\nranks = ["City", "General"]\n'
        '[couples.Davis-Eastman]\nmembers = ["Davis", "Eastman"]\nranks = [["City", "General"]]\n'
    )
    assert match_json(tmp_path, cycling)["stable"] is False
    text = run("match", market_file(tmp_path, cycling)).output
    assert "The result is not stable" in text


def test_match_text_shows_the_pgy1_year_and_whether_it_is_stable():
    result = run("match", COUPLES)
    assert result.exit_code == 0
    assert "Couple Adams-Brown: Adams at General and Brown unmatched (their 3rd pair)." in (
        result.output
    )
    assert "The result is stable" in result.output
    text = run("match", ADVANCED).output
    assert "Lee (PGY-1 at Transitional), Patel (no PGY-1 year)" in text
    assert "Transitional  preliminary  1          Lee (PGY-1 year for Radiology)" in text


def test_programs_cannot_propose_under_the_nrmp_rules():
    result = run("match", COUPLES, "--proposing", "programs")
    assert result.exit_code == 2
    assert result.output == (
        "Error: --proposing: programs cannot propose in a market with couples, supplemental "
        "lists or advanced programs: the NRMP's procedure has applicants propose\n"
    )


# -- matchsim explain --------------------------------------------------------------------------


def test_explain_tells_a_couple_in_the_nrmps_words():
    text = run("explain", COUPLES).output
    for words in (
        "Couple Adams-Brown tries its 1st pair: Mercy for Adams and City for Brown.",
        "City turns away Brown (its 2nd choice) for Chen (its 1st choice). Couple\n"
        "    Adams-Brown goes on down its list together.",
        "General cannot take both Adams and Brown",
        "Adams withdraws from Mercy: Brown was turned away, and a couple moves",
        "Couple Adams-Brown now holds this pair: General tentatively holds Adams",
    ):
        assert words in text, words


def test_explain_tells_a_supplemental_list_in_the_nrmps_words():
    text = run("explain", ADVANCED).output
    for words in (
        "Lee holds Radiology, an advanced position: the supplemental PGY-1 list for\n"
        "Radiology is tried in step 2.",
        "Lee, holding Radiology, tries Transitional for the PGY-1 year (2nd on the",
        "Prelim, 1st, is full with applicants it",
        "Transitional tentatively holds Lee for the PGY-1 year (its 1st choice).",
        "Patel keeps Radiology without a PGY-1 position",
    ):
        assert words in text, words


def test_why_for_a_couple_member():
    result = run("explain", COUPLES, "--why", "Brown")
    assert result.exit_code == 0
    text = result.output
    assert "Why is Brown unmatched? (the NRMP's algorithm)" in text
    assert "The couple matched its 3rd pair: General for Adams and no match for Brown." in text
    assert "- 1st pair, Mercy for Adams and City for Brown: City ranked Brown 2nd, but" in text
    assert "General cannot take both" in text
    found = json.loads(run("explain", COUPLES, "--why", "Brown", "--json").output)["why"]
    assert (found["couple"], found["partner"], found["choice"]) == ("Adams-Brown", "Adams", 3)
    assert [[r["kind"] for r in o["refusals"]] for o in found["options"]] == [["full"], ["both"]]


def test_why_for_an_applicant_kept_at_an_advanced_program():
    text = run("explain", ADVANCED, "--why", "Patel").output
    assert "- Transitional (1st on the list) ranked Patel 2nd, but filled its only" in text
    assert "Lower on Patel's list, Medicine would have taken Patel" in text


def test_explain_json_has_both_steps_and_the_result():
    found = json.loads(run("explain", COUPLES, "--json").output)
    assert [r["step"] for r in found["rounds"]] == [1, 2]
    kinds = {e["kind"] for e in found["rounds"][1]["events"]}
    assert kinds == {"propose", "hold", "reject", "withdraw"}
    assert found["result"] == json.loads(run("match", COUPLES, "--json").output)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--compare-sides"],
            "Error: --compare-sides: only applicants propose under the NRMP's rules; {file} has "
            "couples, supplemental lists or advanced programs",
        ),
        (
            ["--manipulate", "Brown"],
            "Error: --manipulate: the search over every list is for plain markets; {file} has "
            "couples, supplemental lists or advanced programs",
        ),
        (
            ["--soap"],
            "Error: --soap: SOAP's rounds are played on plain markets; {file} has couples, "
            "supplemental lists or advanced programs",
        ),
        (
            ["--proposing", "programs", "--why", "Brown"],
            "Error: --proposing: programs cannot propose in a market with couples, supplemental "
            "lists or advanced programs: the NRMP's procedure has applicants propose",
        ),
        (
            ["--why", "Browne"],
            "Error: --why: no applicant or program named 'Browne' in {file} (did you mean "
            "'Brown'?)",
        ),
    ],
)
def test_options_that_make_no_sense_with_couples_are_refused(args, line):
    result = run("explain", COUPLES, *args)
    assert result.exit_code == 2
    assert result.output == line.format(file=COUPLES) + "\n"


# -- the step-by-step procedure is the engine's --------------------------------------------------


@st.composite
def st_nrmp_small_market(draw, max_programs=4, max_singles=4, max_couples=2):
    """A small market with tracks, supplemental lists and couples; half of them *contested*
    (one position each, everyone ranked): those have several stable matchings, or none."""
    contested = draw(st.booleans(), label="contested")
    programs = tuple(f"P{i}" for i in range(draw(st.integers(1, max_programs))))
    singles = tuple(f"S{i}" for i in range(draw(st.integers(0, max_singles))))
    members = tuple(f"M{i}" for i in range(2 * draw(st.integers(int(contested), max_couples))))
    applicants = singles + members
    n_p, n_a = len(programs), len(applicants)
    track = st.sampled_from(("categorical", "advanced", "preliminary"))
    tracks = tuple(draw(st.lists(track, min_size=n_p, max_size=n_p)))
    sizes = st.lists(st.integers(0, 2), min_size=n_p, max_size=n_p)
    positions = (1,) * n_p if contested else tuple(draw(sizes))
    program_ranks = []
    for _ in programs:
        order = draw(st.permutations(applicants))
        program_ranks.append(tuple(order[: n_a if contested else draw(st.integers(0, n_a))]))
    pgy1 = [p for p, t in zip(programs, tracks) if t != "advanced"]
    applicant_ranks, supplemental = [], []
    for _ in singles:
        length = n_p if contested else draw(st.integers(0, n_p))
        ranks = tuple(draw(st.permutations(programs))[:length])
        applicant_ranks.append(ranks)
        lists = [
            (p, tuple(draw(st.permutations(pgy1))[: draw(st.integers(0, 2))]))
            for p in ranks
            if tracks[programs.index(p)] == "advanced" and pgy1 and draw(st.booleans())
        ]
        supplemental.append(tuple(lists))
    pairs = [(h, q) for h in (*programs, None) for q in (*programs, None) if (h, q) != (None, None)]
    couples = tuple(
        Couple(
            name=f"C{c}",
            members=members[2 * c : 2 * c + 2],
            ranks=tuple(draw(st.permutations(pairs))[: draw(st.integers(0, 4))]),
        )
        for c in range(len(members) // 2)
    )
    empty = ((),) * len(members)
    return SmallMarket(
        applicants=applicants,
        programs=programs,
        positions=positions,
        applicant_ranks=tuple(applicant_ranks) + empty,
        program_ranks=tuple(program_ranks),
        tracks=tracks,
        supplemental=tuple(supplemental) + empty if any(supplemental) else (),
        couples=couples,
    )


@settings(max_examples=150)
@given(st_nrmp_small_market())
def test_the_procedure_explain_tells_ends_in_the_engines_matching(market):
    arrays = market.to_nrmp_arrays()
    engine = roth_peranson(**arrays, max_rounds=MAX_ROUNDS)
    procedure = run_procedure(arrays)
    assert procedure.stable == engine.stable
    assert list(procedure.match) == engine.match.tolist()
    assert list(procedure.pgy1) == engine.pgy1.tolist()
    if engine.stable:
        assert len(procedure.reprocessing) == engine.rounds
    trace = trace_nrmp(market)
    assert trace.result == solve_market(market)  # what match prints is what explain ends in
    assert format_nrmp_trace(market, trace).endswith(format_result(market, trace.result))


@settings(max_examples=100)
@given(st_nrmp_small_market(max_programs=3, max_singles=3))
def test_in_a_stable_result_every_place_ranked_higher_has_a_seat_that_refused(market):
    stable = solve_market(market).stable is not False
    for name in (*market.applicants, *market.programs):
        if name in market.applicants and name in market.programs:
            continue
        explanation = explain_nrmp(market, name)
        assert format_nrmp_explanation(market, explanation)
        options = [*explanation.options, *(o for e in explanation.elsewhere for o in e.wanted)]
        refusals = [r.kind for o in options for r in o.refusals]
        if stable:
            assert "takes" not in refusals, name
        assert all(o.refusals for o in options)


@pytest.mark.parametrize("path", [COUPLES, ADVANCED], ids=lambda p: p.name)
def test_every_name_of_the_lessons_is_explained(path):
    market = load_market(path)
    for name in (*market.applicants, *market.programs):
        lesson = explain_market(market, why=name)
        assert lesson.explanation.name == name
        assert format_lesson(lesson).count(f"{name}") > 1
