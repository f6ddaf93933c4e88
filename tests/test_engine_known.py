"""Hand-written markets with known answers, pinned exactly; and the engine's input checks."""

from __future__ import annotations

import nrmp_example
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markets import Market, stable_matchings

from simulator.engine.checks import rank_clash
from simulator.engine.csr import segment_ids
from simulator.engine.kernel import deferred_acceptance, solve
from simulator.engine.packed_sort import runs_repeat
from simulator.engine.reference import deferred_acceptance_reference
from simulator.engine.stability import blocking_pairs, is_feasible

SIDES = ("applicants", "programs")


def named_market(applicant_lists, program_lists, capacities):
    """A :class:`markets.Market` from lists of names, plus the two name orders.

    ``applicant_lists`` maps each applicant to the programs they rank, best first;
    ``program_lists`` maps each program to the applicants it ranks, best first.
    """
    applicants, programs = list(applicant_lists), list(program_lists)
    n_a = len(applicants)
    prog_rank = []
    for p in programs:
        rank = [n_a] * n_a
        for k, name in enumerate(program_lists[p]):
            rank[applicants.index(name)] = k
        prog_rank.append(tuple(rank))
    market = Market(
        n_applicants=n_a,
        n_programs=len(programs),
        lists=tuple(tuple(programs.index(p) for p in applicant_lists[a]) for a in applicants),
        prog_rank=tuple(prog_rank),
        capacities=tuple(capacities[p] for p in programs),
    )
    return market, applicants, programs


def match_by_name(market, applicants, programs, side):
    """The engine's result as ``{applicant: program or None}``."""
    match = deferred_acceptance(*market.arrays(), side)
    return {a: (programs[p] if p < market.n_programs else None) for a, p in zip(applicants, match)}


# --- the NRMP's worked example ------------------------------------------------------------

NRMP_APPLICANTS = nrmp_example.APPLICANT_LISTS
NRMP_PROGRAMS = nrmp_example.PROGRAM_LISTS
NRMP_RESULT = nrmp_example.MATCHED


@pytest.mark.parametrize("side", SIDES)
def test_nrmp_worked_example(side):
    # The applicant-proposing result is the one the NRMP publishes.  Program-proposing
    # (worked by hand: 6 rounds) ends in the same matching: this market has only one
    # stable matching (checked by brute force below).
    market, applicants, programs = named_market(
        NRMP_APPLICANTS, NRMP_PROGRAMS, dict.fromkeys(NRMP_PROGRAMS, 2)
    )
    assert match_by_name(market, applicants, programs, side) == NRMP_RESULT
    assert deferred_acceptance_reference(*market.arrays(), side) == list(
        deferred_acceptance(*market.arrays(), side)
    )


def test_nrmp_worked_example_has_exactly_one_stable_matching():
    market, applicants, programs = named_market(
        NRMP_APPLICANTS, NRMP_PROGRAMS, dict.fromkeys(NRMP_PROGRAMS, 2)
    )
    expected = tuple(
        programs.index(NRMP_RESULT[a]) if NRMP_RESULT[a] else market.n_programs for a in applicants
    )
    assert stable_matchings(market, cross_check=False) == [expected]
    # Mercy and General each keep one position empty.
    fill = np.bincount(np.array(expected), minlength=market.n_programs + 1)[: market.n_programs]
    assert dict(zip(programs, fill.tolist())) == {"Mercy": 1, "City": 2, "General": 1, "State": 2}


# --- Gale and Shapley's cyclic 3 x 3 example ------------------------------------------------

GS_APPLICANTS = {"a0": ["p0", "p1", "p2"], "a1": ["p1", "p2", "p0"], "a2": ["p2", "p0", "p1"]}
GS_PROGRAMS = {"p0": ["a1", "a2", "a0"], "p1": ["a2", "a0", "a1"], "p2": ["a0", "a1", "a2"]}


