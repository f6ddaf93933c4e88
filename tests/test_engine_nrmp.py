"""The NRMP procedure with couples and supplemental PGY-1 lists, checked against brute force.

Markets here are plain Python (each applicant's entries with their supplemental
lists, each couple's pairs, each program's rank of every applicant); the
blocking test below follows Kojima, Pathak and Roth (2013), written without
looking at the engine:

* a single blocks with an entry (bundle) it prefers to its own when every
  program of it would take it;
* a couple blocks with a pair it prefers when each program ``h`` of the pair
  would take its member ``f``: ``f`` is at ``h`` already or ``f`` is among the
  best ``capacity(h)`` of ``h``'s holders and ``f``; for a pair naming one program
  twice, both members must be among its best ``capacity`` of its holders and the two.

"Would take" needs the program to rank the applicant.  A single with a
supplemental list ranks ``(A, S1), .., (A, Sk), (A, none)`` for advanced ``A``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from markets import st_market
from nrmp_example import APPLICANT_LISTS, MATCHED, PROGRAM_LISTS

from simulator.engine import deferred_acceptance, roth_peranson
from simulator.engine.nrmp_reference import roth_peranson_reference


@dataclass(frozen=True, slots=True)
class Market:
    """``entries[a]``: applicant ``a``'s ``(program, supplemental programs)``, best first
    (empty for couple members); ``couples[c]``: ``(first, second, pairs)`` with
    ``n_programs`` for "no match"; ``prog_rank[p][a]``: ``n_applicants`` if unranked."""

    n_applicants: int
    capacities: tuple[int, ...]
    prog_rank: tuple[tuple[int, ...], ...]
    entries: tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]
    couples: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...] = ()

    @property
    def n_programs(self) -> int:
        return len(self.capacities)

    def arrays(self) -> dict:
        n = self.n_applicants
        flat = [(a, prog, supp) for a in range(n) for prog, supp in self.entries[a]]
        pairs = [pair for *_, pairs in self.couples for pair in pairs]
        rank = self.rank
        return dict(
            rol_indptr=np.cumsum([0] + [len(e) for e in self.entries]),
            rol_programs=np.array([prog for _, prog, _ in flat], dtype=np.int64),
            program_ranks=np.array([rank(prog, a) for a, prog, _ in flat], dtype=np.int64),
            capacities=np.array(self.capacities, dtype=np.int64),
            couples=np.array([(f, m) for f, m, _ in self.couples], dtype=np.int64).reshape(-1, 2),
            couple_indptr=np.cumsum([0] + [len(pairs) for *_, pairs in self.couples]),
            pair_programs=np.array(pairs, dtype=np.int64).reshape(-1, 2),
            pair_ranks=np.array(
                [(rank(h, f), rank(k, m)) for f, m, ps in self.couples for h, k in ps],
                dtype=np.int64,
            ).reshape(-1, 2),
            supplemental_indptr=np.cumsum([0] + [len(supp) for *_, supp in flat]),
            supplemental_programs=np.array([s for *_, supp in flat for s in supp], dtype=np.int64),
            supplemental_ranks=np.array(
                [rank(s, a) for a, _, supp in flat for s in supp], dtype=np.int64
            ),
        )

    def rank(self, program: int, a: int) -> int:
        return self.prog_rank[program][a] if program < self.n_programs else self.n_applicants

    def units(self) -> list[list[frozenset]]:
        """Each unit's bundles, best first, as sets of seats ``(program, applicant, role)``."""
        units = []
        for a, entries in enumerate(self.entries):
            bundles = []
            for prog, supp in entries:
                bundles += [frozenset({(prog, a, 0), (s, a, 1)}) for s in supp]
                bundles.append(frozenset({(prog, a, 0)}))
            if bundles:
                units.append(bundles)
        for f, m, pairs in self.couples:
            seats = [{(h, f, 0), (k, m, 0)} for h, k in pairs]
            units.append([frozenset(s for s in b if s[0] < self.n_programs) for b in seats])
        return units


