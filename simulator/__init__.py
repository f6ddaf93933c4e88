"""matchsim: a probabilistic simulator of the US residency Match (NRMP)."""

from importlib.metadata import PackageNotFoundError, version

from simulator.engine.kernel import deferred_acceptance
from simulator.engine.stability import blocking_pairs

try:
    __version__ = version("matchsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "blocking_pairs", "deferred_acceptance"]
