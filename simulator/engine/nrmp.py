"""The NRMP's procedure (Roth and Peranson 1999): singles, couples and supplemental PGY-1 lists.

Inputs (``N`` applicants, ``P`` programs; "no match" is ``P``, "not ranked" is ``N``):

* singles, as for :func:`deferred_acceptance`: ``rol_indptr`` (N + 1), ``rol_programs``
  and ``program_ranks`` (one per entry), ``capacities`` (P);
* couples: ``couples`` (C, 2) the two members' applicant indices (whose single lists
  must be empty); ``couple_indptr`` (C + 1) CSR over ``pair_programs`` (n_pairs, 2),
  each row a pair of programs for (first member, second member), either side ``P``
  for "no match" (not both), most preferred first; ``pair_ranks`` (n_pairs, 2) the
  rank each program gives that member (ignored on a "no match" side);
* supplemental lists: ``supplemental_indptr`` (n_entries + 1) CSR over primary-list
  entries: entry ``e`` (an advanced program) carries the PGY-1 programs
  ``supplemental_programs[supplemental_indptr[e]:supplemental_indptr[e + 1]]`` with
  the ranks those programs give the applicant in ``supplemental_ranks``.

Every unit (a single applicant or a couple) ranks *bundles* of at most two seats:
a single's entry ``A`` with supplemental list ``S1..Sk`` stands for the bundles
``(A, S1) .. (A, Sk), (A, none)`` (advanced with a PGY-1 year, else advanced alone:
the applicant never goes below ``A`` while ``A`` holds them); any other entry is
``(A, none)``; a couple's pair is a bundle with one seat per member.

A unit *blocks* with a bundle it prefers to its own when every seat would take it
(Kojima, Pathak and Roth 2013): program ``p`` takes member ``m`` if ``m`` is there
already or ``p`` has room or ranks ``m`` above its worst holder; when both members
of a couple want the same program, both must be among its best ``capacity`` of
its holders and the two of them.

The algorithm:

1. The singles' primary lists through the vectorised deferred acceptance
   (supplemental lists set aside; couples not yet in).  An applicant holding an
   advanced program sits at its ``(A, none)`` bundle.
2. A re-processing round: find (vectorised) every unit that may block: all
   bundles of couples and of applicants with supplemental lists in the first
   round; later only bundles at programs that lost a holder in the last round
   and bundles of units that moved (no other bundle can have started to fit).
   None: the matching is stable; stop.
3. Each such unit in turn tries the bundles found, best first, above the one it
   holds (exact test); the first that takes it becomes its bundle: it
   withdraws the seats not in it, takes the new ones, and each program over
   capacity turns away its worst holder.  A unit turned away from one seat
   withdraws its other one (a couple member's partner, an advanced position's
   PGY-1 year, unless its next bundle keeps it) and goes on down its list, one
   proposal at a time, until nobody is left turned away.  If no unit moved, stop:
   the matching is stable.
4. With couples a stable matching need not exist and re-processing may cycle:
   after ``max_rounds`` rounds (or, with ``place_couples_at_once``, once a round
   starts where an earlier one did) it stops and reports ``stable=False`` with
   the matching it reached (feasible, possibly blocked).

The result is one of the stable matchings when ``stable`` is true; with couples
or supplemental lists it may depend on processing order.  ``place_couples_at_once``
replaces steps 1-2's start by :mod:`simulator.engine.nrmp_batch`.
"""

from __future__ import annotations

from bisect import bisect_left, insort

import numpy as np

from simulator.engine.csr import segment_ids
from simulator.engine.kernel import deferred_acceptance
from simulator.engine.nrmp_batch import match_in_batches
from simulator.engine.nrmp_inputs import NRMPMarket, NRMPResult, result, roth_peranson_iv

_INT = np.int64
#: Batch rounds before re-processing goes on one unit at a time (``place_couples_at_once``):
#: at national scale (1,259 couples) three took the Match from 0.27 s to 0.21 s here; more
#: rounds cost more than they save (benchmarks/bench_nrmp.py).
BATCH_ROUNDS = 3
#: A unit scanning more bundles than this narrows them down with one NumPy pass first.
_NARROW_ABOVE = 12