def holders_of(market: Market, seats) -> list[set[int]]:
    held = [set() for _ in market.capacities]
    for program, a, _ in seats:
        held[program].add(a)
    return held


def feasible(market: Market, seats) -> bool:
    held = holders_of(market, seats)
    return all(len(held[p]) <= market.capacities[p] for p in range(market.n_programs)) and all(
        market.rank(p, a) < market.n_applicants for p, a, _ in seats
    )


def takes(market: Market, held: list[set[int]], bundle) -> bool:
    """Whether every program of ``bundle`` would take its member(s), per the module docstring."""
    programs = [p for p, _, _ in bundle]
    n = market.n_applicants
    if len(bundle) == 2 and programs[0] == programs[1]:
        p = programs[0]
        members = {a for _, a, _ in bundle}
        if any(market.rank(p, a) >= n for a in members):
            return False
        best = sorted(held[p] | members, key=lambda a: market.rank(p, a))[: market.capacities[p]]
        return members <= set(best)
    for p, a, _ in bundle:
        rank = market.rank(p, a)
        pool = sorted(held[p] | {a}, key=lambda x: market.rank(p, x))[: market.capacities[p]]
        if a not in held[p] and not (rank < n and a in pool):
            return False
    return True


def blocking_units(market: Market, seats) -> list[tuple[int, int]]:
    """``(unit, bundle)`` of every unit that blocks the matching given by ``seats``."""
    held, found = holders_of(market, seats), []
    for u, bundles in enumerate(market.units()):
        current = position(bundles, seats)
        found += [(u, i) for i in range(current) if takes(market, held, bundles[i])]
    return found


def position(bundles, seats) -> int:
    """Where the unit's seats stand on its list (``len``: unmatched); fails if not on it."""
    applicants = {a for b in bundles for _, a, _ in b}
    mine = frozenset(s for s in seats if s[1] in applicants)
    if not mine:
        return len(bundles)
    assert mine in bundles, f"{sorted(mine)} is not on the unit's list"
    return bundles.index(mine)


def seats_of(result_match, result_pgy1, n_programs) -> frozenset:
    return frozenset(
        (int(p), a, role)
        for role, column in enumerate((result_match, result_pgy1))
        for a, p in enumerate(column)
        if p < n_programs
    )


def stable_matchings(market: Market) -> list[frozenset]:
    units = market.units()
    options = [[*bundles, frozenset()] for bundles in units]
    found = []
    for choice in itertools.product(*options):
        seats = frozenset().union(*choice)
        if feasible(market, seats) and not blocking_units(market, seats):
            found.append(seats)
    return found


# -- strategies -------------------------------------------------------------------------------


@st.composite
def st_nrmp_market(draw, max_programs=3, max_singles=3, max_couples=2, supplemental=True):
    """A small market: singles (some entries with supplemental lists) and couples.

    Half of them are *contested* (one position per program, every program ranks
    everyone, singles rank every program, couples only pairs of programs): those
    are the markets with several stable matchings, or none.
    """
    contested = draw(st.booleans(), label="contested")
    n_p = draw(st.integers(1, max_programs))
    n_s = draw(st.integers(0, max_singles))
    n_c = draw(st.integers(1 if contested else 0, max_couples))
    n = n_s + 2 * n_c
    who = draw(st.permutations(range(n)))  # singles and couple members anywhere among indices
    capacities = (
        (1,) * n_p
        if contested
        else tuple(draw(st.lists(st.integers(0, 2), min_size=n_p, max_size=n_p)))
    )
    prog_rank = []
    for _ in range(n_p):
        order = draw(st.permutations(range(n)))
        ranked = [True] * n if contested else draw(st.lists(st.booleans(), min_size=n, max_size=n))
        prog_rank.append(tuple(order.index(a) if ranked[a] else n for a in range(n)))
    entries = [()] * n
    for a in who[:n_s]:
        length = n_p if contested else draw(st.integers(0, n_p))
        listed = []
        for prog in draw(st.permutations(range(n_p)))[:length]:
            others = [q for q in range(n_p) if q != prog]
            supp = draw(st.permutations(others))[: draw(st.integers(0, 2))] if supplemental else []
            listed.append((prog, tuple(supp)))
        entries[a] = tuple(listed)
    top = n_p if contested else n_p + 1
    everything = [(h, k) for h in range(top) for k in range(top) if (h, k) != (n_p, n_p)]
    couples = []
    for c in range(n_c):
        pairs = draw(st.permutations(everything))[: draw(st.integers(0, 4))]
        couples.append((who[n_s + 2 * c], who[n_s + 2 * c + 1], tuple(pairs)))
    return Market(n, capacities, tuple(prog_rank), tuple(entries), tuple(couples))


