"""Teaching library: traces, explanations, the two sides and the search for a better list.

The NRMP's worked example and the lesson markets in ``scenarios/`` are pinned
by name; hypothesis markets check the theorems the lessons rest on
(strategy-proofness for applicants, adding programs at the bottom never
hurts, every explanation is a true statement about the matching) and check
the batched re-solves against one engine call per list.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markets import Market, st_tiny_market

from simulator.engine.kernel import deferred_acceptance
from simulator.errors import ScenarioError
from simulator.teaching import (
    MAX_LISTS,
    SmallMarket,
    compare_sides,
    explain_market,
    explain_outcome,
    format_comparison,
    format_explanation,
    format_lesson,
    format_manipulation,
    format_trace,
    load_market,
    manipulation_search,
    solve_market,
    trace_market,
    variants,
)
from simulator.teaching.manipulation import count_applicant_lists
from simulator.teaching.smallmarket import parse_market

SCENARIOS = Path(__file__).parents[1] / "scenarios"
NRMP = load_market(SCENARIOS / "nrmp-example.toml")
# The small markets (other files in scenarios/ are simulation scenarios) matched by deferred
# acceptance; those with couples or PGY-1 lists are tests/test_small_market_nrmp.py's.
MARKET_FILES = [
    path
    for path in [SCENARIOS / "nrmp-example.toml", *sorted(SCENARIOS.glob("lesson-*.toml"))]
    if not load_market(path).nrmp_rules
]
LESSONS = {path.stem: load_market(path) for path in MARKET_FILES}


def small_market(market: Market) -> SmallMarket:
    """A hypothesis market as a :class:`SmallMarket` with names ``a0..`` and ``p0..``."""
    applicants = tuple(f"a{i}" for i in range(market.n_applicants))
    programs = tuple(f"p{j}" for j in range(market.n_programs))
    program_ranks = tuple(
        tuple(
            applicants[a]
            for a in sorted(
                (a for a in range(market.n_applicants) if rank[a] < market.n_applicants),
                key=rank.__getitem__,
            )
        )
        for rank in market.prog_rank
    )
    return SmallMarket(
        applicants=applicants,
        programs=programs,
        positions=market.capacities,
        applicant_ranks=tuple(tuple(programs[p] for p in lst) for lst in market.lists),
        program_ranks=program_ranks,
    )


def with_applicant_list(market: SmallMarket, name: str, ranks) -> SmallMarket:
    lists = list(market.applicant_ranks)
    lists[market.applicants.index(name)] = tuple(ranks)
    return SmallMarket(
        applicants=market.applicants,
        programs=market.programs,
        positions=market.positions,
        applicant_ranks=tuple(lists),
        program_ranks=market.program_ranks,
    )


def with_program_list(market: SmallMarket, name: str, ranks) -> SmallMarket:
    lists = list(market.program_ranks)
    lists[market.programs.index(name)] = tuple(ranks)
    return SmallMarket(
        applicants=market.applicants,
        programs=market.programs,
        positions=market.positions,
        applicant_ranks=market.applicant_ranks,
        program_ranks=tuple(lists),
    )


def replay(trace) -> dict[str, list[str]]:
    """Each program's held applicants at the end, replayed from the holds and rejections."""
    held: dict[str, set[str]] = {}
    for round_ in trace.rounds:
        for e in round_.events:
            if e.kind == "hold":
                held.setdefault(e.program, set()).add(e.applicant)
            elif e.kind == "reject" and e.displaced:
                held[e.program].remove(e.applicant)
    return held


# --- traces ------------------------------------------------------------------------------


