"""Could a different list have done better?  The search for a better lie.

:func:`manipulation_search` tries an applicant's every possible list (every
ordering of every subset of the programs) or a program's every list that
keeps its true order (every subset, which includes every truncation).  All of
them are re-solved at once by :mod:`simulator.teaching.variants`.  Outcomes
are judged by the manipulator's *true* preferences: the lists in the file.
:mod:`simulator.teaching.manipulation_text` says what the search found.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from simulator.errors import ScenarioError
from simulator.teaching.result import refuse_nrmp_rules
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import check_proposing, find_name, indices, plural
from simulator.teaching.variants import applicant_outcomes, program_outcomes, program_rank_row

#: At most this many lists are tried by :func:`manipulation_search`: every list an
#: applicant can submit in a market of 8 programs (1 + 8 + 8*7 + ... + 8! = 109,601).
MAX_LISTS = 109_601


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOutcome:
    """What one submitted list got, judged by the submitter's true list.

    ``ranks`` is the submitted list; ``matched`` the outcome (an applicant's
    program, or a program's applicants best first); ``choices`` where each
    stands on the *true* list (1 = first choice, ``None``: not on it).
    ``positions`` is ``None`` for an applicant.
    """

    ranks: tuple[str, ...]
    matched: tuple[str, ...]
    choices: tuple[int | None, ...]
    positions: int | None = None

    def to_json(self) -> dict:
        """Applicant: ``{"list", "matched": name or null, "choice"}``; program: ``{"list",
        "matched": [...], "choices": [...], "unfilled"}``."""
        if self.positions is None:
            return {
                "list": list(self.ranks),
                "matched": self.matched[0] if self.matched else None,
                "choice": self.choices[0] if self.choices else None,
            }
        return {
            "list": list(self.ranks),
            "matched": list(self.matched),
            "choices": list(self.choices),
            "unfilled": self.positions - len(self.matched),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Manipulation:
    """The best any list could do for one applicant or program, against the truthful list.

    ``improved`` is true when ``best`` is better than ``truthful`` by the true
    preferences: for an applicant, a program higher on the true list (or any
    listed program instead of none); for a program, a set of applicants at
    least as good place by place (best with best, second with second, an empty
    position worst) and better in one place -- better, that is, however the
    program weighs them.  ``outcomes`` counts the lists giving each outcome,
    best first; ``truncations`` are the true list and every list made by
    dropping names from its bottom, longest first.
    """

    name: str
    side: str
    proposing: str
    truthful: ListOutcome
    best: ListOutcome
    improved: bool
    lists_tried: int
    searched: str
    outcomes: tuple[tuple[ListOutcome, int], ...]
    truncations: tuple[ListOutcome, ...]
    limit: int = MAX_LISTS

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "side": self.side,
            "proposing": self.proposing,
            "truthful": self.truthful.to_json(),
            "best": self.best.to_json(),
            "improved": self.improved,
            "lists_tried": self.lists_tried,
            "limit": self.limit,
            "searched": self.searched,
            "outcomes": [
                {**{k: v for k, v in o.to_json().items() if k != "list"}, "lists": n}
                for o, n in self.outcomes
            ],
            "truncations": [t.to_json() for t in self.truncations],
        }


def count_applicant_lists(n_programs: int) -> int:
    """How many rank-order lists exist over ``n_programs`` programs.

    Every ordering of every subset: ``sum(n! / (n - k)!, k = 0..n)``.
    """
    return sum(math.perm(n_programs, k) for k in range(n_programs + 1))


def manipulation_search(
    market: SmallMarket,
    name: str,
    proposing: str = "applicants",
    *,
    limit: int = MAX_LISTS,
    option: str = "--manipulate",
) -> Manipulation:
    """Try every list ``name`` could have submitted; report the best by its true preferences.

    An applicant's lists are every ordering of every subset of the market's
    programs; a program's are every subset of its true list kept in order
    (which includes every truncation: dropping applicants from the bottom).
    More than ``limit`` lists raises :class:`ScenarioError` before any solving.
    Everyone else's lists stay as in the file.  Plain markets only (a market under the
    NRMP's rules raises :class:`ScenarioError`).
    """
    check_proposing(proposing)
    refuse_nrmp_rules(market, option, "the search over every list is for plain markets")
    side = find_name(market, name, option=option)
    if side == "applicant":
        return _manipulate_applicant(market, name, proposing, limit, option)
    return _manipulate_program(market, name, proposing, limit, option)


def _manipulate_applicant(market, name, proposing, limit, option) -> Manipulation:
    n_p = len(market.programs)
    n_lists = count_applicant_lists(n_p)
    if n_lists > limit:
        raise ScenarioError(
            None,
            option,
            message=(
                f"{name} could submit {n_lists:,} different lists over the {n_p} programs; "
                f"matchsim tries at most {limit:,} (every list over "
                f"{programs_within(limit)} programs): use a smaller market"
            ),
        )
    a = market.applicants.index(name)
    true = market.applicant_ranks[a]
    true_idx = indices(market.programs, true)
    # Truthful first, then its truncations, then every other list, shortest first.
    truncs = [true_idx[:k] for k in range(len(true_idx), -1, -1)]
    seen = set(truncs)
    lists = truncs + [
        lst
        for k in range(n_p + 1)
        for lst in itertools.permutations(range(n_p), k)
        if lst not in seen
    ]
    got = applicant_outcomes(market, a, lists, proposing)
    true_position = {p: i for i, p in enumerate(true_idx)}

    def value(p: int) -> int:  # smaller is better: true list position, unmatched, unlisted
        if p == n_p:
            return len(true_idx)
        return true_position.get(p, len(true_idx) + 1)

    values = np.array([value(p) for p in range(n_p + 1)])[got]
    best_i = int(np.argmin(values))  # the first best list: the truthful one if it is best

    def outcome(i: int) -> ListOutcome:
        return _applicant_outcome(market, true, lists[i], int(got[i]))

    counts = np.bincount(got, minlength=n_p + 1)
    order = sorted(range(n_p + 1), key=lambda p: (value(p), p))
    outcomes = tuple(
        (_applicant_outcome(market, true, (), p), int(counts[p]))
        for p in order
        if counts[p] or p in true_position
    )
    return Manipulation(
        name=name,
        side="applicant",
        proposing=proposing,
        truthful=outcome(0),
        best=outcome(best_i),
        improved=bool(values[best_i] < values[0]),
        lists_tried=len(lists),
        searched=f"every ordering of every subset of the {plural(n_p, 'program')}",
        outcomes=outcomes,
        truncations=tuple(outcome(i) for i in range(len(truncs))),
        limit=limit,
    )


def _applicant_outcome(market, true, submitted, p) -> ListOutcome:
    n_p = len(market.programs)
    matched = () if p == n_p else (market.programs[p],)
    return ListOutcome(
        ranks=tuple(market.programs[q] for q in submitted),
        matched=matched,
        choices=tuple(true.index(m) + 1 if m in true else None for m in matched),
    )


def _manipulate_program(market, name, proposing, limit, option) -> Manipulation:
    q = market.programs.index(name)
    true = market.program_ranks[q]
    n = len(true)
    n_lists = 2**n
    if n_lists > limit:
        raise ScenarioError(
            None,
            option,
            message=(
                f"{name} ranked {n} applicants, so it could submit {n_lists:,} different lists "
                f"keeping its order; matchsim tries at most {limit:,} "
                f"(a list of up to {applicants_within(limit)} applicants): use a smaller market"
            ),
        )
    truncs = [tuple(range(k)) for k in range(n, -1, -1)]
    seen = set(truncs)
    subsets = truncs + [
        kept
        for k in range(n - 1, 0, -1)
        for kept in itertools.combinations(range(n), k)
        if kept not in seen
    ]
    submitted = [tuple(true[i] for i in kept) for kept in subsets]
    rows = [program_rank_row(market, lst) for lst in submitted]
    got = program_outcomes(market, q, rows, proposing)  # (K, n_applicants) bool
    positions = min(market.positions[q], len(market.applicants))  # more can never be filled
    true_rank = {a: i + 1 for i, a in enumerate(true)}
    outcomes_by_list = []
    for row in got:
        matched = sorted(
            (market.applicants[i] for i in np.flatnonzero(row)), key=true_rank.__getitem__
        )
        outcomes_by_list.append(tuple(matched))

    def vector(matched: tuple[str, ...]) -> tuple[float, ...]:
        ranks = [true_rank[a] for a in matched]
        return tuple(ranks + [math.inf] * (max(positions, len(ranks)) - len(ranks)))

    def outcome(i: int) -> ListOutcome:
        matched = outcomes_by_list[i]
        return ListOutcome(
            ranks=submitted[i],
            matched=matched,
            choices=tuple(true_rank[a] for a in matched),
            positions=positions,
        )

    truthful = vector(outcomes_by_list[0])
    candidates = [
        i for i, m in enumerate(outcomes_by_list) if _weakly_dominates(vector(m), truthful)
    ]
    best_i = min(candidates, key=lambda i: (vector(outcomes_by_list[i]), i))
    improved = vector(outcomes_by_list[best_i]) != truthful
    counts: dict[tuple[str, ...], int] = {}
    for m in outcomes_by_list:
        counts[m] = counts.get(m, 0) + 1
    outcomes = tuple(
        (
            ListOutcome(
                ranks=(), matched=m, choices=tuple(true_rank[a] for a in m), positions=positions
            ),
            c,
        )
        for m, c in sorted(counts.items(), key=lambda item: vector(item[0]))
    )
    return Manipulation(
        name=name,
        side="program",
        proposing=proposing,
        truthful=outcome(0),
        best=outcome(best_i),
        improved=improved,
        lists_tried=len(submitted),
        searched=(
            f"every subset of its {plural(n, 'ranked applicant')} kept in its order, "
            f"including its {n + 1} truncations"
        ),
        outcomes=outcomes,
        truncations=tuple(outcome(i) for i in range(len(truncs))),
        limit=limit,
    )


def _weakly_dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether place-by-place ``a`` is at least as good as ``b`` (smaller ranks are better)."""
    return all(x <= y for x, y in zip(a, b))


def programs_within(limit: int) -> int:
    """The most programs over which every list an applicant could submit is tried."""
    n = 0
    while count_applicant_lists(n + 1) <= limit:
        n += 1
    return n


def applicants_within(limit: int) -> int:
    """The longest program list whose every subset (``2**n`` lists) is tried."""
    return int(math.log2(limit))
