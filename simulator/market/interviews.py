"""Interviews: programs invite their best applications, applicants accept their favourites.

Also :func:`sort_by_group_desc`, the fast grouped sort that orders both the
invitations and the rank-order lists.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.kernel import place_in_group, segment_aranges
from simulator.market.evaluation import program_preference


def draw_interviews(programs, applicants, who, where, evaluation, params, rng):
    """Programs invite their best applications; applicants accept in order of preference.

    Each round, a program invites the next best screened applications up to
    its free interview slots; each applicant accepts new invitations, most
    preferred first, up to their remaining interview cap, and declines the
    rest, which frees those slots for the next round.  Returns the indices of
    the applications that became interviews, the applicants' preference for
    them, and each program's invitation bar.
    """
    a = params.applicants
    order = sort_by_group_desc(where, evaluation, programs.size)
    screened = np.bincount(where, minlength=programs.size)
    group_start = np.cumsum(screened) - screened
    invited_until = np.zeros(programs.size, dtype=np.int64)
    invite_until = np.minimum(programs.interview_slots, screened)
    invited = np.zeros(who.size, dtype=bool)
    accepted = np.zeros(who.size, dtype=bool)
    preference = np.zeros(who.size, dtype=np.float64)
    room = np.full(applicants.size, a.interview_cap, dtype=np.int64)
    for _ in range(params.programs.interview_rounds):
        new = order[segment_aranges(group_start + invited_until, invite_until - invited_until)]
        if not new.size:
            break
        invited[new] = True
        invited_until = invite_until
        preference[new] = program_preference(
            programs, applicants, who[new], where[new], params, rng.standard_normal(new.size)
        )
        by_applicant = new[sort_by_group_desc(who[new], preference[new], applicants.size)]
        rank = place_in_group(who[by_applicant])
        yes = rank < room[who[by_applicant]]
        accepted[by_applicant[yes]] = True
        room -= np.bincount(who[by_applicant[yes]], minlength=applicants.size)
        declined = np.bincount(where[by_applicant[~yes]], minlength=programs.size)
        invite_until = np.minimum(invited_until + declined, screened)
    last_invited = order[np.maximum(group_start + invited_until - 1, 0)]
    invite_bar = np.where(invited_until >= screened, -np.inf, evaluation[last_invited])
    held = np.flatnonzero(accepted)
    return held, preference[held], invite_bar


def sort_by_group_desc(group, value, n_groups) -> np.ndarray:
    """Indices ordering by ``group`` ascending, then ``value`` descending, ties by index.

    Packs (group, value quantised to the bits left over, index) into one int64
    so that NumPy's fast sort replaces a much slower ``lexsort``; values closer
    than the quantisation step (about 1e-6 of their range) count as ties.
    """
    value = np.asarray(value, dtype=np.float64)
    n = value.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    index_bits = max(1, (n - 1).bit_length())
    group_bits = max(1, (int(n_groups) - 1).bit_length())
    value_bits = 62 - index_bits - group_bits
    if value_bits < 20:
        return np.lexsort((-value, group))
    low, high = float(value.min()), float(value.max())
    step = (2.0**value_bits - 1) / (high - low) if high > low else 0.0
    quantised = ((high - value) * step).astype(np.int64)
    key = (np.asarray(group, dtype=np.int64) << (value_bits + index_bits)) | (
        quantised << index_bits
    )
    key |= np.arange(n, dtype=np.int64)
    return np.sort(key) & ((1 << index_bits) - 1)
