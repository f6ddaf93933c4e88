"""Small random markets for property tests, and plain-Python brute force over them.

A :class:`Market` keeps the *dense, true* preferences of a tiny market (each
applicant's list, each program's rank of every applicant) and builds the
engine's CSR arrays from them on demand.  Keeping the program's rank of every
applicant, not only of those who ranked it, lets a test hand an applicant a
different list (a misreport, an extended list) while the programs' lists stay
what they truly are.

Everything below the strategies is deliberately naive Python over tuples and
sets, written without looking at the engine or :mod:`simulator.engine.stability`, so
that it can serve as an independent oracle:

* :func:`all_matchings` enumerates every individually rational,
  capacity-respecting matching;
* :func:`blocking_pairs_py` finds blocking pairs by the definition;
* :func:`stable_matchings` keeps the matchings without any blocking pair (and
  cross-checks :func:`simulator.engine.stability.blocking_pairs` on every candidate).

Preferences: an applicant's *position* for a program is where it stands on
their list (0 best); unmatched comes after every listed program, and a program
not on the list (unacceptable) after unmatched.  Programs rank applicants with
``prog_rank[p][a]`` (smaller better), ``n_applicants`` meaning not ranked.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from simulator.engine.stability import blocking_pairs

Matching = tuple[int, ...]  # applicant -> program, n_programs for unmatched


@dataclass(frozen=True, slots=True)
class Market:
    """A tiny market with dense true preferences.

    ``lists[a]``: applicant ``a``'s programs, most preferred first (any subset,
    any order, possibly empty).  ``prog_rank[p][a]``: program ``p``'s rank of
    applicant ``a`` (distinct within ``p``), ``n_applicants`` if ``p`` did not
    rank ``a``.  ``capacities[p]``: positions of ``p``.
    """

    n_applicants: int
    n_programs: int
    lists: tuple[tuple[int, ...], ...]
    prog_rank: tuple[tuple[int, ...], ...]
    capacities: tuple[int, ...]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fresh engine arrays ``(rol_indptr, rol_programs, program_ranks, capacities)``."""
        indptr = np.zeros(self.n_applicants + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(lst) for lst in self.lists], dtype=np.int64)
        programs = np.array([p for lst in self.lists for p in lst], dtype=np.int64)
        ranks = np.array(
            [self.prog_rank[p][a] for a, lst in enumerate(self.lists) for p in lst], dtype=np.int64
        )
        return indptr, programs, ranks, np.array(self.capacities, dtype=np.int64)

    def entries(self) -> list[tuple[int, int]]:
        """The ``(applicant, program)`` pair of each CSR entry, in entry order."""
        return [(a, p) for a, lst in enumerate(self.lists) for p in lst]

    def with_list(self, applicant: int, new_list: Sequence[int]) -> Market:
        """The same market with one applicant submitting ``new_list`` instead.

        The programs' ranks of that applicant are their true ranks
        (``prog_rank`` is unchanged), whatever the applicant now ranks.
        """
        lists = list(self.lists)
        lists[applicant] = tuple(new_list)
        return Market(
            n_applicants=self.n_applicants,
            n_programs=self.n_programs,
            lists=tuple(lists),
            prog_rank=self.prog_rank,
            capacities=self.capacities,
        )

    def acceptable(self, a: int, p: int) -> bool:
        """Whether ``a`` and ``p`` ranked each other."""
        return p in self.lists[a] and self.prog_rank[p][a] < self.n_applicants


