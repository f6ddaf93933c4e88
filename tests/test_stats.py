"""Tests for simulator.stats (and its printing in simulator.report.text): pinned literature
values, hand calculations, theorems as properties, and seeded coverage simulations.

Pinned numbers come from two sources, and each test says which:
* published tables (Newcombe 1998a Table I for Wilson; Newcombe 1998b
  Table II for the unpaired square-and-add interval), quoted to 4 decimals;
* values computed here from the published formula by an independent route
  (root-finding the Wilson quadratic with scipy's brentq instead of the
  closed form), which is how the paired (Newcombe 1998c method 10) examples
  are checked.
Coverage tests are seeded and use tolerances, never exact floats.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import norm

from simulator.report.text import format_ci, format_interval, format_percent
from simulator.stats import (
    PairedDifference,
    Proportion,
    UnpairedDifference,
    clustered_proportion,
    clustered_proportion_from_counts,
    paired_difference,
    proportion,
    unpaired_difference,
    wilson_interval,
)

Z95 = norm.ppf(0.975)


# ---------------------------------------------------------------- helpers


def wilson_by_root_finding(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson limits as the roots of (p - pi)^2 = z^2 pi (1 - pi) / n, found numerically."""

    def f(pi):
        return (p - pi) ** 2 - z * z * pi * (1 - pi) / n

    low = 0.0 if p == 0 else brentq(f, 0.0, p, xtol=1e-14)
    high = 1.0 if p == 1 else brentq(f, p, 1.0, xtol=1e-14)
    return low, high


def newcombe_paired_reference(both, b_only, a_only, neither):
    """Newcombe (1998c) method 10, written out plainly from the paper's formulas.

    Newcombe's table is a (both +), b (+ first, - second), c (- first, + second), d;
    theta = p1 - p2 = (b - c) / n.  Here "first" is strategy B.
    """
    a, b, c, d = both, b_only, a_only, neither
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_by_root_finding(p1, n)
    l2, u2 = wilson_by_root_finding(p2, n)
    den = (a + b) * (c + d) * (a + c) * (b + d)
    phi = 0.0 if den == 0 else (a * d - b * c) / math.sqrt(den)
    theta = p1 - p2
    delta = math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    eps = math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return theta, theta - delta, theta + eps


def outcomes(k: int, n: int) -> np.ndarray:
    """A bool array with k successes out of n."""
    return np.arange(n) < k


def paired_table(both, b_only, a_only, neither):
    """Outcome arrays (a, b) realising a paired 2x2 table."""
    counts = [both, b_only, a_only, neither]
    a = np.repeat([True, False, True, False], counts)
    b = np.repeat([True, True, False, False], counts)
    return a, b


# ---------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998a) Table I, method 3 (Wilson score without CC).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # Hand-checked: 0/10 upper limit is z^2 / (n + z^2) = 3.8415 / 13.8415.
        (0, 10, 0.0, 0.2775),
        # 5/10: centre 1/2, half-width z sqrt(z^2 + 10) / (2 (10 + z^2)) = 0.2634.
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_published_and_hand_values(k, n, low, high):
    got_low, got_high = wilson_interval(k, n)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)
    assert isinstance(got_low, float)


def test_wilson_closed_forms_at_the_edges():
    z2 = Z95**2
    assert wilson_interval(0, 10) == (0.0, pytest.approx(z2 / (10 + z2), rel=1e-12))
    assert wilson_interval(10, 10) == (pytest.approx(10 / (10 + z2), rel=1e-12), 1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("k", "n"), [(81, 263), (15, 148), (1, 29), (5, 10), (199, 200)])
def test_wilson_matches_root_finding(k, n):
    assert wilson_interval(k, n) == pytest.approx(wilson_by_root_finding(k / n, n), abs=1e-10)


def test_wilson_is_vectorised():
    k = np.array([0, 5, 10, 0])
    n = np.array([10, 10, 10, 0])
    low, high = wilson_interval(k, n)
    assert low.shape == high.shape == (4,)
    for i in range(4):
        assert (low[i], high[i]) == pytest.approx(wilson_interval(int(k[i]), int(n[i])))
    # broadcasting a scalar n over an array of k
    low, high = wilson_interval(np.arange(11), 10)
    assert np.all(np.diff(low) > 0) and np.all(np.diff(high) > 0)


