"""The linear-time draw of benchmarks/bench_applications.py, which docs/model.md §5 measures
against the shipped dense draw: it must draw the same design for the comparison to hold."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from simulator.market import market_inputs
from simulator.market.params import MarketParams
from simulator.market.published import load_published

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_applications import Market  # noqa: E402


@pytest.fixture(scope="module")
def market():
    return Market(market_inputs(load_published(), 0.05), MarketParams())


def test_both_draws_send_the_expected_number_of_applications(market):
    """Poisson sampling: the count's SD is at most the square root of its mean."""
    for draw in (market.dense, market.linear):
        counts = [draw(np.random.default_rng(seed)) for seed in range(3)]
        assert all(abs(c - market.expected) < 5 * np.sqrt(market.expected) for c in counts)


def test_the_linear_draw_includes_each_program_with_its_probability(market):
    """Over many draws, how often one applicant's row lands on each of its programs matches
    min(1, c w) (a z-score per program, none beyond 5)."""
    row = int(np.argmax(np.isfinite(market.scale) & (market.size >= 20)))
    chance = np.minimum(
        1.0,
        market.scale[row]
        * market.weights[market.start[row] : market.start[row] + market.size[row]],
    )
    assert (chance < 1).sum() > 10  # programs drawn by jumps, not only certain ones
    only = Market.__new__(Market)  # the same tables, that one applicant alone
    only.scale, only.weights = market.scale[row : row + 1], market.weights
    only.start, only.size = market.start[row : row + 1], market.size[row : row + 1]
    hits = np.zeros(chance.size)
    draws = 4_000
    for seed in range(draws):
        _, places = only.linear_places(np.random.default_rng(seed))
        hits += np.bincount(places, minlength=chance.size)
    spread = np.sqrt(np.maximum(chance * (1 - chance), 1e-12) * draws)
    assert np.all(np.abs(hits - chance * draws) < 5 * spread + 1e-9)
