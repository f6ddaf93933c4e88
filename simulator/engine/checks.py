"""The engines' input checks: malformed arrays raise ``ValueError`` naming the problem.

The costly checks look for repeats (a program listed twice by one applicant, one rank
given twice by a program): lists are sorted one by one as rows, or as one sort with each
entry's applicant packed above it where that is faster on this machine
(:func:`simulator.engine.packed_sort.runs_repeat`), and ranks are scattered to slots
(:func:`rank_clash`), so that only the few entries sharing a slot are sorted.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.packed_sort import packed_lexsort, runs_repeat

_INT = np.int64


def deferred_acceptance_iv(rol_indptr, rol_programs, program_ranks, capacities):
    """Check and normalise the engine's inputs; raise ``ValueError`` naming the problem."""
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
        raise ValueError("rol_indptr must start at 0, never decrease and end at len(rol_programs)")
    if ranks.size != n_entries:
        raise ValueError(f"program_ranks has {ranks.size} entries but rol_programs has {n_entries}")
    if np.any(caps < 0):
        raise ValueError("capacities must be non-negative")
    if n_entries and (programs.min() < 0 or programs.max() >= n_programs):
        raise ValueError(f"rol_programs must lie in [0, {n_programs})")
    if n_entries and (ranks.min() < 0 or ranks.max() > n_applicants):
        raise ValueError(
            f"program_ranks must lie in [0, {n_applicants}] ({n_applicants} = not ranked)"
        )
    dtype = np.int32 if n_programs < np.iinfo(np.int32).max else _INT
    if runs_repeat(programs.astype(dtype), indptr[:-1]):
        raise ValueError("an applicant ranks the same program twice")
    if rank_clash(programs, n_programs, ranks, n_applicants) is not None:
        raise ValueError("a program gives the same rank to two applicants")
    return indptr, programs, ranks, caps


def rank_clash(
    programs: np.ndarray, n_programs: int, ranks: np.ndarray, unranked: int, who=None
) -> int | None:
    """The index of an entry whose rank (not ``unranked``) its program gives another entry
    too, or ``None``.  With ``who`` (each entry's applicant), entries of one applicant may
    share a rank (one seat listed twice): a clash is one rank for two applicants.

    Ranks are usually places on the program's list, below its number of entries: each
    entry goes to a slot of its program's table (as many slots as the next power of two),
    the slot its rank's low bits name, one scatter in linear time.  Entries of one rank
    share a slot, so only entries that share one with another rank need sorting
    (:func:`_sorted_clash`; all entries, when many do: ranks that are not such places).
    """
    ranked = np.flatnonzero(ranks != unranked)
    program, rank = np.take(programs, ranked), np.take(ranks, ranked)
    width = np.left_shift(_INT(1), np.frexp(np.bincount(programs, minlength=n_programs))[1])
    slot = np.take(np.cumsum(width) - width, program)
    slot += rank & np.take(width - 1, program)
    entry = np.arange(ranked.size, dtype=np.int32 if ranked.size < 2**31 else _INT)
    holder = np.empty(int(width.sum()), dtype=entry.dtype)
    holder[slot] = entry  # one entry per slot stays: any other sharing it is displaced
    displaced = np.flatnonzero(np.take(holder, slot) != entry)
    kept = np.take(holder, np.take(slot, displaced))
    same_rank = (program[kept] == program[displaced]) & (rank[kept] == rank[displaced])
    if who is not None:
        who = np.take(who, ranked)
    clash = same_rank if who is None else same_rank & (who[kept] != who[displaced])
    if clash.any():
        return int(ranked[displaced[np.argmax(clash)]])
    # Left: entries sharing a slot with another rank (an entry of the same seat is no clash).
    displaced, kept = displaced[~same_rank], kept[~same_rank]
    if not displaced.size:
        return None
    if displaced.size * 8 > ranked.size:
        shared = np.arange(ranked.size)
    else:
        shared = np.zeros(ranked.size, dtype=bool)
        shared[displaced] = shared[kept] = True
        shared = np.flatnonzero(shared)
    at = _sorted_clash(program[shared], rank[shared], None if who is None else who[shared])
    return None if at is None else int(ranked[shared[at]])


def _sorted_clash(program, rank, who) -> int | None:
    """:func:`rank_clash` by one sort: the index of an entry whose (program, rank) an
    entry of another applicant (of any, without ``who``) shares, or ``None``."""
    columns = [program, rank] if who is None else [program, rank, who]
    order = packed_lexsort(columns)
    program, rank = program[order], rank[order]
    same = (program[1:] == program[:-1]) & (rank[1:] == rank[:-1])
    if who is not None:
        same &= who[order][1:] != who[order][:-1]
    at = np.flatnonzero(same)
    return int(order[at[0] + 1]) if at.size else None