def test_cyclic_example_each_side_gets_its_first_choices():
    market, applicants, programs = named_market(
        GS_APPLICANTS, GS_PROGRAMS, dict.fromkeys(GS_PROGRAMS, 1)
    )
    # Applicants propose: everyone's first choice differs, so each applicant gets it.
    assert match_by_name(market, applicants, programs, "applicants") == {
        "a0": "p0",
        "a1": "p1",
        "a2": "p2",
    }
    # Programs propose: likewise each program gets its first choice.
    assert match_by_name(market, applicants, programs, "programs") == {
        "a0": "p2",
        "a1": "p0",
        "a2": "p1",
    }
    # In between lies the third stable matching, where everyone gets a second choice.
    assert sorted(stable_matchings(market)) == [(0, 1, 2), (1, 2, 0), (2, 0, 1)]


# --- degenerate markets ---------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("capacities", [[], [2, 3]], ids=["no programs", "two programs"])
def test_empty_market(side, capacities):
    match = deferred_acceptance([0], [], [], capacities, side)
    assert match.shape == (0,)
    assert np.issubdtype(match.dtype, np.integer)
    stats = solve(
        np.array([0]),
        np.array([], dtype=np.int64),
        np.array([], dtype=np.int64),
        np.array(capacities, dtype=np.int64),
        side,
    )
    assert (stats.match.shape, stats.rounds, stats.proposals) == ((0,), 0, 0)


@pytest.mark.parametrize("side", SIDES)
def test_applicants_but_no_programs(side):
    match = deferred_acceptance([0, 0, 0, 0], [], [], [], side)
    assert match.tolist() == [0, 0, 0]  # 0 == n_programs: unmatched


@pytest.mark.parametrize("side", SIDES)
def test_all_capacities_zero(side):
    # Three applicants rank both programs; the programs rank everyone, but have no positions.
    indptr = [0, 2, 4, 6]
    programs = [0, 1, 1, 0, 0, 1]
    ranks = [0, 2, 1, 1, 2, 0]
    match = deferred_acceptance(indptr, programs, ranks, [0, 0], side)
    assert match.tolist() == [2, 2, 2]


@pytest.mark.parametrize("side", SIDES)
def test_applicant_with_an_empty_list_is_unmatched_and_changes_nothing(side):
    # Applicant 1 ranks nothing; applicants 0 and 2 compete for program 0's one position.
    indptr = [0, 2, 2, 4]
    programs = [0, 1, 0, 1]
    ranks = [1, 0, 0, 1]  # program 0 prefers applicant 2, program 1 applicant 0
    match = deferred_acceptance(indptr, programs, ranks, [1, 1], side)
    assert match.tolist() == [1, 2, 0]
    without = deferred_acceptance([0, 2, 4], programs, ranks, [1, 1], side)
    assert without.tolist() == [1, 0]


@pytest.mark.parametrize("side", SIDES)
def test_program_that_ranked_nobody_fills_nothing(side):
    # Program 0 has 5 positions and is everyone's first choice, but ranked nobody
    # (rank 3 == n_applicants); everyone falls through to program 1 (2 positions).
    indptr = [0, 2, 4, 6]
    programs = [0, 1, 0, 1, 0, 1]
    ranks = [3, 2, 3, 0, 3, 1]
    match = deferred_acceptance(indptr, programs, ranks, [5, 2], side)
    assert match.tolist() == [2, 1, 1]


@pytest.mark.parametrize("side", SIDES)
def test_one_big_program_takes_its_best_ranked_applicants(side):
    n_a, capacity = 200, 57
    rng = np.random.default_rng(np.random.SeedSequence(1862))
    ranks = rng.permutation(n_a)  # program's rank of each applicant
    ranks[rng.choice(n_a, size=40, replace=False)] = n_a  # 40 applicants it did not rank
    match = deferred_acceptance(
        np.arange(n_a + 1), np.zeros(n_a, dtype=np.int64), ranks, [capacity], side
    )
    expected = np.where(np.isin(ranks, np.sort(ranks)[:capacity]) & (ranks < n_a), 0, 1)
    assert expected.sum() == n_a - capacity
    np.testing.assert_array_equal(match, expected)


