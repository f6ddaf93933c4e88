"""Could a different list have done better?  The search for a better lie, and batched re-solves.

:func:`manipulation_search` tries an applicant's every possible list (every
ordering of every subset of the programs) or a program's every list that
keeps its true order (every subset, which includes every truncation).  All of
them are re-solved at once, as large markets of disjoint copies handed to the
vectorised engine (:func:`applicant_outcomes`, :func:`program_outcomes`).
Outcomes are judged by the manipulator's *true* preferences: the lists in the
file.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from simulator.engine.kernel import deferred_acceptance
from simulator.errors import ScenarioError
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import (
    check_proposing,
    find_name,
    indices,
    join_and,
    ordinal,
    plural,
    table,
    wrap,
)

#: At most this many lists are tried by :func:`manipulation_search`: every list an
#: applicant can submit in a market of 8 programs (1 + 8 + 8*7 + ... + 8! = 109,601).
MAX_LISTS = 109_601
#: Entries per engine call when lists are solved in batches (bounds memory).
_BATCH_ENTRIES = 1_000_000


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
    Everyone else's lists stay as in the file.
    """
    check_proposing(proposing)
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
                f"{_max_programs(limit)} programs): use a smaller market"
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
                f"(a list of up to {int(math.log2(limit))} applicants): use a smaller market"
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


def _max_programs(limit: int) -> int:
    n = 0
    while count_applicant_lists(n + 1) <= limit:
        n += 1
    return n


def format_manipulation(market: SmallMarket, m: Manipulation, *, max_rows: int = 8) -> str:
    """The truthful and best outcomes, how many lists gave each outcome, and the truncations.

    The outcome table shows at most ``max_rows`` outcomes, best first (a
    program's lists can give many); the rest are counted in one line.
    """
    lines = [market.description, ""] if market.description else []
    sides = "applicants propose" if m.proposing == "applicants" else "programs propose"
    is_applicant = m.side == "applicant"

    def show(o: ListOutcome) -> str:
        if is_applicant:
            if not o.matched:
                return "unmatched"
            (p,), (c,) = o.matched, o.choices
            return f"{p} ({ordinal(c)} choice)" if c else f"{p} (not on the true list)"
        cells = [f"{a} ({ordinal(c)})" for a, c in zip(o.matched, o.choices)]
        open_ = o.positions - len(o.matched)
        if open_ > 0:
            cells.append(f"{plural(open_, 'position')} unfilled")
        return ", ".join(cells) or "nobody"

    def show_list(o: ListOutcome) -> str:
        return ", ".join(o.ranks) or "(empty list)"

    def show_prefix(o: ListOutcome) -> str:
        if len(m.truthful.ranks) <= 4 or not o.ranks:
            return show_list(o)
        if len(o.ranks) == 1:
            return f"top 1 ({o.ranks[0]})"
        return f"top {len(o.ranks)}, down to {o.ranks[-1]}"

    question = "rank-order list" if is_applicant else "rank-order list, ranking fewer applicants"
    head = [
        f"Could {m.name} do better with a different {question}? ({sides})",
        "",
        f"{m.name}'s true list: {show_list(m.truthful)}",
        f"Truthful outcome: {show(m.truthful)}",
        "",
        f"Tried {m.lists_tried:,} lists: {m.searched}.",
        (
            f"(matchsim tries at most {m.limit:,} lists: every list over "
            f"{_max_programs(m.limit)} programs.)"
            if is_applicant
            else f"(matchsim tries at most {m.limit:,} lists: enough for a list of "
            f"{int(math.log2(m.limit))} applicants.)"
        ),
        "",
    ]
    lines += [w for line in head for w in wrap(line)]
    rows = [(show(o), str(n)) for o, n in m.outcomes[:max_rows]]
    if len(m.outcomes) > max_rows:
        rest = m.outcomes[max_rows:]
        rows.append((f"{len(rest)} other outcomes", str(sum(n for _, n in rest))))
    lines += table((f"Outcome, judged by {m.name}'s true list", "Lists"), rows, right=(1,))
    lines += ["", "Dropping names from the bottom of the true list:"]
    rows = [
        (show_prefix(t), "->", show(t) + ("  (truthful)" if i == 0 else ""))
        for i, t in enumerate(m.truncations)
    ]
    lines += ["  " + line for line in table(None, rows)]
    lines.append("")
    lines += [w for line in _manipulation_verdict(m, show, show_list) for w in wrap(line)]
    return "\n".join(lines)


def _manipulation_verdict(m: Manipulation, show, show_list) -> list[str]:
    """The closing sentences: the best outcome and what it teaches."""
    is_applicant = m.side == "applicant"
    lines = []
    if not m.improved:
        lines.append(f"Best outcome of any list: {show(m.best)}, the same as the truthful list.")
        if is_applicant:
            lines.append(
                f"No list gets {m.name} a program they prefer: ranking programs in true order "
                f"of preference is safe."
            )
        else:
            lines.append(f"No list gets {m.name} better applicants than its true list.")
        return lines
    with_list = f"with the list {show_list(m.best)}"
    left_off = [n for n in m.truthful.ranks if n not in m.best.ranks]
    if not is_applicant and left_off and m.best.ranks:
        with_list += f" (leaving off {join_and(left_off)})"
    lines.append(f"Best outcome of any list: {show(m.best)}, {with_list}.")
    if is_applicant:
        lines.append(
            f"{m.name} does better with a list that is not their true one: when programs "
            f"propose, applicants can gain by misreporting (when applicants propose, never)."
        )
    elif m.proposing == "applicants":
        lines.append(
            f"{m.name} does better by ranking fewer applicants than it truly finds acceptable: "
            f"unlike applicants, programs can sometimes gain."
        )
    else:
        lines.append(
            f"{m.name} does better by ranking fewer applicants than it truly finds acceptable."
        )
    return lines


