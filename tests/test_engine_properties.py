"""Theorems about deferred acceptance, checked by hypothesis on many small random markets.

Each test states one theorem (or one contract clause) and checks the vectorised
engine against it.  Wherever a "for every stable matching" appears, the stable
matchings are enumerated by brute force in :mod:`markets` (plain Python, written
independently of the engine and of :mod:`simulator.engine.stability`), so those tests
use markets of at most 5 applicants and 3 programs.
"""

from __future__ import annotations

import collections

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from markets import (
    Market,
    all_reports,
    applicant_position,
    applicant_prefers,
    applicant_weakly_prefers,
    assigned,
    blocking_pairs_py,
    engine_blocking_pairs,
    sorted_by_program,
    st_feasible_matching,
    st_market,
    st_tiny_market,
    stable_matchings,
)

from simulator.engine.kernel import deferred_acceptance, solve
from simulator.engine.reference import deferred_acceptance_reference, traced_deferred_acceptance
from simulator.engine.stability import blocking_pairs, is_feasible

SIDES = ("applicants", "programs")

# Brute force enumerates up to (3 + 1) ** 5 = 1,024 candidate matchings per market.
st_tiny = st_tiny_market()

# Examples per test: half the loaded profile's (150 under ``ci``, 500 under ``dev``), which
# keeps this file near 20 s on 2 cores.  Drawing a market costs more than solving it.
examples = settings(max_examples=settings.default.max_examples // 2)


def all_stable(market: Market) -> list[tuple[int, ...]]:
    """Brute-force stable matchings; stability.blocking_pairs is cross-checked in its own test."""
    return stable_matchings(market, cross_check=False)


def da(market: Market, proposing: str = "applicants") -> tuple[int, ...]:
    """The engine's matching of ``market`` as a tuple of Python ints."""
    return tuple(int(p) for p in deferred_acceptance(*market.arrays(), proposing))


# --- 1. the engine agrees with the sequential reference ------------------------------------


@examples
@given(market=st_market())
def test_engine_equals_reference_on_both_sides(market):
    for side in SIDES:
        expected = deferred_acceptance_reference(*market.arrays(), side)
        assert da(market, side) == tuple(expected), side
        unchecked = deferred_acceptance(*market.arrays(), side, check_input=False)
        assert unchecked.tolist() == expected, side


@examples
@given(market=st_market())
def test_solve_reports_the_same_match_and_the_proposals_every_order_makes(market):
    # solve() is deferred_acceptance() plus work counts.  Which proposals are made does
    # not depend on their order: each proposer proposes to every entry on its list down
    # to its last final match (all of it if it ends with a free position).  So the count
    # equals the reference trace's, whatever the engine calls a round.
    for side in SIDES:
        stats = solve(*market.arrays(), side)
        match, rounds = traced_deferred_acceptance(*market.arrays(), side)
        assert stats.match.tolist() == match
        assert stats.proposals == sum(event.kind == "propose" for r in rounds for event in r.events)
        assert (stats.rounds == 0) == (stats.proposals == 0)
        assert stats.rounds <= stats.proposals
    n_p, match = market.n_programs, da(market)
    expected = sum(
        market.lists[a].index(p) + 1 if p < n_p else len(market.lists[a])
        for a, p in enumerate(match)
    )
    assert solve(*market.arrays()).proposals == expected, match


# --- 2. stability and feasibility -----------------------------------------------------------


@examples
@given(market=st_market())
def test_both_sides_give_a_feasible_matching_without_blocking_pairs(market):
    for side in SIDES:
        match = deferred_acceptance(*market.arrays(), side)
        assert is_feasible(*market.arrays(), match), side
        assert blocking_pairs(*market.arrays(), match).size == 0, side
        assert blocking_pairs_py(market, tuple(match.tolist())) == set(), side


@examples
@given(data=st.data(), market=st_market())
def test_blocking_pairs_agrees_with_the_definition_on_any_feasible_matching(data, market):
    match = data.draw(st_feasible_matching(market), label="match")
    assert is_feasible(*market.arrays(), np.array(match))
    assert engine_blocking_pairs(market, match) == blocking_pairs_py(market, match)


@examples
@given(data=st.data(), market=st_market(min_applicants=1, min_programs=1))
def test_is_feasible_rejects_unranked_pairs_and_overfull_programs(data, market):
    match = list(data.draw(st_feasible_matching(market), label="match"))
    a = data.draw(st.integers(0, market.n_applicants - 1), label="applicant")
    p = data.draw(st.integers(0, market.n_programs - 1), label="program")
    match[a] = p
    mutual = market.acceptable(a, p)
    within_capacity = len(assigned(market, match, p)) <= market.capacities[p]
    assert is_feasible(*market.arrays(), np.array(match)) == (mutual and within_capacity)


# --- 3. applicant-optimality ----------------------------------------------------------------


@examples
@given(market=st_tiny)
def test_applicant_proposing_is_stable_and_applicant_optimal(market):
    best = da(market, "applicants")
    stable = all_stable(market)
    assert best in stable
    for other in stable:
        for a in range(market.n_applicants):
            assert applicant_weakly_prefers(market, a, best[a], other[a]), (a, other)


# --- 4. program-proposing: applicant-pessimal, program-optimal ------------------------------


@examples
@given(market=st_tiny)
def test_program_proposing_is_stable_applicant_pessimal_and_program_optimal(market):
    worst = da(market, "programs")
    best = da(market, "applicants")
    stable = all_stable(market)
    assert worst in stable
    for other in stable:
        for a in range(market.n_applicants):
            assert applicant_weakly_prefers(market, a, other[a], worst[a]), (a, other)
        for p in range(market.n_programs):
            mine, theirs = assigned(market, worst, p), assigned(market, other, p)
            # Responsive preferences, same number of applicants (rural hospitals):
            # the k-th best applicant under program-proposing is at least as good as
            # the k-th best in any stable matching ...
            ranked_mine = sorted_by_program(market, p, mine)
            ranked_theirs = sorted_by_program(market, p, theirs)
            for x, y in zip(ranked_mine, ranked_theirs, strict=True):
                assert market.prog_rank[p][x] <= market.prog_rank[p][y], (p, other)
            # ... and, by the lattice (Roth & Sotomayor), every applicant the program
            # holds under program-proposing beats everyone it would get only elsewhere.
            for x in mine:
                for y in theirs - mine:
                    assert market.prog_rank[p][x] < market.prog_rank[p][y], (p, other)
            # Dually, the applicant-proposing matching is program-pessimal.
            for x in theirs:
                for y in assigned(market, best, p) - theirs:
                    assert market.prog_rank[p][x] < market.prog_rank[p][y], (p, other)


# --- 5. rural-hospitals theorem ---------------------------------------------------------------


@examples
@given(market=st_tiny)
def test_rural_hospitals_theorem(market):
    n_p = market.n_programs
    by_applicants, by_programs = da(market, "applicants"), da(market, "programs")
    matched = {a for a, p in enumerate(by_applicants) if p < n_p}
    fill = [len(assigned(market, by_applicants, p)) for p in range(n_p)]
    for other in [by_programs, *all_stable(market)]:
        assert {a for a, p in enumerate(other) if p < n_p} == matched, other
        assert [len(assigned(market, other, p)) for p in range(n_p)] == fill, other
        for p in range(n_p):
            if fill[p] < market.capacities[p]:
                assert assigned(market, other, p) == assigned(market, by_applicants, p), (p, other)


@examples
@given(market=st_market())
def test_rural_hospitals_between_the_two_sides_on_larger_markets(market):
    # The part of the theorem that needs no brute force, on the full-size random markets.
    n_p = market.n_programs
    by_applicants, by_programs = da(market, "applicants"), da(market, "programs")
    assert [p < n_p for p in by_applicants] == [p < n_p for p in by_programs]
    for p in range(n_p):
        ours, theirs = assigned(market, by_applicants, p), assigned(market, by_programs, p)
        assert len(ours) == len(theirs)
        if len(ours) < market.capacities[p]:
            assert ours == theirs


# --- 6. strategy-proofness for applicants ---------------------------------------------------


@examples
@given(data=st.data(), market=st_tiny.filter(lambda m: m.n_applicants > 0))
def test_no_misreport_gets_an_applicant_a_better_program(data, market):
    a = data.draw(st.integers(0, market.n_applicants - 1), label="applicant")
    truthful = da(market)[a]
    for report in all_reports(market.n_programs):
        outcome = da(market.with_list(a, report))[a]
        # Judged by the applicant's TRUE list: a program off that list is unacceptable.
        assert not applicant_prefers(market, a, outcome, truthful), report


# --- 7. inputs untouched, output type -------------------------------------------------------


@examples
@given(
    market=st_market(),
    dtype=st.sampled_from([np.int64, np.int32, np.intp, np.uint16]),
    check_input=st.booleans(),
)
def test_inputs_are_never_modified_and_the_result_is_an_integer_vector(market, dtype, check_input):
    arrays = [x.astype(dtype) for x in market.arrays()]
    before = [x.copy() for x in arrays]
    for side in SIDES:
        match = deferred_acceptance(*arrays, side, check_input=check_input)
        for x, y in zip(arrays, before, strict=True):
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)
        assert isinstance(match, np.ndarray)
        assert np.issubdtype(match.dtype, np.integer)
        assert match.shape == (market.n_applicants,)
        assert ((match >= 0) & (match <= market.n_programs)).all()