def _small_enough(market: Market) -> bool:
    return np.prod([len(b) + 1 for b in market.units()]) <= 1_500


# -- properties -------------------------------------------------------------------------------


@given(st_market())
def test_without_couples_or_supplemental_lists_it_is_deferred_acceptance(market):
    arrays = market.arrays()
    result = roth_peranson(*arrays)
    assert np.array_equal(result.match, deferred_acceptance(*arrays))
    assert np.all(result.pgy1 == market.n_programs)
    assert result.stable and result.rounds == 0


@pytest.mark.parametrize("at_once", [False, True], ids=["one couple at a time", "all at once"])
@given(market=st_nrmp_market())
def test_a_reported_stable_result_is_a_stable_matching_and_none_is_missed(at_once, market):
    assume(_small_enough(market))
    result = roth_peranson(**market.arrays(), in_batches=at_once)
    seats = seats_of(result.match, result.pgy1, market.n_programs)
    assert feasible(market, seats)
    stable = stable_matchings(market)
    if result.stable:
        assert blocking_units(market, seats) == []
        assert seats in stable
    if not stable:
        assert not result.stable  # no stable matching exists: it must say so
    ref_match, ref_pgy1, ref_stable = roth_peranson_reference(**market.arrays())
    reference = seats_of(ref_match, ref_pgy1, market.n_programs)
    assert feasible(market, reference)
    if ref_stable:
        assert reference in stable
    if len(stable) == 1 and result.stable and ref_stable:
        assert seats == reference


@pytest.mark.parametrize("at_once", [False, True], ids=["one couple at a time", "all at once"])
@given(market=st_nrmp_market(max_programs=5, max_singles=8, max_couples=3))
def test_larger_markets_stable_means_no_blocking_single_or_couple(at_once, market):
    result = roth_peranson(**market.arrays(), in_batches=at_once)
    seats = seats_of(result.match, result.pgy1, market.n_programs)
    assert feasible(market, seats)
    if result.stable:
        assert blocking_units(market, seats) == []


def test_the_nrmp_worked_example_without_couples():
    names, programs = list(APPLICANT_LISTS), list(PROGRAM_LISTS)
    n = len(names)
    prog_rank = tuple(
        tuple(PROGRAM_LISTS[p].index(a) if a in PROGRAM_LISTS[p] else n for a in names)
        for p in programs
    )
    entries = tuple(tuple((programs.index(p), ()) for p in APPLICANT_LISTS[a]) for a in names)
    market = Market(n, (2, 2, 2, 2), prog_rank, entries)
    result = roth_peranson(**market.arrays())
    got = {a: programs[p] if p < 4 else None for a, p in zip(names, result.match.tolist())}
    assert got == MATCHED and result.stable


# -- supplemental lists, by hand ----------------------------------------------------------------
# Programs: 0 Radiology (advanced), 1 Prelim, 2 Transitional, 3 City (categorical).
BOTH_ORDERS = pytest.mark.parametrize(
    "in_batches", [False, True], ids=["one at a time", "in batches"]
)


