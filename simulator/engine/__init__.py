"""The matching engine: deferred acceptance over CSR arrays, the NRMP procedure, references, checks.

Pure and deterministic; imports nothing else of matchsim.
"""

from simulator.engine.kernel import PROPOSING_SIDES, deferred_acceptance
from simulator.engine.nrmp import roth_peranson
from simulator.engine.nrmp_inputs import NRMPResult
from simulator.engine.reference import deferred_acceptance_reference
from simulator.engine.stability import blocking_pairs, is_feasible

__all__ = [
    "NRMPResult",
    "PROPOSING_SIDES",
    "blocking_pairs",
    "deferred_acceptance",
    "deferred_acceptance_reference",
    "is_feasible",
    "roth_peranson",
]