@pytest.mark.parametrize("side", SIDES)
def test_unranked_entries_may_share_the_sentinel_rank(side):
    # Several applicants that a program did not rank all carry rank n_applicants there:
    # that is not a duplicate rank.  And one rank value may recur across programs.
    indptr = [0, 2, 4, 5]
    programs = [0, 1, 0, 1, 0]
    ranks = [3, 0, 3, 1, 0]
    match = deferred_acceptance(indptr, programs, ranks, [1, 1], side)
    assert match.tolist() == [1, 2, 0]


# --- a seeded larger market ---------------------------------------------------------------


def seeded_market(n_applicants=2_000, n_programs=300, *, rng):
    """A market of NRMP-like shape: popular programs, lists of 0-15, partial program lists."""
    capacities = rng.integers(0, 13, size=n_programs)
    popularity = rng.lognormal(0.0, 1.0, size=n_programs)
    strength = rng.normal(size=n_applicants)
    lengths = rng.integers(0, 16, size=n_applicants)
    lists = []
    for a in range(n_applicants):
        chosen = rng.choice(
            n_programs, size=lengths[a], replace=False, p=popularity / popularity.sum()
        )
        taste = np.log(popularity[chosen]) + rng.gumbel(size=chosen.size)
        lists.append(chosen[np.argsort(-taste)])
    indptr = np.zeros(n_applicants + 1, dtype=np.int64)
    np.cumsum([lst.size for lst in lists], out=indptr[1:])
    programs = np.concatenate(lists).astype(np.int64)
    applicant = np.repeat(np.arange(n_applicants), np.diff(indptr))
    # Each program ranks about 85% of its applicants, by strength plus its own noise.
    score = strength[applicant] + rng.normal(scale=0.5, size=programs.size)
    order = np.lexsort((-score, programs))
    ranks = np.empty(programs.size, dtype=np.int64)
    starts = np.searchsorted(programs[order], np.arange(n_programs))
    ranks[order] = np.arange(programs.size) - starts[programs[order]]
    ranks[rng.random(programs.size) < 0.15] = n_applicants
    return indptr, programs, ranks, capacities


def test_seeded_large_market_engine_equals_reference_and_is_stable():
    rng = np.random.default_rng(np.random.SeedSequence(20250321))
    arrays = seeded_market(rng=rng)
    indptr, programs, ranks, capacities = arrays
    n_a, n_p = indptr.size - 1, capacities.size
    results = {}
    for side in SIDES:
        match = deferred_acceptance(*arrays, side)
        assert match.tolist() == deferred_acceptance_reference(*arrays, side), side
        assert is_feasible(*arrays, match), side
        assert blocking_pairs(*arrays, match).size == 0, side
        results[side] = match
    by_applicants, by_programs = results["applicants"], results["programs"]
    # Not a trivial market: some applicants match, some do not, some programs fill.
    matched = by_applicants < n_p
    assert 0.3 * n_a < matched.sum() < n_a
    fill = np.bincount(by_applicants[matched], minlength=n_p)
    assert (fill == capacities).any() and ((fill < capacities) & (fill > 0)).any()
    # Rural hospitals: the same applicants match, and every program fills alike.
    np.testing.assert_array_equal(matched, by_programs < n_p)
    np.testing.assert_array_equal(fill, np.bincount(by_programs[by_programs < n_p], minlength=n_p))
    # Every applicant does at least as well when applicants propose.
    applicant = np.repeat(np.arange(n_a), np.diff(indptr))
    position = np.arange(programs.size) - indptr[applicant]

    def position_of(match):
        pos = np.diff(indptr).copy()  # unmatched: after the whole list
        hit = programs == match[applicant]
        pos[applicant[hit]] = position[hit]
        return pos

    assert (position_of(by_applicants) <= position_of(by_programs)).all()