def _supplemental(entries, capacities=(1, 1, 1, 1), prog_rank=None) -> Market:
    n = len(entries)
    prog_rank = prog_rank or tuple(tuple(range(n)) for _ in capacities)
    return Market(n, capacities, prog_rank, entries)


@BOTH_ORDERS
def test_a_matched_advanced_position_tries_its_supplemental_list(in_batches):
    lee = ((0, (1, 2)), (3, ()))
    result = roth_peranson(**_supplemental((lee,)).arrays(), in_batches=in_batches)
    assert result.match.tolist() == [0] and result.pgy1.tolist() == [1] and result.stable


@BOTH_ORDERS
def test_without_a_pgy1_position_the_advanced_one_is_kept_and_the_list_stops_there(in_batches):
    # Kim (ranked first everywhere) fills Prelim and Transitional; Lee keeps Radiology, not City.
    kim, lee = ((1, ()), (2, ())), ((0, (1, 2)), (3, ()))
    market = _supplemental((kim, lee), capacities=(1, 1, 0, 1))
    result = roth_peranson(**market.arrays(), in_batches=in_batches)
    assert result.match.tolist() == [1, 0] and result.pgy1.tolist() == [4, 4] and result.stable


@BOTH_ORDERS
def test_a_supplemental_list_is_not_tried_when_its_advanced_program_is_not_matched(in_batches):
    # Radiology ranks Kim first and has one position: Lee goes on to City, no PGY-1 taken.
    kim, lee = ((0, ()),), ((0, (1,)), (3, ()))
    result = roth_peranson(**_supplemental((kim, lee)).arrays(), in_batches=in_batches)
    assert result.match.tolist() == [0, 3] and result.pgy1.tolist() == [4, 4] and result.stable


@BOTH_ORDERS
def test_a_pgy1_holder_displaced_from_the_advanced_program_gives_the_pgy1_seat_back(in_batches):
    # Lee holds Radiology + Prelim until Kim (preferred by Radiology) arrives; Ann wants Prelim.
    lee, kim, ann = ((0, (1,)), (3, ())), ((0, ()),), ((1, ()),)
    prog_rank = ((1, 0, 2), (0, 2, 1), (0, 1, 2), (0, 1, 2))
    result = roth_peranson(
        **_supplemental((lee, kim, ann), prog_rank=prog_rank).arrays(), in_batches=in_batches
    )
    assert result.match.tolist() == [3, 0, 1] and result.pgy1.tolist() == [4, 4, 4]
    assert result.stable


def test_a_couple_is_matched_to_its_best_pair_and_a_displaced_member_withdraws_the_partner():
    # Couple (0, 1) ranks (City, Mercy) then (none, Mercy); single 2 is City's first choice.
    market = Market(
        3, (1, 1), ((1, 2, 0), (0, 1, 2)), ((), (), ((0, ()),)), ((0, 1, ((0, 1), (2, 1))),)
    )
    result = roth_peranson(**market.arrays())
    assert result.match.tolist() == [2, 1, 0] and result.stable


def test_it_stops_and_says_so_when_no_stable_matching_exists():
    # Roth (1984)-style: couple (0, 1) and singles 2, 3 around programs 0 and 1 with one seat each.
    market = Market(
        4,
        (1, 1),
        ((0, 4, 2, 1), (4, 1, 2, 0)),  # program 0: 0, 3, 2; program 1: 3, 1, 2
        ((), (), ((0, ()), (1, ())), ((0, ()), (1, ()))),
        ((0, 1, ((0, 1),)),),
    )
    assume_no_stable = not stable_matchings(market)
    result = roth_peranson(**market.arrays(), max_rounds=20)
    assert assume_no_stable and not result.stable and result.rounds == 20
    # All at once, re-processing stops as soon as a round starts where an earlier one did.
    at_once = roth_peranson(**market.arrays(), max_rounds=200, in_batches=True)
    assert not at_once.stable and at_once.rounds < 20
    assert feasible(market, seats_of(at_once.match, at_once.pgy1, market.n_programs))


