"""Re-processing in the NRMP's procedure: the tentative matching of singles, couples and
supplemental lists, and the units that move in it one at a time (steps 2-4 of
:mod:`simulator.engine.nrmp`).
"""

from __future__ import annotations

from bisect import bisect_left, insort

import numpy as np

from simulator.engine.csr import segment_aranges, segment_ids
from simulator.engine.nrmp_inputs import NRMPMarket

_INT = np.int64
#: A unit scanning down its list tries this many bundles one by one, then narrows the rest
#: down with one NumPy pass (the first that takes it is most often among the first few).
_NARROW_AFTER = 8


class Reprocessing:
    """The tentative matching during re-processing: who holds which seat, per unit and program.

    Units ``0..N-1`` are the single applicants, ``N + c`` couple ``c``.  Bundle ``b``
    has seats ``(prog0[b], rank0[b])`` for member ``m0[u]`` and ``(prog1[b], rank1[b])``
    for member ``m1[u]`` (a single's second seat is its PGY-1 one, role 1; a couple's
    second member's primary one, role 0).  ``held[a, role]`` is the program applicant
    ``a`` holds in that role (0 the primary position, 1 the PGY-1); each program's
    holders, ``(rank, applicant, role)`` best first, are built on first use, each packed
    into one integer (:meth:`_holder`: integers order as the triples do, and compare,
    copy and sort faster).
    """

    def __init__(
        self,
        market: NRMPMarket,
        match,
        *,
        entries=None,
        couple_pairs=None,
        pgy1_entries=None,
        loosened=None,
        stop_on_cycle=False,
    ):
        """The state in which single ``a`` holds the entry of program ``match[a]`` (its
        primary seat; ``entries``, if given: those entries) and the PGY-1 seat of
        supplemental entry ``pgy1_entries[a]`` under it (-1 or not given: none), and couple
        ``c`` the pair ``couple_pairs[c]`` (an index into ``pair_programs``; -1 or not
        given: none).  ``loosened``: programs that lost a holder since that state was
        stable for singles, whose bundles the first round looks at too; ``stop_on_cycle``:
        stop, unstable, once a round starts where an earlier one started."""
        n, p = market.rol_indptr.size - 1, market.capacities.size
        self.n, self.p, self.capacities = n, p, market.capacities
        self._bundles(market)
        self.held = np.full((n, 2), p, dtype=_INT)
        self.held_rank = np.full((n, 2), n, dtype=_INT)  # each held seat's rank there
        self.cur = self.unit_indptr[1:].copy()  # everyone unmatched, ...
        if entries is None:
            entry_applicant = segment_ids(market.rol_indptr)
            won = np.flatnonzero(market.rol_programs == match[entry_applicant])
            single = entry_applicant[won]
        else:
            won = np.sort(entries)  # (a sorted search is several times faster)
            single = np.searchsorted(market.rol_indptr, won, side="right") - 1
        self.cur[single] = self.entry_bundle[won]  # ... but the singles held
        seat_applicant, seat_program = [single], [market.rol_programs[won]]
        seat_rank, seat_role = [market.program_ranks[won]], [np.zeros(won.size, dtype=_INT)]
        if pgy1_entries is not None:  # ... with their PGY-1 seats
            supp = pgy1_entries[single]
            with_pgy1 = supp >= 0
            a, supp = single[with_pgy1], supp[with_pgy1]
            self.cur[a] = won[with_pgy1] + supp  # bundle (A, S) of entry e and entry s: e + s
            seat_applicant.append(a)
            seat_program.append(market.supplemental_programs[supp])
            seat_rank.append(market.supplemental_ranks[supp])
            seat_role.append(np.ones(a.size, dtype=_INT))
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
                seat_role.append(np.zeros(int(named.sum()), dtype=_INT))
        seat_applicant, seat_program, seat_rank, seat_role = (
            np.concatenate(x) for x in (seat_applicant, seat_program, seat_rank, seat_role)
        )
        self.held[seat_applicant, seat_role] = seat_program
        self.held_rank[seat_applicant, seat_role] = seat_rank
        # Each program's holders, and its cutoff: the rank to beat (``N``: room for anyone
        # ranked; the "no match" program ``P`` takes nobody).
        self._per_rank = 2 * (n + 1)  # holders packed by :meth:`_holder`, then by program:
        per_program = self._per_rank * (n + 1)
        seats = self._holder(seat_rank, seat_applicant, seat_role)
        seats = np.sort(per_program * seat_program + seats)
        start = np.searchsorted(seats, per_program * np.arange(p + 1))
        seats %= per_program
        self._seats, self._seat_start = seats, start.tolist()  # the holders, program by program
        ranks = seats // self._per_rank
        fill = np.diff(start)
        worst = np.zeros(p, dtype=_INT)
        holding = fill > 0
        if holding.any():
            worst[holding] = np.maximum.reduceat(ranks, start[:-1][holding])
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
        supp_indptr = market.supplemental_indptr
        couples, pairs, pair_ranks = market.couples, market.pair_programs, market.pair_ranks
        n_entries = supp_indptr.size - 1
        n_single = n_entries + supp_indptr[-1]  # entry e's bundles (A, S1..Sk), (A, none)
        self.prog0, self.rank0 = (np.empty(n_single + len(pairs), dtype=_INT) for _ in "ab")
        self.prog1 = np.full(self.prog0.size, p, dtype=_INT)
        self.rank1 = np.full(self.prog0.size, n, dtype=_INT)
        self.entry_bundle = np.arange(n_entries, dtype=_INT) + supp_indptr[1:]  # (A, none)
        parent = segment_ids(supp_indptr)  # the primary entry of each supplemental entry
        at = np.arange(supp_indptr[-1], dtype=_INT) + parent  # (A, S) of entries e, s: e + s
        for x, primary, pair in (
            (self.prog0, market.rol_programs, pairs),
            (self.rank0, market.program_ranks, pair_ranks),
        ):
            x[self.entry_bundle] = primary  # (scattered: faster than a repeat of short runs)
            x[at] = primary[parent]
            x[n_single:] = pair[:, 0]
        for x, supp, pair in (
            (self.prog1, market.supplemental_programs, pairs),
            (self.rank1, market.supplemental_ranks, pair_ranks),
        ):
            x[at] = supp
            x[n_single:] = pair[:, 1]
        single_indptr = market.rol_indptr + market.supplemental_indptr[market.rol_indptr]
        self.unit_indptr = np.concatenate(
            (single_indptr, single_indptr[-1] + market.couple_indptr[1:])
        )
        self.m0 = np.concatenate((np.arange(n, dtype=_INT), couples[:, 0]))
        self.m1 = np.concatenate((np.arange(n, dtype=_INT), couples[:, 1]))
        self.unit_of = np.arange(n, dtype=_INT)
        self.unit_of[couples.ravel()] = n + np.repeat(np.arange(len(couples), dtype=_INT), 2)
        self.bundle_unit = segment_ids(self.unit_indptr)
        has_supp = np.diff(supp_indptr[market.rol_indptr]) > 0
        self.simple = np.append(~has_supp, np.zeros(len(couples), dtype=bool))
        self.complex_units = np.concatenate(
            (np.flatnonzero(has_supp), np.arange(n, n + len(couples)))
        )

    # -- re-processing rounds (vectorised search, one unit at a time moves) ------------------

    def reprocess(self, max_rounds: int) -> tuple[bool, int]:
        """Steps 2-4 of the algorithm; returns ``(stable, rounds)``."""
        rounds, start = 0, self.unit_indptr[:-1]
        # Only a bundle above its unit's own can block: the rounds watch every bundle that
        # has been above its unit's own so far (``_watch``; at national scale a third of all).
        self._watched_upto = self.cur.copy()
        self._watched: list[tuple[np.ndarray, np.ndarray]] = []
        self._index(segment_aranges(start, self.cur - start))
        programs = np.zeros(0, dtype=_INT) if self.first_loosened is None else self.first_loosened
        looked_at = (programs, self.complex_units)  # the bundles' programs and units
        seen: dict[int, list] = {}
        while True:
            units, passing, starts = self._candidates(self._looked_at(*looked_at))
            if units.size == 0:
                return True, rounds
            passing = passing.tolist()
            if self.stop_on_cycle:
                # A round that starts where an earlier one started (the same matching, the
                # same bundles looked at) repeats it, and the one after, for ever: a cycle
                # (the rounds between moved units, so some block).
                earlier = seen.setdefault(hash(self.cur.tobytes()), [])
                if any(self._same(looked_at, other) for other in earlier):
                    return False, rounds
                earlier.append(looked_at)
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
            looked_at = (np.flatnonzero(self.loosened), np.flatnonzero(self.moved))
            self._watch(looked_at[1])

    def _watch(self, units):
        """Watch the bundles of ``units`` that are now above their own, if not yet watched."""
        upto = self._watched_upto
        units = units[self.cur[units] > upto[units]]
        if units.size:
            new = segment_aranges(upto[units], self.cur[units] - upto[units])
            upto[units] = self.cur[units]
            self._index(new)

    def _index(self, bundles):
        """Watch ``bundles``: each seat's program beside its bundle."""
        second = bundles[self.prog1[bundles] != self.p]
        program = np.concatenate((self.prog0[bundles], self.prog1[second]))
        self._watched.append((np.concatenate((bundles, second)), program))

    def _looked_at(self, programs, units):
        """The bundles at one of ``programs`` or of one of ``units`` that may block now:
        those watched, and those of ``units`` above their own, ascending."""
        at = np.zeros(self.p + 1, dtype=bool)
        at[programs] = True
        looked_at = np.zeros(self.prog0.size, dtype=bool)
        for bundles, program in self._watched:
            looked_at[bundles[at[program]]] = True
        start = self.unit_indptr[units]
        looked_at[segment_aranges(start, self.cur[units] - start)] = True
        return np.flatnonzero(looked_at)

    def _same(self, looked_at, other) -> bool:
        """Whether two rounds looked at the same bundles, given ``(programs, units)`` each."""
        if all(np.array_equal(x, y) for x, y in zip(looked_at, other)):
            return True
        bundles = []
        for programs, units in (looked_at, other):
            at, own = np.zeros(self.p + 1, dtype=bool), np.zeros(self.cur.size, dtype=bool)
            at[programs], own[units] = True, True
            bundles.append(np.flatnonzero(at[self.prog0] | at[self.prog1] | own[self.bundle_unit]))
        return np.array_equal(*bundles)

    def _candidates(self, bundles):
        """Units with preferred bundles whose every seat passes alone, and those bundles
        (``passing[starts[i]:starts[i + 1]]`` for unit ``units[i]``, best first)."""
        unit = self.bundle_unit[bundles]
        keep = np.flatnonzero(bundles < self.cur[unit])
        bundles, unit = bundles[keep], unit[keep]
        ok = np.flatnonzero(self._fit_all(self.prog0[bundles], self.m0[unit], self.rank0[bundles]))
        bundles, unit = bundles[ok], unit[ok]
        ok = np.flatnonzero(self._fit_all(self.prog1[bundles], self.m1[unit], self.rank1[bundles]))
        bundles, unit = bundles[ok], unit[ok]
        first = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]]) if unit.size else unit
        return unit[first], bundles, np.append(first, unit.size)

    def _fit_all(self, prog, member, rank):
        """Whether each seat passes alone (one column at a time: NumPy gathers rows slowly)."""
        fit = rank < self.cutoff[prog]
        fit |= prog == self.p
        fit |= self.held[:, 0][member] == prog
        fit |= self.held[:, 1][member] == prog
        return fit

    # -- one unit at a time ------------------------------------------------------------------

    def _scan(self, u: int, start: int, stop: int) -> bool:
        """Move unit ``u`` to its first bundle in ``[start, stop)`` that takes it, if any.

        Past the first few, the rest is narrowed (vectorised) to the bundles whose every
        seat passes alone, which every bundle that takes the unit does.
        """
        head = min(stop, start + _NARROW_AFTER)
        for b in range(start, head):
            if self._takes(u, b):
                self._move(u, b)
                return True
        if head == stop:
            return False
        held, cutoff, p = self.held, self.cutoff, self.p
        ok = None
        for prog, rank, a in (
            (self.prog0[head:stop], self.rank0[head:stop], self.m0.item(u)),
            (self.prog1[head:stop], self.rank1[head:stop], self.m1.item(u)),
        ):
            fit = (prog == p) | (prog == held.item(a, 0)) | (prog == held.item(a, 1))
            fit |= rank < cutoff[prog]
            ok = fit if ok is None else ok & fit
        for b in (head + np.flatnonzero(ok)).tolist():
            if self._takes(u, b):
                self._move(u, b)
                return True
        return False

    def _try(self, u: int, bundles: list) -> bool:
        """Move unit ``u`` to the first of ``bundles`` (ascending) above its own that takes it."""
        stop = self.cur.item(u)
        simple = self.simple.item(u)  # a single without supplemental lists: cutoffs decide
        prog0, rank0, cutoff = self.prog0, self.rank0, self.cutoff
        for b in bundles:
            if b >= stop:
                return False
            if rank0.item(b) < cutoff.item(prog0.item(b)) if simple else self._takes(u, b):
                self._move(u, b)
                return True
        return False

    def _settle(self) -> None:
        """Units turned away go on down their lists until nobody is left turned away."""
        queue, cur, indptr, simple = self.queue, self.cur, self.unit_indptr, self.simple
        while queue:
            u = queue.pop()
            self.pending[u] = False
            start, stop = cur.item(u) + 1, indptr.item(u + 1)
            if simple.item(u):
                if not self._scan_simple(u, start, stop):
                    cur[u] = stop  # it holds nothing
            elif not self._scan(u, start, stop):
                for p, a, role in self._seats_held(u):
                    self._release(p, a, role)
                cur[u] = stop

    def _scan_simple(self, u: int, start: int, stop: int) -> bool:
        """``_scan`` for single ``u`` without supplemental lists, turned away: it holds
        nothing, so the first entry whose program ranks it above the cutoff takes it."""
        prog0, rank0, cutoff = self.prog0, self.rank0, self.cutoff
        head = min(stop, start + _NARROW_AFTER)
        for b in range(start, head):
            if rank0.item(b) < cutoff.item(prog0.item(b)):
                break
        else:
            if head == stop:
                return False
            passing = np.flatnonzero(rank0[head:stop] < cutoff[prog0[head:stop]])
            if passing.size == 0:
                return False
            b = head + passing.item(0)
        self._take(prog0.item(b), u, rank0.item(b), 0)
        self.cur[u] = b
        self.moved[u] = True
        return True

    def _takes(self, u: int, b: int) -> bool:
        """Whether bundle ``b`` takes unit ``u`` (each value fetched only when needed)."""
        p0, p1 = self.prog0.item(b), self.prog1.item(b)
        a0 = a1 = u  # a single
        if u >= self.n:
            a0, a1 = self.m0.item(u), self.m1.item(u)
            if p0 == p1:  # both members of a couple at one program
                worse = max(self.rank0.item(b), self.rank1.item(b))
                if worse >= self.n:
                    return False
                holders = self._at(p0)
                better = holders[: bisect_left(holders, self._holder(worse, 0, 0))]
                ahead = sum(1 for h in better if h % self._per_rank // 2 not in (a0, a1))
                return ahead <= self.capacities.item(p0) - 2
        held, cutoff, p = self.held, self.cutoff, self.p
        if not (
            p0 == p
            or self.rank0.item(b) < cutoff.item(p0)
            or p0 == held.item(a0, 0)
            or p0 == held.item(a0, 1)
        ):
            return False
        return (
            p1 == p
            or self.rank1.item(b) < cutoff.item(p1)
            or p1 == held.item(a1, 0)
            or p1 == held.item(a1, 1)
        )

    def _seats_held(self, u: int):
        members = {self.m0.item(u), self.m1.item(u)}
        held, p = self.held, self.p
        return [(held.item(a, r), a, r) for a in members for r in (0, 1) if held.item(a, r) != p]

    def _move(self, u: int, b: int) -> None:
        """Unit ``u`` withdraws the seats not in bundle ``b`` and takes the new ones.  A
        single's seats are its primary and PGY-1 ones, a couple's one per member."""
        held, p = self.held, self.p
        a0 = a1 = u  # a single
        if u >= self.n:
            a0, a1 = self.m0.item(u), self.m1.item(u)
        slots = (
            (a0, 0, self.prog0.item(b), self.rank0.item(b)),
            (a1, 1 if a0 == a1 else 0, self.prog1.item(b), self.rank1.item(b)),
        )
        for a, role, new, _ in slots:
            old = held.item(a, role)
            if old != p and old != new:
                self._release(old, a, role)
        for a, role, new, r in slots:
            if new != p and held.item(a, role) != new:
                self._take(new, a, r, role)
        self.cur[u] = b
        self.moved[u] = True

    def _at(self, p: int) -> list:
        """Program ``p``'s holders, packed (:meth:`_holder`), best first."""
        holders = self._holders.get(p)
        if holders is None:
            start = self._seat_start
            holders = self._holders[p] = self._seats[start[p] : start[p + 1]].tolist()
        return holders

    def _holder(self, rank: int, a: int, role: int) -> int:
        """Holder ``(rank, a, role)`` packed into one integer, in the triples' order."""
        return self._per_rank * rank + 2 * a + role

    def _release(self, p: int, a: int, role: int) -> None:
        holders = self._at(p)
        holders.pop(bisect_left(holders, self._holder(self.held_rank.item(a, role), a, role)))
        self.held[a, role] = self.p
        self.cutoff[p] = self.n
        self.loosened[p] = True

    def _take(self, p: int, a: int, r: int, role: int) -> None:
        holders = self._at(p)
        insort(holders, self._holder(r, a, role))
        self.held[a, role] = p
        self.held_rank[a, role] = r
        capacity = self.capacities.item(p)
        if len(holders) > capacity:
            out, out_role = divmod(holders.pop() % self._per_rank, 2)
            self.held[out, out_role] = self.p
            v = self.unit_of.item(out)
            self.moved[v] = True
            if not self.pending[v]:
                self.pending[v] = True
                self.queue.append(v)
        self.cutoff[p] = holders[-1] // self._per_rank if len(holders) == capacity else self.n
