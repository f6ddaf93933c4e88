"""ERAS preference signals and geography in interview offers.

Each applicant has a signal budget per specialty they apply to (gold and
silver; :func:`signal_budget`), places it on programs they apply to by a
policy (:func:`place_signals`), and programs add a bonus to an application's
evaluation when choosing whom to interview (:func:`interview_bonus`): a
signal (gold more than silver), a stated geographic preference for the
program's division, an applicant from the program's state, the three held
in one code per application (:func:`application_code`).  Ranking after
the interview ignores them.  :func:`signal_counts` counts, per applicant,
what the published interview-rate contrasts are computed from.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from simulator.engine.csr import place_in_group, segment_aranges
from simulator.market.interviews import Quantiser, sort_by_group_desc

NONE, SILVER, GOLD = 0, 1, 2
#: Per applicant (columns of ``applicants.parquet``): signals sent, gold among them; then
#: invitations (before the interview cap) in all, to signalled programs, to gold-signalled
#: ones; applications to programs in the division of a stated geographic preference and
#: their invitations; applications to programs in the applicant's state and their invitations.
SIGNAL_COUNTS = (
    "n_signals",
    "n_gold_signals",
    "n_invitations",
    "n_invited_signalled",
    "n_invited_gold",
    "n_geographic",
    "n_invited_geographic",
    "n_in_state",
    "n_invited_in_state",
)


def signal_budget(inputs, params) -> np.ndarray:
    """(specialties, 2): gold and silver signals per applicant in each specialty.

    Published counts (``data/signal_counts.csv``) where there are any, the
    assumed ``signals.assumed_gold`` / ``assumed_silver`` elsewhere, all
    times ``signals.budget_scale`` (rounded).
    """
    s = params.signals
    published = inputs.published_signals
    assumed = np.array([s.assumed_gold, s.assumed_silver])
    budget = np.where(published >= 0, published, assumed[None, :])
    return np.round(budget * s.budget_scale).astype(np.int64)


def place_signals(
    group,
    preference,
    margin,
    gold,
    total,
    policy: str,
    *,
    reach_share: float = 0.0,
    safer_share: float = 0.0,
) -> np.ndarray:
    """Which applications carry a signal: ``GOLD``, ``SILVER`` or ``NONE`` per row (int8).

    Rows are applications; ``group`` numbers one applicant's applications to
    one specialty (0 .. groups - 1), whose budget is ``total`` signals per
    row (``gold`` of them gold).  ``preference``: how much the applicant wants
    the program; ``margin``: how safely they expect to be invited there.
    Policies: ``most_preferred`` signals the most wanted programs;
    ``best_chance`` the safest; ``spread`` programs evenly spaced down the
    applicant's preference order; ``shares`` splits the applications into
    thirds by margin (reach, target, safer) and sends ``reach_share`` and
    ``safer_share`` of the signals to the first and last (the rest to
    target), most wanted first within each, topping up from the most wanted
    if a third is too small.  Gold signals go to the most wanted signalled
    programs.
    """
    n_groups = int(group.max()) + 1 if group.size else 0
    if policy == "most_preferred":
        return _tiers_of_the_first(group, preference, n_groups, gold, total)
    wanted_place = _places(group, preference, n_groups)
    size = np.bincount(group, minlength=n_groups)[group]
    if policy == "best_chance":
        chosen = _places(group, margin, n_groups) < total
    elif policy == "spread":  # places floor((j + 1/2) size / k), j < k, down the preferences
        k = np.minimum(total, size)
        step = np.floor((wanted_place + 1) * k / size + 0.5) - np.floor(
            wanted_place * k / size + 0.5
        )
        chosen = step > 0
    elif policy == "shares":
        third = np.minimum(3 * _places(group, -np.asarray(margin), n_groups) // size, 2)
        reach = np.round(total * reach_share).astype(np.int64)
        safer = np.minimum(np.round(total * safer_share).astype(np.int64), total - reach)
        quota = np.choose(third, [reach, total - reach - safer, safer])
        chosen = _places(3 * group + third, preference, 3 * n_groups) < quota
        lift = np.ptp(preference) + 1.0 if preference.size else 0.0
        chosen |= _places(group, preference + lift * chosen, n_groups) < total
    else:
        raise ValueError(f"unknown signal policy {policy!r}")
    lift = np.ptp(preference) + 1.0 if preference.size else 0.0
    gold_place = _places(group, preference + lift * chosen, n_groups)
    return np.where(chosen & (gold_place < gold), GOLD, np.where(chosen, SILVER, NONE)).astype(
        np.int8
    )


def _tiers_of_the_first(group, value, n_groups, gold, total) -> np.ndarray:
    """``GOLD`` for the ``gold`` rows of highest ``value`` in each group, ``SILVER`` for the
    next up to ``total``, ``NONE`` for the rest: :func:`_places` compared with the budget,
    without placing the rows no signal reaches.  ``gold`` and ``total`` are numbers or,
    like ``group``, one per row (the same within a group).

    Rows that arrive group by group (the population's applications do) take the short cut
    of :func:`_tiers_of_runs`, in the same order.
    """
    gold, total = (_per_group(x, group, n_groups) for x in (gold, total))
    value = np.asarray(value, dtype=np.float64)
    quantiser = Quantiser.of(group, value, n_groups) if group.size else None
    if quantiser is None or np.any(group[1:] < group[:-1]):
        tier = np.zeros(group.size, dtype=np.int8)
        order = sort_by_group_desc(group, value, n_groups)
        size = np.bincount(group, minlength=n_groups)
        _assign_tiers(tier, order, np.cumsum(size) - size, np.minimum(size, total), gold)
        return tier
    first = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]  # each group's first row
    return _tiers_of_runs(first, value, gold[group[first]], total[group[first]], quantiser)


def most_preferred_in_runs(first, preference, gold, total) -> np.ndarray:
    """:func:`place_signals` by ``most_preferred`` for rows that arrive group by group:
    group ``g`` is the rows from ``first[g]`` (increasing, from 0) to the next group's first.
    ``gold`` and ``total`` are numbers (or one per group).  The population's applications
    come so: their groups need no numbering row by row."""
    preference = np.asarray(preference)
    n_groups = first.size
    gold, total = (np.broadcast_to(x, n_groups) for x in (gold, total))
    quantiser = Quantiser.of(None, preference, n_groups) if preference.size else None
    if quantiser is None:
        group = np.repeat(np.arange(n_groups), np.diff(first, append=preference.size))
        return _tiers_of_the_first(group, preference, n_groups, gold[group], total[group])
    return _tiers_of_runs(first, preference, gold, total, quantiser)


def _tiers_of_runs(first, value, gold, total, quantiser) -> np.ndarray:
    """:func:`_tiers_of_the_first` for groups that are runs of rows, from ``first`` (each
    non-empty), one ``gold`` and ``total`` per run: only the rows above a bar per group are
    ordered (:func:`_first_rows_above_a_bar`), then the few groups it did not settle."""
    tier = np.zeros(value.size, dtype=np.int8)
    size = np.diff(first, append=value.size)
    reached = np.minimum(size, total)
    order, start, exact = _first_rows_above_a_bar(value, quantiser, first, size, reached)
    done = np.flatnonzero(exact)
    _assign_tiers(tier, order, start[done], reached[done], gold[done])
    redo = np.flatnonzero(~exact)
    if redo.size:  # the few groups the bar did not settle: all their rows ordered
        rows = segment_aranges(first[redo], size[redo])
        runs = np.cumsum(size[redo]) - size[redo]
        keys = quantiser.keys(np.repeat(redo, size[redo]), _float64(value, rows), rows, runs)
        order = quantiser.indices(keys)
        _assign_tiers(tier, order, runs, reached[redo], gold[redo])
    return tier


def _float64(value, rows) -> np.ndarray:
    """``value`` at ``rows``, in float64 (exact): what the quantiser reads."""
    return np.take(value, rows).astype(np.float64, copy=False)


#: Rows ordered per group at first: this multiple of the signals it places, and a few more.
BAR_MARGIN, BAR_EXTRA = 1.2, 2


def _first_rows_above_a_bar(value, quantiser, first, size, reached):
    """The rows of each group (the runs of rows from ``first``, each non-empty) whose value
    clears a bar, ordered as :func:`sort_by_group_desc` orders them: ``(order, start,
    exact)``, group ``g``'s rows from ``order[start[g]]``.  ``exact[g]``: its first
    ``reached[g]`` rows are its first in the full order too.

    The bar is the value that ``BAR_MARGIN * reached + BAR_EXTRA`` rows would clear if the
    group's values were normal with their mean and SD (only a guess, in the values' own
    precision: exactness never rests on it).  A group is exact when it has its ``reached``
    rows above the bar and the last of them is quantised strictly above the bar's level
    (rows below the bar come later whatever their index), or when every row cleared it.
    """
    n_groups = size.size
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.add.reduceat(value, first) / size
        square = np.multiply(value, value)
        sd = np.sqrt(np.maximum(np.add.reduceat(square, first) / size - mean * mean, 0.0))
        share = np.minimum((BAR_MARGIN * reached + BAR_EXTRA) / size, 1.0)
        bar = np.where(share < 1.0, mean + sd * ndtri(1.0 - share), -np.inf)
        bar = bar.astype(value.dtype)  # the bar compared with the values, exactly
        bar_level = np.floor((quantiser.high - bar.astype(np.float64)) * quantiser.step)
    chosen = np.flatnonzero(value >= np.repeat(bar, size))
    start = np.searchsorted(chosen, first)
    count = np.diff(start, append=chosen.size)
    group = np.repeat(np.arange(n_groups), count)
    keys = quantiser.keys(group, _float64(value, chosen), chosen, runs=start)
    # The level of each group's last reached row (a dummy where it has none).
    last = keys[np.clip(start + reached - 1, 0, keys.size - 1)] if keys.size else start
    last = (last >> quantiser.index_bits) & ((1 << quantiser.value_bits) - 1)
    exact = (reached == 0) | (count == size) | ((count >= reached) & (last < bar_level))
    return quantiser.indices(keys), start, exact


def _assign_tiers(tier, order, start, reached, gold) -> None:
    """Gold to the first ``gold`` of the ``reached`` rows of each group in ``order`` (from
    ``start``), silver to the rest of them."""
    tier[order[segment_aranges(start, reached)]] = SILVER
    tier[order[segment_aranges(start, np.minimum(gold, reached))]] = GOLD


def _per_group(budget, group, n_groups) -> np.ndarray:
    """A budget given as one number or one per row, as one per group."""
    if np.ndim(budget) == 0:
        return np.full(n_groups, budget, dtype=np.int64)
    per_group = np.zeros(n_groups, dtype=np.int64)
    per_group[group] = budget
    return per_group


def _places(group, value, n_groups) -> np.ndarray:
    """Each row's place (0 = highest ``value``) among the rows of its group."""
    order = sort_by_group_desc(group, value, n_groups)
    place = np.empty(group.size, dtype=np.int64)
    place[order] = place_in_group(group[order])
    return place