@st.composite
def st_market(
    draw,
    max_applicants: int = 6,
    max_programs: int = 4,
    max_capacity: int = 3,
    *,
    min_applicants: int = 0,
    min_programs: int = 0,
    min_capacity: int = 0,
    contested: bool | None = None,
) -> Market:
    """A random small market.

    Applicants rank any subset of the programs in any order (including none);
    each program ranks any subset of *all* applicants in any order, so a program
    may leave unranked an applicant who ranked it (non-reciprocal lists), and
    the ranks the engine sees have gaps.  Capacities are
    ``min_capacity..max_capacity``.

    Markets with several stable matchings (where the optimality and lattice
    theorems have teeth) need long lists and conflicting preferences, which
    independent uniform draws rarely give (about 1 tiny market in 30, and
    fewer still as hypothesis draws them).  So a
    market first draws its *shape*:

    * applicants' lists: of any length, full, or *cyclic* (full, and applicant
      ``a < n_programs`` ranks one drawn order of the programs rotated by ``a``,
      as in Gale and Shapley's example where everyone's first choice differs;
      any further applicants rank all programs in a drawn order);
    * programs' orders: drawn independently of the applicants', or *opposed*
      (a program prefers the applicants who rank it lower; ties as drawn);
    * programs rank every applicant, or each one on a coin flip.

    ``contested=True`` forces cyclic, opposed, rank-everyone markets (of 3+ x 3
    markets with 1-2 positions each, about a quarter then have several stable
    matchings); ``False`` draws each of the three choices; ``None`` (the
    default) first draws which of the two to do.
    """
    n_a = draw(st.integers(min_applicants, max_applicants), label="n_applicants")
    n_p = draw(st.integers(min_programs, max_programs), label="n_programs")
    capacities = tuple(
        draw(st.lists(st.integers(min_capacity, max_capacity), min_size=n_p, max_size=n_p))
    )
    if contested is None:
        contested = draw(st.booleans(), label="contested")
    if contested:
        shape, opposed, rank_all = "cyclic", True, True
    else:
        shape = draw(st.sampled_from(["any", "full", "cyclic"]), label="list shape")
        opposed = draw(st.booleans(), label="programs' orders opposed to applicants'")
        rank_all = draw(st.booleans(), label="programs rank every applicant")

    lists = []
    base = draw(st.permutations(range(n_p)), label="base order") if shape == "cyclic" else None
    for a in range(n_a):
        if shape == "cyclic" and a < n_p:
            lists.append(tuple(base[(a + k) % n_p] for k in range(n_p)))
            continue
        order = draw(st.permutations(range(n_p)))
        length = draw(st.integers(0, n_p)) if shape == "any" else n_p
        lists.append(tuple(order[:length]))
    prog_rank = []
    for p in range(n_p):
        order = draw(st.permutations(range(n_a)))  # order[k] is the program's k-th choice
        if opposed:  # those who rank p lowest first (not at all: lowest of all)
            order = sorted(order, key=lambda a, p=p: -_position(lists[a], p))
        # Bit k of the mask: the program ranks its k-th choice.  (One draw, not n_a.)
        mask = -1 if rank_all else draw(st.integers(0, 2**n_a - 1))
        rank = [n_a] * n_a
        for k, a in enumerate(order):
            if mask >> k & 1:
                rank[a] = k
        prog_rank.append(tuple(rank))
    return Market(
        n_applicants=n_a,
        n_programs=n_p,
        lists=tuple(lists),
        prog_rank=tuple(prog_rank),
        capacities=capacities,
    )


def _position(lst: tuple[int, ...], p: int) -> int:
    return lst.index(p) if p in lst else len(lst) + 1


@st.composite
def st_tiny_market(draw) -> Market:
    """Markets small enough for brute force (at most 5 applicants, 3 programs).

    One in three (roughly: hypothesis chooses) is a contested market of at least
    3 applicants and 3 programs with 1-2 positions each, so that many of these
    markets have several stable matchings; the rest are drawn by :func:`st_market`.
    """
    if draw(st.integers(0, 2), label="kind") == 2:
        return draw(
            st_market(
                max_applicants=5,
                max_programs=3,
                max_capacity=2,
                min_applicants=3,
                min_programs=3,
                min_capacity=1,
                contested=True,
            )
        )
    return draw(st_market(max_applicants=5, max_programs=3, max_capacity=3))


@st.composite
def st_feasible_matching(draw, market: Market) -> Matching:
    """Any individually rational, capacity-respecting matching of ``market`` (stable or not)."""
    left = list(market.capacities)
    match = []
    for a in range(market.n_applicants):
        options = [p for p in market.lists[a] if market.acceptable(a, p) and left[p] > 0]
        p = draw(st.sampled_from([market.n_programs, *options]))
        if p < market.n_programs:
            left[p] -= 1
        match.append(p)
    return tuple(match)


# --- preferences -------------------------------------------------------------------------


def applicant_position(market: Market, a: int, p: int) -> int:
    """Where ``p`` stands for applicant ``a``: list position; unmatched next; unlisted last."""
    lst = market.lists[a]
    if p == market.n_programs:
        return len(lst)
    if p in lst:
        return lst.index(p)
    return len(lst) + 1


