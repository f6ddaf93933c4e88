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
one-at-a-time reference in :mod:`simulator.reference` finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PROPOSING_SIDES = ("applicants", "programs")
_INT = np.int64


@dataclass(frozen=True, slots=True)
class MatchStats:
    """What one solve did: the matching and how much work it took."""

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
    if check_input:
        rol_indptr, rol_programs, program_ranks, capacities = _deferred_acceptance_iv(
            rol_indptr, rol_programs, program_ranks, capacities, proposing
        )
    else:
        rol_indptr, rol_programs, program_ranks, capacities = (
            np.asarray(x, dtype=_INT) for x in (rol_indptr, rol_programs, program_ranks, capacities)
        )
    n_applicants = rol_indptr.size - 1
    n_programs = capacities.size
    applicant_of_entry = _segment_ids(rol_indptr)

    if proposing == "applicants":
        held, rounds, proposals = _propose_and_dispose(
            prop_indptr=rol_indptr,
            prop_capacity=np.ones(n_applicants, dtype=_INT),
            target=rol_programs,
            target_rank=program_ranks,
            target_capacity=capacities,
            unacceptable=n_applicants,
        )
        held_entries = held
    else:
        # Programs propose down their own lists: the entries they ranked, best first.
        ranked = np.flatnonzero(program_ranks < n_applicants)
        order = ranked[np.lexsort((program_ranks[ranked], rol_programs[ranked]))]
        prop_indptr = np.zeros(n_programs + 1, dtype=_INT)
        np.cumsum(np.bincount(rol_programs[order], minlength=n_programs), out=prop_indptr[1:])
        # An applicant's rank of a program is its position on the applicant's list.
        position = np.arange(rol_programs.size, dtype=_INT) - rol_indptr[applicant_of_entry]
        longest = int(np.diff(rol_indptr).max(initial=0))
        held, rounds, proposals = _propose_and_dispose(
            prop_indptr=prop_indptr,
            prop_capacity=capacities,
            target=applicant_of_entry[order],
            target_rank=position[order],
            target_capacity=np.ones(n_applicants, dtype=_INT),
            unacceptable=longest,
        )
        held_entries = order[held]

    match = np.full(n_applicants, n_programs, dtype=_INT)
    match[applicant_of_entry[held_entries]] = rol_programs[held_entries]
    return MatchStats(match=match, rounds=rounds, proposals=proposals)


def _propose_and_dispose(
    *,
    prop_indptr: np.ndarray,
    prop_capacity: np.ndarray,
    target: np.ndarray,
    target_rank: np.ndarray,
    target_capacity: np.ndarray,
    unacceptable: int,
) -> tuple[np.ndarray, int, int]:
    """Run deferred acceptance on one side's CSR lists; return the held entries.

    ``target[e]`` is whom entry ``e`` proposes to and ``target_rank[e]`` where
    that target ranks the proposer (``unacceptable`` or more: not at all).
    Returns the indices of the entries held at the end, the number of rounds
    and the number of proposals made.
    """
    n_targets = target_capacity.size
    n_entries = target.size
    next_entry = prop_indptr[:-1].copy()
    list_end = prop_indptr[1:]
    free = prop_capacity.copy()

    slot_indptr = np.zeros(n_targets + 1, dtype=_INT)
    np.cumsum(target_capacity, out=slot_indptr[1:])
    slot_rank = np.full(slot_indptr[-1], unacceptable, dtype=_INT)
    slot_entry = np.full(slot_indptr[-1], n_entries, dtype=_INT)
    # A proposal is held only if its rank beats the target's cutoff.
    cutoff = np.where(target_capacity > 0, unacceptable, 0).astype(_INT)
    pack = _KeyPacker(n_targets, unacceptable + 1, n_entries + 1)

    owner = _segment_ids(prop_indptr)
    active = np.flatnonzero((free > 0) & (next_entry < list_end))
    rounds = proposals = 0
    while active.size:
        rounds += 1
        # 1. Each active proposer proposes to as many next entries as it has free positions.
        counts = np.minimum(free[active], list_end[active] - next_entry[active])
        entries = _segment_aranges(next_entry[active], counts)
        next_entry[active] += counts
        proposals += entries.size

        # 2a. Proposals at or beyond the target's cutoff are rejected at once.
        passed = entries[target_rank[entries] < cutoff[target[entries]]]
        bumped = passed[:0]
        if passed.size:
            # 2b. Merge the rest with what their targets hold; keep the best per target.
            reached = np.unique(target[passed])
            slots = _segment_aranges(slot_indptr[reached], target_capacity[reached])
            slots = slots[slot_entry[slots] < n_entries]
            candidates = np.concatenate((slot_entry[slots], passed))
            cand_target, cand_rank, cand_entry = pack.sort(
                target[candidates], target_rank[candidates], candidates
            )
            place = _place_in_group(cand_target)
            keep = place < target_capacity[cand_target]
            kept_slots = slot_indptr[cand_target[keep]] + place[keep]
            slot_rank[kept_slots] = cand_rank[keep]
            slot_entry[kept_slots] = cand_entry[keep]
            cutoff[reached] = slot_rank[slot_indptr[reached + 1] - 1]
            # Entries newly held take a free position; entries bumped out give one back.
            bumped = cand_entry[~keep]
            np.subtract.at(free, owner[passed], 1)
            np.add.at(free, owner[bumped], 1)
        # 3. Whoever has a free position and an entry left proposes in the next round.
        candidates = np.unique(np.concatenate((active, owner[bumped])))
        active = candidates[(free[candidates] > 0) & (next_entry[candidates] < list_end[candidates])]
    held = slot_entry[slot_entry < n_entries]
    return held, rounds, proposals