@pytest.mark.parametrize("side", SIDES)
def test_sparse_wide_market_gives_the_same_answer_as_its_dense_core(side):
    # 70,000 applicants and programs, almost all idle, around a seeded 300 x 40 core
    # spread over the index range.  The sizes take the engine past 31 bits of packed
    # (target, rank) key; the answer must be the core's, relabelled.  When programs
    # propose, the rank bits are those of the longest list, so there one more
    # applicant ranks all 70,000 programs (none of which ranked them).
    rng = np.random.default_rng(np.random.SeedSequence(31))
    core_indptr, core_programs, core_ranks, core_caps = seeded_market(300, 40, rng=rng)
    n_core = core_indptr.size - 1
    n = 70_000
    where_applicant = np.sort(rng.choice(n - 1, size=n_core, replace=False))
    where_program = rng.permutation(n)[: core_caps.size]
    lengths = np.zeros(n, dtype=np.int64)
    lengths[where_applicant] = np.diff(core_indptr)
    long_list = n if side == "programs" else 0
    lengths[n - 1] = long_list  # the last applicant
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    programs = np.concatenate((where_program[core_programs], rng.permutation(n)[:long_list]))
    ranks = np.concatenate((np.where(core_ranks < n_core, core_ranks, n), np.full(long_list, n)))
    capacities = np.zeros(n, dtype=np.int64)
    capacities[where_program] = core_caps

    match = deferred_acceptance(indptr, programs, ranks, capacities, side)
    core = deferred_acceptance(core_indptr, core_programs, core_ranks, core_caps, side)
    expected = np.full(n, n)
    core_matched = core < core_caps.size
    expected[where_applicant] = np.where(core_matched, where_program[core % core_caps.size], n)
    np.testing.assert_array_equal(match, expected)
    assert core_matched.sum() > 100  # the core is not trivial
    reference = deferred_acceptance_reference(indptr, programs, ranks, capacities, side)
    assert match.tolist() == reference


def test_blocking_pairs_of_a_hand_checked_unstable_matching():
    # A holds Q but prefers P, which holds B, ranked below A: (A, P) blocks.  C is
    # unmatched and Q has a free position and ranked C: (C, Q) blocks.  Z ranked C but
    # offers no positions, and Q has room but did not rank D: neither blocks.
    market, applicants, programs = named_market(
        {"A": ["P", "Q"], "B": ["P"], "C": ["Z", "Q"], "D": ["Q"]},
        {"P": ["A", "B"], "Q": ["C", "A"], "Z": ["C"]},
        {"P": 1, "Q": 2, "Z": 0},
    )
    unmatched = len(programs)
    match = np.array([1, 0, unmatched, unmatched])  # A: Q, B: P, C and D unmatched
    arrays = market.arrays()
    assert is_feasible(*arrays, match)
    entries = market.entries()
    blocking = {
        (applicants[entries[e][0]], programs[entries[e][1]]) for e in blocking_pairs(*arrays, match)
    }
    assert blocking == {("A", "P"), ("C", "Q")}
    for side in SIDES:
        assert blocking_pairs(*arrays, deferred_acceptance(*arrays, side)).size == 0


# --- input validation -----------------------------------------------------------------------

# A valid market: applicant 0 ranks programs 0 then 1, applicant 1 ranks program 1.
VALID = {
    "rol_indptr": [0, 2, 3],
    "rol_programs": [0, 1, 1],
    "program_ranks": [0, 0, 1],
    "capacities": [1, 1],
}


def test_the_valid_market_is_valid():
    assert deferred_acceptance(**VALID).tolist() == [0, 1]


@pytest.mark.parametrize("key", [[3, 1, 2], [2**62, 1, 2**61]], ids=["packed", "too-wide-to-pack"])
def test_values_sorted_by_their_keys(key):
    from simulator.engine.kernel import _sort_by

    assert _sort_by(np.array(key), np.array([7, 8, 9])).tolist() == [8, 9, 7]


def test_a_program_may_leave_several_applicants_unranked():
    """ "Not ranked" (rank n_applicants) repeats within a program; only real ranks must differ."""
    market = {**VALID, "program_ranks": [0, 2, 2]}  # program 1 ranks neither applicant
    assert deferred_acceptance(**market).tolist() == [0, 2]


