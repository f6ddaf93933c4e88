"""Input checks at the public boundary of :mod:`simulator.stats`.

Each public estimator checks and normalises its inputs once with these; the
kernels behind them trust what they are given.
"""

from __future__ import annotations

import numbers

import numpy as np


def confidence_iv(confidence) -> float:
    """A confidence level as a float in (0, 1)."""
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(f"confidence must be a number in (0, 1), found {confidence!r}")
    confidence = float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), found {confidence!r}")
    return confidence


def _integer_array(x, name: str) -> np.ndarray:
    """``x`` as an int64 array; whole-number floats are accepted, anything else is not."""
    arr = np.asarray(x)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64)
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must be whole numbers, found {x!r}")
        return arr.astype(np.int64)
    raise ValueError(f"{name} must be integers, found {x!r}")


def counts_iv(k, n) -> tuple[np.ndarray, np.ndarray]:
    """Successes ``k`` and trials ``n`` as broadcast int64 arrays with ``0 <= k <= n``."""
    k = _integer_array(k, "k")
    n = _integer_array(n, "n")
    try:
        k, n = np.broadcast_arrays(k, n)
    except ValueError:
        raise ValueError(
            f"k and n must have compatible shapes, found {k.shape} and {n.shape}"
        ) from None
    if np.any(n < 0):
        raise ValueError("n must be >= 0")
    if np.any(k < 0):
        raise ValueError("k must be >= 0")
    if np.any(k > n):
        raise ValueError("k must be <= n")
    return k, n


def binary_iv(x, name: str) -> np.ndarray:
    """A 1-D boolean array from bools or 0/1 numbers."""
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, found shape {arr.shape}")
    if arr.dtype == bool:
        return arr
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name} must be boolean or 0/1, found dtype {arr.dtype}")
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} must contain only 0/1 (or False/True)")
    return arr == 1


def cluster_iv(cluster, size: int) -> tuple[np.ndarray, int]:
    """Cluster labels as codes ``0..m-1`` plus ``m``."""
    arr = np.asarray(cluster)
    if arr.ndim != 1 or arr.size != size:
        raise ValueError(
            f"cluster must be one-dimensional with one label per outcome ({size}), "
            f"found shape {arr.shape}"
        )
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ValueError("cluster labels must be finite")
    uniques, codes = np.unique(arr, return_inverse=True)
    return codes.reshape(-1), int(uniques.size)