@examples
@given(market=st_market())
def test_read_only_inputs_and_plain_lists_are_accepted(market):
    arrays = market.arrays()
    for x in arrays:
        x.setflags(write=False)
    as_lists = [x.tolist() for x in arrays]
    for side in SIDES:
        expected = deferred_acceptance(*arrays, side)
        assert deferred_acceptance(*as_lists, side).tolist() == expected.tolist()


# --- 8. invariance ------------------------------------------------------------------------


@examples
@given(data=st.data(), market=st_market())
def test_relabelling_programs_relabels_the_answer(data, market):
    n_p = market.n_programs
    new_label = data.draw(st.permutations(range(n_p)), label="new_label")  # p -> new_label[p]
    old_of = [0] * n_p
    for p, q in enumerate(new_label):
        old_of[q] = p
    relabelled = Market(
        n_applicants=market.n_applicants,
        n_programs=n_p,
        lists=tuple(tuple(new_label[p] for p in lst) for lst in market.lists),
        prog_rank=tuple(market.prog_rank[old_of[q]] for q in range(n_p)),
        capacities=tuple(market.capacities[old_of[q]] for q in range(n_p)),
    )
    for side in SIDES:
        expected = tuple(new_label[p] if p < n_p else n_p for p in da(market, side))
        assert da(relabelled, side) == expected, side


