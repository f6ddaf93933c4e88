"""The market re-solved with one list changed, for many variants of that list at once.

Both :mod:`simulator.teaching.manipulation` (every list a name could submit)
and :mod:`simulator.teaching.why` (what adding one name to the bottom of a
list would have done) ask the same question many times over: what does this
applicant or program get if its list were different and everyone else's
stayed as in the file?  The variants are solved in batches, each batch one
large market of disjoint copies of the small one handed once to the
vectorised engine.  In the batch market "not ranked" is, as always, the
number of its applicants, so the small market's sentinel is moved along.
"""

from __future__ import annotations

import itertools

import numpy as np

from simulator.engine.kernel import deferred_acceptance
from simulator.teaching.smallmarket import SmallMarket

#: Entries per engine call when variants are solved in batches (bounds memory).
_BATCH_ENTRIES = 1_000_000


def applicant_outcomes(market: SmallMarket, a: int, lists, proposing: str) -> np.ndarray:
    """The program applicant ``a`` gets with each list in ``lists`` (``n_programs``: unmatched).

    Each list is a sequence of program indices; everyone else's lists, and the
    programs' true ranks of ``a``, stay as they are.  The lists are solved in
    batches: each batch is one market of disjoint copies, copy ``k`` with
    ``a`` (moved last) submitting list ``k``, handed once to the engine.
    """
    indptr, programs, ranks, caps = market.to_arrays()
    n_a, n_p = indptr.size - 1, caps.size
    mine = np.zeros(programs.size, dtype=bool)
    mine[indptr[a] : indptr[a + 1]] = True
    other_programs, other_ranks = programs[~mine], ranks[~mine]
    other_lengths = np.delete(np.diff(indptr), a)
    n_other = other_programs.size
    true_rank = np.full(n_p, n_a, dtype=np.int64)
    rank_of_a = {
        p: r
        for p, r_list in enumerate(market.program_ranks)
        for r, x in enumerate(r_list)
        if x == market.applicants[a]
    }
    for p, r in rank_of_a.items():
        true_rank[p] = r
    out = np.empty(len(lists), dtype=np.int64)
    per_batch = max(1, _BATCH_ENTRIES // max(n_other + n_p, 1))
    for lo in range(0, len(lists), per_batch):
        batch = lists[lo : lo + per_batch]
        k = len(batch)
        lengths = np.fromiter((len(x) for x in batch), dtype=np.int64, count=k)
        flat = np.fromiter(
            itertools.chain.from_iterable(batch), dtype=np.int64, count=int(lengths.sum())
        )
        n_total = k * n_a  # applicants in the batch market: the new "not ranked" sentinel
        copy = np.arange(k, dtype=np.int64)
        row_lengths = np.concatenate([np.tile(other_lengths, (k, 1)), lengths[:, None]], axis=1)
        new_indptr = np.zeros(n_total + 1, dtype=np.int64)
        np.cumsum(row_lengths.ravel(), out=new_indptr[1:])
        per_copy = n_other + lengths
        start = np.concatenate([[0], np.cumsum(per_copy)[:-1]])
        rol = np.empty(int(per_copy.sum()), dtype=np.int64)
        rk = np.empty_like(rol)
        at = (start[:, None] + np.arange(n_other)).ravel()
        rol[at] = (other_programs[None, :] + (copy * n_p)[:, None]).ravel()
        rk[at] = np.tile(np.where(other_ranks >= n_a, n_total, other_ranks), k)
        copy_of = np.repeat(copy, lengths)
        within = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        at = start[copy_of] + n_other + within
        rol[at] = flat + copy_of * n_p
        rk[at] = np.where(true_rank[flat] >= n_a, n_total, true_rank[flat])
        match = deferred_acceptance(
            new_indptr, rol, rk, np.tile(caps, k), proposing=proposing, check_input=False
        )
        got = match.reshape(k, n_a)[:, -1]
        out[lo : lo + k] = np.where(got == k * n_p, n_p, got - copy * n_p)
    return out


def program_rank_row(market: SmallMarket, submitted) -> np.ndarray:
    """A program's rank of every applicant if it submitted ``submitted`` (``n_applicants``: not
    ranked), a row for :func:`program_outcomes`."""
    n_a = len(market.applicants)
    row = np.full(n_a, n_a, dtype=np.int64)
    for r, name in enumerate(submitted):
        row[market.applicants.index(name)] = r
    return row


def program_outcomes(market: SmallMarket, q: int, rows, proposing: str) -> np.ndarray:
    """Which applicants program ``q`` gets with each rank row, as a ``(len(rows), n_applicants)``
    bool array.

    ``rows[k][a]`` is the rank ``q`` gives applicant ``a`` in variant ``k``
    (``n_applicants``: not ranked); every other list stays as it is.  Solved
    in batches of disjoint copies, as in :func:`applicant_outcomes`.
    """
    indptr, programs, ranks, caps = market.to_arrays()
    n_a, n_p = indptr.size - 1, caps.size
    applicant_of = np.repeat(np.arange(n_a), np.diff(indptr))
    at_q = programs == q
    rows = np.asarray(rows, dtype=np.int64).reshape(len(rows), n_a)
    out = np.zeros(rows.shape, dtype=bool)
    per_batch = max(1, _BATCH_ENTRIES // max(programs.size, 1))
    for lo in range(0, len(rows), per_batch):
        batch = rows[lo : lo + per_batch]
        k = len(batch)
        n_total = k * n_a
        copy = np.arange(k, dtype=np.int64)
        new_indptr = np.zeros(n_total + 1, dtype=np.int64)
        np.cumsum(np.tile(np.diff(indptr), k), out=new_indptr[1:])
        rol = (programs[None, :] + (copy * n_p)[:, None]).ravel()
        rk = np.where(at_q[None, :], batch[:, applicant_of], ranks[None, :])
        rk = np.where(rk >= n_a, n_total, rk).ravel()
        match = deferred_acceptance(
            new_indptr, rol, rk, np.tile(caps, k), proposing=proposing, check_input=False
        )
        out[lo : lo + k] = match.reshape(k, n_a) == (q + copy * n_p)[:, None]
    return out
