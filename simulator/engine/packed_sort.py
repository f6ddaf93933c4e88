"""``np.lexsort``'s order from one fast sort of packed 64-bit integers; runs sorted as rows.

NumPy sorts one int64 array several times faster than ``lexsort`` sorts the columns
it was packed from; the engine and the market order holds, seats and pairs this way.
"""

from __future__ import annotations

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
    done) when the runs are short."""
    if not group.size:
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
#: than one long sort; longer runs are sorted together as one array.
RUN_WIDTHS = (16, 64, 256)


def sort_runs(keys, first) -> None:
    """Sorts each run of ``keys`` in place: run ``g`` is ``keys[first[g]:first[g + 1]]``
    (``first`` increasing from 0; the last run ends at the end).

    The same as ``keys.sort()`` when every key of a run is below every key of the next
    (packed keys whose top bits number the run), a few times faster.  Keys, of any integer
    type, must be below its largest value, which pads the rows.
    """
    for rows, cells, padded in _short_runs_sorted(keys, first):
        keys[rows] = np.take(padded, cells)
    longest = _long_run_rows(keys.size, first)
    if longest.size:
        rows = np.take(keys, longest)
        rows.sort()
        keys[longest] = rows


def runs_repeat(keys, first) -> bool:
    """Whether a run of ``keys`` (as in :func:`sort_runs`, but no key need number its run)
    holds one key twice; ``keys`` is left as it is.  Short runs are sorted as rows and
    their neighbours compared; longer ones are ordered by run, then key."""
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
