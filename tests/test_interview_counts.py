"""The split signal counts equal plain per-flag counts; the packed keys, the plain packing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.market.interviews import Quantiser
from simulator.market.signals import GOLD, NONE, code_counts, signal_counts


def plain_counts(who, n, code, invited):
    """:data:`SIGNAL_COUNTS` per applicant, one ``bincount`` per flag."""
    tier, geographic, in_state = code >> 2, (code >> 1) & 1 == 1, code & 1 == 1
    signalled, gold = tier > NONE, tier == GOLD
    flags = (
        signalled,
        gold,
        invited,
        invited & signalled,
        invited & gold,
        geographic,
        invited & geographic,
        in_state,
        invited & in_state,
    )
    return np.stack([np.bincount(who[f], minlength=n) for f in flags], axis=1)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 400), st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_code_counts_add_up_to_the_signal_counts(m, n, seed):
    rng = np.random.default_rng(seed)
    who = rng.integers(0, n, m)
    code = (rng.integers(0, 3, m) << 2 | rng.integers(0, 4, m)).astype(np.uint8)
    code[rng.random(m) < 0.5] = 0  # most applications carry nothing
    invited = rng.random(m) < 0.3
    expected = plain_counts(who, n, code, invited)
    rows = np.flatnonzero(invited)
    split = code_counts(who, n, code, invited=False) + code_counts(
        who[rows], n, code[rows], invited=True
    )
    np.testing.assert_array_equal(split, expected)
    np.testing.assert_array_equal(signal_counts(who, n, code, invited), expected)
    assert signal_counts(who, n, code, invited).dtype == np.int32


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=300),
    st.integers(1, 40),
    st.integers(0, 2**32 - 1),
)
def test_packed_keys_and_order_equal_the_clipped_packing(values, n_groups, seed):
    """Keys skip the clip of the levels when the smallest value's level fits (few rows:
    52 value bits, the finest quantisation)."""
    value = np.array(values)
    group = np.random.default_rng(seed).integers(0, n_groups, value.size)
    quantiser = Quantiser.of(group, value, n_groups)
    index = np.arange(value.size)
    levels = np.minimum(
        ((quantiser.high - value) * quantiser.step).astype(np.int64),
        (1 << quantiser.value_bits) - 1,
    )
    plain = np.sort(
        (group << (quantiser.value_bits + quantiser.index_bits))
        | (levels << quantiser.index_bits)
        | index
    )
    np.testing.assert_array_equal(quantiser.keys(group, value, index), plain)
    clipping = replace(quantiser, lowest_fits=False)  # the clip changes nothing here either
    np.testing.assert_array_equal(clipping.keys(group, value, index), plain)
    np.testing.assert_array_equal(
        quantiser.order(group, value, index), plain & ((1 << quantiser.index_bits) - 1)
    )
