"""Keep freed memory in the process for reuse, so trials do not page-fault.

A full-scale trial allocates and frees arrays of tens of megabytes dozens of
times.  By default glibc's ``malloc`` serves an array that large with ``mmap``
and hands it back with ``munmap`` when it is freed, so every trial touches
fresh pages again, and every first touch of a page is a page fault.  Page
faults are costly in virtual machines, and two worker processes faulting at
once wait for each other: on the 2-core machine this project is developed on,
a lone trial spent 15% of its CPU time in the kernel, and two workers together
ran no faster than one (``benchmarks/bench_scale.py`` shows the figures).

:func:`keep_freed_memory` tells ``malloc`` to serve every array from its heap
and never to shrink the heap, so a worker reuses the same pages trial after
trial.  The cost: a worker keeps its peak memory until it exits (the peak
itself is unchanged; the README states it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's <malloc.h>
_M_MMAP_MAX = -4


@functools.cache
def keep_freed_memory() -> bool:
    """Make glibc's ``malloc`` keep freed memory; return whether it could (not glibc: no-op).

    Process-wide and idempotent: the worker of every executor calls it before
    its first trial.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without mallopt)
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    no_mmap = mallopt(_M_MMAP_MAX, 0) == 1
    no_trim = mallopt(_M_TRIM_THRESHOLD, 2**31 - 1) == 1
    return no_mmap and no_trim