def test_nrmp_round_one_is_every_applicants_first_choice():
    trace = trace_market(NRMP)
    first = trace.rounds[0]
    proposals = [(e.applicant, e.program) for e in first.events if e.kind == "propose"]
    assert proposals == [(a, ranks[0]) for a, ranks in zip(NRMP.applicants, NRMP.applicant_ranks)]
    assert all(e.applicant_choice == 1 for e in first.events if e.kind == "propose")
    # City holds its two best of the six who tried it and rejects the rest.
    city = [
        (e.kind, e.applicant) for e in first.events if e.program == "City" and e.kind != "propose"
    ]
    assert sorted(a for k, a in city if k == "hold") == ["Eastman", "Garcia"]
    assert sorted(a for k, a in city if k == "reject") == ["Anderson", "Brown", "Chen", "Ford"]
    assert ("reject", "Davis") in [
        (e.kind, e.applicant) for e in first.events if e.program == "Mercy"
    ]


def test_nrmp_trace_pinned_by_round():
    trace = trace_market(NRMP)
    summary = [
        [(e.kind, e.applicant, e.program) for e in r.events if e.kind != "reject"]
        for r in trace.rounds
    ]
    assert [r.number for r in trace.rounds] == [1, 2, 3, 4]
    assert summary[1:] == [
        [
            ("propose", "Brown", "Mercy"),
            ("propose", "Chen", "Mercy"),
            ("propose", "Davis", "City"),
            ("propose", "Ford", "General"),
            ("hold", "Chen", "Mercy"),
        ],
        [
            ("propose", "Davis", "General"),
            ("propose", "Ford", "Mercy"),
            ("hold", "Davis", "General"),
        ],
        [("propose", "Ford", "State"), ("hold", "Ford", "State")],
    ]
    event = trace.rounds[0].events[0]
    assert event.to_json() == {
        "kind": "propose",
        "applicant": "Anderson",
        "program": "City",
        "applicant_choice": 1,
        "program_choice": 4,
        "displaced": False,
    }


def test_program_proposing_round_one_offers_the_top_of_each_list():
    trace = trace_market(NRMP, "programs")
    offers = {}
    for e in trace.rounds[0].events:
        if e.kind == "propose":
            offers.setdefault(e.program, []).append(e.applicant)
    # Each program offers its 2 positions to the best applicants who ranked it.
    assert offers == {
        "Mercy": ["Chen", "Garcia"],
        "City": ["Garcia", "Hassan"],
        "General": ["Eastman", "Hassan"],  # Brown, its 1st choice, did not rank General
        "State": ["Eastman", "Hassan"],
    }
    displaced = [
        (r.number, e.applicant, e.program) for r in trace.rounds for e in r.events if e.displaced
    ]
    assert displaced == [(2, "Eastman", "State")]


@pytest.mark.parametrize("proposing", ["applicants", "programs"])
@pytest.mark.parametrize("path", MARKET_FILES, ids=[p.stem for p in MARKET_FILES])
def test_trace_ends_in_the_same_result_as_solve_market(path, proposing):
    market = LESSONS[path.stem]
    trace = trace_market(market, proposing)
    expected = solve_market(market, proposing)
    assert trace.result == expected
    held = replay(trace)
    assert {p: sorted(held.get(p, ())) for p in market.programs} == {
        p: sorted(a) for p, a in expected.programs.items()
    }
    as_json = trace.to_json()
    assert as_json["result"] == expected.to_json()
    assert as_json["proposing"] == proposing
    assert [r["round"] for r in as_json["rounds"]] == list(range(1, len(trace.rounds) + 1))
    text = format_trace(market, trace)
    assert text.startswith(market.description + "\n\nHow the Match works when")
    assert text.count("\nRound ") == len(trace.rounds)
    assert "Unmatched applicants:" in text.splitlines()[-1]


def test_trace_text_names_every_event():
    text = format_trace(NRMP, trace_market(NRMP))
    assert "  Anderson tries City (1st choice).\n" in text
    assert "  Mercy rejects Davis: Mercy did not rank them.\n" in text
    assert (
        "  City tentatively holds Garcia (its 1st choice) and Eastman (its 3rd choice).\n" in text
    )
    assert "  Anderson has no program left to try.\n" in text
    assert "No applicant has a program left to try: the tentative matches become final." in text
    assert all(len(line) <= 79 for line in text.splitlines())