def test_wilson_confidence_level_changes_width():
    narrow = wilson_interval(30, 100, confidence=0.80)
    wide = wilson_interval(30, 100, confidence=0.99)
    assert wide[0] < narrow[0] and narrow[1] < wide[1]


st_counts = st.integers(0, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@given(st_counts, st.floats(0.5, 0.999))
def test_wilson_properties(counts, confidence):
    """Limits lie in [0, 1], bracket k/n, and mirror under k -> n - k."""
    k, n = counts
    low, high = wilson_interval(k, n, confidence)
    assert 0.0 <= low <= high <= 1.0
    if n:
        assert low <= k / n <= high
        mirror_low, mirror_high = wilson_interval(n - k, n, confidence)
        assert low == pytest.approx(1 - mirror_high, abs=1e-12)
        assert high == pytest.approx(1 - mirror_low, abs=1e-12)


def test_wilson_coverage_p_half_n_200():
    """Seeded: 4,000 replicates of Binomial(200, 0.5); coverage near 95%."""
    rng = np.random.default_rng(20240601)
    k = rng.binomial(200, 0.5, size=4000)
    low, high = wilson_interval(k, 200)
    coverage = np.mean((low <= 0.5) & (0.5 <= high))
    assert 0.93 <= coverage <= 0.97


# ---------------------------------------------------------------- proportion()


def test_proportion_result():
    r = proportion(81, 263)
    assert isinstance(r, Proportion)
    assert (r.k, r.n, r.method, r.confidence) == (81, 263, "wilson", 0.95)
    assert r.p == 81 / 263
    assert (r.ci_low, r.ci_high) == wilson_interval(81, 263)
    assert r.n_effective == 263 and r.design_effect == 1.0 and r.n_clusters is None
    assert r.half_width == pytest.approx((r.ci_high - r.ci_low) / 2)
    d = r.as_dict()
    assert d["k"] == 81 and d["method"] == "wilson" and d["half_width"] == r.half_width
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.k = 3  # type: ignore[misc]


def test_proportion_empty():
    r = proportion(0, 0)
    assert math.isnan(r.p)
    assert (r.ci_low, r.ci_high) == (0.0, 1.0)


def test_proportion_accepts_numpy_and_whole_floats():
    assert proportion(np.int32(3), np.int64(10)).p == 0.3
    assert proportion(3.0, 10.0).k == 3


@pytest.mark.parametrize(
    ("k", "n", "message"),
    [
        (11, 10, "k must be <= n"),
        (-1, 10, "k must be >= 0"),
        (0, -1, "n must be >= 0"),
        (2.5, 10, "k must be whole numbers"),
        (1, float("nan"), "n must be whole numbers"),
        ("3", 10, "k must be integers"),
    ],
)
def test_proportion_rejects_bad_counts(k, n, message):
    with pytest.raises(ValueError) as excinfo:
        proportion(k, n)
    assert message in str(excinfo.value)


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1, float("nan"), "0.95", True])
def test_bad_confidence(confidence):
    with pytest.raises(ValueError) as excinfo:
        wilson_interval(3, 10, confidence)
    assert "confidence" in str(excinfo.value)


def test_proportion_wants_scalars():
    with pytest.raises(ValueError) as excinfo:
        proportion([1, 2], [3, 4])
    assert "wilson_interval()" in str(excinfo.value)


def test_wilson_interval_rejects_bad_array():
    with pytest.raises(ValueError) as excinfo:
        wilson_interval(np.array([1, 12]), np.array([10, 10]))
    assert "k must be <= n" in str(excinfo.value)


# ---------------------------------------------------------------- clustered