def bad(case_id, words, **change):
    """One invalid-input case: the change to ``VALID`` and words its message must contain."""
    return pytest.param(change, words, id=case_id)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        bad("indptr not from 0", ["rol_indptr", "start at 0"], rol_indptr=[1, 2, 3]),
        bad("indptr short", ["rol_indptr", "len(rol_programs)"], rol_indptr=[0, 2, 2]),
        bad("indptr long", ["rol_indptr", "len(rol_programs)"], rol_indptr=[0, 2, 4]),
        bad("indptr decreasing", ["rol_indptr", "decrease"], rol_indptr=[0, 4, 3]),
        bad("indptr empty", ["rol_indptr"], rol_indptr=[]),
        bad("program too big", ["rol_programs", "[0, 2)"], rol_programs=[0, 2, 1]),
        bad("program negative", ["rol_programs", "[0, 2)"], rol_programs=[0, -1, 1]),
        bad("rank too big", ["program_ranks", "[0, 2]"], program_ranks=[0, 0, 3]),
        bad("rank negative", ["program_ranks", "[0, 2]"], program_ranks=[0, -1, 1]),
        bad("ranks too few", ["program_ranks", "rol_programs"], program_ranks=[0, 0]),
        bad(
            "program repeated in a list",
            ["same program twice"],
            rol_programs=[1, 1, 0],
            program_ranks=[0, 1, 0],
        ),
        bad("duplicate rank", ["same rank"], program_ranks=[0, 1, 1]),
        bad("negative capacity", ["capacities", "non-negative"], capacities=[1, -1]),
        bad("proposing both", ["proposing", "'both'"], proposing="both"),
        bad("2-D programs", ["rol_programs", "one-dimensional"], rol_programs=[[0, 1, 1]]),
        bad("2-D capacities", ["capacities", "one-dimensional"], capacities=[[1], [1]]),
        bad("float ranks", ["program_ranks", "integers"], program_ranks=[0.0, 0.5, 1.0]),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(change, words):
    arguments = {**VALID, **change}
    with pytest.raises(ValueError) as excinfo:
        deferred_acceptance(**arguments)
    message = str(excinfo.value)
    for word in words:
        assert word in message
    # solve() checks its input the same way.
    with pytest.raises(ValueError) as excinfo:
        solve(**arguments)
    assert str(excinfo.value) == message


@pytest.mark.parametrize("check_input", [True, False])
@pytest.mark.parametrize("proposing", ["both", "applicant", "Applicants", None])
def test_unknown_proposing_side_is_rejected_even_without_input_checks(proposing, check_input):
    # Bug found by this test: with check_input=False any unknown ``proposing`` (a typo
    # such as "applicant", or None) silently runs the *programs'* side and returns the
    # program-optimal matching, the opposite of the NRMP's.  check_input=False is there
    # to skip the O(n) checks of the arrays; the side is one string comparison and
    # should always be checked.
    market, _, _ = named_market(GS_APPLICANTS, GS_PROGRAMS, dict.fromkeys(GS_PROGRAMS, 1))
    with pytest.raises(ValueError) as excinfo:
        deferred_acceptance(*market.arrays(), proposing, check_input=check_input)
    assert "proposing" in str(excinfo.value)
    assert repr(proposing) in str(excinfo.value)


def test_capacities_beyond_the_applicants_cost_nothing():
    """A capacity of 10**12 neither allocates for it nor changes the answer."""
    match = deferred_acceptance(np.array([0, 1]), np.array([0]), np.array([0]), np.array([10**12]))
    assert match.tolist() == [0]
    for proposing in ("applicants", "programs"):
        both = deferred_acceptance(
            np.array([0, 1, 2]), np.array([0, 0]), np.array([1, 0]), np.array([2**62]),
            proposing=proposing,
        )  # fmt: skip
        assert both.tolist() == [0, 0]


