"""Interviews: programs invite their best applications, applicants accept their favourites.

Also :func:`sort_by_group_desc`, the fast grouped sort that orders both the
invitations and the rank-order lists, and :class:`RankedPrefixes`, which
orders only the best applications of each program (the only ones it can
ever invite) in exactly the order that sort gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine.csr import place_in_group, segment_aranges
from simulator.engine.packed_sort import sort_by_runs, sort_runs
from simulator.market.evaluation import program_preference

#: Every how many applications one is looked at to set each program's value threshold.
SAMPLE_EVERY = 8
#: The sample takes runs of this many consecutive applications: copied without reading
#: the others' memory (every 8th alone would read every cache line).
SAMPLE_RUN = 64
#: Applications ordered per program at first, as a multiple of its slots: declines
#: make programs invite more than their slots (1.6x the slots at the median, 2.4x at the
#: 90th percentile of programs), and the few that run past their ordered ones have all
#: their applications ordered then (:meth:`RankedPrefixes.covering`).  2 orders about a
#: quarter fewer keys than 3 did, and the completions cost less than that saves.
FIRST_ORDERED_PER_SLOT = 2


def draw_interviews(programs, applicants, who, where, evaluation, taste, params):
    """Programs invite their best applications; applicants accept in order of preference.

    Each round, a program invites the next best screened applications up to
    its free interview slots; each applicant accepts new invitations, most
    preferred first, up to their remaining interview cap, and declines the
    rest, which frees those slots for the next round.  Returns the indices of
    the applications that became interviews, the applicants' preference for
    them, each program's invitation bar, and which applications were invited
    (before the applicants' caps).  ``taste``: each application's taste noise (N(0, 1)),
    the one its applicant placed signals by: with the program's desirability it sets the
    preference (:func:`~simulator.market.evaluation.program_preference`).
    """
    a = params.applicants
    screened = np.bincount(where, minlength=programs.size)
    invited_until = np.zeros(programs.size, dtype=np.int64)
    invite_until = np.minimum(programs.interview_slots, screened)
    wanted = np.minimum(FIRST_ORDERED_PER_SLOT * invite_until, screened)
    ranked = RankedPrefixes.of(where, evaluation, screened, wanted)
    invited = np.zeros(who.size, dtype=bool)
    declined_rows = [np.zeros(0, dtype=np.int64)]  # accepted: the invited rows but these
    preference = np.empty(who.size, dtype=np.float64)  # read only where accepted
    room = np.full(applicants.size, a.interview_cap, dtype=np.int64)
    for _ in range(params.programs.interview_rounds):
        ranked = ranked.covering(invite_until)
        inviting = invite_until - invited_until
        new = ranked.order[segment_aranges(ranked.start + invited_until, inviting)]
        if not new.size:
            break
        invited_until = invite_until
        invited[new] = True
        new_who = np.take(who, new)  # faster than indexing
        new_where = np.repeat(np.arange(programs.size), inviting)
        liking = program_preference(
            programs, applicants, new_who, new_where, params, np.take(taste, new)
        )
        preference[new] = liking
        offers = np.bincount(new_who, minlength=applicants.size)
        # Only applicants offered more than their room choose (the rest accept all); those
        # with no room left decline all, in any order (most of them after the first round).
        over = offers > room
        full = over & (room == 0)
        choosing = np.flatnonzero(np.take(over & ~full, new_who))
        by_applicant = sort_by_group_desc(new_who, liking, applicants.size, choosing)
        choosers = new_who[by_applicant]
        declined = by_applicant[place_in_group(choosers) >= room[choosers]]
        if full.any():
            declined = np.concatenate([declined, np.flatnonzero(np.take(full, new_who))])
        declined_rows.append(new[declined])
        room -= np.minimum(offers, room)
        invite_until = np.minimum(
            invited_until + np.bincount(new_where[declined], minlength=programs.size), screened
        )
    accepted = invited.copy()
    accepted[np.concatenate(declined_rows)] = False
    held = np.flatnonzero(accepted)
    bar = _invite_bar(ranked, invited_until, screened, where, evaluation)
    return held, np.take(preference, held), bar, invited


def _invite_bar(ranked, invited_until, screened, where, evaluation) -> np.ndarray:
    """The evaluation of each program's last invitee; ``-inf`` if it invited all it screened.

    A program that screened applications in but had no slot takes the entry
    before its group in the full order, as it always has (a full sort then).
    """
    if np.any((invited_until == 0) & (screened > 0)):
        order = sort_by_group_desc(where, evaluation, screened.size)
        last_invited = order[np.maximum(np.cumsum(screened) - screened + invited_until - 1, 0)]
    else:
        last_invited = ranked.order[np.maximum(ranked.start + invited_until - 1, 0)]
    return np.where(invited_until >= screened, -np.inf, evaluation[last_invited])


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RankedPrefixes:
    """The best applications of each program, in the order of :func:`sort_by_group_desc`.

    ``order[start[p] : start[p] + count[p]]`` are program ``p``'s best
    ``count[p]`` applications, exactly the first ``count[p]`` of its group in
    ``sort_by_group_desc(where, value, n_programs)``.
    """

    order: np.ndarray
    start: np.ndarray
    count: np.ndarray
    where: np.ndarray
    value: np.ndarray
    screened: np.ndarray
    quantiser: Quantiser | None  # None: every application is ordered

    @classmethod
    def of(cls, where, value, screened, wanted) -> RankedPrefixes:
        """At least the best ``wanted[p]`` applications of each program ``p``, most often.

        A sample of the applications sets a value threshold per program; only
        the applications at or above it are sorted.  Those whose quantised
        value ties the threshold's come last and may lack some of their ties:
        they are not counted.  A program's prefix may end short of ``wanted``:
        :meth:`covering` completes it when needed.
        """
        n_programs = screened.size
        quantiser = Quantiser.of(where, value, n_programs)
        if quantiser is None:  # too few bits to pack keys: order everything
            order = sort_by_group_desc(where, value, n_programs)
            start = np.cumsum(screened) - screened
            return cls(
                order=order,
                start=start,
                count=screened,
                where=where,
                value=value,
                screened=screened,
                quantiser=None,
            )
        sample_where, sample_value = _sample(where), _sample(value)
        sampled = np.bincount(sample_where, minlength=n_programs)
        # The bar's rank in the sample: the sample's share of wanted, 5/4 of it, 4 more.
        rank = -(-wanted * sampled * 5 // (4 * np.maximum(screened, 1))) + 4
        at = np.flatnonzero(rank < sampled)
        bar = np.full(n_programs, -np.inf)
        bar[at] = quantiser.floors(
            sample_where, sample_value, n_programs, (np.cumsum(sampled) - sampled + rank)[at]
        )
        chosen = np.flatnonzero(value >= np.take(bar, where))  # np.take: faster than indexing
        # Sorted with sort_packed's offset left on (a pass fewer): searched for with it.
        keys = quantiser._packed(np.take(where, chosen), np.take(value, chosen), chosen)
        _sort_offset(keys)
        bar_level = np.full(n_programs, 1 << quantiser.value_bits)  # past every level
        bar_level[at] = quantiser.levels(bar[at])
        programs = np.arange(n_programs)
        start = np.searchsorted(keys, quantiser.keys_at(programs, 0) + _OFFSET)
        ends = np.searchsorted(keys, quantiser.keys_at(programs, bar_level) + _OFFSET)
        return cls(
            order=quantiser.indices(keys),
            start=start,
            count=ends - start,
            where=where,
            value=value,
            screened=screened,
            quantiser=quantiser,
        )

    def covering(self, until) -> RankedPrefixes:
        """These prefixes, with all applications ordered for programs whose prefix ends before
        ``until`` (appended after the others; their earlier entries are unchanged)."""
        short = until > self.count
        if not short.any():
            return self
        chosen = np.flatnonzero(np.take(short, self.where))  # np.take: faster than indexing
        q = self.quantiser
        chosen_where = np.take(self.where, chosen)  # np.take: faster than indexing
        added = np.bincount(chosen_where, minlength=self.count.size)
        return RankedPrefixes(
            order=np.concatenate(
                [
                    self.order,
                    q.order(chosen_where, np.take(self.value, chosen), chosen),
                ]
            ),
            start=np.where(short, self.order.size + np.cumsum(added) - added, self.start),
            count=np.where(short, added, self.count),
            where=self.where,
            value=self.value,
            screened=self.screened,
            quantiser=self.quantiser,
        )


def _sample(array) -> np.ndarray:
    """The first :data:`SAMPLE_RUN` entries of every ``SAMPLE_EVERY * SAMPLE_RUN``, copied."""
    block = SAMPLE_EVERY * SAMPLE_RUN
    whole = array.size - array.size % block
    runs = array[:whole].reshape(-1, block)[:, :SAMPLE_RUN]
    return np.concatenate([runs.ravel(), array[whole : whole + SAMPLE_RUN]])


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantiser:
    """The packing of :func:`sort_by_group_desc`: (group, quantised value, index) in an int64."""

    high: float
    step: float
    value_bits: int
    index_bits: int
    #: The smallest value's product stays below ``2**value_bits``: so do all the values'
    #: (rounding keeps their order), whose levels need no clipping then.
    lowest_fits: bool = False

    @classmethod
    def of(cls, group, value, n_groups) -> Quantiser | None:
        """The packing for these values; ``None`` if fewer than 20 bits are left for values."""
        index_bits = max(1, (value.size - 1).bit_length())
        group_bits = max(1, (int(n_groups) - 1).bit_length())
        # More than 52 bits would be finer than a float64 can tell apart.
        value_bits = min(62 - index_bits - group_bits, 52)
        if value_bits < 20:
            return None
        low, high = float(value.min()), float(value.max())
        step = (2.0**value_bits - 1) / (high - low) if high > low else 0.0
        # As levels() computes it (truncating, so below 2**value_bits; False if not finite).
        lowest_fits = (high - low) * step < 2**value_bits
        return cls(
            high=high,
            step=step,
            value_bits=value_bits,
            index_bits=index_bits,
            lowest_fits=lowest_fits,
        )

    def levels(self, value) -> np.ndarray:
        """The quantised values: 0 for the largest value, ``2**value_bits - 1`` for the smallest.

        Clipped, because the smallest value's product may round up to ``2**value_bits``
        and would spill into the group's bits.
        """
        levels = self._truncated(value)
        return np.minimum(levels, (1 << self.value_bits) - 1, out=levels)

    def _own_levels(self, value) -> np.ndarray:
        """:meth:`levels` of values among those quantised: clipped only if the smallest's are."""
        return self._truncated(value) if self.lowest_fits else self.levels(value)

    def _truncated(self, value) -> np.ndarray:
        scaled = self.high - value
        scaled *= self.step  # in place: the same product, one array fewer
        return scaled.astype(np.int64)

    def keys(self, group, value, index, runs=None) -> np.ndarray:
        """The packed keys of (``group``, the :meth:`levels` of ``value``, ``index``), sorted
        (``value`` among those quantised).  ``runs``, when the rows come group by group (in
        increasing groups): the first row of each group's run, sorted run by run (faster)."""
        key = self._packed(group, value, index)
        if runs is None:
            sort_packed(key)
        else:
            sort_runs(key, runs)
        return key

    def order(self, group, value, index) -> np.ndarray:
        """``index`` in the order of :meth:`keys`: their :meth:`indices`, a pass sooner
        (:func:`sort_packed`'s offset lies above the index bits: no need to take it off).
        Rows that come in runs of one group are sorted group by group (:func:`sort_by_runs`)."""
        key = self._packed(group, value, index)
        in_runs = sort_by_runs(key, group)
        if in_runs is None:
            _sort_offset(key)
        else:
            key = in_runs
        return self.indices(key)

    def _packed(self, group, value, index) -> np.ndarray:
        key = self._own_levels(value)
        key <<= self.index_bits
        key |= np.left_shift(group, self.value_bits + self.index_bits, dtype=np.int64)
        key |= index
        return key

    def floors(self, group, value, n_groups, at) -> np.ndarray:
        """Sorts (``group``, the top bits of the :meth:`levels` of ``value``) and returns, at
        each position ``at`` of that order, a value at or below all those of its top bits.

        One uint32 per key when they fit: sorted twice as fast as the int64 keys.
        """
        if not self.step:  # every value ties
            return np.full(len(at), -np.inf)
        group_bits = max(1, (int(n_groups) - 1).bit_length())
        dtype = np.uint32 if group_bits <= 20 else np.uint64
        coarse_bits = min(8 * np.dtype(dtype).itemsize - group_bits, self.value_bits)
        shift = self.value_bits - coarse_bits
        key = (self._own_levels(value) >> shift).astype(dtype)
        key |= np.left_shift(group, coarse_bits, dtype=dtype, casting="unsafe")
        key.sort()
        top = (key[at] & ((1 << coarse_bits) - 1)).astype(np.int64)
        return self.high - ((top + 1) << shift) / self.step

    def keys_at(self, group, levels) -> np.ndarray:
        """The smallest packed key of each (group, level): index 0.

        ``levels`` may be ``2**value_bits`` (past every level): the next group's first key.
        """
        key = np.asarray(group, dtype=np.int64) << (self.value_bits + self.index_bits)
        key += np.asarray(levels, dtype=np.int64) << self.index_bits
        return key

    def indices(self, keys) -> np.ndarray:
        """The indices packed in ``keys`` (in place)."""
        keys &= (1 << self.index_bits) - 1
        return keys


#: Added to packed keys while they sort as float64 (see sort_packed).
_OFFSET = 1 << 52


def sort_packed(keys) -> None:
    """Sorts non-negative int64 ``keys`` below ``2**62`` in place, as float64: faster here.

    Shifted by ``2**52`` meanwhile, every key reads as a normal positive double (no
    subnormals, which some floating-point modes count as zero), whose order is the integers'.
    """
    _sort_offset(keys)
    keys -= _OFFSET


def _sort_offset(keys) -> None:
    """:func:`sort_packed` but for taking off the offset ``2**52`` again."""
    keys += _OFFSET
    keys.view(np.float64).sort()


def sort_by_group_desc(group, value, n_groups, rows=None) -> np.ndarray:
    """Indices ordering by ``group`` ascending, then ``value`` descending, ties by index.

    Packs (group, value quantised to the bits left over, index) into one int64
    so that NumPy's fast sort replaces a much slower ``lexsort``; values closer
    than the quantisation step (about 1e-6 of their range) count as ties.
    ``rows`` (increasing), if given: only those, in the order the whole sort gives
    them (quantised as the whole), which is cheaper when they are few.
    """
    value = np.asarray(value, dtype=np.float64)
    if value.size == 0:
        return np.zeros(0, dtype=np.int64)
    quantiser = Quantiser.of(group, value, n_groups)
    if rows is None:
        rows = np.arange(value.size, dtype=np.int64)
        group_rows, value_rows = group, value
    else:
        group_rows, value_rows = np.take(group, rows), np.take(value, rows)
    if quantiser is None:
        return rows[np.lexsort((-value_rows, group_rows))]
    return quantiser.order(group_rows, value_rows, rows)
