"""``np.lexsort``'s order from one fast sort of packed 64-bit integers.

NumPy sorts one int64 array several times faster than ``lexsort`` sorts the columns
it was packed from; the engine and the market order holds, seats and pairs this way.
"""

from __future__ import annotations

import numpy as np


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