def test_a_chain_of_single_rejections_is_finished_one_proposal_at_a_time():
    """n applicants, n - 1 programs, cyclic lists: one rejection per round, n^2 proposals."""
    n = 40
    m = n - 1
    lists = (np.arange(n)[:, None] + np.arange(m)[None, :]) % m
    ranks_of = (np.arange(n)[None, :] - np.arange(m)[:, None] - 1) % n
    programs = lists.ravel()
    ranks = ranks_of[programs, np.repeat(np.arange(n), m)]
    market = (np.arange(0, n * m + 1, m), programs, ranks, np.ones(m, dtype=np.int64))
    stats = solve(*market)
    assert stats.match.tolist() == deferred_acceptance_reference(*market)
    assert stats.proposals > n * (n - 2) and stats.rounds <= 3  # not one round per proposal


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lengths=st.lists(st.integers(0, 300), min_size=1, max_size=30),
    n_programs=st.integers(1, 400),
    repeat=st.booleans(),
    wide=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_repeats_found_list_by_list_as_by_one_sort(
    lengths, n_programs, repeat, wide, seed, both_sort_paths
):
    """The input check sorts each applicant's list alone, as a row (lists of every length,
    the empty ones and those longer than the widest row too): it finds a program ranked
    twice exactly when one sort of all (applicant, program) pairs does."""
    rng = np.random.default_rng(seed)
    lists = [rng.permutation(n_programs)[: min(length, n_programs)] for length in lengths]
    if repeat and any(lst.size >= 2 for lst in lists):
        lst = lists[rng.choice([i for i, lst in enumerate(lists) if lst.size >= 2])]
        i, j = rng.choice(lst.size, 2, replace=False)
        lst[i] = lst[j]
    indptr = np.r_[0, np.cumsum([lst.size for lst in lists])]
    programs = np.concatenate(lists).astype(np.int64 if wide else np.int32)
    pairs = segment_ids(indptr) * n_programs + programs
    keys = programs.copy()
    assert runs_repeat(keys, indptr[:-1]) == (np.unique(pairs).size < pairs.size)
    assert np.array_equal(keys, programs)  # left as it was


@settings(max_examples=150, deadline=None)
@given(
    n_entries=st.integers(0, 400),
    n_programs=st.integers(1, 40),
    n_applicants=st.integers(1, 60),
    places=st.booleans(),
    repeat=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_rank_repeats_found_by_slots_as_by_one_sort(
    n_entries, n_programs, n_applicants, places, repeat, seed
):
    """The check that no program gives one rank twice scatters ranks into slots and sorts
    only the entries that share one: it answers as one sort of all entries does, for ranks
    that are places on the program's list (a slot each; every other place, some share one)
    and for ranks that are not."""
    rng = np.random.default_rng(seed)
    programs = rng.integers(0, n_programs, n_entries)
    if places:  # each program's entries ranked 0, s, 2s ... in a random order, s 1 or 2
        ranks = np.empty(n_entries, dtype=np.int64)
        order = np.lexsort((rng.random(n_entries), programs))
        ranks[order] = np.arange(n_entries) - np.searchsorted(programs[order], programs[order])
        ranks = np.minimum(ranks * rng.integers(1, 3, n_programs)[programs], n_applicants)
    else:
        ranks = rng.integers(0, n_applicants + 1, n_entries)
    ranks[rng.random(n_entries) < 0.2] = n_applicants  # not ranked
    if repeat and n_entries >= 2:
        ranks[rng.integers(n_entries)] = ranks[rng.integers(n_entries)]
    clash = rank_clash(programs, n_programs, ranks, n_applicants)
    ranked = ranks != n_applicants
    pairs = programs[ranked] * (n_applicants + 1) + ranks[ranked]
    assert (clash is not None) == (np.unique(pairs).size < pairs.size)
    if clash is not None:  # the entry named shares its rank with another of its program
        same = (programs == programs[clash]) & (ranks == ranks[clash])
        assert ranks[clash] != n_applicants and same.sum() >= 2