def applicant_prefers(market: Market, a: int, p: int, q: int) -> bool:
    """Whether applicant ``a`` strictly prefers ``p`` to ``q`` (``n_programs`` = unmatched)."""
    return applicant_position(market, a, p) < applicant_position(market, a, q)


def applicant_weakly_prefers(market: Market, a: int, p: int, q: int) -> bool:
    """Whether applicant ``a`` likes ``p`` at least as much as ``q``."""
    return applicant_position(market, a, p) <= applicant_position(market, a, q)


def program_prefers(market: Market, p: int, a: int, b: int) -> bool:
    """Whether program ``p`` strictly prefers applicant ``a`` to applicant ``b``."""
    return market.prog_rank[p][a] < market.prog_rank[p][b]


def assigned(market: Market, match: Sequence[int], p: int) -> set[int]:
    """The applicants ``match`` gives to program ``p``."""
    return {a for a, q in enumerate(match) if q == p}


def sorted_by_program(market: Market, p: int, applicants) -> list[int]:
    """``applicants`` sorted best first by program ``p``'s ranks."""
    return sorted(applicants, key=lambda a: market.prog_rank[p][a])


# --- brute force -------------------------------------------------------------------------


def all_matchings(market: Market) -> Iterator[Matching]:
    """Every matching in which each applicant is unmatched or with a mutually ranked
    program, and no program holds more applicants than its capacity."""
    n_p = market.n_programs
    options = [
        [n_p] + [p for p in market.lists[a] if market.acceptable(a, p)]
        for a in range(market.n_applicants)
    ]
    for match in itertools.product(*options):
        fill = [0] * n_p
        for p in match:
            if p < n_p:
                fill[p] += 1
        if all(f <= c for f, c in zip(fill, market.capacities, strict=True)):
            yield tuple(match)


def blocking_pairs_py(market: Market, match: Sequence[int]) -> set[tuple[int, int]]:
    """The ``(applicant, program)`` pairs that block ``match``, by the definition.

    ``(a, p)`` blocks when ``a`` ranked ``p`` above their match (or is
    unmatched), ``p`` ranked ``a``, and ``p`` has a free position or holds an
    applicant it ranks below ``a``.
    """
    pairs = set()
    for a, lst in enumerate(market.lists):
        for p in lst:
            if not applicant_prefers(market, a, p, match[a]):
                continue
            if market.prog_rank[p][a] >= market.n_applicants:
                continue
            held = assigned(market, match, p)
            if len(held) < market.capacities[p] or any(
                program_prefers(market, p, a, b) for b in held
            ):
                pairs.add((a, p))
    return pairs


def engine_blocking_pairs(market: Market, match: Sequence[int]) -> set[tuple[int, int]]:
    """:func:`simulator.engine.stability.blocking_pairs` as ``(applicant, program)`` pairs."""
    entries = market.entries()
    found = blocking_pairs(*market.arrays(), np.asarray(match, dtype=np.int64))
    return {entries[int(e)] for e in found}


def is_stable_py(market: Market, match: Sequence[int]) -> bool:
    """Whether ``match`` has no blocking pair (plain Python)."""
    return not blocking_pairs_py(market, match)


def stable_matchings(market: Market, *, cross_check: bool = True) -> list[Matching]:
    """Every stable matching of ``market``, by brute force.

    With ``cross_check`` (the default), every candidate's plain-Python blocking
    pairs are compared with :func:`simulator.engine.stability.blocking_pairs`, and an
    ``AssertionError`` names the first disagreement.
    """
    stable = []
    for match in all_matchings(market):
        pairs = blocking_pairs_py(market, match)
        if cross_check:
            theirs = engine_blocking_pairs(market, match)
            assert theirs == pairs, (
                f"blocking_pairs disagrees on {match}: plain Python {sorted(pairs)}, "
                f"stability.blocking_pairs {sorted(theirs)}"
            )
        if not pairs:
            stable.append(match)
    return stable


def all_reports(n_programs: int) -> Iterator[tuple[int, ...]]:
    """Every rank-order list over ``n_programs`` programs: each ordering of each subset."""
    for k in range(n_programs + 1):
        yield from itertools.permutations(range(n_programs), k)
