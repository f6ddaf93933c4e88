"""The matching engine: deferred acceptance over CSR arrays, its plain reference, stability checks.

Pure and deterministic; imports nothing else of matchsim.
"""

from simulator.engine.kernel import PROPOSING_SIDES, deferred_acceptance
from simulator.engine.reference import deferred_acceptance_reference
from simulator.engine.stability import blocking_pairs, is_feasible

__all__ = [
    "PROPOSING_SIDES",
    "blocking_pairs",
    "deferred_acceptance",
    "deferred_acceptance_reference",
    "is_feasible",
]
