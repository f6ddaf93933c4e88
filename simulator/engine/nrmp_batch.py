"""The NRMP procedure's couples and supplemental lists, re-processed in batches: many
units move in one NumPy pass.

:func:`simulator.engine.roth_peranson` moves one unit at a time, as the NRMP
describes it; at national scale (over a thousand couples, three thousand
advanced positions) that is thousands of Python steps.  Here every proposal
lives in one entry space (the singles' list entries, then two *seat entries*
per couple pair, one per member, then the supplemental entries: each
supplemental list a list of its own, proposed by the advanced position it
belongs to), held in the deferred-acceptance kernel's hold slots, and each
batch round does at once what re-processing does one unit at a time:

1. a couple with a seat turned away withdraws the other (its pair is broken),
   and a PGY-1 seat whose advanced position is no longer held is given back;
2. every single with an earlier entry whose program would now take it (a seat
   came free) proposes there, the first such entry;
3. every couple with a better pair than its own whose every seat passes (both
   members at one program: two seats among its best), and every couple holding
   nothing, proposes the first such pair's seats; couples moving in one round
   never want the same program (else two couples each turned away from one seat
   could give both back and try again for ever); every held advanced position
   with a supplemental entry above the one it holds that would now take it
   proposes down its supplemental list from there;
4. the proposals run as deferred acceptance from the current holds, everyone
   still holding what they held: a single turned away from a proposed entry or
   a couple turned away from a proposed seat stops there, a supplemental list
   stops above the entry it holds, any other single turned away goes on down
   its list; then whoever holds two gives up the worse (a single its later
   entry, an advanced position its later PGY-1 seat, a couple its old pair, or
   the new one if a seat of it was turned away).

Rounds stop when one finds nothing to do (no single and no couple blocks) or
after ``max_rounds``; the caller then runs the one-at-a-time re-processing of
:mod:`simulator.engine.nrmp` from this state, which confirms stability or
finishes the work, looking first at the couples and at the programs that the
last round left with a free seat (:attr:`BatchState.loosened`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.csr import segment_aranges, segment_ids
from simulator.engine.holds import Holds
from simulator.engine.kernel import propose_from
from simulator.engine.nrmp_inputs import NRMPMarket

_INT = np.int64


@dataclass(frozen=True, slots=True)
class BatchState:
    """Where the batches left everyone: each applicant's program (``P``: none), the singles'
    list entries held (their primary seats), each couple's pair (index into
    ``pair_programs``; -1: none), each applicant's PGY-1 seat (index into
    ``supplemental_programs``, under the advanced position it holds; -1: none), the programs
    that lost a holder in the last round (the only places a single may now block), whether a
    round found nothing left to do, and the rounds run."""

    match: np.ndarray
    entries: np.ndarray
    couple_pairs: np.ndarray
    pgy1_entries: np.ndarray
    loosened: np.ndarray
    converged: bool
    rounds: int


def match_in_batches(market: NRMPMarket, max_rounds: int) -> BatchState:
    """Singles by deferred acceptance, then couples, supplemental lists and
    re-processing in at most ``max_rounds`` batch rounds.

    The first rounds do most of the work (at national scale about half the
    couples settle in the first); later ones move ever fewer units for the same
    NumPy passes, so callers stop after a few and finish one unit at a time.
    """
    indptr, programs, ranks = market.rol_indptr, market.rol_programs, market.program_ranks
    n, p, n_single = indptr.size - 1, market.capacities.size, programs.size
    pairs, pair_ranks = market.pair_programs, market.pair_ranks
    n_pairs = pairs.shape[0]
    pair_couple = segment_ids(market.couple_indptr)
    members = market.couples
    supp_indptr = market.supplemental_indptr
    supp_parent = segment_ids(supp_indptr)  # the primary entry of each supplemental entry
    has_supp = supp_indptr[1:] > supp_indptr[:-1]
    first_supp = n_single + 2 * n_pairs

    # One entry space: single entries, then seat entries n_single + 2 * pair + side, then
    # supplemental entries first_supp + s.
    named = pairs != p
    target = np.concatenate(
        (programs, np.where(named, pairs, 0).ravel(), market.supplemental_programs)
    )
    rank = np.concatenate(
        (ranks, np.where(named, pair_ranks, n).ravel(), market.supplemental_ranks)
    )
    holds = Holds(np.minimum(market.capacities, n), n, n_entries=target.size)
    key = holds.key(target, np.minimum(rank, n))
    supp_key, supp_target = key[first_supp:], target[first_supp:]
    list_start = np.zeros(target.size + 1, dtype=bool)
    list_start[indptr] = True
    list_start[n_single : first_supp + 1] = True  # a seat entry is a list of its own
    list_start[first_supp + supp_indptr] = True  # so is a supplemental list
    dropping = np.zeros(target.size, dtype=bool)
    owner = segment_ids(indptr)
    seat_member = np.empty(2 * n_pairs, dtype=_INT)  # the member of each seat entry
    for side in (0, 1):  # (gathered a column at a time: NumPy gathers rows slowly)
        seat_member[side::2] = members[:, side][pair_couple]
    pair_index = np.arange(n_pairs, dtype=_INT)
    couple_seats = _Seats(market, key[n_single:first_supp], seat_member)

    starts = indptr[:-1][np.diff(indptr) > 0]
    rounds = propose_from(starts, key, list_start, holds)[0]
    at = np.full(members.shape[0], -1, dtype=_INT)  # each couple's pair, -1: none
    loosened = waiting = np.zeros(0, dtype=_INT)
    at_loosened = np.zeros(p, dtype=bool)
    for batch in range(max_rounds + 1):
        held = holds.held_entries()
        is_held = np.zeros(target.size, dtype=bool)
        is_held[held] = True

        # 1. Broken pairs: a named seat turned away; the couple withdraws the other.
        mine = np.flatnonzero(at >= 0)
        seats = n_single + 2 * at[mine, None] + np.arange(2)
        lost = (named[at[mine]] & ~is_held[seats]).any(axis=1)
        released = seats[lost][is_held[seats[lost]]]
        at[mine[lost]] = -1
        # ... and a PGY-1 seat whose advanced position is no longer held is given back.
        held_supp = held[held >= first_supp] - first_supp
        kept = is_held[supp_parent[held_supp]]
        orphans = first_supp + held_supp[~kept]
        released, held_supp = np.concatenate((released, orphans)), held_supp[kept]
        if batch == max_rounds:
            loosened = np.concatenate((loosened, target[released]))  # released below
            break
        cutoff = holds.cutoff.copy()
        freed = key[released] >> holds.rank_bits
        cutoff[freed] = holds.room[freed]  # their programs take anyone ranked again
        at_loosened[:] = False
        at_loosened[loosened] = at_loosened[freed] = True

        # Who holds what now.
        single_at = indptr[1:].copy()  # each single's held entry; its list's end if none
        held_single = held[held < n_single]
        single_at[owner[held_single]] = held_single
        member_target = np.full(n, -1, dtype=_INT)
        member_rank = np.full(n, n, dtype=_INT)
        mine = np.flatnonzero(at >= 0)
        for side in (0, 1):
            keep = named[at[mine], side]
            who = members[mine[keep], side]
            member_target[who] = pairs[at[mine[keep]], side]
            member_rank[who] = pair_ranks[at[mine[keep]], side]

        # 2. Singles with an earlier entry whose program now takes them: the first such.  Every
        # entry above a single's own was turned away where it stood, and cutoffs only tighten
        # but where a seat came free: only entries at those programs (loosened), and those
        # that blocked but were not their single's first (waiting), can block.
        looked_at = at_loosened[programs]
        looked_at[waiting] = True
        looked_at = np.flatnonzero(looked_at)
        looked_at = looked_at[looked_at < single_at[owner[looked_at]]]
        blocking = looked_at[key[looked_at] < cutoff[programs[looked_at]]]
        first = np.unique(owner[blocking], return_index=True)[1]
        single_moves = blocking[first]
        waiting = np.delete(blocking, first)

        # 3. Couples with a better pair whose every seat passes (or holding none): the first.
        better = couple_seats.passing(key[held], cutoff, holds, member_target, member_rank)
        better &= pair_index < np.where(at >= 0, at, n_pairs)[pair_couple]
        candidates = np.flatnonzero(better)
        moving, first = np.unique(pair_couple[candidates], return_index=True)
        new_pairs = candidates[first]
        # Couples moving in one round never want the same program: two couples each turned
        # away from one seat could otherwise give both seats back and try again for ever.
        # A couple moves if no couple before it wants one of its programs (the first does).
        moving, new_pairs = _apart(moving, new_pairs, pairs, named, p)
        # ... and every held advanced position with a supplemental entry above the one it
        # holds (or, holding none, any) that would now take it: the first such.
        advanced = np.sort(held_single[has_supp[held_single]])  # held, with a list
        supp_at = supp_indptr[advanced + 1]  # each one's held PGY-1 entry, or its list's end
        supp_at[np.searchsorted(advanced, supp_parent[held_supp])] = held_supp
        above = segment_aranges(supp_indptr[advanced], supp_at - supp_indptr[advanced])
        passing = above[supp_key[above] < cutoff[supp_target[above]]]
        supp_moves = passing[np.unique(supp_parent[passing], return_index=True)[1]]
        if not (lost.any() or orphans.size or single_moves.size or moving.size or supp_moves.size):
            return _state(
                holds, at, target, owner, seat_member, supp_parent, market, None, rounds + batch
            )

        # 4. Each proposes while still holding what it holds; a proposal turned away stops
        # there (its maker keeps its hold; a supplemental list goes on down to the entry it
        # holds), and whoever ends up holding both gives up the worse: a single its later
        # entry, an advanced position its later PGY-1 seat, a couple its old pair (or the
        # new one, if a seat of it was turned away).
        if released.size:
            holds.remove(released, key[released], dropping)
        new_seats = (n_single + 2 * new_pairs[:, None] + np.arange(2)).ravel()
        new_named = named[new_pairs].ravel()
        stops = np.concatenate(
            (
                single_moves + 1,
                first_supp + supp_at[np.searchsorted(advanced, supp_parent[supp_moves])],
            )
        )
        stops = stops[~list_start[stops]]
        list_start[stops] = True
        proposing = np.concatenate((single_moves, new_seats[new_named], first_supp + supp_moves))
        rounds += propose_from(proposing, key, list_start, holds)[0]
        list_start[stops] = False

        held = holds.held_entries()
        is_held = np.zeros(target.size, dtype=bool)
        is_held[held] = True
        held_single = held[held < n_single]
        holder = np.take(owner, held_single)
        twice = np.bincount(holder, minlength=n) > 1  # the few singles who moved
        held_single = np.sort(held_single[twice[holder]])
        repeat = np.zeros(held_single.size, dtype=bool)  # a single's second hold: the worse
        repeat[1:] = owner[held_single[1:]] == owner[held_single[:-1]]
        held_supp = np.sort(held[held >= first_supp])  # a second PGY-1 seat: the worse
        again = np.zeros(held_supp.size, dtype=bool)
        parent = supp_parent[held_supp - first_supp]
        again[1:] = parent[1:] == parent[:-1]
        new_seats = new_seats.reshape(-1, 2)
        taken = (~named[new_pairs] | is_held[new_seats]).all(axis=1)
        old = at[moving]
        old_seats = n_single + 2 * old[:, None] + np.arange(2)
        rows = (old >= 0) | ~taken
        give_up = np.where(taken[:, None], old_seats, new_seats)[rows].ravel()
        give_up = np.concatenate((held_single[repeat], held_supp[again], give_up[is_held[give_up]]))
        if give_up.size:
            holds.remove(give_up, key[give_up], dropping)
        loosened = target[np.concatenate((released, give_up))]
        at[moving[taken]] = new_pairs[taken]
    # Out of rounds: couples keep only pairs whose every named seat is held.
    return _state(
        holds, at, target, owner, seat_member, supp_parent, market, loosened, rounds + max_rounds
    )


def _apart(moving, new_pairs, pairs, named, p):
    """The moving couples (and their pairs) that no earlier moving couple shares a program with."""
    wanted = np.where(named[new_pairs], pairs[new_pairs], p)
    first_wanting = np.full(p + 1, moving.size, dtype=_INT)
    np.minimum.at(first_wanting, wanted.ravel(), np.repeat(np.arange(moving.size), 2))
    first_wanting[p] = moving.size  # "no match" is never contested
    own = (first_wanting[wanted] == np.arange(moving.size)[:, None]) | (wanted == p)
    keep = own.all(axis=1)
    return moving[keep], new_pairs[keep]


class _Seats:
    """The couples' seat entries, side by side, as :meth:`passing` tests them each round."""

    def __init__(self, market, seat_key, seat_member):
        pairs, p = market.pair_programs, market.capacities.size
        self.n = market.rol_indptr.size - 1
        self.pairs, self.pair_ranks = pairs, market.pair_ranks
        named = pairs != p
        self.side = [
            (
                ~named[:, s],
                np.ascontiguousarray(pairs[:, s]),
                np.where(named[:, s], pairs[:, s], 0),
                np.ascontiguousarray(seat_key[s::2]),
                np.ascontiguousarray(seat_member[s::2]),
            )
            for s in (0, 1)
        ]
        self.same = np.flatnonzero(named[:, 0] & named[:, 1] & (pairs[:, 0] == pairs[:, 1]))
        self.who = seat_member.reshape(-1, 2)

    def passing(self, held_keys, cutoff, holds, member_target, member_rank):
        """Whether each pair would take its couple now: every named seat passes alone (its
        member is there already, or beats the cutoff); both at one program: both among its
        best ``capacity`` once they are in.  ``held_keys``: the keys held now, target by
        target, best first (sorted)."""
        ok = None
        for unnamed, program, safe, key, member in self.side:
            passes = unnamed | (member_target[member] == program) | (key < cutoff[safe])
            ok = passes if ok is None else ok & passes
        same = self.same[ok[self.same]]
        if same.size:
            program = self.pairs[same, 0]
            worse = self.pair_ranks[same].max(axis=1)
            ahead = np.searchsorted(held_keys, holds.key(program, worse)) - np.searchsorted(
                held_keys, holds.key(program, np.zeros_like(worse))
            )
            for side in (0, 1):  # the members' own holds there do not count
                m = self.who[same, side]
                ahead -= (member_target[m] == program) & (member_rank[m] < worse)
            ok[same] = (worse < self.n) & (ahead <= holds.capacity[program] - 2)
        return ok