def test_displacement_is_told_with_the_round_it_began():
    market = LESSONS["lesson-add-to-bottom"]
    text = format_trace(market, trace_market(market))
    assert (
        "  City rejects Kim (its 2nd choice), held since round 1: it is now full with an\n"
        "    applicant it ranks higher.\n"
    ) in text


def test_wrong_side_is_a_value_error():
    with pytest.raises(ValueError) as excinfo:
        trace_market(NRMP, "hospitals")
    assert "proposing must be one of" in str(excinfo.value)


# --- why ---------------------------------------------------------------------------------


def test_why_brown():
    ex = explain_outcome(NRMP, "Brown")
    assert ex.side == "applicant"
    assert ex.matched == ()
    city, mercy = ex.reasons
    assert (city.name, city.choice, city.kind, city.rank) == ("City", 1, "ranked-higher", 5)
    assert city.instead == (("Garcia", 1), ("Eastman", 3))
    assert city.story == "Brown tried City in round 1 and was rejected."
    assert (mercy.name, mercy.choice, mercy.kind, mercy.rank) == ("Mercy", 2, "not-ranked", None)
    assert mercy.story == "Brown tried Mercy in round 2 and was rejected."
    assert [(m.name, m.rank, m.would_match) for m in ex.missed] == [
        ("General", 1, True),
        ("State", 1, True),
    ]
    text = format_explanation(NRMP, ex)
    assert "Why is Brown unmatched? (applicants propose)" in text
    assert "A short list is the usual reason good applicants go unmatched." in text


def test_why_davis_matched_third_choice():
    ex = explain_outcome(NRMP, "Davis")
    assert ex.matched == ("General",) and ex.matched_choices == (3,)
    assert [(r.name, r.kind, r.rank, r.instead) for r in ex.reasons] == [
        ("Mercy", "not-ranked", None, ()),
        ("City", "ranked-higher", 7, (("Garcia", 1), ("Eastman", 3))),
    ]
    assert ex.missed == ()
    assert ex.stories == ("Davis tried General in round 3; General held them to the end.",)


def test_why_first_choice_has_no_reasons():
    ex = explain_outcome(NRMP, "Garcia")
    assert ex.reasons == () and ex.matched_choices == (1,)
    assert "City is Garcia's first choice: nothing better was possible." in format_explanation(
        NRMP, ex
    )


def test_why_mercy_has_an_unfilled_position():
    ex = explain_outcome(NRMP, "Mercy")
    assert ex.side == "program" and ex.positions == 2 and ex.unfilled == 1
    assert ex.matched == ("Chen",)
    (garcia,) = ex.reasons
    assert (garcia.name, garcia.choice, garcia.kind, garcia.rank) == (
        "Garcia",
        2,
        "ranked-higher",
        2,
    )
    assert garcia.instead == (("City", 1),)
    assert garcia.story == "Garcia never got as far as Mercy on their list."
    assert [(m.name, m.rank, m.would_match) for m in ex.missed] == [
        ("Brown", 2, True),
        ("Davis", 1, True),
        ("Eastman", 2, False),
        ("Ford", 3, True),
        ("Hassan", 3, False),
    ]
    assert ex.to_json()["unfilled"] == 1
    text = format_explanation(NRMP, ex)
    assert "Why does Mercy have 1 unfilled position? (applicants propose)" in text


def test_why_city_is_full_and_missed_hassan():
    ex = explain_outcome(NRMP, "City")
    assert ex.unfilled == 0 and ex.missed == ()
    assert [(r.name, r.choice, r.instead) for r in ex.reasons] == [("Hassan", 2, (("State", 1),))]


def test_why_programs_proposing_tells_the_offers():
    ex = explain_outcome(NRMP, "State", "programs")
    eastman = next(r for r in ex.reasons if r.name == "Eastman")
    assert eastman.story == (
        "State offered Eastman a position in round 1; Eastman held it until round 2, "
        "then turned it down for City (their 1st choice)."
    )
    brown = next(r for r in ex.reasons if r.name == "Brown")
    assert brown.kind == "not-ranked" and brown.story == ""


