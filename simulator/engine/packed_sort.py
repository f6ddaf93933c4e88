"""``np.lexsort``'s order from one fast sort of packed 64-bit integers; runs sorted as rows.

NumPy sorts one int64 array several times faster than ``lexsort`` sorts the columns
it was packed from; the engine and the market order holds, seats and pairs this way.
"""

from __future__ import annotations

import time

import numpy as np

from simulator.engine.csr import segment_aranges


def packed_lexsort(columns, sizes=None) -> np.ndarray:
    """The indices ordering by ``columns[0]``, then ``columns[1]``, ..., ties by index:
    ``np.lexsort(columns[::-1])``.

    Columns are non-negative integers, each below its entry of ``sizes`` (default: its
    maximum plus one).  They are packed with the index into one int64 and sorted once
    when that fits in 63 bits; otherwise ``np.lexsort`` does it.
    """
    columns = [np.asarray(c, dtype=np.int64) for c in columns]
    if sizes is None:
        sizes = [None] * len(columns)
    sizes = [int(c.max(initial=0)) + 1 if s is None else int(s) for c, s in zip(columns, sizes)]
    index_bits = columns[0].size.bit_length()
    if int(np.prod(sizes, dtype=object)).bit_length() + index_bits > 63:
        return np.lexsort(columns[::-1])
    key = columns[0].copy()
    for column, size in zip(columns[1:], sizes[1:]):
        key *= size
        key += column
    key <<= index_bits
    key |= np.arange(key.size)
    key.sort()
    key &= (1 << index_bits) - 1
    return key


#: :func:`sort_by_runs` sorts group by group when rows come in runs this long on average.
ROWS_PER_RUN = 4


def sort_by_runs(key, group) -> np.ndarray | None:
    """``np.sort(key)`` for packed int64 keys whose top bits are ``group`` (non-negative),
    when the rows come in runs of one group (an applicant's applications to a specialty):
    the runs of each group laid side by side (a sort of the runs only), then each group's
    keys sorted alone by :func:`sort_runs`, faster than one long sort.  ``None`` (nothing
    done) when the runs are short, or where one long sort is the faster
    (:func:`whole_sort_is_faster`)."""
    if not group.size or whole_sort_is_faster():
        return None
    runs = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    if runs.size * ROWS_PER_RUN > group.size:
        return None
    run_group = np.take(group, runs)
    by_group = packed_lexsort([run_group])
    size = np.diff(runs, append=group.size)[by_group]
    rows = segment_aranges(runs[by_group], size)
    starts_group = np.r_[True, run_group[by_group[1:]] != run_group[by_group[:-1]]]
    grouped = np.take(key, rows)
    sort_runs(grouped, (np.cumsum(size) - size)[starts_group])
    return grouped


#: Run widths sorted as rows of a padded 2-D array: each run goes to the narrowest that
#: holds it.  NumPy sorts short rows with sorting networks, several times faster per key
#: than one long sort on some machines; longer runs are sorted together as one array.
RUN_WIDTHS = (16, 64, 256)

#: Whether one sort of a whole array of packed keys beats sorting its runs as rows on this
#: machine: ``None`` until :func:`whole_sort_is_faster` measures it (tests set it).
WHOLE_SORT: bool | None = None


def whole_sort_is_faster() -> bool:
    """Whether one ``keys.sort()`` beats sorting the runs as rows here: timed once per
    process by :func:`run_sort_seconds` on 2**17 keys.

    Where NumPy sorts int64 with AVX-512 (x86-simd-sort), one sort of 4.5 million keys
    takes about 42 ms and beats the rows 3-4 times over; elsewhere it took 270-390 ms and
    the rows won by a few times.  Both orders are the same: only the time differs.
    """
    global WHOLE_SORT
    if WHOLE_SORT is None:
        whole, rows = run_sort_seconds(2**17)
        WHOLE_SORT = bool(whole < rows)
    return WHOLE_SORT