# --- batched re-solves -------------------------------------------------------------------


def applicant_outcomes(market: SmallMarket, a: int, lists, proposing: str) -> np.ndarray:
    """The program applicant ``a`` gets with each list in ``lists`` (``n_programs``: unmatched).

    Each list is a sequence of program indices; everyone else's lists, and the
    programs' true ranks of ``a``, stay as they are.  The lists are solved in
    batches: each batch is one market of disjoint copies, copy ``k`` with
    ``a`` (moved last) submitting list ``k``, handed once to the engine.
    """
    indptr, programs, ranks, caps = market.to_arrays()
    n_a, n_p = indptr.size - 1, caps.size
    mine = np.zeros(programs.size, dtype=bool)
    mine[indptr[a] : indptr[a + 1]] = True
    other_programs, other_ranks = programs[~mine], ranks[~mine]
    other_lengths = np.delete(np.diff(indptr), a)
    n_other = other_programs.size
    true_rank = np.full(n_p, n_a, dtype=np.int64)
    rank_of_a = {
        p: r
        for p, r_list in enumerate(market.program_ranks)
        for r, x in enumerate(r_list)
        if x == market.applicants[a]
    }
    for p, r in rank_of_a.items():
        true_rank[p] = r
    out = np.empty(len(lists), dtype=np.int64)
    per_batch = max(1, _BATCH_ENTRIES // max(n_other + n_p, 1))
    for lo in range(0, len(lists), per_batch):
        batch = lists[lo : lo + per_batch]
        k = len(batch)
        lengths = np.fromiter((len(x) for x in batch), dtype=np.int64, count=k)
        flat = np.fromiter(
            itertools.chain.from_iterable(batch), dtype=np.int64, count=int(lengths.sum())
        )
        n_total = k * n_a  # applicants in the batch market: the new "not ranked" sentinel
        copy = np.arange(k, dtype=np.int64)
        row_lengths = np.concatenate([np.tile(other_lengths, (k, 1)), lengths[:, None]], axis=1)
        new_indptr = np.zeros(n_total + 1, dtype=np.int64)
        np.cumsum(row_lengths.ravel(), out=new_indptr[1:])
        per_copy = n_other + lengths
        start = np.concatenate([[0], np.cumsum(per_copy)[:-1]])
        rol = np.empty(int(per_copy.sum()), dtype=np.int64)
        rk = np.empty_like(rol)
        at = (start[:, None] + np.arange(n_other)).ravel()
        rol[at] = (other_programs[None, :] + (copy * n_p)[:, None]).ravel()
        rk[at] = np.tile(np.where(other_ranks >= n_a, n_total, other_ranks), k)
        copy_of = np.repeat(copy, lengths)
        within = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        at = start[copy_of] + n_other + within
        rol[at] = flat + copy_of * n_p
        rk[at] = np.where(true_rank[flat] >= n_a, n_total, true_rank[flat])
        match = deferred_acceptance(
            new_indptr, rol, rk, np.tile(caps, k), proposing=proposing, check_input=False
        )
        got = match.reshape(k, n_a)[:, -1]
        out[lo : lo + k] = np.where(got == k * n_p, n_p, got - copy * n_p)
    return out


def program_rank_row(market: SmallMarket, submitted) -> np.ndarray:
    """A program's rank of every applicant if it submitted ``submitted`` (``n_applicants``: not
    ranked), a row for :func:`program_outcomes`."""
    n_a = len(market.applicants)
    row = np.full(n_a, n_a, dtype=np.int64)
    for r, name in enumerate(submitted):
        row[market.applicants.index(name)] = r
    return row


def program_outcomes(market: SmallMarket, q: int, rows, proposing: str) -> np.ndarray:
    """Which applicants program ``q`` gets with each rank row, as a ``(len(rows), n_applicants)``
    bool array.

    ``rows[k][a]`` is the rank ``q`` gives applicant ``a`` in variant ``k``
    (``n_applicants``: not ranked); every other list stays as it is.  Solved
    in batches of disjoint copies, as in :func:`applicant_outcomes`.
    """
    indptr, programs, ranks, caps = market.to_arrays()
    n_a, n_p = indptr.size - 1, caps.size
    applicant_of = np.repeat(np.arange(n_a), np.diff(indptr))
    at_q = programs == q
    rows = np.asarray(rows, dtype=np.int64).reshape(len(rows), n_a)
    out = np.zeros(rows.shape, dtype=bool)
    per_batch = max(1, _BATCH_ENTRIES // max(programs.size, 1))
    for lo in range(0, len(rows), per_batch):
        batch = rows[lo : lo + per_batch]
        k = len(batch)
        n_total = k * n_a
        copy = np.arange(k, dtype=np.int64)
        new_indptr = np.zeros(n_total + 1, dtype=np.int64)
        np.cumsum(np.tile(np.diff(indptr), k), out=new_indptr[1:])
        rol = (programs[None, :] + (copy * n_p)[:, None]).ravel()
        rk = np.where(at_q[None, :], batch[:, applicant_of], ranks[None, :])
        rk = np.where(rk >= n_a, n_total, rk).ravel()
        match = deferred_acceptance(
            new_indptr, rol, rk, np.tile(caps, k), proposing=proposing, check_input=False
        )
        out[lo : lo + k] = match.reshape(k, n_a) == (q + copy * n_p)[:, None]
    return out