def test_why_displaced_story():
    ex = explain_outcome(LESSONS["lesson-add-to-bottom"], "Kim")
    assert ex.reasons[0].story == (
        "Kim tried City in round 1; City held them until round 2, then rejected them "
        "for Lee (its 1st choice)."
    )


def test_why_short_list_lesson():
    market = LESSONS["lesson-short-list"]
    ex = explain_outcome(market, "Nguyen")
    assert ex.matched == ()
    assert [(r.name, r.rank, r.instead) for r in ex.reasons] == [
        ("City", 2, (("Okafor", 1),)),
        ("Mercy", 2, (("Park", 1),)),
    ]
    assert [(m.name, m.rank, m.would_match) for m in ex.missed] == [
        ("General", 1, True),
        ("State", 1, True),
    ]


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("Brwn", "--why: no applicant or program named 'Brwn' in {src} (did you mean 'Brown'?)"),
        (
            "Mercey",
            "--why: no applicant or program named 'Mercey' in {src} (did you mean 'Mercy'?)",
        ),
        ("Zzyzx", "--why: no applicant or program named 'Zzyzx' in {src}"),
    ],
)
def test_unknown_name_suggests_the_closest(name, line):
    with pytest.raises(ScenarioError) as excinfo:
        explain_outcome(NRMP, name)
    assert str(excinfo.value) == line.format(src=NRMP.source)


def test_a_name_on_both_sides_is_ambiguous():
    market = parse_market(
        '[programs.Lee]\npositions = 1\nranks = ["Lee"]\n[applicants.Lee]\nranks = ["Lee"]\n',
        source="twins.toml",
    )
    with pytest.raises(ScenarioError) as excinfo:
        explain_outcome(market, "Lee")
    assert str(excinfo.value) == "--why: 'Lee' names both an applicant and a program in twins.toml"


@settings(max_examples=150)
@given(st_tiny_market(), st.sampled_from(["applicants", "programs"]))
def test_every_explanation_is_true_of_the_matching(market, proposing):
    """The reasons are the stability conditions, read off the final matching."""
    small = small_market(market)
    result = solve_market(small, proposing)
    for name in small.applicants:
        ex = explain_outcome(small, name, proposing)
        for r in ex.reasons:
            prog_list = small.program_ranks[small.programs.index(r.name)]
            if r.kind == "not-ranked":
                assert name not in prog_list
            elif r.kind == "no-positions":
                assert result.positions[r.name] == 0 and r.instead == ()
            else:
                assert [a for a, _ in r.instead] == result.programs[r.name]
                assert len(r.instead) == min(result.positions[r.name], len(small.applicants))
                assert all(c < r.rank for _, c in r.instead)
        for m in ex.missed:  # adding one program at the bottom, checked by a direct solve
            own = small.applicant_ranks[small.applicants.index(name)]
            changed = with_applicant_list(small, name, (*own, m.name))
            assert m.would_match == (solve_market(changed, proposing).applicants[name] == m.name)
    for name in small.programs:
        ex = explain_outcome(small, name, proposing)
        assert list(ex.matched) == result.programs[name]
        for m in ex.missed:
            own = small.program_ranks[small.programs.index(name)]
            changed = with_program_list(small, name, (*own, m.name))
            assert m.would_match == (m.name in solve_market(changed, proposing).programs[name])
        for r in ex.reasons:
            if r.kind == "not-ranked":
                assert name not in small.applicant_ranks[small.applicants.index(r.name)]
            else:
                ((went, choice),) = r.instead
                assert went == result.applicants[r.name] and choice < r.rank


# --- the two sides -----------------------------------------------------------------------


def test_nrmp_sides_agree():
    comparison = compare_sides(NRMP)
    assert comparison.same
    assert comparison.applicants == () and comparison.programs == ()
    assert "Nobody fares differently" in format_comparison(NRMP, comparison)


