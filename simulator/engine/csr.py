"""CSR helpers: the segments of index-pointer arrays, as the engine and the market use them."""

from __future__ import annotations

import numpy as np

_INT = np.int64


def segment_ids(indptr: np.ndarray) -> np.ndarray:
    """The segment each position belongs to, for CSR pointers ``indptr``."""
    return np.repeat(np.arange(indptr.size - 1, dtype=_INT), np.diff(indptr))


def segment_aranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for each start ``s`` and count ``c``."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=_INT)
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total, dtype=_INT)


def place_in_group(sorted_groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal values (0 for the first)."""
    n = sorted_groups.size
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    sizes = np.diff(np.r_[starts, n])
    return np.arange(n, dtype=_INT) - np.repeat(starts, sizes)