def test_clustered_hand_example():
    """Cluster totals 3, 5, 0, 8 of 10 each.

    p = 16/40 = 0.4; residuals k_c - p n_c = -1, 1, -4, 4 (sum of squares 34);
    v_cl = 4/3 * 34 / 40^2 = 0.028333; v_iid = 0.4 * 0.6 / 40 = 0.006;
    deff = 4.7222; n_eff = 40 / deff = 8.4706.
    """
    r = clustered_proportion_from_counts([3, 5, 0, 8], [10, 10, 10, 10], df_adjust=False)
    assert (r.k, r.n, r.n_clusters) == (16, 40, 4)
    assert r.p == 0.4
    assert r.design_effect == pytest.approx(4.722222, rel=1e-6)
    assert r.n_effective == pytest.approx(8.470588, rel=1e-6)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson_by_root_finding(0.4, 40 / 4.7222222222))
    assert r.method == "wilson, design-effect adjusted (4 clusters)"
    # With the Korn-Graubard df correction (t with 3 df) the interval is wider.
    t = clustered_proportion_from_counts([3, 5, 0, 8], [10, 10, 10, 10])
    assert t.method == "wilson, design-effect adjusted (4 clusters; Korn-Graubard t df=3)"
    assert t.ci_low < r.ci_low and r.ci_high < t.ci_high
    assert t.n_effective == r.n_effective


def test_clustered_from_outcomes_equals_from_counts():
    rng = np.random.default_rng(7)
    trial = rng.integers(0, 30, size=900)
    y = rng.random(900) < 0.3 + 0.02 * (trial % 10)
    direct = clustered_proportion(y, trial)
    k = np.bincount(trial, weights=y, minlength=30).astype(int)
    n = np.bincount(trial, minlength=30)
    assert direct == clustered_proportion_from_counts(k, n)
    # Labels need not be 0..m-1 integers.
    assert clustered_proportion(y, np.array([f"t{i:02d}" for i in trial])) == direct


def test_clustered_without_excess_variation_is_plain_wilson():
    """Identical cluster totals: v_cl = 0, deff floored at 1, interval = Wilson at n."""
    r = clustered_proportion_from_counts([6] * 20, [10] * 20, df_adjust=False)
    assert r.design_effect == 1.0 and r.n_effective == 200
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson_interval(120, 200), abs=1e-14)


def test_clustered_degenerate_p():
    r = clustered_proportion_from_counts([0, 0, 0], [5, 7, 9])
    assert r.p == 0.0 and r.design_effect == 1.0 and r.ci_low == 0.0 and r.ci_high > 0


def test_clustered_single_cluster_falls_back():
    r = clustered_proportion([1, 0, 1, 1], [9, 9, 9, 9])
    assert r.design_effect == 1.0 and r.n_clusters == 1
    assert "single cluster" in r.method and "deff=1" in r.method
    assert (r.ci_low, r.ci_high) == wilson_interval(3, 4)


def test_clustered_empty():
    r = clustered_proportion(np.array([], dtype=bool), np.array([], dtype=int))
    assert r.n == 0 and math.isnan(r.p) and (r.ci_low, r.ci_high) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("y", "cluster", "message"),
    [
        ([0, 1, 2], [0, 0, 1], "outcomes must contain only 0/1"),
        ([[0, 1]], [0, 0], "outcomes must be one-dimensional"),
        ([0, 1, 1], [0, 1], "one label per outcome (3)"),
        (["a", "b"], [0, 1], "outcomes must be boolean or 0/1"),
        ([0, 1], [0.0, float("nan")], "cluster labels must be finite"),
    ],
)
def test_clustered_rejects_bad_input(y, cluster, message):
    with pytest.raises(ValueError) as excinfo:
        clustered_proportion(y, cluster)
    assert message in str(excinfo.value)


def test_clustered_from_counts_rejects_bad_input():
    with pytest.raises(ValueError) as excinfo:
        clustered_proportion_from_counts([3, 11], [10, 10])
    assert "k must be <= n" in str(excinfo.value)


def draw_clustered_counts(rng, *, reps, trials, copies, mean, icc):
    """Per-trial match counts with a real trial effect: p_t ~ Beta, k_t ~ Bin(copies, p_t).

    The beta-binomial intra-cluster correlation is 1 / (alpha + beta + 1) = icc.
    """
    total = 1 / icc - 1
    p_t = rng.beta(mean * total, (1 - mean) * total, size=(reps, trials))
    return rng.binomial(copies, p_t)


