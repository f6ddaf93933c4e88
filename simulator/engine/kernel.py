"""Deferred acceptance over CSR rank-order lists, vectorised with NumPy.

The algorithm (Gale and Shapley 1962; the NRMP's Roth-Peranson algorithm
without couples), from the proposing side's point of view:

1. Every proposer with a free position proposes to the next entry on its list.
2. Every receiver tentatively holds the best proposals it has received so far,
   up to its capacity, and rejects the rest (and any proposal from someone it
   did not rank).
3. A rejected proposer goes on down its list; when nobody has a free position
   and an entry left to try, the tentative holds become the matching.

The loop runs over *rounds*; inside a round every proposal, hold and rejection
is one NumPy operation over arrays.  Two facts keep it fast:

* A receiver's *cutoff* (the rank of the worst proposer it holds once full)
  only ever improves, so a proposal ranked at or beyond the cutoff is rejected
  on the spot without touching the receiver's holds.
* Holds live in one slot array per receiver (CSR over capacities), kept sorted
  by rank; a round merges new proposals into the slots of only the receivers
  they reach, with one ``np.sort`` over packed integer keys.

The outcome does not depend on the order in which proposals are made, so the
result is the proposing side's optimal stable matching, exactly as the
one-at-a-time reference in :mod:`simulator.engine.reference` finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.checks import deferred_acceptance_iv
from simulator.engine.csr import segment_aranges, segment_ids
from simulator.engine.holds import Holds

PROPOSING_SIDES = ("applicants", "programs")
_INT = np.int64
#: Fewer applicants than this left proposing: finish one proposal at a time (a NumPy round
#: costs tens of microseconds whatever its size; long chains of single rejections would
#: otherwise cost a round per proposal).
SEQUENTIAL_BELOW = 8


@dataclass(frozen=True, slots=True)
class MatchStats:
    """What one solve did: the matching and how much work it took.

    ``rounds`` counts the rounds run for all proposers at once; the last few
    proposers, finished one proposal at a time, count as one more round.
    """

    match: np.ndarray
    rounds: int
    proposals: int


def deferred_acceptance(
    rol_indptr,
    rol_programs,
    program_ranks,
    capacities,
    proposing: str = "applicants",
    *,
    check_input: bool = True,
) -> np.ndarray:
    """Solve a matching market by deferred acceptance.

    Parameters
    ----------
    rol_indptr : int array, shape (n_applicants + 1,)
        CSR pointers: applicant ``a`` ranks ``rol_programs[rol_indptr[a]:rol_indptr[a + 1]]``,
        most preferred first.
    rol_programs : int array, shape (n_entries,)
        Program indices in ``[0, n_programs)``, no repeats within one list.
    program_ranks : int array, shape (n_entries,)
        The rank the program gives that applicant (smaller is better, distinct
        within a program); ``n_applicants`` means the program did not rank them.
    capacities : int array, shape (n_programs,)
        Positions per program (0 allowed).
    proposing : {"applicants", "programs"}
        ``"applicants"`` is the NRMP's algorithm (applicant-optimal stable
        matching); ``"programs"`` gives the program-optimal stable matching.
    check_input : bool
        Validate the arrays first (on by default).  Callers that build the
        arrays themselves and know them to be valid may skip the checks.

    Returns
    -------
    ndarray of int64, shape (n_applicants,)
        The matched program of each applicant, ``n_programs`` if unmatched.
        The inputs are never modified.
    """
    return solve(
        rol_indptr, rol_programs, program_ranks, capacities, proposing, check_input=check_input
    ).match


def solve(
    rol_indptr,
    rol_programs,
    program_ranks,
    capacities,
    proposing: str = "applicants",
    *,
    check_input: bool = True,
) -> MatchStats:
    """Like :func:`deferred_acceptance`, but also report rounds and proposals."""
    if proposing not in PROPOSING_SIDES:  # checked always: a typo must not flip the sides
        raise ValueError(f"proposing must be one of {PROPOSING_SIDES}, got {proposing!r}")
    if check_input:
        rol_indptr, rol_programs, program_ranks, capacities = deferred_acceptance_iv(
            rol_indptr, rol_programs, program_ranks, capacities
        )
    else:
        rol_indptr, rol_programs, program_ranks, capacities = (
            np.asarray(x, dtype=_INT) for x in (rol_indptr, rol_programs, program_ranks, capacities)
        )
    n_applicants = rol_indptr.size - 1
    n_programs = capacities.size
    # No program can hold more applicants than there are: larger capacities cost nothing.
    capacities = np.minimum(capacities, n_applicants)
    applicant_of_entry = segment_ids(rol_indptr)

    if proposing == "applicants":
        held_entries, rounds, proposals = _propose_and_dispose(
            prop_indptr=rol_indptr,
            prop_capacity=np.ones(n_applicants, dtype=_INT),
            owner=applicant_of_entry,
            target=rol_programs,
            target_rank=program_ranks,
            target_capacity=capacities,
            unacceptable=n_applicants,
        )
    else:
        # Programs propose down their own lists: the entries they ranked, best first.
        ranked = np.flatnonzero(program_ranks < n_applicants)
        order = _sort_by(rol_programs[ranked] * (n_applicants + 1) + program_ranks[ranked], ranked)
        proposer = rol_programs[order]
        prop_indptr = np.zeros(n_programs + 1, dtype=_INT)
        np.cumsum(np.bincount(proposer, minlength=n_programs), out=prop_indptr[1:])
        # An applicant's rank of a program is its position on the applicant's list.
        position = np.arange(rol_programs.size, dtype=_INT) - rol_indptr[applicant_of_entry]
        held, rounds, proposals = _propose_and_dispose(
            prop_indptr=prop_indptr,
            prop_capacity=capacities,
            owner=proposer,
            target=applicant_of_entry[order],
            target_rank=position[order],
            target_capacity=np.ones(n_applicants, dtype=_INT),
            unacceptable=int(np.diff(rol_indptr).max(initial=0)),
        )
        held_entries = order[held]

    match = np.full(n_applicants, n_programs, dtype=_INT)
    match[applicant_of_entry[held_entries]] = rol_programs[held_entries]
    return MatchStats(match=match, rounds=rounds, proposals=proposals)


def _propose_and_dispose(
    *,
    prop_indptr: np.ndarray,
    prop_capacity: np.ndarray,
    owner: np.ndarray,
    target: np.ndarray,
    target_rank: np.ndarray,
    target_capacity: np.ndarray,
    unacceptable: int,
) -> tuple[np.ndarray, int, int]:
    """Run deferred acceptance on one side's CSR lists; return the held entries.

    Entry ``e`` belongs to proposer ``owner[e]`` and proposes to ``target[e]``,
    which ranks that proposer ``target_rank[e]`` (``unacceptable`` or more: not
    at all).  Returns the indices of the entries held at the end, the number of
    rounds and the number of proposals made.
    """
    holds = Holds(target_capacity, unacceptable, n_entries=target.size)
    entry_key = holds.key(
        target, np.minimum(target_rank, unacceptable, dtype=holds.key_dtype, casting="unsafe")
    )
    if np.all(prop_capacity <= 1):
        return _rounds_one_position_each(prop_indptr, prop_capacity, entry_key, holds)
    return _rounds_several_positions(prop_indptr, prop_capacity, owner, entry_key, holds)


def _rounds_one_position_each(prop_indptr, prop_capacity, entry_key, holds):
    """The rounds when every proposer has one position: the applicants' side.

    A proposer's state is just the entry it is at, so rejected entry ``e``
    simply moves on to ``e + 1``, unless ``e + 1`` starts another list.
    """
    list_start = np.zeros(entry_key.size + 1, dtype=bool)
    list_start[prop_indptr] = True  # includes the end of the last list
    starting = (prop_capacity > 0) & (prop_indptr[:-1] < prop_indptr[1:])
    rounds, proposals = propose_from(prop_indptr[:-1][starting], entry_key, list_start, holds)
    return holds.held_entries(), rounds, proposals


def propose_from(entry, entry_key, list_start, holds) -> tuple[int, int]:
    """Deferred acceptance from entries ``entry`` on, into ``holds`` as they stand.

    Each proposer proposes from its entry down its list (lists end where
    ``list_start`` is true); every proposer a target turns away goes on down
    its own list.  Returns the rounds and proposals made.
    """
    rounds = proposals = 0
    while entry.size:
        rounds += 1
        if entry.size < SEQUENTIAL_BELOW:
            proposals += _one_by_one(entry.tolist(), entry_key, list_start, holds)
            break
        # 1. Each proposer goes down its list to the first entry that beats its target's cutoff.
        passed = []
        while entry.size:
            proposals += entry.size
            ok = holds.beats_cutoff(entry_key[entry])
            passed.append(entry[ok])
            entry += 1
            entry = entry[~(ok | list_start[entry])]
        # 2. Targets keep their best proposals; 3. the rejected try their next entries.
        passed = np.concatenate(passed)
        entry = holds.merge(passed, entry_key[passed]) + 1
        entry = entry[~list_start[entry]]
    return rounds, proposals


def _one_by_one(queue: list, entry_key, list_start, holds) -> int:
    """Finish with the proposers of ``queue`` (their next entries), one proposal at a time.

    Deferred acceptance does not depend on the order of proposals, so this
    ends where further rounds would.  Returns the proposals made.
    """
    proposals = 0
    while queue:
        entry = queue.pop()
        while True:
            proposals += 1
            key = int(entry_key[entry])
            if key < holds.cutoff[key >> holds.rank_bits]:
                turned_away = holds.take(key, entry)
                if turned_away is not None and not list_start[turned_away + 1]:
                    queue.append(turned_away + 1)
                break
            entry += 1
            if list_start[entry]:
                break  # out of list: unmatched
    return proposals


def _rounds_several_positions(prop_indptr, prop_capacity, owner, entry_key, holds):
    """The rounds when proposers may have several positions: the programs' side."""
    next_entry = prop_indptr[:-1].copy()
    list_end = prop_indptr[1:]
    free = prop_capacity.copy()
    scratch = np.zeros(prop_capacity.size, dtype=_INT)
    active = np.flatnonzero((free > 0) & (next_entry < list_end))
    rounds = proposals = 0
    while active.size:
        rounds += 1
        # 1. Each proposer makes as many proposals beating their targets' cutoffs as it
        #    has free positions, or runs out of list.
        passed, passed_key = [], []
        proposers, wanted = active, free[active]
        while proposers.size:
            counts = np.minimum(wanted, list_end[proposers] - next_entry[proposers])
            entries = segment_aranges(next_entry[proposers], counts)
            next_entry[proposers] += counts
            proposals += entries.size
            key = entry_key[entries]
            ok = holds.beats_cutoff(key)
            passed.append(entries[ok])
            passed_key.append(key[ok])
            wanted = counts - np.add.reduceat(ok, np.cumsum(counts) - counts)
            going_on = (wanted > 0) & (next_entry[proposers] < list_end[proposers])
            proposers, wanted = proposers[going_on], wanted[going_on]
        passed = np.concatenate(passed)
        # 2. Targets keep their best proposals; 3. proposers turned away propose again.
        rejected = holds.merge(passed, np.concatenate(passed_key))
        np.subtract.at(free, owner[passed], 1)
        np.add.at(free, owner[rejected], 1)
        candidates = _distinct(owner[rejected], scratch)
        active = candidates[next_entry[candidates] < list_end[candidates]]
    return holds.held_entries(), rounds, proposals


def _distinct(values: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """The distinct values of ``values`` (order unspecified), in O(len(values)).

    ``scratch`` is a work array longer than the largest value; each value
    keeps its last occurrence.
    """
    index = np.arange(values.size, dtype=_INT)
    scratch[values] = index
    return values[scratch[values] == index]


def _sort_by(key: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` (non-negative) in the order of their distinct non-negative ``key``s.

    One sort of packed (key, value) integers when they fit in 63 bits: several
    times faster than ``argsort`` or ``lexsort``.
    """
    value_bits = int(values.max(initial=0)).bit_length()
    if int(key.max(initial=0)).bit_length() + value_bits > 63:
        return values[np.argsort(key)]
    return np.sort((key << value_bits) | values) & ((1 << value_bits) - 1)