def roth_peranson(
    rol_indptr,
    rol_programs,
    program_ranks,
    capacities,
    *,
    couples=None,
    couple_indptr=None,
    pair_programs=None,
    pair_ranks=None,
    supplemental_indptr=None,
    supplemental_programs=None,
    supplemental_ranks=None,
    max_rounds: int = 200,
    check_input: bool = True,
    place_couples_at_once: bool = False,
) -> NRMPResult:
    """Run the NRMP's matching procedure; see the module docstring for arrays and steps.

    Without couples and supplemental lists the result's ``match`` equals
    :func:`deferred_acceptance` (applicants proposing) exactly.  Raises
    ``ValueError`` naming the problem for malformed input (unless ``check_input``
    is false).  The inputs are never modified.

    ``place_couples_at_once``: bring the couples in and re-process in batch rounds,
    many units at once (:mod:`simulator.engine.nrmp_batch`), then confirm (or
    finish) one unit at a time as below.  ``stable`` means what it says either way;
    the matching reached may be another stable one.  The synthetic market uses it
    for speed; the default follows the NRMP's order, as ``matchsim explain`` tells it.
    """
    market = roth_peranson_iv(
        rol_indptr,
        rol_programs,
        program_ranks,
        capacities,
        couples=couples,
        couple_indptr=couple_indptr,
        pair_programs=pair_programs,
        pair_ranks=pair_ranks,
        supplemental_indptr=supplemental_indptr,
        supplemental_programs=supplemental_programs,
        supplemental_ranks=supplemental_ranks,
        max_rounds=max_rounds,
        check=check_input,
    )
    n_applicants, n_programs = market.rol_indptr.size - 1, market.capacities.size
    if place_couples_at_once and market.couples.shape[0]:
        batches = match_in_batches(market, min(BATCH_ROUNDS, max_rounds))
        state = _State(
            market,
            batches.match,
            couple_pairs=batches.couple_pairs,
            loosened=batches.loosened,
            stop_on_cycle=True,
        )
        stable, rounds = state.reprocess(max_rounds)
        return result(state.held[:, 0], state.held[:, 1], stable, batches.rounds + rounds)
    match = deferred_acceptance(
        market.rol_indptr,
        market.rol_programs,
        market.program_ranks,
        market.capacities,
        check_input=False,
    )
    if market.couples.shape[0] == 0 and market.supplemental_programs.size == 0:
        return result(match, np.full(n_applicants, n_programs, dtype=_INT), True, 0)
    state = _State(market, match)
    stable, rounds = state.reprocess(max_rounds)
    return result(state.held[:, 0], state.held[:, 1], stable, rounds)