def test_clustered_coverage_with_real_cluster_effect():
    """Seeded: 40 trials x 25 copies, ICC 0.15 (deff ~ 1 + 24 * 0.15 = 4.6).

    Naive Wilson over the 1,000 outcomes under-covers badly (about 64%
    expected); the design-effect-adjusted interval is close to 95%.
    """
    rng = np.random.default_rng(12345)
    reps, trials, copies, mean = 1000, 40, 25, 0.6
    k = draw_clustered_counts(rng, reps=reps, trials=trials, copies=copies, mean=mean, icc=0.15)
    n = np.full(trials, copies)

    naive_low, naive_high = wilson_interval(k.sum(axis=1), trials * copies)
    naive = np.mean((naive_low <= mean) & (mean <= naive_high))

    results = [clustered_proportion_from_counts(row, n) for row in k]
    clustered = np.mean([r.ci_low <= mean <= r.ci_high for r in results])
    deff = np.mean([r.design_effect for r in results])

    assert naive < 0.75
    assert 0.92 <= clustered <= 0.975
    assert 3.5 < deff < 5.7


def test_clustered_coverage_without_cluster_effect_stays_nominal():
    """Seeded: independent outcomes grouped into clusters; the adjustment barely widens."""
    rng = np.random.default_rng(99)
    k = rng.binomial(25, 0.3, size=(1000, 40))
    n = np.full(40, 25)
    results = [clustered_proportion_from_counts(row, n) for row in k]
    coverage = np.mean([r.ci_low <= 0.3 <= r.ci_high for r in results])
    assert 0.93 <= coverage <= 0.99
    assert np.median([r.design_effect for r in results]) < 1.1


# ---------------------------------------------------------------- paired


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # (both, b_only, a_only, neither) -> (diff, low, high), Newcombe (1998c) method 10,
        # checked against the plain reference implementation above.  Newcombe's worked
        # example a=1, b=1, c=7, d=12 (n = 21): theta = (1 - 7) / 21 = -0.2857.
        ((1, 1, 7, 12), (-0.2857, -0.5017, -0.0361)),
        ((12, 2, 1, 6), (0.0476, -0.1080, 0.1999)),
        ((36, 12, 2, 0), (0.2000, 0.0569, 0.3404)),
        # No discordant pairs, p = 0.3 on both sides: phi = 1, the limits are
        # |(p - l) - (u - p)| = 0.0645 either side of zero.
        ((6, 0, 0, 14), (0.0, -0.0645, 0.0645)),
        # phi undefined (empty margin) -> 0: the square-and-add interval for 0/10 vs 0/10.
        ((0, 0, 0, 10), (0.0, -0.2775, 0.2775)),
    ],
)
def test_paired_worked_examples(table, expected):
    a, b = paired_table(*table)
    r = paired_difference(a, b)
    assert (r.diff, r.ci_low, r.ci_high) == pytest.approx(expected, abs=5e-5)
    if table[0] + table[1] > 0 and table[0] + table[2] > 0 and table[3] > 0:
        assert (r.diff, r.ci_low, r.ci_high) == pytest.approx(
            newcombe_paired_reference(*table), abs=1e-9
        )
    assert (r.b_only, r.a_only, r.n) == (table[1], table[2], sum(table))
    assert r.n_clusters is None and r.design_effect == 1.0 and r.n_effective == r.n
    assert r.method == "newcombe paired hybrid score (method 10)"


st_paired_table = st.tuples(*[st.integers(0, 300)] * 4).filter(lambda t: sum(t) > 0)


@given(st_paired_table)
def test_paired_properties(table):
    """The interval brackets the estimate, lies in [-1, 1], and swapping A and B negates it;
    with phi >= 0 it is never wider than the unpaired interval on the same margins."""
    a, b = paired_table(*table)
    r = paired_difference(a, b)
    assert -1.0 <= r.ci_low <= r.diff <= r.ci_high <= 1.0
    assert r.diff == pytest.approx(r.p_b - r.p_a, abs=1e-12)
    s = paired_difference(b, a)
    assert s.diff == -r.diff
    assert (s.ci_low, s.ci_high) == pytest.approx((-r.ci_high, -r.ci_low), abs=1e-12)
    both = np.count_nonzero(a & b)
    neither = np.count_nonzero(~a & ~b)
    if both * neither >= r.a_only * r.b_only:  # phi >= 0
        u = unpaired_difference(a, b)
        assert r.ci_low >= u.ci_low - 1e-12 and r.ci_high <= u.ci_high + 1e-12


