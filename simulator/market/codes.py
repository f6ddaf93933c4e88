"""The integer codes the market's arrays store, in the order of :mod:`simulator.vocabulary`."""

from __future__ import annotations

import numpy as np

from simulator.vocabulary import APPLICANT_TYPES, IMG_TYPES, USCE_KINDS, VISA_POLICIES, VISAS

TYPE_INDEX = {name: i for i, name in enumerate(APPLICANT_TYPES)}
US_MD, US_DO, US_IMG, NON_US_IMG, OTHER = range(len(APPLICANT_TYPES))
IS_IMG_TYPE = np.array([name in IMG_TYPES for name in APPLICANT_TYPES])
NONE, OBSERVERSHIP, HANDS_ON, US_CLERKSHIPS = range(len(USCE_KINDS))
NO_VISA, J1, H1B = range(len(VISAS))
POLICY_NONE, POLICY_J1, POLICY_J1_H1B = range(len(VISA_POLICIES))
