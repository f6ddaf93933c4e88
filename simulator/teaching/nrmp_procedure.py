"""The NRMP's procedure one step at a time: what ``matchsim explain`` tells, by index.

A plain, sequential copy of the steps of
:func:`simulator.engine.nrmp.roth_peranson` that records each of them (the
tests check that both end in the same matching on many random small
markets).  Every *unit* (a single applicant ``a``, or couple ``c`` as unit
``N + c``) ranks *bundles* of seats: a single's entry ``A`` with supplemental
list ``S1..Sk`` is ``(A, S1) .. (A, Sk), (A alone)``; a couple's pair is one
seat per member ("no match" sides left out).

1. The singles' primary lists by deferred acceptance, in rounds
   (:func:`~simulator.engine.reference.traced_deferred_acceptance`); couples
   and supplemental lists wait.
2. A re-processing round: every unit with a bundle it prefers to its own whose
   every seat would, on its own, take it (the first round looks at couples and
   applicants with supplemental lists; later ones only at bundles at programs
   that lost an applicant and at units that moved).  None: stable, stop.
3. Each such unit in turn applies to its bundles from that one down to its
   own and holds the first that takes it, withdrawing the seats it leaves;
   a program over its positions turns away its least preferred applicant, whose
   unit goes on down its own list (keeping a seat its next bundle keeps,
   withdrawing the rest), until nobody is left turned away.  No unit moved: stop.
4. After ``max_rounds`` rounds the procedure stops; the matching is stable
   only if no unit would now be taken by a bundle it prefers.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.engine.reference import Round, traced_deferred_acceptance

#: Re-processing rounds before the procedure gives up: the engine's limit in every lesson.
MAX_ROUNDS = 200


@dataclass(frozen=True, slots=True)
class Bundle:
    """Seats ``(program, applicant, rank, role)`` (role 0: the primary position, 1: a PGY-1
    year); ``entry`` its place on the unit's list (a single's entry or a couple's pair,
    0-based); ``supplemental`` its place on that entry's supplemental list (-1: none)."""

    seats: tuple[tuple[int, int, int, int], ...]
    entry: int
    supplemental: int = -1


@dataclass(frozen=True, slots=True)
class Step:
    """One step of re-processing.

    ``kind``: ``"apply"`` (``unit`` applies to ``bundle``), ``"refuse"`` (``program``
    does not take ``applicant`` for that bundle; ``why``: ``"not-ranked"``,
    ``"no-positions"``, ``"full"`` or, for a couple at one program, ``"both"``),
    ``"hold"`` (the unit holds ``bundle``), ``"withdraw"`` (``applicant`` gives up
    ``program``), ``"displace"`` (``program`` turns away ``applicant`` for ``by``)
    or ``"exhaust"`` (the unit has no bundle left).
    """

    kind: str
    unit: int
    bundle: int = -1
    program: int = -1
    applicant: int = -1
    role: int = 0
    why: str = ""
    by: int = -1