def test_gale_shapley_sides_differ_for_everyone():
    market = LESSONS["lesson-gale-shapley"]
    comparison = compare_sides(market)
    assert not comparison.same
    assert comparison.applicants == (
        ("Alpha", "Ash", "Cedar"),
        ("Beta", "Birch", "Ash"),
        ("Gamma", "Cedar", "Birch"),
    )
    assert comparison.programs == (
        ("Ash", ("Alpha",), ("Beta",)),
        ("Birch", ("Beta",), ("Gamma",)),
        ("Cedar", ("Gamma",), ("Alpha",)),
    )
    as_json = comparison.to_json()
    assert as_json["same"] is False
    assert as_json["applicants"][0] == {
        "name": "Alpha",
        "applicants_proposing": "Ash",
        "programs_proposing": "Cedar",
    }
    assert as_json["applicants_proposing"] == solve_market(market).to_json()


# --- manipulation ------------------------------------------------------------------------


def test_count_of_lists_and_the_limit():
    assert [count_applicant_lists(n) for n in range(5)] == [1, 2, 5, 16, 65]
    assert count_applicant_lists(8) == MAX_LISTS == 109_601


@pytest.mark.parametrize("path", MARKET_FILES, ids=[p.stem for p in MARKET_FILES])
def test_no_applicant_list_beats_the_truthful_one_in_any_example(path):
    market = LESSONS[path.stem]
    for name in market.applicants:
        m = manipulation_search(market, name)
        assert not m.improved, (name, m.best)
        assert m.lists_tried == count_applicant_lists(len(market.programs))
        assert m.truthful.ranks == market.applicant_ranks[market.applicants.index(name)]
        assert m.truthful.matched == m.best.matched
        assert sum(n for _, n in m.outcomes) == m.lists_tried


def test_nrmp_manipulation_pinned():
    m = manipulation_search(NRMP, "Davis")
    assert m.to_json()["truthful"] == {
        "list": ["Mercy", "City", "General", "State"],
        "matched": "General",
        "choice": 3,
    }
    assert m.best == m.truthful
    assert (m.improved, m.lists_tried) == (False, 65)
    assert [(t.ranks, t.matched) for t in m.truncations] == [
        (("Mercy", "City", "General", "State"), ("General",)),
        (("Mercy", "City", "General"), ("General",)),
        (("Mercy", "City"), ()),
        (("Mercy",), ()),
        ((), ()),
    ]
    text = format_manipulation(NRMP, m)
    assert "Tried 65 lists: every ordering of every subset of the 4 programs." in text
    assert "ranking programs in true order of\npreference is safe." in text


def test_true_preferences_lesson():
    m = manipulation_search(LESSONS["lesson-true-preferences"], "Patel")
    assert not m.improved
    assert [(o.matched, n) for o, n in m.outcomes] == [
        (("City",), 0),
        (("Mercy",), 7),
        (("State",), 7),
        ((), 2),
    ]


def test_add_to_bottom_lesson():
    market = LESSONS["lesson-add-to-bottom"]
    kim = manipulation_search(market, "Kim")
    assert [t.matched for t in kim.truncations] == [("General",), ("General",), (), (), ()]
    lee = manipulation_search(market, "Lee")
    assert [t.matched for t in lee.truncations] == [("City",)] * 3 + [(), ()]


def test_a_program_gains_by_truncating():
    market = LESSONS["lesson-program-truncation"]
    m = manipulation_search(market, "Lakeside")
    assert m.side == "program"
    assert m.improved
    assert (m.truthful.matched, m.truthful.choices) == (("Ito",), (3,))
    assert (m.best.ranks, m.best.matched, m.best.choices) == (("Jones",), ("Jones",), (1,))
    assert m.best in m.truncations  # the gain comes from a truncation
    assert [t.matched for t in m.truncations] == [("Ito",), ("Ito",), ("Kaur",), ("Jones",), ()]
    assert m.lists_tried == 2**4
    as_json = m.to_json()
    assert {"truthful", "best", "improved", "lists_tried"} <= set(as_json)
    assert as_json["best"] == {
        "list": ["Jones"],
        "matched": ["Jones"],
        "choices": [1],
        "unfilled": 0,
    }
    # Checked directly: Lakeside submitting only Jones gets Jones.
    direct = solve_market(with_program_list(market, "Lakeside", ["Jones"]))
    assert direct.programs["Lakeside"] == ["Jones"]
    assert "unlike applicants, programs can sometimes gain." in format_manipulation(market, m)