class _KeyPacker:
    """Sort (group, rank, payload) triples by group then rank with one ``np.sort``.

    Packing the three non-negative integers into one int64 lets NumPy's fast
    SIMD sort do the work of a lexsort; if they do not fit, lexsort is used.
    """

    def __init__(self, n_groups: int, n_ranks: int, n_payloads: int):
        self.n_ranks = n_ranks
        self.n_payloads = n_payloads
        self.fits = n_groups * n_ranks * n_payloads < 2**63

    def sort(self, group, rank, payload):
        if not self.fits:
            order = np.lexsort((rank, group))
            return group[order], rank[order], payload[order]
        key = np.sort((group * self.n_ranks + rank) * self.n_payloads + payload)
        key, payload = np.divmod(key, self.n_payloads)
        group, rank = np.divmod(key, self.n_ranks)
        return group, rank, payload


def _segment_ids(indptr: np.ndarray) -> np.ndarray:
    """The segment each position belongs to, for CSR pointers ``indptr``."""
    return np.repeat(np.arange(indptr.size - 1, dtype=_INT), np.diff(indptr))


def _segment_aranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for each start ``s`` and count ``c``."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=_INT)
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total, dtype=_INT)


def _place_in_group(sorted_groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal values (0 for the first)."""
    n = sorted_groups.size
    index = np.arange(n, dtype=_INT)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = sorted_groups[1:] != sorted_groups[:-1]
    return index - np.maximum.accumulate(np.where(new_group, index, 0))


def _deferred_acceptance_iv(rol_indptr, rol_programs, program_ranks, capacities, proposing):
    """Check and normalise the engine's inputs; raise ``ValueError`` naming the problem."""
    if proposing not in PROPOSING_SIDES:
        raise ValueError(f"proposing must be one of {PROPOSING_SIDES}, got {proposing!r}")
    arrays = {}
    for name, value in (
        ("rol_indptr", rol_indptr),
        ("rol_programs", rol_programs),
        ("program_ranks", program_ranks),
        ("capacities", capacities),
    ):
        array = np.asarray(value)
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"{name} must hold integers, got dtype {array.dtype}")
        arrays[name] = array.astype(_INT, copy=False)
    indptr, programs, ranks, caps = arrays.values()
    n_applicants, n_programs, n_entries = indptr.size - 1, caps.size, programs.size
    if indptr.size == 0 or indptr[0] != 0 or indptr[-1] != n_entries or np.any(np.diff(indptr) < 0):
        raise ValueError(
            "rol_indptr must start at 0, never decrease and end at len(rol_programs)"
        )
    if ranks.size != n_entries:
        raise ValueError(
            f"program_ranks has {ranks.size} entries but rol_programs has {n_entries}"
        )
    if np.any(caps < 0):
        raise ValueError("capacities must be non-negative")
    if n_entries and (programs.min() < 0 or programs.max() >= n_programs):
        raise ValueError(f"rol_programs must lie in [0, {n_programs})")
    if n_entries and (ranks.min() < 0 or ranks.max() > n_applicants):
        raise ValueError(f"program_ranks must lie in [0, {n_applicants}] ({n_applicants} = not ranked)")
    applicant = _segment_ids(indptr)
    if _has_repeats(applicant, programs, n_programs):
        raise ValueError("an applicant ranks the same program twice")
    ranked = ranks < n_applicants
    if _has_repeats(programs[ranked], ranks[ranked], n_applicants):
        raise ValueError("a program gives the same rank to two applicants")
    return indptr, programs, ranks, caps


def _has_repeats(group: np.ndarray, value: np.ndarray, n_values: int) -> bool:
    """Whether any (group, value) pair occurs twice."""
    key = np.sort(group * (n_values + 1) + value)
    return bool(np.any(key[1:] == key[:-1]))
