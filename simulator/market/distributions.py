"""Random draws beyond NumPy's own: categorical rows, truncated-normal scores, gamma counts.

And :func:`multinomial_by_group`, which spreads counts over the members of groups.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr, ndtri_exp

from simulator.engine.csr import segment_ids


def multinomial_by_group(totals, weights, indptr, rng) -> np.ndarray:
    """Spread ``totals[g]`` items over the members of group ``g`` in proportion to ``weights``."""
    group = segment_ids(indptr)
    cumulative = np.cumsum(weights)
    start = np.r_[0.0, cumulative][indptr[:-1]]
    span = cumulative[indptr[1:] - 1] - start
    item_group = np.repeat(np.arange(totals.size), totals)
    target = start[item_group] + rng.random(item_group.size) * span[item_group]
    member = np.searchsorted(cumulative, target, side="right")
    member = np.clip(member, indptr[item_group], indptr[item_group + 1] - 1)
    return np.bincount(member, minlength=group.size)


def categorical_rows(table: np.ndarray, row: np.ndarray, rng) -> np.ndarray:
    """One draw per element of ``row`` from the probabilities ``table[row]`` (non-negative,
    not normalised): the first category whose cumulative probability exceeds a uniform
    share of the row's total, without building the (draws, categories) matrix.

    Rows share their cumulative probabilities, searched once per distinct row.
    """
    cumulative = np.cumsum(table, axis=1)
    u = rng.random(row.size) * cumulative[row, -1]
    few = table.shape[0] <= 2**16  # then a radix sort
    order = np.argsort(row.astype(np.uint16) if few else row, kind="stable")
    bounds = np.searchsorted(row[order], np.arange(table.shape[0] + 1))
    drawn = np.empty(row.size, dtype=np.int64)
    for r in np.flatnonzero(np.diff(bounds)):  # a loop over distinct rows
        at = order[bounds[r] : bounds[r + 1]]
        drawn[at] = np.searchsorted(cumulative[r], u[at], side="right")
    return np.minimum(drawn, table.shape[1] - 1, out=drawn)


def truncated_normal_scores(mean, sd, *, low, high, rng, at=...) -> np.ndarray:
    """Integer scores from a normal truncated to [low, high] (inverse-CDF sampling).

    A zero SD gives the mean, clipped to the range.  ``at``, if given, picks each
    draw's ``mean[at]`` and ``sd[at]``: what depends on them alone is computed once.
    """
    mean, sd = np.broadcast_arrays(np.asarray(mean, float), np.asarray(sd, float))
    u = rng.random(mean[at].shape)
    spread = sd > 0
    safe_sd = np.where(spread, sd, 1.0)
    z = truncated_normal_ppf(u, (low - mean) / safe_sd, (high - mean) / safe_sd, at)
    draw = mean[at] + safe_sd[at] * z
    return np.clip(np.round(np.where(spread[at], draw, mean[at])), low, high).astype(np.int64)


def truncated_normal_ppf(u, a, b, at=...) -> np.ndarray:
    """Quantile ``u`` of the standard normal truncated to [a, b], exact in the far tails.

    Works in log space, as ``scipy.stats.truncnorm.ppf`` does, mirroring an
    interval that lies above zero, so intervals far out in either tail keep
    their precision; it agrees with ``truncnorm.ppf`` to about 1e-11 without
    importing ``scipy.stats`` (half a second of every worker's start-up).
    ``at``, if given, picks each quantile's bounds ``a[at]`` and ``b[at]``.
    """
    u, a, b = (np.asarray(x, float) for x in (u, a, b))
    mirror = a > 0
    low, high = np.where(mirror, -b, a), np.where(mirror, -a, b)
    with np.errstate(divide="ignore"):  # log(0) at u = 0 or 1 is -inf, which is right
        log_low, log_high = log_ndtr(low)[at], log_ndtr(high)[at]
        log_u, log_not_u = np.log(u), np.log1p(-u)
        mirror = mirror[at]
        log_v, log_not_v = np.where(mirror, log_not_u, log_u), np.where(mirror, log_u, log_not_u)
        z = ndtri_exp(np.logaddexp(log_v + log_high, log_not_v + log_low))
    return np.clip(np.where(mirror, -z, z), a[at], b[at])


def gamma_counts(mean, cv, rng) -> np.ndarray:
    """Whole counts of at least one with the given mean and coefficient of variation."""
    if cv <= 0:
        return np.maximum(1, np.round(mean)).astype(np.int64)
    shape = 1.0 / cv**2
    return np.maximum(1, np.round(rng.gamma(shape, mean / shape))).astype(np.int64)