def _state(holds, at, target, owner, seat_member, supp_parent, market, loosened, rounds):
    """The batch state; ``loosened`` is None once a round found nothing to do (converged).
    A PGY-1 seat held under an advanced position no longer held is left out (its
    program is among ``loosened``)."""
    n, p = market.rol_indptr.size - 1, market.capacities.size
    n_single, first_supp = owner.size, owner.size + seat_member.size
    held = holds.held_entries()
    is_held = np.zeros(target.size, dtype=bool)
    is_held[held] = True
    match = np.full(n, p, dtype=_INT)
    single = held[held < n_single]
    match[owner[single]] = target[single]
    seat = held[(held >= n_single) & (held < first_supp)]
    match[seat_member[seat - n_single]] = target[seat]
    held_supp = held[held >= first_supp] - first_supp
    parent = supp_parent[held_supp]
    kept = is_held[parent]
    pgy1_entries = np.full(n, -1, dtype=_INT)
    pgy1_entries[owner[parent[kept]]] = held_supp[kept]
    return BatchState(
        match=match,
        entries=single,
        couple_pairs=at,
        pgy1_entries=pgy1_entries,
        loosened=np.zeros(0, dtype=_INT) if loosened is None else np.unique(loosened),
        converged=loosened is None,
        rounds=int(rounds),
    )
