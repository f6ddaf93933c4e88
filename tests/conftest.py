"""Shared test settings: hypothesis profiles (``ci`` is derandomised and is the default)."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(params=[False, True], ids=["runs as rows", "one whole sort"])
def both_sort_paths(request):
    """Runs :mod:`simulator.engine.packed_sort`'s sorts each way, whichever is faster on this
    machine (the two must give the same results)."""
    from simulator.engine import packed_sort

    saved, packed_sort.WHOLE_SORT = packed_sort.WHOLE_SORT, request.param
    yield request.param
    packed_sort.WHOLE_SORT = saved