class _State:
    """The tentative matching during re-processing: who holds which seat, per unit and program.

    Units ``0..N-1`` are the single applicants, ``N + c`` couple ``c``.  Bundle ``b``
    has seats ``(prog0[b], rank0[b])`` for member ``m0[u]`` and ``(prog1[b], rank1[b])``
    for member ``m1[u]`` (role ``role1[u]``: 0 the primary position, 1 the PGY-1).
    ``held[a, role]`` is the program applicant ``a`` holds in that role; each
    program's holders, ``(rank, applicant, role)`` best first, are built on first use.
    """

    def __init__(
        self, market: NRMPMarket, match, *, couple_pairs=None, loosened=None, stop_on_cycle=False
    ):
        """The state in which single ``a`` holds the entry of program ``match[a]`` (its
        primary seat) and couple ``c`` the pair ``couple_pairs[c]`` (an index into
        ``pair_programs``; -1 or not given: none).  ``loosened``: programs that lost a
        holder since that state was stable for singles, whose bundles the first round
        looks at too; ``stop_on_cycle``: stop, unstable, once a round starts where an
        earlier one started."""
        n, p = market.rol_indptr.size - 1, market.capacities.size
        self.n, self.p, self.capacities = n, p, market.capacities
        self._bundles(market)
        self.held = np.full((n, 2), p, dtype=_INT)
        self.held_rank = np.full((n, 2), n, dtype=_INT)  # each held seat's rank there
        self.cur = self.unit_indptr[1:].copy()  # everyone unmatched, ...
        entry_applicant = segment_ids(market.rol_indptr)
        won = np.flatnonzero(market.rol_programs == match[entry_applicant])
        self.cur[entry_applicant[won]] = self.entry_bundle[won]  # ... but the singles held
        seat_applicant, seat_program = [entry_applicant[won]], [market.rol_programs[won]]
        seat_rank = [market.program_ranks[won]]
        if couple_pairs is not None:  # ... and the couples placed
            placed = np.flatnonzero(couple_pairs >= 0)
            unit = n + placed
            bundle = self.unit_indptr[n] + couple_pairs[placed]
            self.cur[unit] = bundle
            for member, prog, rank in (
                (self.m0, self.prog0, self.rank0),
                (self.m1, self.prog1, self.rank1),
            ):
                named = prog[bundle] != p
                seat_applicant.append(member[unit[named]])
                seat_program.append(prog[bundle[named]])
                seat_rank.append(rank[bundle[named]])
        seat_applicant, seat_program, seat_rank = (
            np.concatenate(x) for x in (seat_applicant, seat_program, seat_rank)
        )
        self.held[seat_applicant, 0] = seat_program
        self.held_rank[seat_applicant, 0] = seat_rank
        # Each program's holders, and its cutoff: the rank to beat (``N``: room for anyone
        # ranked; the "no match" program ``P`` takes nobody).
        self._seats_by_program = np.argsort(seat_program, kind="stable")
        self._start = np.searchsorted(seat_program[self._seats_by_program], np.arange(p + 1))
        self._seat = (seat_rank, seat_applicant)
        fill = np.diff(self._start)
        worst = np.zeros(p, dtype=_INT)
        holding = fill > 0
        if holding.any():
            ranks = seat_rank[self._seats_by_program]
            worst[holding] = np.maximum.reduceat(ranks, self._start[:-1][holding])
        self.cutoff = np.append(np.where(fill < market.capacities, n, worst), 0)
        self._holders: dict[int, list] = {}
        self.loosened = np.zeros(p + 1, dtype=bool)
        self.first_loosened, self.stop_on_cycle = loosened, stop_on_cycle
        self.queue: list[int] = []
        self.pending = np.zeros(self.cur.size, dtype=bool)
        self.moved = np.zeros(self.cur.size, dtype=bool)

    def _bundles(self, market: NRMPMarket) -> None:
        """Lay out every unit's bundles (see the class docstring)."""
        n, p = self.n, self.p
        k = np.diff(market.supplemental_indptr)
        first = np.arange(k.size, dtype=_INT) + market.supplemental_indptr[:-1]
        couples, pairs, pair_ranks = market.couples, market.pair_programs, market.pair_ranks
        if market.supplemental_programs.size:
            size = k + 1
            place = np.arange(int(size.sum()), dtype=_INT) - np.repeat(first, size)
            last = place == np.repeat(k, size)
            supp = np.repeat(market.supplemental_indptr[:-1], size) + place
            supp[last] = 0
            supp_prog = np.append(market.supplemental_programs, p)[np.where(last, -1, supp)]
            supp_rank = np.append(market.supplemental_ranks, n)[np.where(last, -1, supp)]
            primary_prog = np.repeat(market.rol_programs, size)
            primary_rank = np.repeat(market.program_ranks, size)
        else:  # one bundle (A, none) per entry
            supp_prog = np.full(k.size, p, dtype=_INT)
            supp_rank = np.full(k.size, n, dtype=_INT)
            primary_prog, primary_rank = market.rol_programs, market.program_ranks
        self.prog0 = np.concatenate((primary_prog, pairs[:, 0]))
        self.rank0 = np.concatenate((primary_rank, pair_ranks[:, 0]))
        self.prog1 = np.concatenate((supp_prog, pairs[:, 1]))
        self.rank1 = np.concatenate((supp_rank, pair_ranks[:, 1]))
        single_indptr = market.rol_indptr + market.supplemental_indptr[market.rol_indptr]
        self.unit_indptr = np.concatenate(
            (single_indptr, single_indptr[-1] + market.couple_indptr[1:])
        )
        self.entry_bundle = first + k  # the (A, none) bundle of each entry
        self.m0 = np.concatenate((np.arange(n, dtype=_INT), couples[:, 0]))
        self.m1 = np.concatenate((np.arange(n, dtype=_INT), couples[:, 1]))
        self.role1 = np.concatenate((np.ones(n, dtype=_INT), np.zeros(len(couples), dtype=_INT)))
        self.unit_of = np.arange(n, dtype=_INT)
        self.unit_of[couples.ravel()] = n + np.repeat(np.arange(len(couples), dtype=_INT), 2)
        self.bundle_unit = segment_ids(self.unit_indptr)
        has_supp = np.diff(market.supplemental_indptr[market.rol_indptr]) > 0
        self.complex = np.concatenate((has_supp, np.ones(len(couples), dtype=bool)))
        self.complex_bundles = np.flatnonzero(self.complex[self.bundle_unit])

    # -- re-processing rounds (vectorised search, one unit at a time moves) ------------------

    def reprocess(self, max_rounds: int) -> tuple[bool, int]:
        """Steps 2-4 of the algorithm; returns ``(stable, rounds)``."""
        bundles, rounds = self.complex_bundles, 0
        if self.first_loosened is not None and self.first_loosened.size:
            considered = np.zeros(self.p + 1, dtype=bool)
            considered[self.first_loosened] = True
            considered = considered[self.prog0] | considered[self.prog1]
            considered[bundles] = True
            bundles = np.flatnonzero(considered)
        seen = set()
        while True:
            units, passing, starts = self._candidates(bundles)
            if units.size == 0:
                return True, rounds
            passing = passing.tolist()
            if self.stop_on_cycle:
                # A round that starts where an earlier one started repeats it, and the one
                # after, for ever: a cycle (the rounds between moved units, so some block).
                state = (hash(self.cur.tobytes()), hash(bundles.tobytes()))
                if state in seen:
                    return False, rounds
                seen.add(state)
            if rounds == max_rounds:
                cur = self.cur[units].tolist()
                blocked = any(
                    self._takes(u, x)
                    for u, b, c in zip(units.tolist(), starts[:-1].tolist(), cur)
                    for x in range(passing[b], c)
                )
                return not blocked, rounds
            rounds += 1
            self.loosened[:] = self.moved[:] = False
            moved = False
            # Each unit tries the bundles that passed at the round's start: one that did not
            # can only start to pass if a program of it loses a holder or the unit moves, and
            # the next round looks at those.
            for u, first, last in zip(units.tolist(), starts[:-1].tolist(), starts[1:].tolist()):
                if self._try(u, passing[first:last]):
                    moved = True
                    self._settle()
            if not moved:
                return True, rounds
            # A bundle can only have become one that takes its unit if one of its programs
            # lost a holder or its unit's own seats changed.
            loosened = self.loosened[self.prog0] | self.loosened[self.prog1]
            bundles = np.flatnonzero(loosened | self.moved[self.bundle_unit])

    def _candidates(self, bundles):
        """Units with preferred bundles whose every seat passes alone, and those bundles
        (``passing[starts[i]:starts[i + 1]]`` for unit ``units[i]``, best first)."""
        unit = self.bundle_unit[bundles]
        keep = bundles < self.cur[unit]
        bundles, unit = bundles[keep], unit[keep]
        ok = self._fit_all(self.prog0[bundles], self.m0[unit], self.rank0[bundles])
        ok &= self._fit_all(self.prog1[bundles], self.m1[unit], self.rank1[bundles])
        bundles, unit = bundles[ok], unit[ok]
        first = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]]) if unit.size else unit
        return unit[first], bundles, np.append(first, unit.size)

    def _fit_all(self, prog, member, rank):
        held = self.held[member]
        there = (held[:, 0] == prog) | (held[:, 1] == prog)
        return (prog == self.p) | there | (rank < self.cutoff[prog])

    # -- one unit at a time ------------------------------------------------------------------

    def _scan(self, u: int, start: int, stop: int) -> bool:
        """Move unit ``u`` to its first bundle in ``[start, stop)`` that takes it, if any.

        A long stretch is first narrowed (vectorised) to the bundles whose every seat
        passes alone, which every bundle that takes the unit does.
        """
        bundles = range(start, stop)
        if stop - start > _NARROW_ABOVE:
            b, unit = np.arange(start, stop), np.full(stop - start, u)
            ok = self._fit_all(self.prog0[b], self.m0[unit], self.rank0[b])
            ok &= self._fit_all(self.prog1[b], self.m1[unit], self.rank1[b])
            bundles = (start + np.flatnonzero(ok)).tolist()
        for b in bundles:
            if self._takes(u, b):
                self._move(u, b)
                return True
        return False

    def _try(self, u: int, bundles: list) -> bool:
        """Move unit ``u`` to the first of ``bundles`` (ascending) above its own that takes it."""
        stop = self.cur.item(u)
        for b in bundles:
            if b >= stop:
                return False
            if self._takes(u, b):
                self._move(u, b)
                return True
        return False

    def _settle(self) -> None:
        """Units turned away go on down their lists until nobody is left turned away."""
        while self.queue:
            u = self.queue.pop()
            self.pending[u] = False
            if not self._scan(u, int(self.cur[u]) + 1, int(self.unit_indptr[u + 1])):
                for p, a, role in self._seats_held(u):
                    self._release(p, a, role)
                self.cur[u] = self.unit_indptr[u + 1]

    def _takes(self, u: int, b: int) -> bool:
        p0, p1 = self.prog0.item(b), self.prog1.item(b)
        a0, a1 = self.m0.item(u), self.m1.item(u)
        r0, r1 = self.rank0.item(b), self.rank1.item(b)
        if p0 == p1:  # both members of a couple at one program
            worse = max(r0, r1)
            if worse >= self.n:
                return False
            ahead = sum(1 for r, a, _ in self._at(p0) if r < worse and a != a0 and a != a1)
            return ahead <= int(self.capacities[p0]) - 2
        return self._fits(p0, a0, r0) and self._fits(p1, a1, r1)

    def _fits(self, p: int, a: int, r: int) -> bool:
        held = self.held
        there = p == held.item(a, 0) or p == held.item(a, 1)
        return p == self.p or there or r < self.cutoff.item(p)

    def _seats(self, u: int, b: int):
        seats = (
            (self.prog0.item(b), self.m0.item(u), self.rank0.item(b), 0),
            (self.prog1.item(b), self.m1.item(u), self.rank1.item(b), self.role1.item(u)),
        )
        return [seat for seat in seats if seat[0] != self.p]

    def _seats_held(self, u: int):
        members = {self.m0.item(u), self.m1.item(u)}
        held, p = self.held, self.p
        return [(held.item(a, r), a, r) for a in members for r in (0, 1) if held.item(a, r) != p]

    def _move(self, u: int, b: int) -> None:
        new = self._seats(u, b)
        keep = {(p, a, role) for p, a, _, role in new}
        for seat in self._seats_held(u):
            if seat not in keep:
                self._release(*seat)
        for p, a, r, role in new:
            if self.held[a, role] != p:
                self._take(p, a, r, role)
        self.cur[u] = b
        self.moved[u] = True

    def _at(self, p: int) -> list:
        """Program ``p``'s holders ``(rank, applicant, role)``, best first."""
        holders = self._holders.get(p)
        if holders is None:
            seats = self._seats_by_program[self._start[p] : self._start[p + 1]]
            rank, applicant = self._seat
            holders = sorted(zip(rank[seats].tolist(), applicant[seats].tolist(), [0] * seats.size))
            self._holders[p] = holders
        return holders

    def _release(self, p: int, a: int, role: int) -> None:
        holders = self._at(p)
        holders.pop(bisect_left(holders, (self.held_rank.item(a, role), a, role)))
        self.held[a, role] = self.p
        self.cutoff[p] = self.n
        self.loosened[p] = True

    def _take(self, p: int, a: int, r: int, role: int) -> None:
        holders = self._at(p)
        insort(holders, (r, a, role))
        self.held[a, role] = p
        self.held_rank[a, role] = r
        capacity = int(self.capacities[p])
        if len(holders) > capacity:
            _, out, out_role = holders.pop()
            self.held[out, out_role] = self.p
            v = int(self.unit_of[out])
            self.moved[v] = True
            if not self.pending[v]:
                self.pending[v] = True
                self.queue.append(v)
        self.cutoff[p] = holders[-1][0] if len(holders) == capacity else self.n
