"""What every receiver tentatively holds during deferred acceptance: one sorted slot array.

Shared by the deferred-acceptance kernel (:mod:`simulator.engine.kernel`) and
the NRMP procedure's batch rounds (:mod:`simulator.engine.nrmp_batch`).
"""

from __future__ import annotations

import numpy as np

from simulator.engine.csr import segment_aranges

_INT = np.int64


class Holds:
    """What every target tentatively holds, and the cutoff a new proposal must beat.

    A (target, rank) pair is packed into one integer *key*, ordered by target
    and then rank, and a key with the entry into one *hold* (key, then entry),
    so that one sort orders proposals by target and then by how the target
    ranks them.  Each target's holds fill the first ``held`` of its slots
    (CSR-style over the capacities), best first; its cutoff is the key of its
    worst hold once full, "unacceptable" while it has room.
    """

    def __init__(self, capacity: np.ndarray, unacceptable: int, *, n_entries: int):
        n_targets = capacity.size
        self.capacity = capacity
        self.rank_bits = max(int(unacceptable).bit_length(), 1)
        self.entry_bits = max(int(n_entries).bit_length(), 1)
        target_bits = max(int(n_targets).bit_length(), 1)
        if target_bits + self.rank_bits + self.entry_bits > 63:
            raise ValueError("market too large: (receiver, rank, entry) does not fit in 63 bits")
        self.key_dtype = np.int32 if target_bits + self.rank_bits <= 31 else _INT
        self.entry_mask = (1 << self.entry_bits) - 1
        self.slot_indptr = np.zeros(n_targets + 1, dtype=_INT)
        np.cumsum(capacity, out=self.slot_indptr[1:])
        self.slots = np.zeros(int(self.slot_indptr[-1]), dtype=_INT)
        self.held = np.zeros(n_targets, dtype=_INT)
        # A target with no positions accepts nobody: its cutoff is below every rank.
        targets = np.arange(n_targets, dtype=_INT)
        self.room = self.key(targets, unacceptable)  # the cutoff of a target with room
        self.cutoff = np.where(capacity > 0, self.room, self.key(targets, 0))

    def key(self, target, rank):
        """The packed (target, rank) key (computed in the key's own type: no 64-bit temporaries)."""
        key = np.left_shift(target, self.rank_bits, dtype=self.key_dtype, casting="unsafe")
        return np.bitwise_or(key, rank, out=key, dtype=self.key_dtype, casting="unsafe")

    def beats_cutoff(self, key):
        """Whether each proposal (by key) beats its target's current cutoff."""
        return key < self.cutoff[key >> self.rank_bits]

    def merge(self, entries, keys):
        """Add proposals that beat their cutoffs; keep each target's best; return the rest.

        Returns the entries turned away: newcomers that lost out and holders bumped.
        """
        newcomers = np.bincount(keys >> self.rank_bits, minlength=self.capacity.size)
        reached = np.flatnonzero(newcomers)  # in target order, as the sort below puts them
        held, capacity = self.held[reached], self.capacity[reached]
        first_slot = self.slot_indptr[reached]
        holds = np.concatenate(
            (
                self.slots[segment_aranges(first_slot, held)],
                (keys.astype(_INT) << self.entry_bits) | entries,
            )
        )
        holds.sort()  # by target, then rank: each target's candidates, best first
        candidates = held + newcomers[reached]
        kept = np.minimum(candidates, capacity)
        group_start = np.cumsum(candidates) - candidates
        rejected = holds[segment_aranges(group_start + kept, candidates - kept)] & self.entry_mask
        holds = holds[segment_aranges(group_start, kept)]
        self.slots[segment_aranges(first_slot, kept)] = holds
        self.held[reached] = kept
        worst = holds[np.cumsum(kept) - 1] >> self.entry_bits
        self.cutoff[reached] = np.where(kept == capacity, worst, self.room[reached])
        return rejected

    def take(self, key: int, entry: int):
        """Hold a proposal that beats its target's cutoff; return the entry turned away, if any."""
        target = key >> self.rank_bits
        first, held = int(self.slot_indptr[target]), int(self.held[target])
        capacity = int(self.capacity[target])
        hold = (key << self.entry_bits) | entry
        own = self.slots[first : first + held]
        place = int(np.searchsorted(own, hold))
        turned_away = None
        if held == capacity:
            turned_away = int(own[-1]) & self.entry_mask
            held -= 1
        self.slots[first + place + 1 : first + held + 1] = self.slots[first + place : first + held]
        self.slots[first + place] = hold
        self.held[target] = held + 1
        if held + 1 == capacity:
            self.cutoff[target] = self.slots[first + capacity - 1] >> self.entry_bits
        return turned_away

    def held_entries(self):
        """The entries held now, target by target."""
        return self.slots[segment_aranges(self.slot_indptr[:-1], self.held)] & self.entry_mask

    def remove(self, entries, keys, dropping):
        """Withdraw held ``entries`` (their ``keys``); ``dropping``: a scratch boolean per entry,
        all false, left all false.  Their targets have room again."""
        dropping[entries] = True
        targets = np.flatnonzero(np.bincount(keys >> self.rank_bits, minlength=self.held.size))
        held, first = self.held[targets], self.slot_indptr[targets]
        holds = self.slots[segment_aranges(first, held)]
        gone = dropping[holds & self.entry_mask]
        dropping[entries] = False
        group = np.repeat(np.arange(targets.size), held)
        kept = held - np.bincount(group[gone], minlength=targets.size)
        self.slots[segment_aranges(first, kept)] = holds[~gone]  # still best first
        self.held[targets] = kept
        self.cutoff[targets] = np.where(
            kept < self.capacity[targets], self.room[targets], self.cutoff[targets]
        )
