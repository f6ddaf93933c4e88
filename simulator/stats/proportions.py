"""Single probabilities: the Wilson interval, and its design-effect version for clustered outcomes.

matchsim's outcomes are binary, and a probability near 0 or 1 (a strong
applicant, a long list) is common.  The Wald interval ``p ± z·sqrt(p(1-p)/n)``
then under-covers badly and can leave [0, 1], so every interval here is the
Wilson (1927) score interval, whose coverage stays close to nominal even for
small ``n`` or extreme ``p`` (Brown, Cai & DasGupta 2001; Newcombe 1998a).

The ``K`` focal copies in one trial share the market, so their outcomes are
positively correlated: ``n = T·K`` outcomes carry less information than ``n``
independent coin flips.  :func:`clustered_proportion` estimates the design
effect from the spread of the per-trial totals (the textbook variance of a
ratio estimator in cluster sampling) and computes the Wilson interval at the
*effective* sample size ``n / deff`` (Korn & Graubard 1998).  The kernels
(:func:`_wilson_from_p`, :func:`_design_effect`) also serve
:mod:`simulator.stats.differences`.

References
----------
Wilson EB (1927). Probable inference, the law of succession, and statistical
    inference. *J Am Stat Assoc* 22:209-212.
Kish L (1965). *Survey Sampling*. Wiley. (The design effect.)
Cochran WG (1977). *Sampling Techniques*, 3rd ed. Wiley. (Ch. 6: the ratio
    estimator and its variance; a cluster proportion is a ratio estimator.)
Newcombe RG (1998a). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Stat Med* 17:857-872.
Korn EL, Graubard BI (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey
    Methodology* 24:193-201.
Brown LD, Cai TT, DasGupta A (2001). Interval estimation for a binomial
    proportion. *Stat Sci* 16:101-133.
Dean N, Pagano M (2015). Evaluating confidence interval methods for binomial
    proportions in clustered surveys. *J Surv Stat Methodol* 3:484-503.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from simulator.stats._checks import binary_iv, cluster_iv, confidence_iv, counts_iv

__all__ = [
    "Proportion",
    "clustered_proportion",
    "clustered_proportion_from_counts",
    "proportion",
    "wilson_interval",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Proportion:
    """An estimated probability with its confidence interval.

    Attributes
    ----------
    k, n : int
        Successes and trials (for clustered data: totals over all clusters).
    p : float
        Point estimate ``k / n`` (``nan`` when ``n == 0``).
    ci_low, ci_high : float
        Confidence limits, always inside [0, 1].
    confidence : float
        Nominal two-sided coverage, e.g. 0.95.
    method : str
        How the interval was computed, e.g. ``"wilson"``.
    n_effective : float
        The sample size the interval is "worth": ``n`` for independent
        outcomes, ``n / deff`` for clustered ones.
    design_effect : float
        ``deff >= 1`` used for the interval (1 when unclustered).
    n_clusters : int or None
        Number of clusters (trials), ``None`` when the outcomes were treated as
        independent.
    """

    k: int
    n: int
    p: float
    ci_low: float
    ci_high: float
    confidence: float
    method: str
    n_effective: float
    design_effect: float = 1.0
    n_clusters: int | None = None

    @property
    def half_width(self) -> float:
        """Half the interval width, ``(ci_high - ci_low) / 2``."""
        return (self.ci_high - self.ci_low) / 2

    def as_dict(self) -> dict:
        """The fields (plus ``half_width``) as a plain dict, e.g. a table row."""
        return {**dataclasses.asdict(self), "half_width": self.half_width}


# --------------------------------------------------------------------------
# Kernels (trusted inputs)
# --------------------------------------------------------------------------


def _z(confidence: float) -> float:
    """Two-sided standard normal critical value."""
    return float(special.ndtri(0.5 + confidence / 2))


def _critical_value(confidence: float, n_clusters: int | None, df_adjust: bool) -> float:
    """Normal critical value, or Student t with ``m - 1`` df for ``m`` clusters."""
    if df_adjust and n_clusters is not None and n_clusters >= 2:
        return float(special.stdtrit(n_clusters - 1, 0.5 + confidence / 2))  # t quantile
    return _z(confidence)


def _wilson_from_p(p, n, z):
    """Wilson limits from a proportion ``p`` and a (possibly fractional) size ``n > 0``.

    The Wilson interval is the set of ``pi`` with
    ``(p - pi)^2 <= z^2 * pi * (1 - pi) / n``; solving the quadratic gives
    ``(2 n p + z^2 -/+ z sqrt(z^2 + 4 n p (1 - p))) / (2 (n + z^2))``
    (Newcombe 1998a, method 3).  The limits are pinned to exactly 0 / 1 at
    ``p == 0`` / ``p == 1`` (where the formula agrees up to rounding).
    """
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    z2 = z * z
    centre = 2 * n * p + z2
    spread = z * np.sqrt(z2 + 4 * n * p * (1 - p))
    denom = 2 * (n + z2)
    low = np.where(p <= 0, 0.0, (centre - spread) / denom)
    high = np.where(p >= 1, 1.0, (centre + spread) / denom)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def _design_effect(totals, sizes, unit_var: float, n_total: int) -> float:
    """Design effect of the ratio estimator ``r = sum(totals) / sum(sizes)``.

    ``totals`` are per-cluster sums of a per-unit variable ``y`` (successes, or
    differences of paired outcomes), ``sizes`` the units per cluster and
    ``unit_var`` the per-unit variance ``s^2`` of ``y`` (``p (1 - p)`` for a
    proportion).  The cluster-robust (linearisation) variance of ``r`` is

        v_cl = m / (m - 1) * sum_c (y_c - r * n_c)^2 / N^2

    (Cochran 1977, ch. 6, with clusters as the sampled units and the
    finite-population correction dropped: trials are an infinite population),
    and the variance if all ``N`` units were independent is
    ``v_iid = s^2 / N``.  ``deff = v_cl / v_iid`` (Kish 1965), floored at 1 so
    that clustering can only widen the interval.  Returns 1 when ``s^2 == 0``
    (every unit identical: nothing to inflate) or ``m < 2``.
    """
    m = totals.size
    if m < 2 or n_total == 0 or unit_var <= 0:
        return 1.0
    r = float(totals.sum()) / n_total
    resid = totals - r * sizes
    v_cl = m / (m - 1) * float(np.dot(resid, resid)) / n_total**2
    v_iid = unit_var / n_total
    return max(1.0, v_cl / v_iid)


def _clustered_method(m: int, df_adjust: bool, base: str = "wilson") -> str:
    """The ``method`` string of an interval over ``m`` clusters."""
    if m < 2:
        return f"{base} (single cluster: design effect not estimable, deff=1 assumed)"
    note = f"; Korn-Graubard t df={m - 1}" if df_adjust else ""
    return f"{base}, design-effect adjusted ({m} clusters{note})"


# --------------------------------------------------------------------------
# Single proportions
# --------------------------------------------------------------------------


def wilson_interval(k, n, confidence: float = 0.95):
    """Wilson (1927) score interval for a binomial proportion ``k / n``.

    Why Wilson: it inverts the score test, so it never leaves [0, 1], is never
    degenerate at ``k = 0`` or ``k = n``, and its coverage stays near nominal
    for small ``n`` and extreme ``p``, where the Wald interval fails (Newcombe
    1998a, method 3; Brown, Cai & DasGupta 2001).

    Parameters
    ----------
    k, n : int or array of int
        Successes and trials, ``0 <= k <= n`` (broadcast together).
    confidence : float
        Two-sided coverage in (0, 1).

    Returns
    -------
    (low, high)
        Floats for scalar input, arrays for array input.  ``n == 0`` gives
        the uninformative interval (0, 1).

    Raises
    ------
    ValueError
        If ``k`` or ``n`` is not a whole number, negative, or ``k > n``, or if
        ``confidence`` is not in (0, 1).
    """
    confidence = confidence_iv(confidence)
    k, n = counts_iv(k, n)
    z = _z(confidence)
    empty = n == 0
    safe_n = np.where(empty, 1, n)
    low, high = _wilson_from_p(k / safe_n, safe_n, z)
    low = np.where(empty, 0.0, low)
    high = np.where(empty, 1.0, high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def proportion(k, n, confidence: float = 0.95) -> Proportion:
    """Estimate a probability from ``k`` successes in ``n`` independent trials.

    Returns a :class:`Proportion` with the Wilson interval (method
    ``"wilson"``); ``n == 0`` gives ``p = nan`` and the interval (0, 1).
    Use :func:`clustered_proportion` when the outcomes share trials.
    """
    confidence = confidence_iv(confidence)
    k_arr, n_arr = counts_iv(k, n)
    if k_arr.ndim != 0:
        raise ValueError("proportion() takes scalar k and n; use wilson_interval() for arrays")
    k, n = int(k_arr), int(n_arr)
    low, high = wilson_interval(k, n, confidence)
    return Proportion(
        k=k,
        n=n,
        p=k / n if n else math.nan,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        method="wilson",
        n_effective=float(n),
    )


def clustered_proportion_from_counts(
    successes, trials, confidence: float = 0.95, *, df_adjust: bool = True
) -> Proportion:
    """Estimate a probability from per-cluster counts (e.g. per-trial matches of K copies).

    Parameters
    ----------
    successes, trials : 1-D int arrays, one entry per cluster
        ``successes[c]`` of the ``trials[c]`` units in cluster ``c`` succeeded.
    confidence : float
        Two-sided coverage.
    df_adjust : bool
        Use the Student t quantile with ``m - 1`` degrees of freedom instead of
        the normal one (``m`` clusters), as Korn & Graubard (1998) do, because
        the design effect is itself estimated from only ``m`` cluster totals.
        Matters only for few clusters (a factor of 1.005 on the width at
        ``m = 200``; 1.09 at ``m = 20``).

    Method
    ------
    1. Point estimate: the ratio estimator ``p = sum(successes) / sum(trials)``.
    2. Cluster-robust variance (between-cluster variance of the cluster
       totals; Cochran 1977, ch. 6):
       ``v_cl = m/(m-1) * sum_c (k_c - p n_c)^2 / N^2``.
    3. Design effect ``deff = max(1, v_cl / (p (1-p) / N))`` (Kish 1965).
    4. Effective sample size ``n_eff = N / deff``.
    5. The Wilson interval for ``p`` with ``n_eff`` in place of ``N``
       (Korn & Graubard 1998; Dean & Pagano 2015 found this design-effect
       Wilson interval among the best for clustered surveys), with the
       t critical value when ``df_adjust``.

    With a single cluster there is no between-cluster variance to estimate:
    ``deff = 1`` is assumed and the ``method`` string says so.  When
    ``p`` is 0 or 1 every cluster total equals its expectation and
    ``deff = 1``.
    """
    confidence = confidence_iv(confidence)
    k, n = counts_iv(successes, trials)
    if k.ndim != 1:
        raise ValueError(f"successes and trials must be one-dimensional, found shape {k.shape}")
    return _clustered_kernel(k, n, confidence, df_adjust)


def clustered_proportion(
    outcomes, cluster, confidence: float = 0.95, *, df_adjust: bool = True
) -> Proportion:
    """Estimate a probability from binary outcomes that are clustered (by trial).

    Parameters
    ----------
    outcomes : 1-D bool (or 0/1) array
        One outcome per unit (e.g. "this copy of the focal applicant matched").
    cluster : 1-D array of labels, same length
        The cluster (trial) of each unit; any sortable labels.
    confidence, df_adjust
        As in :func:`clustered_proportion_from_counts`, which does the work
        after the outcomes are summed per cluster.

    Returns
    -------
    Proportion
        ``method`` is ``"wilson, design-effect adjusted (m clusters)"`` (with
        the Korn-Graubard df noted), ``n_effective = n / deff``.
    """
    confidence = confidence_iv(confidence)
    y = binary_iv(outcomes, "outcomes")
    codes, m = cluster_iv(cluster, y.size)
    k = np.bincount(codes, weights=y, minlength=m).astype(np.int64)
    n = np.bincount(codes, minlength=m).astype(np.int64)
    return _clustered_kernel(k, n, confidence, df_adjust)


def _clustered_kernel(k, n, confidence: float, df_adjust: bool) -> Proportion:
    m = int(k.size)
    k_tot, n_tot = int(k.sum()), int(n.sum())
    if n_tot == 0:
        return Proportion(
            k=0,
            n=0,
            p=math.nan,
            ci_low=0.0,
            ci_high=1.0,
            confidence=confidence,
            method=_clustered_method(m, df_adjust),
            n_effective=0.0,
            n_clusters=m,
        )
    p = k_tot / n_tot
    deff = _design_effect(k.astype(float), n.astype(float), p * (1 - p), n_tot)
    n_eff = n_tot / deff
    crit = _critical_value(confidence, m, df_adjust)
    low, high = _wilson_from_p(p, n_eff, crit)
    return Proportion(
        k=k_tot,
        n=n_tot,
        p=p,
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        method=_clustered_method(m, df_adjust),
        n_effective=n_eff,
        design_effect=deff,
        n_clusters=m,
    )