# -- input checks ---------------------------------------------------------------------------------


SUPPLEMENTAL = _supplemental((((0, (1,)), (3, ())), ((1, ()),)))
COUPLE = Market(3, (1, 1), ((0, 1, 2), (0, 1, 2)), (((0, ()),), (), ()), ((1, 2, ((0, 1),)),))
TWO_PAIRS = dict(couple_indptr=[0, 2], pair_programs=[[0, 1], [0, 1]], pair_ranks=[[1, 2]] * 2)
BAD_INPUT = {
    "couples: couples given without couple_indptr, pair_programs, pair_ranks": (
        SUPPLEMENTAL,
        dict(couples=[[0, 1]], couple_indptr=None, pair_programs=None, pair_ranks=None),
    ),
    "a supplemental list names its own advanced program": (
        SUPPLEMENTAL,
        dict(supplemental_programs=[0]),
    ),
    "supplemental_programs must lie in [0, 4)": (SUPPLEMENTAL, dict(supplemental_programs=[7])),
    "supplemental_ranks must lie in [0, 2] (2 = not ranked)": (
        SUPPLEMENTAL,
        dict(supplemental_ranks=[3]),
    ),
    "supplemental_indptr must have 4 entries, got 2": (
        SUPPLEMENTAL,
        dict(supplemental_indptr=[0, 1]),
    ),
    "program 1 gives rank 1 to two applicants": (SUPPLEMENTAL, dict(supplemental_ranks=[1])),
    "a supplemental list names the same program twice": (
        SUPPLEMENTAL,
        dict(
            supplemental_indptr=[0, 2, 2, 2],
            supplemental_programs=[1, 1],
            supplemental_ranks=[0, 0],
        ),
    ),
    "max_rounds must be a non-negative integer, got -1": (SUPPLEMENTAL, dict(max_rounds=-1)),
    "applicant 0 is in a couple and also has a single list": (COUPLE, dict(couples=[[0, 1]])),
    "an applicant appears twice in couples (in one couple or in two)": (
        COUPLE,
        dict(couples=[[1, 1]]),
    ),
    "a pair has no match for both members": (COUPLE, dict(pair_programs=[[2, 2]])),
    "pair_programs must lie in [0, 2] (2 = no match for that member)": (
        COUPLE,
        dict(pair_programs=[[0, 3]]),
    ),
    "pair_ranks must have shape (n, 2), got (1, 3)": (COUPLE, dict(pair_ranks=[[1, 2, 0]])),
    "program 0 gives rank 0 to two applicants": (COUPLE, dict(pair_ranks=[[0, 2]])),
    "a couple ranks the same pair twice": (COUPLE, TWO_PAIRS),
    "program 0 gives applicant 1 two different ranks": (
        COUPLE,
        TWO_PAIRS | dict(pair_programs=[[0, 1], [0, 2]], pair_ranks=[[1, 2], [2, 3]]),
    ),
}