def test_identical_strategies_give_exactly_zero():
    rng = np.random.default_rng(3)
    y = rng.random(5000) < 0.37
    trial = np.repeat(np.arange(100), 50)
    for cluster in (None, trial):
        r = paired_difference(y, y.copy(), cluster)
        assert r.diff == 0.0 and r.b_only == 0 and r.a_only == 0
        assert r.ci_low <= 0.0 <= r.ci_high and not r.excludes_zero
        assert r.p_a == r.p_b


def test_pairing_is_narrower_than_ignoring_it():
    """Common random numbers: B matches whenever A does, plus some extra. Strongly positive phi."""
    rng = np.random.default_rng(11)
    u = rng.random(2000)
    a = u < 0.55
    b = u < 0.60
    paired = paired_difference(a, b)
    unpaired = unpaired_difference(a, b)
    assert paired.diff == pytest.approx(unpaired.diff)
    assert paired.width < 0.5 * unpaired.width
    assert paired.excludes_zero and paired.ci_low > 0


def test_paired_clustered_hand_example():
    """Two trials of four pairs; d = b - a is (1, 1, 0, 0) in trial 0 and (0, 0, 0, -1) in trial 1.

    n = 8, diff = (2 - 1) / 8 = 0.125; cluster totals 2, -1; residuals 2 - 0.5 = 1.5,
    -1 - 0.5 = -1.5; v_cl = 2/1 * 4.5 / 64 = 0.140625; var(d) = 3/8 - 0.125^2 = 0.359375,
    v_iid = 0.359375 / 8; deff = 3.1304; n_eff = 2.5556.
    """
    a = np.array([0, 0, 1, 0, 1, 0, 0, 1], dtype=bool)
    b = np.array([1, 1, 1, 0, 1, 0, 0, 0], dtype=bool)
    trial = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    r = paired_difference(a, b, trial, df_adjust=False)
    assert r.diff == 0.125 and r.n_clusters == 2
    assert r.design_effect == pytest.approx(0.140625 / (0.359375 / 8), rel=1e-12)
    assert r.n_effective == pytest.approx(8 / r.design_effect, rel=1e-12)
    assert r.method == (
        "newcombe paired hybrid score (method 10), design-effect adjusted (2 clusters)"
    )
    plain = paired_difference(a, b)
    assert r.ci_low < plain.ci_low and plain.ci_high < r.ci_high
    assert "Korn-Graubard t df=1" in paired_difference(a, b, trial).method


def draw_paired_trials(rng, *, trials, copies):
    """Common-random-numbers pairs with a trial effect on both the level and the gain.

    Per trial, q_t ~ U(0.2, 0.6) and gain g_t ~ U(0, 0.2); per copy, one uniform u;
    A matches if u < q_t, B if u < q_t + g_t.  True p_b - p_a = E[g] = 0.1.
    """
    q = rng.uniform(0.2, 0.6, size=trials)
    g = rng.uniform(0.0, 0.2, size=trials)
    u = rng.random((trials, copies))
    a = u < q[:, None]
    b = u < (q + g)[:, None]
    return a.ravel(), b.ravel(), np.repeat(np.arange(trials), copies)


def test_paired_coverage_clustered_and_naive():
    """Seeded: 40 trials x 50 copies; the gain varies by trial (deff of d ~ 2.8).

    Treating the 2,000 pairs as independent under-covers; the clustered interval is near 95%.
    """
    rng = np.random.default_rng(2024)
    hits_naive = hits_clustered = 0
    reps = 600
    for _ in range(reps):
        a, b, trial = draw_paired_trials(rng, trials=40, copies=50)
        naive = paired_difference(a, b)
        clustered = paired_difference(a, b, trial)
        hits_naive += naive.ci_low <= 0.1 <= naive.ci_high
        hits_clustered += clustered.ci_low <= 0.1 <= clustered.ci_high
    assert hits_naive / reps < 0.85
    assert 0.92 <= hits_clustered / reps <= 0.985


def test_paired_coverage_unclustered():
    """Seeded: 2,000 replicates of 300 independent correlated pairs, true difference 0.05."""
    rng = np.random.default_rng(77)
    reps, n = 2000, 300
    u = rng.random((reps, n))
    v = np.where(rng.random((reps, n)) < 0.8, u, rng.random((reps, n)))
    a, b = u < 0.55, v < 0.60
    hits = 0
    for i in range(reps):
        r = paired_difference(a[i], b[i])
        hits += r.ci_low <= 0.05 <= r.ci_high
    assert 0.93 <= hits / reps <= 0.97