@dataclass(frozen=True, slots=True)
class Reprocessing:
    """One re-processing round: the units that might do better with the first bundle each
    applies to, and every step."""

    number: int
    candidates: tuple[tuple[int, int], ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Procedure:
    """The procedure's record: ``units[u]`` the bundles of unit ``u`` and ``members[u]``
    its applicants; step 1's rounds, its matching ``singles_match`` and each unit's bundle
    after it (``start``; ``len``: none), the re-processing rounds, and the result
    (``match``, ``pgy1``: ``n_programs`` for none) with its ``stable`` flag."""

    units: tuple[tuple[Bundle, ...], ...]
    members: tuple[tuple[int, ...], ...]
    singles_rounds: tuple[Round, ...]
    singles_match: tuple[int, ...]
    start: tuple[int, ...]
    reprocessing: tuple[Reprocessing, ...]
    match: tuple[int, ...]
    pgy1: tuple[int, ...]
    stable: bool


def run_procedure(arrays: dict, max_rounds: int = MAX_ROUNDS) -> Procedure:
    """Run the NRMP's procedure on :meth:`SmallMarket.to_nrmp_arrays`' ``arrays``, step by step."""
    state = _State(arrays)
    singles_match, start = tuple(h[0] for h in state.held), tuple(state.cur)
    stable = state.reprocess(max_rounds)
    return Procedure(
        units=tuple(tuple(b) for b in state.bundles),
        members=tuple(state.members),
        singles_rounds=tuple(state.singles_rounds),
        singles_match=singles_match,
        start=start,
        reprocessing=tuple(state.rounds),
        match=tuple(h[0] for h in state.held),
        pgy1=tuple(h[1] for h in state.held),
        stable=stable,
    )


def _bundles(arrays: dict, n: int, p: int):
    """Each unit's bundles and applicants, and whether it is a couple or has supplemental lists."""
    indptr, programs, ranks, s_indptr, s_programs, s_ranks = (
        arrays[key].tolist()
        for key in ("rol_indptr", "rol_programs", "program_ranks")
        + ("supplemental_indptr", "supplemental_programs", "supplemental_ranks")
    )
    units, members, complex_ = [], [], []
    for a in range(n):
        bundles = []
        for k, e in enumerate(range(indptr[a], indptr[a + 1])):
            primary = (programs[e], a, ranks[e], 0)
            for j, s in enumerate(range(s_indptr[e], s_indptr[e + 1])):
                bundles.append(Bundle((primary, (s_programs[s], a, s_ranks[s], 1)), k, j))
            bundles.append(Bundle((primary,), k))
        units.append(bundles)
        members.append((a,))
        complex_.append(s_indptr[indptr[a]] < s_indptr[indptr[a + 1]])
    c_indptr = arrays["couple_indptr"].tolist()
    pairs, pair_ranks = arrays["pair_programs"].tolist(), arrays["pair_ranks"].tolist()
    for c, (first, second) in enumerate(arrays["couples"].tolist()):
        bundles = []
        for k, i in enumerate(range(c_indptr[c], c_indptr[c + 1])):
            seats = (
                (pairs[i][0], first, pair_ranks[i][0], 0),
                (pairs[i][1], second, pair_ranks[i][1], 0),
            )
            bundles.append(Bundle(tuple(s for s in seats if s[0] != p), k))
        units.append(bundles)
        members.append((first, second))
        complex_.append(True)
    return units, members, complex_


class _State:
    """The tentative matching: each applicant's seats, each program's holders ``(rank,
    applicant, role)`` best first, each unit's bundle (``len``: none)."""

    def __init__(self, arrays: dict):
        self.caps = arrays["capacities"].tolist()
        self.n, self.p = len(arrays["rol_indptr"]) - 1, len(self.caps)
        self.bundles, self.members, self.complex = _bundles(arrays, self.n, self.p)
        self.unit_of = {a: u for u, ms in enumerate(self.members) for a in ms}
        match, rounds = traced_deferred_acceptance(
            *(arrays[k] for k in ("rol_indptr", "rol_programs", "program_ranks", "capacities"))
        )
        self.singles_rounds = rounds
        self.held = [[program, self.p] for program in match]
        self.holders = [[] for _ in range(self.p)]
        self.cur = [len(b) for b in self.bundles]
        for a, program in enumerate(match):
            if program < self.p:  # a single holds the entry's bundle without a PGY-1 year
                bundles = self.bundles[a]
                self.cur[a] = next(
                    i
                    for i, b in enumerate(bundles)
                    if len(b.seats) == 1 and b.seats[0][0] == program
                )
                self.holders[program].append((bundles[self.cur[a]].seats[0][2], a, 0))
        for held in self.holders:
            held.sort()
        self.rounds: list[Reprocessing] = []
        self.steps: list[Step] = []
        self.queue: list[int] = []
        self.loosened: set[int] = set()
        self.moved: set[int] = set()

    # -- rounds ------------------------------------------------------------------------------

    def reprocess(self, max_rounds: int) -> bool:
        """Steps 2-4; returns whether the matching is stable."""
        looked_at = [
            (u, b)
            for u, bundles in enumerate(self.bundles)
            if self.complex[u]
            for b in range(len(bundles))
        ]
        while True:
            candidates = self._candidates(looked_at)
            if not candidates:
                return True
            if len(self.rounds) == max_rounds:
                return not any(
                    self._takes(u, b) for u, first in candidates for b in range(first, self.cur[u])
                )
            self.loosened, self.moved, self.steps = set(), set(), []
            moved = False
            for u, first in candidates:
                if self._scan(u, first, self.cur[u]):
                    moved = True
                    self._settle()
            self.rounds.append(
                Reprocessing(len(self.rounds) + 1, tuple(candidates), tuple(self.steps))
            )
            if not moved:
                return True
            looked_at = [
                (u, b)
                for u, bundles in enumerate(self.bundles)
                for b, bundle in enumerate(bundles)
                if u in self.moved or any(s[0] in self.loosened for s in bundle.seats)
            ]

    def _candidates(self, looked_at) -> list[tuple[int, int]]:
        """Units with a bundle above their own whose every seat would take them on its own,
        and the first such bundle, in unit order."""
        first = {}
        for u, b in sorted(looked_at):
            if u not in first and b < self.cur[u]:
                if all(self._fits(*seat) for seat in self.bundles[u][b].seats):
                    first[u] = b
        return sorted(first.items())

    # -- one unit at a time ------------------------------------------------------------------

    def _scan(self, u: int, start: int, stop: int) -> bool:
        """Unit ``u`` applies to its bundles ``start..stop-1`` and holds the first that takes it."""
        for b in range(start, stop):
            self.steps.append(Step("apply", u, b))
            if self._takes(u, b):
                self._move(u, b)
                return True
            for program, a, why in self._refusals(u, b):
                self.steps.append(Step("refuse", u, b, program, a, why=why))
        return False

    def _settle(self) -> None:
        """Units turned away go on down their lists until nobody is left turned away."""
        while self.queue:
            u = self.queue.pop()
            if not self._scan(u, self.cur[u] + 1, len(self.bundles[u])):
                for program, a, role in self._seats_held(u):
                    self._release(program, a, role, u)
                self.cur[u] = len(self.bundles[u])
                self.steps.append(Step("exhaust", u))

    def _fits(self, program: int, a: int, rank: int, role: int = 0) -> bool:
        """Whether ``program`` would take ``a`` on its own: there already, or room, or worse."""
        if program in self.held[a]:
            return True
        held = self.holders[program]
        return rank < self.n and (len(held) < self.caps[program] or (held and rank < held[-1][0]))

    def _takes(self, u: int, b: int) -> bool:
        seats = self.bundles[u][b].seats
        if len(seats) == 2 and seats[0][0] == seats[1][0]:  # a couple at one program
            (program, a0, r0, _), (_, a1, r1, _) = seats
            worse = max(r0, r1)
            if worse >= self.n:
                return False
            ahead = sum(1 for r, a, _ in self.holders[program] if r < worse and a not in (a0, a1))
            return ahead <= self.caps[program] - 2
        return all(self._fits(*seat) for seat in seats)

    def _refusals(self, u: int, b: int) -> list[tuple[int, int, str]]:
        """Why bundle ``b`` did not take unit ``u``: ``(program, applicant, why)`` per seat."""
        seats = self.bundles[u][b].seats
        same = len(seats) == 2 and seats[0][0] == seats[1][0]
        found = []
        for program, a, rank, role in seats:
            if rank >= self.n:
                found.append((program, a, "not-ranked"))
            elif self.caps[program] == 0:
                found.append((program, a, "no-positions"))
            elif not same and not self._fits(program, a, rank, role):
                found.append((program, a, "full"))
        if same and not found:
            found.append((seats[0][0], seats[0][1], "both"))
        return found

    def _seats_held(self, u: int) -> list[tuple[int, int, int]]:
        return [
            (self.held[a][role], a, role)
            for a in self.members[u]
            for role in (0, 1)
            if self.held[a][role] != self.p
        ]

    def _move(self, u: int, b: int) -> None:
        seats = self.bundles[u][b].seats
        keep = {(program, a, role) for program, a, _, role in seats}
        for seat in self._seats_held(u):
            if seat not in keep:
                self._release(*seat, u)
        self.steps.append(Step("hold", u, b))
        for program, a, rank, role in seats:
            if self.held[a][role] != program:
                self._take(program, a, rank, role)
        self.cur[u] = b
        self.moved.add(u)

    def _release(self, program: int, a: int, role: int, u: int) -> None:
        self.holders[program] = [h for h in self.holders[program] if (h[1], h[2]) != (a, role)]
        self.held[a][role] = self.p
        self.loosened.add(program)
        self.steps.append(Step("withdraw", u, program=program, applicant=a, role=role))

    def _take(self, program: int, a: int, rank: int, role: int) -> None:
        held = self.holders[program]
        held.insert(
            next((i for i, h in enumerate(held) if h[0] > rank), len(held)), (rank, a, role)
        )
        self.held[a][role] = program
        if len(held) > self.caps[program]:
            _, out, out_role = held.pop()
            self.held[out][out_role] = self.p
            v = self.unit_of[out]
            self.moved.add(v)
            if v not in self.queue:
                self.queue.append(v)
            self.steps.append(
                Step("displace", v, program=program, applicant=out, role=out_role, by=a)
            )
