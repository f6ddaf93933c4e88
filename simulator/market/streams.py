"""The random streams of one trial: one generator per stage, from the seed and the trial alone.

Trial ``i`` uses ``SeedSequence(seed, spawn_key=(i,))``, so any worker builds
it alone and results do not depend on how trials are split.  Each stage draws
from its own child stream, so changing one stage does not shift the numbers of
the others (common random numbers for strategy comparisons).
"""

from __future__ import annotations

import numpy as np

#: The stages in spawn order; a stage appended last leaves the others' numbers unchanged
#: (child ``k`` of a seed sequence depends on ``k`` alone, not on how many are spawned).
STAGES = (
    "programs",
    "applicants",
    "applications",
    "interviews",
    "lists",
    "focal",
    "soap",
    "geography",
    "signals",
    "couples",
    "partner",
)


def trial_streams(seed: int, trial: int) -> dict[str, np.random.Generator]:
    """The generators of trial ``trial``, one per stage, from the seed and the trial alone."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(trial,)))
    return dict(zip(STAGES, rng.spawn(len(STAGES))))