def test_paired_empty():
    r = paired_difference([], [])
    assert r.n == 0 and math.isnan(r.diff) and (r.ci_low, r.ci_high) == (-1.0, 1.0)


@pytest.mark.parametrize(
    ("a", "b", "cluster", "message"),
    [
        ([0, 1], [0, 1, 1], None, "found lengths 2 and 3"),
        ([0, 1], [0, 3], None, "outcome_b must contain only 0/1"),
        ([0.5, 1], [0, 1], None, "outcome_a must contain only 0/1"),
        ([0, 1], [0, 1], [0, 0, 1], "one label per outcome (2)"),
    ],
)
def test_paired_rejects_bad_input(a, b, cluster, message):
    with pytest.raises(ValueError) as excinfo:
        paired_difference(a, b, cluster)
    assert message in str(excinfo.value)


def test_paired_result_dict():
    a, b = paired_table(36, 12, 2, 0)
    r = paired_difference(a, b)
    d = r.as_dict()
    assert d["excludes_zero"] is True and d["b_only"] == 12 and d["a_only"] == 2
    assert isinstance(r, PairedDifference)


# ---------------------------------------------------------------- unpaired


@pytest.mark.parametrize(
    ("k_b", "n_b", "k_a", "n_a", "low", "high"),
    [
        # Newcombe (1998b) Table II, method 10 (theta = p1 - p2, p1 = B here).
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0),
        (10, 10, 0, 10, 0.6075, 1.0),
    ],
)
def test_unpaired_published_values(k_b, n_b, k_a, n_a, low, high):
    r = unpaired_difference(outcomes(k_a, n_a), outcomes(k_b, n_b))
    assert isinstance(r, UnpairedDifference)
    assert r.diff == pytest.approx(k_b / n_b - k_a / n_a)
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), abs=5e-5)
    assert (r.k_a, r.n_a, r.k_b, r.n_b) == (k_a, n_a, k_b, n_b)


def test_unpaired_empty_sample():
    r = unpaired_difference([], [1, 0])
    assert math.isnan(r.diff) and (r.ci_low, r.ci_high) == (-1.0, 1.0)


# ---------------------------------------------------------------- printing


def test_format_percent():
    assert format_percent(0.5831) == "58.3%"
    assert format_percent(0.5831, 2) == "58.31%"
    assert format_percent(0.042, signed=True) == "+4.2%"
    assert format_percent(float("nan")) == "n/a"


def test_format_ci():
    assert format_ci(proportion(1166, 2000)) == "56.1\u201360.4%"
    nothing = Proportion(
        k=0,
        n=0,
        p=float("nan"),
        ci_low=float("nan"),
        ci_high=float("nan"),
        confidence=0.95,
        method="wilson",
        n_effective=0.0,
    )
    assert format_ci(nothing) == "n/a"


def test_format_interval_proportion():
    r = Proportion(
        k=1166,
        n=2000,
        p=0.583,
        ci_low=0.561,
        ci_high=0.604,
        confidence=0.95,
        method="wilson",
        n_effective=2000.0,
    )
    assert format_interval(r) == "58.3% (95% CI 56.1\u201360.4%, n=2,000)"
    assert format_interval(proportion(1166, 2000)) == "58.3% (95% CI 56.1\u201360.4%, n=2,000)"


def test_format_interval_clustered_and_differences():
    c = clustered_proportion_from_counts([3, 5, 0, 8], [10, 10, 10, 10], df_adjust=False)
    assert format_interval(c) == "40.0% (95% CI 15.6\u201370.7%, n=40, effective n=8)"
    a, b = paired_table(36, 12, 2, 0)
    assert format_interval(paired_difference(a, b)) == (
        "+20.0 pp (95% CI +5.7 to +34.0 pp, n=50 pairs)"
    )
    u = unpaired_difference(outcomes(48, 80), outcomes(56, 70))
    assert format_interval(u) == "+20.0 pp (95% CI +5.2 to +33.4 pp, n=80 vs 70)"
    with pytest.raises(TypeError):
        format_interval(0.5)
