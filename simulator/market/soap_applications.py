"""Where SOAP's applicants apply: weighted draws among the programs with open positions.

Each applicant of a kind (IMG or not, visa, merit band; a partially matched
one's kind also names its track) draws programs with probability
proportional to its kind's application weights: the inverse of the kind's
cumulative weights at each uniform (:func:`applied`).
"""

from __future__ import annotations

import numpy as np

from simulator.market.applications import MERIT_BANDS, application_weights
from simulator.market.codes import IS_IMG_TYPE
from simulator.market.evaluation import known_merit
from simulator.vocabulary import VISAS

#: SOAP applicants go where positions are open: no home division favoured (a code no
#: program has).
ANYWHERE = -1


def population_weights(programs, applicants, params, open_programs):
    """Each applicant's kind (IMG or not, visa, merit band) and the kinds' weights for the
    open programs, as the season's :func:`~simulator.market.applications.draw_applications`."""
    level = known_merit(applicants, params)
    # The bands' edges and middles, from one partial sort.
    shares = np.r_[
        np.linspace(0, 1, MERIT_BANDS + 1)[1:-1], (np.arange(MERIT_BANDS) + 0.5) / MERIT_BANDS
    ]
    edges, band_level = np.split(np.quantile(level, shares), [MERIT_BANDS - 1])
    kind = (IS_IMG_TYPE[applicants.type] * len(VISAS) + applicants.visa) * MERIT_BANDS
    kind = kind + np.searchsorted(edges, level)
    kinds = np.array(
        [(i, v, b) for i in (0, 1) for v in range(len(VISAS)) for b in range(MERIT_BANDS)]
    )
    weights = application_weights(
        programs,
        kinds[:, 0],
        kinds[:, 1],
        band_level[kinds[:, 2]],
        np.full(len(kinds), ANYWHERE),
        params,
    )
    return kind, weights[:, open_programs]


def only_their_track(kind, weights, track, open_specialty):
    """``kind`` and ``weights`` with each partially matched applicant (``track`` >= 0)
    applying only to open programs of its track (one masked copy of the weights per
    track), and which applicants have any such program to apply to."""
    tracks = np.unique(track[track >= 0])
    masked = [weights * (open_specialty == t)[None, :] for t in tracks]
    slot = np.where(track >= 0, np.searchsorted(tracks, track) + 1, 0)
    room = (track < 0) | np.isin(track, open_specialty)
    return kind + weights.shape[0] * slot, np.vstack([weights, *masked]), room


def applied(weights, kind, draws):
    """``(row, col)``: the distinct columns of ``weights`` each row of ``draws`` picks.

    Each uniform ``u`` of row ``i`` picks the first column whose cumulative
    weight (a share of the row's total, plus ``kind[i]``) exceeds ``u +
    kind[i]`` (:func:`_inverse`); repeats are dropped.  A row's uniforms are
    sorted first, so its picks come out sorted and repeats sit side by side.
    Rows come out in order.
    """
    n_kinds, n_open = weights.shape
    if n_open == 0 or not draws.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cumulative = np.cumsum(weights, axis=1)
    with np.errstate(invalid="ignore"):  # a kind of no weight (a track with no open
        cumulative /= cumulative[:, -1:]  # program, whose applicants take no part): NaN
    cumulative += np.arange(n_kinds)[:, None]
    keys = np.sort(draws, axis=1)
    keys += kind[:, None]
    pick = _inverse(cumulative, kind, keys)
    np.minimum(pick, n_open - 1, out=pick)  # a uniform rounding up to the next kind's start
    first = np.ones(pick.shape, dtype=bool)
    first[:, 1:] = pick[:, 1:] != pick[:, :-1]
    cells = np.flatnonzero(first)
    return cells // pick.shape[1], pick.ravel()[cells]


def _inverse(cumulative, kind, keys) -> np.ndarray:
    """Per key of row ``i``, how many entries of ``cumulative[kind[i]]`` are at most it
    (more than the row holds for a key rounded up to the next kind's start).

    A binary search per key is slow (a mispredicted branch a step), so a guide
    table does most of it: it splits each kind's ``[k, k + 1]`` into ``M``
    buckets and gives, for a key's bucket, a count of entries surely below the
    key (those two buckets lower, and the kind's leading zero-weight entries);
    each key then steps up past the few entries left, and the rare keys still
    stepping after a few steps finish by bisection.  A kind of no weight (a
    row of NaN) counts none, as a search would.
    """
    n_kinds, n_open = cumulative.shape
    buckets = 1 << (2 * n_open).bit_length()  # on average an entry or less in two buckets
    kinds = np.arange(n_kinds)[:, None]
    within = cumulative - kinds  # exact: both within a factor of two of each other
    bucket = np.nan_to_num(within * buckets, nan=buckets + 1).astype(np.int64)
    bucket += kinds * (buckets + 2)
    counts = np.bincount(bucket.ravel(), minlength=n_kinds * (buckets + 2))
    guide = np.zeros((n_kinds, buckets + 2), dtype=np.int64)
    np.cumsum(counts.reshape(n_kinds, -1)[:, :-2], axis=1, out=guide[:, 2:])
    np.maximum(guide, np.count_nonzero(within <= 0, axis=1)[:, None], out=guide)
    guide += kinds * n_open
    at = ((keys - kind[:, None]) * buckets).astype(np.int64)
    at += (kind * (buckets + 2))[:, None]
    at = np.take(guide, at.ravel())
    width, values, keys = keys.shape[1], np.append(cumulative.ravel(), np.inf), keys.ravel()
    todo = np.flatnonzero(np.take(values, at) <= keys)
    for _ in range(_STEPS):
        at[todo] += 1
        todo = todo[np.take(values, at[todo]) <= keys[todo]]
    # Bisect what is left up to the row's end (past it, the pick is the last column).
    low, high = at[todo], (kind[todo // width] + 1) * n_open
    while (going := low < high).any():
        todo, low, high = todo[going], low[going], high[going]
        middle = (low + high) // 2
        above = values[middle] > keys[todo]
        high, low = np.where(above, middle, high), np.where(above, low, middle + 1)
        at[todo] = low
    return at.reshape(-1, width) - (kind * n_open)[:, None]


#: Steps up from the guide's count before bisecting.
_STEPS = 6
