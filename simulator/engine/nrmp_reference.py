"""A plain, sequential NRMP procedure with couples and supplemental lists: the oracle for tests.

Written for obviousness, not speed, and without looking at :mod:`simulator.engine.nrmp`:
Python lists, one application at a time, as Roth and Peranson (1999) describe it.

1. Every unit (a single applicant, or a couple) goes on a stack, singles first.
   A unit taken from the stack applies to its bundles in order (a single's entry,
   or its advanced program with each PGY-1 program of the supplemental list and
   then alone; a couple's pair) and holds the first one whose every program takes
   it.  A holder a program turns away for a better applicant withdraws all of its
   unit's seats and goes back on the stack, to go on from its next bundle.
2. When the stack is empty, look for a unit that blocks the matching (in unit
   order, its most preferred blocking bundle); it withdraws its seats and takes
   that bundle, and step 1 goes on.  No blocking unit: stable.  More than
   ``max_reprocessing`` such steps: stop, not stable.

Array contract as :func:`simulator.engine.nrmp.roth_peranson`, unchecked.
"""

from __future__ import annotations


def roth_peranson_reference(
    rol_indptr,
    rol_programs,
    program_ranks,
    capacities,
    *,
    couples=(),
    couple_indptr=(0,),
    pair_programs=(),
    pair_ranks=(),
    supplemental_indptr=None,
    supplemental_programs=(),
    supplemental_ranks=(),
    max_reprocessing: int = 1000,
) -> tuple[list[int], list[int], bool]:
    """Solve the market; return ``(match, pgy1, stable)`` as lists (``P``: none)."""
    caps = [int(c) for c in capacities]
    n, p = len(rol_indptr) - 1, len(caps)
    units = _units(
        [int(x) for x in rol_indptr],
        [int(x) for x in rol_programs],
        [int(x) for x in program_ranks],
        [[int(a) for a in c] for c in couples],
        [int(x) for x in couple_indptr],
        [[int(x) for x in pair] for pair in pair_programs],
        [[int(x) for x in pair] for pair in pair_ranks],
        None if supplemental_indptr is None else [int(x) for x in supplemental_indptr],
        [int(x) for x in supplemental_programs],
        [int(x) for x in supplemental_ranks],
        n,
        p,
    )
    market = _Market(units, caps, n)
    market.run_stack()
    stable = False
    for _ in range(max_reprocessing + 1):
        block = market.first_blocking()
        if block is None:
            stable = True
            break
        market.reprocess(*block)
    match, pgy1 = [p] * n, [p] * n
    for (a, role), program in market.seat.items():
        (match if role == 0 else pgy1)[a] = program
    return match, pgy1, stable


def _units(
    indptr, programs, ranks, couples, c_indptr, pairs, p_ranks, s_indptr, s_prog, s_rank, n, p
):
    """Each unit's bundles; a bundle is a list of seats ``(program, applicant, rank, role)``."""
    in_couple = {a for c in couples for a in c}
    units = []
    for a in range(n):
        if a in in_couple:
            continue
        bundles = []
        for e in range(indptr[a], indptr[a + 1]):
            advanced = (programs[e], a, ranks[e], 0)
            if s_indptr is not None:
                for s in range(s_indptr[e], s_indptr[e + 1]):
                    bundles.append([advanced, (s_prog[s], a, s_rank[s], 1)])
            bundles.append([advanced])
        units.append(bundles)
    for c, (first, second) in enumerate(couples):
        bundles = []
        for i in range(c_indptr[c], c_indptr[c + 1]):
            seats = [
                (pairs[i][0], first, p_ranks[i][0], 0),
                (pairs[i][1], second, p_ranks[i][1], 0),
            ]
            bundles.append([seat for seat in seats if seat[0] != p])
        units.append(bundles)
    return units


class _Market:
    """The tentative matching: each program's holders and each unit's bundle."""

    def __init__(self, units, caps, n):
        self.units, self.caps, self.n = units, caps, n
        self.holders = [[] for _ in caps]  # (rank, applicant, role), best first
        self.seat = {}  # (applicant, role) -> program
        self.unit_of = {
            seat[1]: u for u, bundles in enumerate(units) for b in bundles for seat in b
        }
        self.at = [len(bundles) for bundles in units]  # the bundle held (len: none)
        self.next_try = [0] * len(units)
        self.stack = list(reversed(range(len(units))))

    def run_stack(self):
        while self.stack:
            u = self.stack.pop()
            for i in range(self.next_try[u], len(self.units[u])):
                if self.takes(u, i):
                    self.hold(u, i)
                    break
            else:
                self.at[u] = self.next_try[u] = len(self.units[u])

    def takes(self, u, i):
        """Whether every program of bundle ``i`` would take unit ``u`` now (Kojima-Pathak-Roth)."""
        seats = self.units[u][i]
        if len(seats) == 2 and seats[0][0] == seats[1][0]:
            program = seats[0][0]
            members = {seats[0][1], seats[1][1]}
            pool = [h for h in self.holders[program] if h[1] not in members]
            pool += [(rank, a, role) for _, a, rank, role in seats]
            if any(rank >= self.n for _, _, rank, _ in seats):
                return False
            best = sorted(pool)[: self.caps[program]]
            return all((rank, a, role) in best for _, a, rank, role in seats)
        return all(self.seat_takes(*seat) for seat in seats)

    def seat_takes(self, program, a, rank, role):
        if any(self.seat.get((a, r)) == program for r in (0, 1)):
            return True
        if rank >= self.n or self.caps[program] == 0:
            return False
        held = self.holders[program]
        return len(held) < self.caps[program] or rank < held[-1][0]

    def withdraw(self, u):
        for seats in self.units[u]:
            for program, a, _, role in seats:
                if self.seat.get((a, role)) == program:
                    del self.seat[(a, role)]
                    self.holders[program] = [
                        h for h in self.holders[program] if (h[1], h[2]) != (a, role)
                    ]

    def hold(self, u, i):
        self.withdraw(u)
        self.at[u], self.next_try[u] = i, i + 1
        for program, a, rank, role in self.units[u][i]:
            self.seat[(a, role)] = program
            held = sorted(self.holders[program] + [(rank, a, role)])
            self.holders[program] = held[: self.caps[program]]
            for _, out, out_role in held[self.caps[program] :]:
                v = self.unit_of[out]
                self.withdraw(v)
                self.next_try[v] = self.at[v] + 1
                self.at[v] = len(self.units[v])
                self.stack.append(v)

    def first_blocking(self):
        for u, bundles in enumerate(self.units):
            for i in range(self.at[u]):
                if self.takes(u, i):
                    return u, i
        return None

    def reprocess(self, u, i):
        self.hold(u, i)
        self.run_stack()