@examples
@given(data=st.data(), market=st_market())
def test_relabelling_applicants_relabels_the_answer(data, market):
    n_a = market.n_applicants
    new_label = data.draw(st.permutations(range(n_a)), label="new_label")  # a -> new_label[a]
    old_of = [0] * n_a
    for a, b in enumerate(new_label):
        old_of[b] = a
    relabelled = Market(
        n_applicants=n_a,
        n_programs=market.n_programs,
        lists=tuple(market.lists[old_of[b]] for b in range(n_a)),
        # Program ranks are kept as they are: the program's order of the people is unchanged.
        prog_rank=tuple(tuple(rank[old_of[b]] for b in range(n_a)) for rank in market.prog_rank),
        capacities=market.capacities,
    )
    for side in SIDES:
        before, after = da(market, side), da(relabelled, side)
        assert tuple(after[new_label[a]] for a in range(n_a)) == before, side


@examples
@given(data=st.data(), market=st_market())
def test_order_preserving_change_of_program_ranks_changes_nothing(data, market):
    # Only the order of a program's ranks matters, not their values or gaps: move each
    # program's ranks to the smallest (0, 1, ...) or the largest (..., n - 1) values.
    n_a = market.n_applicants
    indptr, programs, ranks, caps = market.arrays()
    to_top = data.draw(st.booleans(), label="to_top")
    moved = ranks.copy()
    for p in range(market.n_programs):
        mine = np.flatnonzero((programs == p) & (ranks < n_a))
        start = n_a - mine.size if to_top else 0
        moved[mine[np.argsort(ranks[mine])]] = start + np.arange(mine.size)
    for side in SIDES:
        np.testing.assert_array_equal(
            deferred_acceptance(indptr, programs, moved, caps, side),
            deferred_acceptance(indptr, programs, ranks, caps, side),
        )