def test_gale_shapley_program_gains_and_applicant_gains_when_programs_propose():
    market = LESSONS["lesson-gale-shapley"]
    assert manipulation_search(market, "Ash").improved
    # When programs propose, an applicant can gain by truncating too.
    alpha = manipulation_search(market, "Alpha", "programs")
    assert alpha.improved and alpha.best.matched == ("Ash",)


@pytest.mark.parametrize("proposing", ["applicants", "programs"])
def test_nrmp_state_gains_by_leaving_off_hassan(proposing):
    """Even with a single stable matching, a two-position program can gain by dropping
    an applicant: without Hassan, Hassan goes to City and pushes Eastman to State."""
    gains = {}
    for name in NRMP.programs:
        m = manipulation_search(NRMP, name, proposing)
        assert m.lists_tried == 2 ** len(NRMP.program_ranks[NRMP.programs.index(name)])
        gains[name] = m.improved
    assert gains == {"Mercy": False, "City": False, "General": False, "State": True}
    m = manipulation_search(NRMP, "State", proposing)
    assert (m.truthful.matched, m.truthful.choices) == (("Hassan", "Ford"), (5, 6))
    assert (m.best.matched, m.best.choices) == (("Eastman", "Ford"), (2, 6))
    assert m.best.ranks == ("Brown", "Eastman", "Anderson", "Chen", "Ford", "Davis", "Garcia")
    assert m.best not in m.truncations
    direct = solve_market(with_program_list(NRMP, "State", m.best.ranks), proposing)
    assert direct.programs["State"] == ["Eastman", "Ford"]
    assert "(leaving off Hassan)." in format_manipulation(NRMP, m)


def _market_text(n_programs: int, n_applicants: int) -> str:
    programs = [f"P{j}" for j in range(n_programs)]
    applicants = [f"A{i}" for i in range(n_applicants)]
    quoted = ", ".join(f'"{a}"' for a in applicants)
    text = "".join(f"[programs.{p}]\npositions = 1\nranks = [{quoted}]\n" for p in programs)
    listed = ", ".join(f'"{p}"' for p in programs)
    return text + "".join(f"[applicants.{a}]\nranks = [{listed}]\n" for a in applicants)


def test_limit_on_applicant_lists():
    market = parse_market(_market_text(9, 2), source="big.toml")
    with pytest.raises(ScenarioError) as excinfo:
        manipulation_search(market, "A0")
    assert str(excinfo.value) == (
        "--manipulate: A0 could submit 986,410 different lists over the 9 programs; "
        "matchsim tries at most 109,601 (every list over 8 programs): use a smaller market"
    )


def test_limit_on_program_lists():
    market = parse_market(_market_text(1, 17), source="big.toml")
    with pytest.raises(ScenarioError) as excinfo:
        manipulation_search(market, "P0")
    assert str(excinfo.value) == (
        "--manipulate: P0 ranked 17 applicants, so it could submit 131,072 different lists "
        "keeping its order; matchsim tries at most 109,601 (a list of up to 16 applicants): "
        "use a smaller market"
    )


def test_smaller_limit_is_stated():
    with pytest.raises(ScenarioError) as excinfo:
        manipulation_search(NRMP, "Brown", limit=64)
    assert "Brown could submit 65 different lists over the 4 programs" in str(excinfo.value)
    assert "at most 64 (every list over 3 programs)" in str(excinfo.value)


def test_eight_programs_is_within_the_limit_and_fast():
    market = parse_market(_market_text(8, 3), source="eight.toml")
    m = manipulation_search(market, "A0")
    assert m.lists_tried == MAX_LISTS
    assert not m.improved