@pytest.mark.parametrize("message", BAD_INPUT)
def test_bad_input_is_a_value_error_naming_the_problem(message):
    market, change = BAD_INPUT[message]
    with pytest.raises(ValueError) as excinfo:
        roth_peranson(**(market.arrays() | change))
    assert str(excinfo.value) == message


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(market=st_nrmp_market(max_programs=4, max_singles=5), data=st.data())
def test_rank_checks_name_a_program_giving_two_ranks_or_one_rank_to_two(
    market, data, both_sort_paths
):
    """One seat's rank changed at random: the checks raise exactly when a program gives one
    applicant two ranks (checked first) or one rank to two applicants, and name such a
    program, as a brute-force reading of every seat finds them."""
    arrays = market.arrays()
    n, p = market.n_applicants, market.n_programs
    changeable = [
        (name, i)
        for name in ("program_ranks", "supplemental_ranks", "pair_ranks")
        for i in range(arrays[name].size)
        if name != "pair_ranks" or arrays["pair_programs"].ravel()[i] < p
    ]
    assume(changeable)
    name, i = data.draw(st.sampled_from(changeable), label="seat")
    arrays[name].ravel()[i] = data.draw(st.integers(0, n), label="rank")
    applicant = np.repeat(np.arange(n), np.diff(arrays["rol_indptr"]))
    pair_member = np.repeat(arrays["couples"], np.diff(arrays["couple_indptr"]), axis=0)
    seats = [  # (program, applicant, rank, primary list)
        *zip(arrays["rol_programs"], applicant, arrays["program_ranks"], [True] * applicant.size),
        *(
            (prog, who, rank, False)
            for prog, who, rank in zip(
                arrays["pair_programs"].ravel(), pair_member.ravel(), arrays["pair_ranks"].ravel()
            )
            if prog < p
        ),
        *(
            (prog, applicant[e], rank, False)
            for prog, e, rank in zip(
                arrays["supplemental_programs"],
                np.repeat(np.arange(applicant.size), np.diff(arrays["supplemental_indptr"])),
                arrays["supplemental_ranks"],
            )
        ),
    ]
    ranks_given, given_to, primary_given_to = {}, {}, {}
    for prog, who, rank, primary in seats:
        ranks_given.setdefault((int(prog), int(who)), set()).add(int(rank))
        if rank < n:
            given_to.setdefault((int(prog), int(rank)), set()).add(int(who))
            if primary:
                primary_given_to.setdefault((int(prog), int(rank)), []).append(int(who))
    two_ranks = {key for key, ranks in ranks_given.items() if len(ranks) > 1}
    one_rank_twice = {key for key, whos in given_to.items() if len(whos) > 1}
    try:
        roth_peranson(**arrays)
    except ValueError as error:
        message = str(error)
    else:
        message = None
    event("accepted" if message is None else " ".join(message.split()[-3:]))
    if any(len(whos) > 1 for whos in primary_given_to.values()):  # the kernel's own check
        assert message == "a program gives the same rank to two applicants"
    elif two_ranks:
        prog, who = (int(x) for x in message.split()[1:5:3])
        assert message.endswith("two different ranks") and (prog, who) in two_ranks
    elif one_rank_twice:
        prog, rank = (int(x) for x in message.split()[1:5:3])
        assert message.endswith("to two applicants") and (prog, rank) in one_rank_twice
    else:
        assert message is None


def test_couples_ranking_hundreds_of_pairs_pass_the_rank_checks(both_sort_paths):
    """Bug: the check that a program gives each applicant one rank sorted the seats of every
    applicant with over 256 of them as one array, so two couples ranking all 324 pairs of
    18 programs were told "program 0 gives applicant 0 two different ranks"."""
    p = 18
    first, second = np.divmod(np.arange(p * p), p)
    pairs = np.tile(np.stack([first, second], axis=1), (2, 1))
    ranks = np.repeat([[0, 1], [2, 3]], p * p, axis=0)  # program-independent: one rank each
    result = roth_peranson(
        rol_indptr=np.zeros(5, dtype=np.int64),
        rol_programs=np.zeros(0, dtype=np.int64),
        program_ranks=np.zeros(0, dtype=np.int64),
        capacities=np.ones(p, dtype=np.int64),
        couples=np.array([[0, 1], [2, 3]]),
        couple_indptr=np.array([0, p * p, 2 * p * p]),
        pair_programs=pairs,
        pair_ranks=ranks,
    )
    assert result.stable
    # The first couple's first pair with two seats, (0, 1); the second couple, ranked below
    # it everywhere, its first pair clear of programs 0 and 1, (2, 3).
    assert result.match.tolist() == [0, 1, 2, 3]
