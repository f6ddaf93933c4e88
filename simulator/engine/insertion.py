"""Solo outcomes by insertion: what each extra applicant would get, alone, in a solved market.

Deferred acceptance's result does not depend on the order of proposals
(McVitie and Wilson, 1971).  So the applicant-optimal stable matching of a
market with one more applicant is what the solved market's matching becomes
when that applicant proposes last: it proposes down its list until a program
holds it; the applicant that program turns away proposes down *its* list, and
so on (the rejection chain), until someone is held where there was room or
runs out of list.  Following that chain for each extra applicant separately,
on the solved state, gives exactly its outcome in a Match of the market plus
that applicant alone, at a tiny fraction of the cost of a Match.

The chains of all extra applicants are followed together, one proposal per
chain per step (NumPy over chains).  A chain that comes back to a program it
already changed needs that program's changed holds; such chains (rare) are
followed one at a time by :func:`_follow_chain`, which keeps every change.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.csr import segment_ids
from simulator.engine.packed_sort import packed_lexsort


def solo_outcomes(market: SolvedMarket, solo_indptr, solo_programs, solo_ranks) -> np.ndarray:
    """The program each extra ("solo") applicant gets when it alone joins the solved market.

    Parameters
    ----------
    market : SolvedMarket
        The market and its applicant-proposing matching; one serves any number of calls.
    solo_indptr, solo_programs : int arrays
        The solo applicants' rank-order lists, in the same CSR form.
    solo_ranks : int array, shape (n_solo_entries,)
        Where each listed program ranks the solo applicant among the market's
        applicants: ``r`` means above every applicant the program ranks
        ``r``-th or lower (0-based) and below the others; ``n_applicants + 1``
        means the program does not rank it.

    Returns
    -------
    ndarray of int64, shape (n_solo,)
        The matched program of each solo applicant, ``n_programs`` if
        unmatched.  The inputs are never modified.
    """
    solo_indptr = np.asarray(solo_indptr, dtype=np.int64)
    solo_programs = np.asarray(solo_programs, dtype=np.int64)
    solo_ranks = np.asarray(solo_ranks, dtype=np.int64)
    n_solo = solo_indptr.size - 1

    # Each solo applicant's own walk: its first program that takes it in the solved state.
    whose = segment_ids(solo_indptr)
    target = solo_programs
    takes = (solo_ranks <= market.n) & (
        (market.held[target] < market.capacities[target])
        | (market.holding[target] & (solo_ranks <= market.worst_rank[target]))
    )
    first = np.full(n_solo, solo_programs.size, dtype=np.int64)
    np.minimum.at(first, whose[takes], np.flatnonzero(takes))
    result = np.full(n_solo, market.n_programs, dtype=np.int64)
    held = first < solo_programs.size
    result[held] = solo_programs[first[held]]

    # Chains: each full program that took a solo applicant turns its worst holder away.
    chain = np.flatnonzero(held)
    start = result[chain]
    full = market.held[start] >= market.capacities[start]
    slow = _follow_chains(market, chain[full], start[full], n_solo)
    for solo in np.flatnonzero(slow):
        own = slice(solo_indptr[solo], solo_indptr[solo + 1])
        result[solo] = _follow_chain(market, solo_programs[own], solo_ranks[own])
    return result


class SolvedMarket:
    """The solved market's state as the chains read it: who each program holds, and its worst.

    Built from the market (as for :func:`~simulator.engine.kernel.deferred_acceptance`:
    ``rol_indptr, rol_programs, program_ranks, capacities``) and that function's
    ``match`` (applicants proposing); built once, read by every insertion.
    """

    def __init__(self, rol_indptr, rol_programs, program_ranks, capacities, match):
        self.indptr = np.asarray(rol_indptr, dtype=np.int64)
        self.programs = np.asarray(rol_programs, dtype=np.int64)
        self.ranks = np.asarray(program_ranks, dtype=np.int64)
        self.capacities = np.asarray(capacities, dtype=np.int64)
        self.n = self.indptr.size - 1
        self.n_programs = self.capacities.size
        matched = np.repeat(np.asarray(match, dtype=np.int64), np.diff(self.indptr))
        holds = np.flatnonzero(self.programs == matched)  # each matched applicant's entry
        holder = np.searchsorted(self.indptr, holds, side="right") - 1  # few: no segment_ids
        self.matched_entry = np.full(self.n, self.programs.size, dtype=np.int64)
        self.matched_entry[holder] = holds
        self.held = np.bincount(self.programs[holds], minlength=self.n_programs)
        # Holds by program, best first; a program's worst holder is its last.  Only programs
        # that hold someone have a worst holder to turn away (``holding``).
        best_first = packed_lexsort((self.programs[holds], self.ranks[holds]))
        order, holder = holds[best_first], holder[best_first]
        by_program = self.programs[order]
        last = np.r_[by_program[1:] != by_program[:-1], True][: order.size]
        self.holding = self.held > 0
        self.worst_rank = np.zeros(self.n_programs, dtype=np.int64)
        self.worst_holder = np.full(self.n_programs, self.n, dtype=np.int64)
        self.worst_rank[by_program[last]] = self.ranks[order[last]]
        self.worst_holder[by_program[last]] = holder[last]
        self.holds_by_program = (by_program, self.ranks[order], holder)


def _follow_chains(market: SolvedMarket, chain, start, n_solo) -> np.ndarray:
    """Follow the chains of solos ``chain``, started at programs ``start``, all at once.

    A chain that never comes back to a program it changed leaves its solo
    applicant where it was first held: the result already says so.  Returns
    which solos' chains came back and need :func:`_follow_chain`.
    """
    slow = np.zeros(n_solo, dtype=bool)
    # touched[i, p]: chain i has changed program p's holds (a bit per chain and program).
    touched = np.zeros((chain.size, market.n_programs), dtype=bool)
    touched[np.arange(chain.size), start] = True
    proposer = market.worst_holder[start]
    entry = market.matched_entry[proposer] + 1
    live = np.arange(chain.size)
    while live.size:
        a, e = proposer[live], entry[live]
        going = e < market.indptr[a + 1]  # else: out of list, unmatched; the chain ends
        live, e = live[going], e[going]
        p = market.programs[e]
        again = touched[live, p]  # back at a program it changed: the slow path
        slow[chain[live[again]]] = True
        live, e, p = live[~again], e[~again], p[~again]
        rank = market.ranks[e]
        room = market.held[p] < market.capacities[p]
        wins = (rank < market.n) & (room | (market.holding[p] & (rank < market.worst_rank[p])))
        moves = wins & ~room  # held, and the program turns its worst holder away
        touched[live[moves], p[moves]] = True
        proposer[live[moves]] = market.worst_holder[p[moves]]
        entry[live[moves]] = market.matched_entry[proposer[live[moves]]] + 1
        entry[live[~wins]] = e[~wins] + 1  # turned away: the next program on the list
        live = live[~(wins & room)]  # held where there was room: the chain ends
    return slow


def _follow_chain(market: SolvedMarket, solo_programs, solo_ranks) -> int:
    """One solo applicant's whole chain, keeping every change: its final program.

    Plain and sequential: programs' holds as sorted lists of ``(rank, holder)``,
    copied from the solved state when first reached.  The solo applicant ranks
    ``r - 0.5`` at a program that places it at ``r``: above rank ``r``, below ``r - 1``.
    """
    programs_of_holds, ranks_of_holds, holders = market.holds_by_program
    starts = np.searchsorted(programs_of_holds, np.arange(market.n_programs + 1))
    holds: dict[int, list] = {}
    solo = market.n

    def held_at(p: int) -> list:
        if p not in holds:
            s, e = starts[p], starts[p + 1]
            holds[p] = sorted(zip(ranks_of_holds[s:e].tolist(), holders[s:e].tolist()))
        return holds[p]

    def choice(proposer: int, k: int):
        """(program, its rank of the proposer, acceptable) of the ``k``-th choice, or None."""
        if proposer == solo:
            if k >= solo_programs.size:
                return None
            rank = int(solo_ranks[k])
            return int(solo_programs[k]), rank - 0.5, rank <= market.n
        e = market.indptr[proposer] + k
        if e >= market.indptr[proposer + 1]:
            return None
        rank = int(market.ranks[e])
        return int(market.programs[e]), rank, rank < market.n

    position = {}  # where on its list each applicant moved by the chain is held now
    solo_at = market.n_programs
    proposer, k = solo, 0
    while (offer := choice(proposer, k)) is not None:
        p, rank, acceptable = offer
        current = held_at(p)
        full = len(current) >= market.capacities[p]
        if not acceptable or (full and (not current or rank >= current[-1][0])):
            k += 1  # turned away: the next program on the list
            continue
        displaced = current.pop()[1] if full else None
        current.append((rank, proposer))
        current.sort()
        position[proposer] = k
        if proposer == solo:
            solo_at = p
        if displaced is None:
            break  # held where there was room: the chain ends
        if displaced == solo:
            solo_at = market.n_programs
        proposer = displaced
        k = (position[proposer] if proposer in position else _list_position(market, proposer)) + 1
    return solo_at


def _list_position(market: SolvedMarket, applicant: int) -> int:
    """Where on its list ``applicant`` is held in the solved state."""
    return int(market.matched_entry[applicant] - market.indptr[applicant])