def application_code(tier, applicants, who, programs, where) -> np.ndarray:
    """What programs see beside each application, in one small code (uint8):
    ``4 * tier + 2 * geographic + in_state``, where *geographic* is a stated
    geographic preference for the program's division and *in_state* an applicant
    from the program's state (non-US IMGs have none)."""
    # geography.NO_DIVISION and NO_STATE (-1) equal no program's division or state.
    code = np.asarray(tier, dtype=np.uint8) << 2
    # np.take: faster than indexing.
    geographic = np.take(applicants.preferred_division, who) == np.take(programs.division, where)
    code |= geographic.view(np.uint8) << 1
    in_state = np.take(applicants.home_state, who) == np.take(programs.state, where)
    code |= in_state.view(np.uint8)
    return code


def tier_of(code) -> np.ndarray:
    """The signal tier (``NONE``, ``SILVER``, ``GOLD``) of application codes."""
    return np.asarray(code) >> 2


def interview_bonus(code, params) -> np.ndarray:
    """What programs add to each application's evaluation when choosing whom to interview:
    the signal's bonus by tier, plus the geographic and in-state bonuses (float32)."""
    s = params.signals
    by_tier = np.array([0.0, s.silver_bonus, s.gold_bonus], dtype=np.float32)
    geographic = np.array([0.0, s.geographic_bonus], dtype=np.float32)
    same_state = np.array([0.0, s.in_state_bonus], dtype=np.float32)
    # In float32, adding in this order, so the bonus is the same whatever holds the codes.
    table = (by_tier[:, None, None] + geographic[None, :, None]) + same_state[None, None, :]
    return np.take(table.ravel(), code)  # faster than indexing