@settings(max_examples=300)
@given(st_tiny_market())
def test_strategy_proofness_and_adding_to_the_bottom(market):
    """When applicants propose, no list beats the truthful one, and a longer list
    (programs added at the bottom) never does worse than a shorter one.  (When
    programs propose, neither holds: see Gale and Shapley's example.)"""
    small = small_market(market)
    for name in small.applicants:
        m = manipulation_search(small, name)
        assert not m.improved, (name, m.truthful, m.best)
        positions = [
            t.choices[0] if t.matched else len(m.truthful.ranks) + 1 for t in m.truncations
        ]
        assert positions == sorted(positions)  # longest list first, so best first


@settings(max_examples=40)
@given(st_tiny_market(), st.sampled_from(["applicants", "programs"]), st.data())
def test_batched_solves_equal_one_solve_per_list(market, proposing, data):
    small = small_market(market)
    if not small.applicants or not small.programs:
        return
    name = data.draw(st.sampled_from(small.applicants))
    m = manipulation_search(small, name, proposing)
    for o in m.truncations:
        direct = solve_market(with_applicant_list(small, name, o.ranks), proposing)
        assert direct.applicants[name] == (o.matched[0] if o.matched else None)
    for o in (m.best, m.truthful):
        direct = solve_market(with_applicant_list(small, name, o.ranks), proposing)
        assert direct.applicants[name] == (o.matched[0] if o.matched else None)
    program = data.draw(st.sampled_from(small.programs))
    m = manipulation_search(small, program, proposing)
    for o in (*m.truncations, m.best):
        direct = solve_market(with_program_list(small, program, o.ranks), proposing)
        assert tuple(direct.programs[program]) == o.matched


def test_engine_inputs_of_the_market_are_untouched():
    arrays = [a.copy() for a in NRMP.to_arrays()]
    manipulation_search(NRMP, "City")
    manipulation_search(NRMP, "Brown")
    for before, after in zip(arrays, NRMP.to_arrays()):
        np.testing.assert_array_equal(before, after)
    assert deferred_acceptance(*NRMP.to_arrays()).tolist() == [4, 4, 0, 2, 1, 3, 1, 3]


@pytest.mark.parametrize("proposing", ["applicants", "programs"])
def test_variants_solved_one_per_batch_give_the_same_answers(monkeypatch, proposing):
    """The batch boundaries do not matter: one engine call per variant gives the same."""
    market = LESSONS["lesson-gale-shapley"]
    a, q = 0, 0
    lists = [(), (0,), (2, 1), (1, 2, 0), (2,)]
    rows = [variants.program_rank_row(market, r) for r in [(), ("Beta",), ("Gamma", "Alpha")]]
    together = variants.applicant_outcomes(market, a, lists, proposing)
    together_rows = variants.program_outcomes(market, q, rows, proposing)
    monkeypatch.setattr(variants, "_BATCH_ENTRIES", 1)
    np.testing.assert_array_equal(
        variants.applicant_outcomes(market, a, lists, proposing), together
    )
    np.testing.assert_array_equal(
        variants.program_outcomes(market, q, rows, proposing), together_rows
    )


# --- the lesson ``matchsim explain`` gives -------------------------------------------------


def test_lesson_answers_the_one_question_asked():
    lesson = explain_market(NRMP, why="Brown")
    assert format_lesson(lesson) == format_explanation(NRMP, explain_outcome(NRMP, "Brown"))
    assert lesson.to_json() == {
        **trace_market(NRMP).to_json(),
        "why": explain_outcome(NRMP, "Brown").to_json(),
    }
    plain = explain_market(NRMP, "programs")
    assert format_lesson(plain) == format_trace(NRMP, trace_market(NRMP, "programs"))
    assert plain.to_json() == trace_market(NRMP, "programs").to_json()


def test_lesson_with_two_questions_is_one_error_naming_both():
    with pytest.raises(ScenarioError) as excinfo:
        explain_market(NRMP, compare=True, manipulate="Brown")
    expected = "use only one of --compare-sides, --why and --manipulate, not "
    assert str(excinfo.value) == expected + "--compare-sides and --manipulate"