@examples
@given(data=st.data(), market=st_market(min_applicants=1))
def test_adding_programs_at_the_bottom_of_a_list_never_hurts(data, market):
    a = data.draw(st.integers(0, market.n_applicants - 1), label="applicant")
    unlisted = [p for p in range(market.n_programs) if p not in market.lists[a]]
    extra = data.draw(st.permutations(unlisted), label="extra")
    extra = extra[: data.draw(st.integers(0, len(extra)), label="n_extra")]
    longer = market.with_list(a, market.lists[a] + tuple(extra))
    before, after = da(market), da(longer)
    # Judged by the longer list (the short one's programs keep their positions).
    assert applicant_position(longer, a, after[a]) <= applicant_position(longer, a, before[a])
    if before[a] < market.n_programs:
        # An applicant held within the short list never reaches the added programs,
        # so the whole run, and the whole matching, is the same.
        assert after == before


# --- brute force is trustworthy ------------------------------------------------------------


@examples
@given(market=st_tiny)
def test_a_stable_matching_exists_and_blocking_pairs_agrees_on_every_matching(market):
    # Gale & Shapley: a stable matching always exists.  This also guards the oracle:
    # stable_matchings() cross-checks stability.blocking_pairs on every candidate.
    assert stable_matchings(market, cross_check=True)


def test_property_markets_cover_the_interesting_cases():
    # Not a theorem: a check that the strategies really produce incomplete,
    # non-reciprocal, zero-capacity and empty-list markets, and enough markets with
    # several stable matchings for the optimality and lattice tests to have teeth.
    seen = collections.Counter()

    @settings(examples, database=None)
    @given(market=st_tiny)
    def look(market):
        seen["markets"] += 1
        if any(len(lst) == 0 for lst in market.lists):
            seen["empty list"] += 1
        if any(not market.acceptable(a, p) for a, lst in enumerate(market.lists) for p in lst):
            seen["non-reciprocal"] += 1
        if 0 in market.capacities:
            seen["zero capacity"] += 1
        if any(c > 1 for c in market.capacities):
            seen["capacity above 1"] += 1  # programs propose several at a time
        elif market.n_programs and market.n_applicants:
            seen["capacities at most 1"] += 1  # one-position code path on both sides
        if any(all(r == market.n_applicants for r in rank) for rank in market.prog_rank):
            seen["program ranks nobody"] += 1
        if da(market, "applicants") != da(market, "programs"):
            seen["sides differ"] += 1
        if len(all_stable(market)) > 2:
            seen["three or more stable matchings"] += 1

    look()
    assert seen["markets"] >= examples.max_examples * 9 // 10
    for case in (
        "empty list",
        "non-reciprocal",
        "zero capacity",
        "capacity above 1",
        "capacities at most 1",
        "program ranks nobody",
        "three or more stable matchings",
    ):
        assert seen[case] >= 5, (case, seen)
    assert seen["sides differ"] >= seen["markets"] // 20, seen
