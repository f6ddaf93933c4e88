"""The NRMP procedure's records: its inputs, checked once at the boundary and normalised
into one frozen record, and its result."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator.engine.checks import deferred_acceptance_iv, rank_clash
from simulator.engine.csr import segment_aranges, segment_ids
from simulator.engine.packed_sort import sort_runs, sort_within_runs

_INT = np.int64
_COUPLE_ARRAYS = ("couples", "couple_indptr", "pair_programs", "pair_ranks")
_SUPPLEMENTAL_ARRAYS = ("supplemental_indptr", "supplemental_programs", "supplemental_ranks")


@dataclass(frozen=True, slots=True)
class NRMPMarket:
    """The arrays of :func:`simulator.engine.nrmp.roth_peranson`, as int64.

    Absent couples or supplemental lists become empty arrays; ``pair_ranks`` is
    ``N`` (not ranked) on every "no match" side.
    """

    rol_indptr: np.ndarray
    rol_programs: np.ndarray
    program_ranks: np.ndarray
    capacities: np.ndarray
    couples: np.ndarray
    couple_indptr: np.ndarray
    pair_programs: np.ndarray
    pair_ranks: np.ndarray
    supplemental_indptr: np.ndarray
    supplemental_programs: np.ndarray
    supplemental_ranks: np.ndarray


def roth_peranson_iv(
    rol_indptr, rol_programs, program_ranks, capacities, *, max_rounds, check, **optional
) -> NRMPMarket:
    """Normalise the inputs; with ``check``, raise ``ValueError`` naming the first problem."""
    if check:
        singles = deferred_acceptance_iv(rol_indptr, rol_programs, program_ranks, capacities)
        if not isinstance(max_rounds, int | np.integer) or max_rounds < 0:
            raise ValueError(f"max_rounds must be a non-negative integer, got {max_rounds!r}")
    else:
        singles = tuple(
            np.asarray(x, dtype=_INT) for x in (rol_indptr, rol_programs, program_ranks, capacities)
        )
    indptr, programs, ranks, caps = singles
    n, p = indptr.size - 1, caps.size
    arrays = {}
    for group, names in (("couples", _COUPLE_ARRAYS), ("supplemental", _SUPPLEMENTAL_ARRAYS)):
        given = [name for name in names if optional[name] is not None]
        if check and given and len(given) < len(names):
            missing = ", ".join(name for name in names if name not in given)
            raise ValueError(f"{group}: {', '.join(given)} given without {missing}")
        for name in names:
            arrays[name] = _array(name, optional[name], check)
    if optional["couples"] is None:
        arrays.update(
            couples=np.zeros((0, 2), dtype=_INT),
            couple_indptr=np.zeros(1, dtype=_INT),
            pair_programs=np.zeros((0, 2), dtype=_INT),
            pair_ranks=np.zeros((0, 2), dtype=_INT),
        )
    if optional["supplemental_indptr"] is None:
        arrays.update(
            supplemental_indptr=np.zeros(programs.size + 1, dtype=_INT),
            supplemental_programs=np.zeros(0, dtype=_INT),
            supplemental_ranks=np.zeros(0, dtype=_INT),
        )
    market = NRMPMarket(
        rol_indptr=indptr, rol_programs=programs, program_ranks=ranks, capacities=caps, **arrays
    )
    if check:
        _check_couples(market, n, p)
        _check_supplemental(market, n, p)
        _check_ranks_agree(market, n, p)
    no_match = market.pair_programs == p
    if no_match.any():
        market = replace(market, pair_ranks=np.where(no_match, n, market.pair_ranks))
    return market


def _array(name, value, check):
    if value is None:
        return None
    array = np.asarray(value)
    if check and array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers, got dtype {array.dtype}")
    array = array.astype(_INT, copy=False)
    if name in ("couples", "pair_programs", "pair_ranks"):
        array = array.reshape(0, 2) if array.size == 0 else array
        if check and (array.ndim != 2 or array.shape[1] != 2):
            raise ValueError(f"{name} must have shape (n, 2), got {array.shape}")
    elif check and array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def _check_indptr(name, indptr, n_segments, n_items, items):
    if indptr.size != n_segments + 1:
        raise ValueError(f"{name} must have {n_segments + 1} entries, got {indptr.size}")
    if indptr[0] != 0 or indptr[-1] != n_items or np.any(np.diff(indptr) < 0):
        raise ValueError(f"{name} must start at 0, never decrease and end at len({items})")


def _check_couples(market: NRMPMarket, n: int, p: int) -> None:
    couples, pairs, ranks = market.couples, market.pair_programs, market.pair_ranks
    _check_indptr("couple_indptr", market.couple_indptr, len(couples), len(pairs), "pair_programs")
    if ranks.shape != pairs.shape:
        raise ValueError(f"pair_ranks has shape {ranks.shape} but pair_programs {pairs.shape}")
    if couples.size and (couples.min() < 0 or couples.max() >= n):
        raise ValueError(f"couples must hold applicant indices in [0, {n})")
    if np.unique(couples).size != couples.size:
        raise ValueError("an applicant appears twice in couples (in one couple or in two)")
    single = np.diff(market.rol_indptr)[couples.ravel()] > 0
    if single.any():
        raise ValueError(
            f"applicant {couples.ravel()[single][0]} is in a couple and also has a single list"
        )
    if pairs.size and (pairs.min() < 0 or pairs.max() > p):
        raise ValueError(f"pair_programs must lie in [0, {p}] ({p} = no match for that member)")
    if np.any((pairs == p).all(axis=1)):
        raise ValueError("a pair has no match for both members")
    named = pairs < p
    if np.any(named & ((ranks < 0) | (ranks > n))):
        raise ValueError(f"pair_ranks must lie in [0, {n}] ({n} = not ranked)")
    couple = segment_ids(market.couple_indptr)
    key = (couple * (p + 1) + pairs[:, 0]) * (p + 1) + pairs[:, 1]
    if _repeats(key):
        raise ValueError("a couple ranks the same pair twice")


def _check_supplemental(market: NRMPMarket, n: int, p: int) -> None:
    indptr, programs = market.supplemental_indptr, market.supplemental_programs
    ranks, n_entries = market.supplemental_ranks, market.rol_programs.size
    _check_indptr("supplemental_indptr", indptr, n_entries, programs.size, "supplemental_programs")
    if ranks.size != programs.size:
        raise ValueError(
            f"supplemental_ranks has {ranks.size} entries but supplemental_programs {programs.size}"
        )
    if programs.size and (programs.min() < 0 or programs.max() >= p):
        raise ValueError(f"supplemental_programs must lie in [0, {p})")
    if ranks.size and (ranks.min() < 0 or ranks.max() > n):
        raise ValueError(f"supplemental_ranks must lie in [0, {n}] ({n} = not ranked)")
    entry = segment_ids(indptr)
    if np.any(programs == market.rol_programs[entry]):
        raise ValueError("a supplemental list names its own advanced program")
    key = entry * p + programs  # each list's keys above the last one's: sorted list by list
    sort_runs(key, indptr[:-1])
    if np.any(key[1:] == key[:-1]):
        raise ValueError("a supplemental list names the same program twice")


def _check_ranks_agree(market: NRMPMarket, n: int, p: int) -> None:
    """Each program gives each applicant one rank, and distinct applicants distinct ranks.

    The singles' primary lists alone were checked by the kernel's own checks; an applicant
    with supplemental lists or in a couple may list one program more than once (the same
    PGY-1 program under two advanced ones, one program in two pairs)."""
    if market.pair_programs.size == 0 and market.supplemental_programs.size == 0:
        return
    owner, key, first = _seats_by_applicant(market, n, p)
    sort_within_runs(key, first)
    program = key // (n + 1)
    run_start = np.zeros(key.size + 1, dtype=bool)
    run_start[first] = True
    differ = (program[1:] == program[:-1]) & (key[1:] != key[:-1]) & ~run_start[1:-1]
    differ = np.flatnonzero(differ)
    if differ.size:
        at = differ[0]
        who = owner[np.searchsorted(first, at, side="right") - 1]
        raise ValueError(f"program {program[at]} gives applicant {who} two different ranks")
    named = market.pair_programs < p
    applicant = segment_ids(market.rol_indptr)
    program = np.concatenate(
        (market.rol_programs, market.pair_programs[named], market.supplemental_programs)
    )
    who = np.concatenate(
        (
            applicant,
            market.couples[segment_ids(market.couple_indptr)][named],
            applicant[segment_ids(market.supplemental_indptr)],
        )
    )
    rank = np.concatenate(
        (market.program_ranks, market.pair_ranks[named], market.supplemental_ranks)
    )
    at = rank_clash(program, p, rank, n, who=who)
    if at is not None:
        raise ValueError(f"program {program[at]} gives rank {rank[at]} to two applicants")


def _seats_by_applicant(market: NRMPMarket, n: int, p: int):
    """Every seat of the applicants who may list a program twice, applicant by applicant:
    (each run's applicant, the seats' keys ``program * (n + 1) + rank``, each run's first
    position).  A single with supplemental lists: its primary entries, then its
    supplemental ones; a couple member: its side of the couple's pairs ("no match" as
    program ``p``, rank ``n``)."""
    indptr, supp_indptr = market.rol_indptr, market.supplemental_indptr
    primary = np.diff(indptr)
    supplemental = np.diff(supp_indptr[indptr])
    singles = np.flatnonzero(supplemental > 0)
    size = primary[singles] + supplemental[singles]
    start = np.cumsum(size) - size
    key = np.empty(int(size.sum()), dtype=_INT)
    for to, count, rows_from, programs, ranks in (
        (start, primary[singles], indptr[singles], market.rol_programs, market.program_ranks),
        (
            start + primary[singles],
            supplemental[singles],
            supp_indptr[indptr[singles]],
            market.supplemental_programs,
            market.supplemental_ranks,
        ),
    ):
        rows = segment_aranges(rows_from, count)
        key[segment_aranges(to, count)] = np.take(programs, rows) * (n + 1) + np.take(ranks, rows)
    keys, firsts, owners = [key], [start], [singles]
    pairs, ranks = market.pair_programs, market.pair_ranks
    for side in (0, 1):
        named = pairs[:, side] < p
        keys.append(np.where(named, pairs[:, side] * (n + 1) + ranks[:, side], p * (n + 1) + n))
        firsts.append(key.size + side * pairs.shape[0] + market.couple_indptr[:-1])
        owners.append(market.couples[:, side])
    return np.concatenate(owners), np.concatenate(keys), np.concatenate(firsts)


def _repeats(key: np.ndarray) -> bool:
    key = np.sort(key)
    return bool(np.any(key[1:] == key[:-1]))


@dataclass(frozen=True, slots=True)
class NRMPResult:
    """What the NRMP procedure found.

    ``match[a]``: applicant ``a``'s program (categorical, advanced or a one-year
    position from the primary list), ``P`` if unmatched.  ``pgy1[a]``: the PGY-1
    program from a supplemental list, ``P`` if none.  ``stable``: no unit blocks
    (false only when re-processing hit ``max_rounds`` or found a cycle).
    ``rounds``: re-processing rounds run (with batches, their rounds too).
    """

    match: np.ndarray
    pgy1: np.ndarray
    stable: bool
    rounds: int


def result(match, pgy1, stable, rounds) -> NRMPResult:
    """The result record, its arrays copied and read-only."""
    match, pgy1 = match.copy(), pgy1.copy()
    match.flags.writeable = pgy1.flags.writeable = False
    return NRMPResult(match=match, pgy1=pgy1, stable=bool(stable), rounds=int(rounds))