def run_sort_seconds(n_keys: int, repeats: int = 3) -> tuple[float, float]:
    """The best of ``repeats`` seconds of one whole sort and of the rows' sort of ``n_keys``
    packed keys in runs of about 14 (an applicant's applications to a specialty)."""
    rng = np.random.default_rng(0)
    size = rng.integers(1, 28, max(n_keys // 14, 1))
    first = np.cumsum(size) - size
    keys = np.repeat(np.arange(size.size, dtype=np.int64) << 32, size)
    keys |= rng.integers(0, 2**32, keys.size)
    return (
        _best_seconds(lambda k: k.sort(), keys, repeats),
        _best_seconds(lambda k: _sort_each_run(k, first), keys, repeats),
    )


def _best_seconds(sort, keys, repeats) -> float:
    best = np.inf
    for _ in range(repeats):
        copy = keys.copy()
        started = time.perf_counter()
        sort(copy)
        best = min(best, time.perf_counter() - started)
    return best


def sort_runs(keys, first) -> None:
    """``keys.sort()`` for keys whose runs are in order already: run ``g`` is
    ``keys[first[g]:first[g + 1]]`` (``first`` increasing from 0; the last run ends at the
    end), and every key of a run is below every key of the next (packed keys whose top
    bits number the run).  Each run sorted alone where that is faster
    (:func:`whole_sort_is_faster`).  Keys, of any integer type, must be below its largest
    value, which pads the rows.
    """
    if whole_sort_is_faster():
        keys.sort()
    else:
        _sort_each_run(keys, first)


def sort_within_runs(keys, first) -> None:
    """Sorts each run of ``keys`` in place (runs as in :func:`sort_runs`, but no key need
    number its run): where one sort is the faster, of the keys with their run's number
    packed above them; non-negative int64 keys."""
    packed, shift = _numbered(keys, first)
    if packed is None:
        _sort_each_run(keys, first)
        return
    packed.sort()
    np.bitwise_and(packed, (1 << shift) - 1, out=keys)


def runs_repeat(keys, first) -> bool:
    """Whether a run of ``keys`` (as in :func:`sort_runs`, but no key need number its run)
    holds one key twice; ``keys`` is left as it is.  Where one sort is the faster, the keys
    with their run's number packed above them are sorted and neighbours compared;
    otherwise short runs are sorted as rows, longer ones ordered by run, then key."""
    packed, _ = _numbered(keys, first)
    if packed is not None:
        packed.sort()
        return bool(np.any(packed[1:] == packed[:-1]))
    pad = np.iinfo(keys.dtype).max
    for _, _, padded in _short_runs_sorted(keys, first):
        if np.any((padded[:, 1:] == padded[:, :-1]) & (padded[:, 1:] != pad)):
            return True
    longest = _long_run_rows(keys.size, first)
    if not longest.size:
        return False
    run = np.searchsorted(first, longest, side="right")
    key = np.take(keys, longest).astype(np.int64)
    order = packed_lexsort([run, key])
    run, key = run[order], key[order]
    return bool(np.any((key[1:] == key[:-1]) & (run[1:] == run[:-1])))


def _numbered(keys, first):
    """``(packed, shift)``: ``keys`` (non-negative) as int64 with their run's number above
    their ``shift`` bits, when one sort is the faster here and they fit in 63 bits;
    otherwise ``(None, 0)``."""
    if not keys.size or not whole_sort_is_faster():
        return None, 0
    shift = int(keys.max()).bit_length()
    if shift + int(first.size).bit_length() > 63:
        return None, 0
    size = np.diff(first, append=keys.size)
    packed = np.repeat(np.arange(first.size, dtype=np.int64) << shift, size)
    packed |= keys
    return packed, shift


def _sort_each_run(keys, first) -> None:
    """Sorts each run in place: short ones as the rows of a padded array, long ones ordered
    by run, then key (:data:`RUN_WIDTHS`)."""
    for rows, cells, padded in _short_runs_sorted(keys, first):
        keys[rows] = np.take(padded, cells)
    longest = _long_run_rows(keys.size, first)
    if longest.size:
        key = np.take(keys, longest)
        run = np.searchsorted(first, longest, side="right")
        keys[longest] = key[packed_lexsort([run, key.astype(np.int64)])]


def _short_runs_sorted(keys, first):
    """For each class of :data:`RUN_WIDTHS`, its runs sorted as the rows of a padded 2-D
    array: ``(rows, cells, padded)``, their positions in ``keys`` and in ``padded``, flat."""
    size = np.diff(first, append=keys.size)
    narrower = 1  # runs of one key are sorted already
    for width in RUN_WIDTHS:
        runs = np.flatnonzero((size > narrower) & (size <= width))
        narrower = width
        if runs.size:
            rows = segment_aranges(first[runs], size[runs])
            cells = segment_aranges(np.arange(runs.size, dtype=np.int64) * width, size[runs])
            padded = np.full((runs.size, width), np.iinfo(keys.dtype).max, dtype=keys.dtype)
            padded.ravel()[cells] = np.take(keys, rows)
            padded.sort(axis=1)
            yield rows, cells, padded


def _long_run_rows(n_keys, first) -> np.ndarray:
    """The positions of the runs longer than the widest of :data:`RUN_WIDTHS`."""
    size = np.diff(first, append=n_keys)
    runs = np.flatnonzero(size > RUN_WIDTHS[-1])
    return segment_aranges(first[runs], size[runs])
