"""Workers keep freed memory: a large array freed and allocated again reuses the same pages."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.study.memory import keep_freed_memory


def test_a_freed_large_array_is_reused_not_returned_to_the_system():
    """Fresh pages from the system come zeroed (and page-fault); reused ones keep the old bytes."""
    if not keep_freed_memory():
        pytest.skip("not glibc: malloc cannot be told to keep freed memory")
    n = 96 * 2**20 // 8  # above glibc's largest mmap threshold (32 MiB): mmap'd by default
    first = np.full(n, 7.0)
    del first
    second = np.empty(n)
    assert np.count_nonzero(second == 7.0) > 0.99 * n