def signal_counts(who, n: int, code, invited) -> np.ndarray:
    """(n, len(SIGNAL_COUNTS)) int32: :data:`SIGNAL_COUNTS` per applicant from each
    application's :func:`application_code` and whether it was ``invited`` (the program
    offered an interview, before the applicant's cap).

    What the codes add, plus what the invited applications' codes add to the invitation counts.
    """
    rows = np.flatnonzero(invited)
    return code_counts(who, n, code, invited=False) + code_counts(
        who[rows], n, code[rows], invited=True
    )


def code_counts(who, n: int, code, *, invited: bool) -> np.ndarray:
    """The part of :func:`signal_counts` that applications with these codes add:
    to the counts of what was sent, or (``invited``) to the counts of invitations.

    Code and applicant make one of 12 keys per applicant, counted in one pass; what was
    sent counts only the codes other than 0 (most applications: nothing to add).
    """
    if not invited:
        rows = np.flatnonzero(np.not_equal(code, 0))  # faster than flatnonzero(code)
        who, code = np.take(who, rows), np.take(code, rows)  # np.take: faster than indexing
    key = np.asarray(who, dtype=np.int64) * 12
    key += code
    by_key = np.bincount(key, minlength=12 * n).reshape(n, 12)
    # Which of the 12 keys each count adds up (exact in float64: counts stay far below 2**53).
    return (by_key.astype(np.float64) @ _KEYS_IN_COUNT[int(invited)]).astype(np.int32)


def _keys_in_count() -> np.ndarray:
    """(2, 12, len(SIGNAL_COUNTS)): 1 where an application's code (tier, geographic,
    in-state) adds to the count, in the order of :data:`SIGNAL_COUNTS`: ``[0]`` the counts
    of what was sent, ``[1]`` those of invitations."""
    tier, geographic, in_state = np.indices((3, 2, 2)).reshape(3, -1)
    signalled, gold = tier > NONE, tier == GOLD
    geographic, in_state = geographic == 1, in_state == 1
    none, every = np.zeros(12, dtype=bool), np.ones(12, dtype=bool)
    sent = [signalled, gold, none, none, none, geographic, none, in_state, none]
    invitations = [none, none, every, signalled, gold, none, geographic, none, in_state]
    return np.stack([np.stack(sent, axis=1), np.stack(invitations, axis=1)]).astype(np.float64)


_KEYS_IN_COUNT = _keys_in_count()
