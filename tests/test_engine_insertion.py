"""Solo outcomes by insertion equal a full Match of the market plus that one applicant."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from markets import Market, st_market

from simulator.engine import deferred_acceptance
from simulator.engine.insertion import SolvedMarket, solo_outcomes


@st.composite
def st_solos(draw, market: Market, max_solos: int = 4):
    """Extra applicants: each a list of programs and, per listed program, where it ranks them
    (``r`` in 0..n: above the market's applicants ranked ``r`` or lower; ``n + 1``: unranked)."""
    n = market.n_applicants
    solos = []
    for _ in range(draw(st.integers(1, max_solos))):
        order = draw(st.permutations(range(market.n_programs)))
        listed = order[: draw(st.integers(0, market.n_programs))]
        ranks = [draw(st.sampled_from([*range(n + 1), n + 1])) for _ in listed]
        solos.append((tuple(listed), tuple(ranks)))
    return solos


def with_solo(market: Market, listed, ranks) -> tuple[np.ndarray, ...]:
    """Engine arrays of ``market`` plus one applicant (the last), ranked as ``ranks`` say."""
    n = market.n_applicants
    prog_rank = []
    for p in range(market.n_programs):
        keys = [(2 * r + 1, a) for a, r in enumerate(market.prog_rank[p]) if r < n]
        if p in listed and ranks[listed.index(p)] <= n:
            keys.append((2 * ranks[listed.index(p)], n))  # just above those it beats
        rank = [n + 1] * (n + 1)
        for k, (_, a) in enumerate(sorted(keys)):
            rank[a] = k
        prog_rank.append(tuple(rank))
    bigger = Market(
        n_applicants=n + 1,
        n_programs=market.n_programs,
        lists=(*market.lists, tuple(listed)),
        prog_rank=tuple(prog_rank),
        capacities=market.capacities,
    )
    return bigger.arrays()


def solo_arrays(solos):
    indptr = np.r_[0, np.cumsum([len(listed) for listed, _ in solos])].astype(np.int64)
    programs = np.array([p for listed, _ in solos for p in listed], dtype=np.int64)
    ranks = np.array([r for _, rs in solos for r in rs], dtype=np.int64)
    return indptr, programs, ranks


@given(st.data())
def test_each_solo_gets_what_a_full_match_with_it_alone_gives(data):
    market = data.draw(st_market(max_applicants=7, max_programs=4, max_capacity=2))
    solos = data.draw(st_solos(market))
    arrays = market.arrays()
    match = deferred_acceptance(*arrays)
    got = solo_outcomes(SolvedMarket(*arrays, match), *solo_arrays(solos))
    for k, (listed, ranks) in enumerate(solos):
        alone = deferred_acceptance(*with_solo(market, listed, ranks))
        assert got[k] == alone[-1], (k, listed, ranks)


@given(st.data())
def test_contested_markets_with_long_chains(data):
    """Full lists and opposed preferences: chains that come back to programs they changed."""
    market = data.draw(
        st_market(
            max_applicants=9,
            max_programs=5,
            max_capacity=2,
            min_capacity=1,
            min_applicants=4,
            min_programs=2,
            contested=True,
        )  # fmt: skip
    )
    solos = data.draw(st_solos(market, max_solos=6))
    arrays = market.arrays()
    got = solo_outcomes(SolvedMarket(*arrays, deferred_acceptance(*arrays)), *solo_arrays(solos))
    for k, (listed, ranks) in enumerate(solos):
        assert got[k] == deferred_acceptance(*with_solo(market, listed, ranks))[-1]


def test_inputs_are_not_modified():
    market = Market(
        n_applicants=2,
        n_programs=2,
        lists=((0, 1), (0,)),
        prog_rank=((1, 0), (0, 2)),
        capacities=(1, 1),
    )
    arrays = market.arrays()
    match = deferred_acceptance(*arrays)
    solos = solo_arrays([((0, 1), (0, 0))])
    before = [a.copy() for a in (*arrays, match, *solos)]
    got = solo_outcomes(SolvedMarket(*arrays, match), *solos)
    assert got.tolist() == [0]  # program 0 takes it over applicant 1, who goes unmatched
    for old, new in zip(before, (*arrays, match, *solos)):
        np.testing.assert_array_equal(old, new)
