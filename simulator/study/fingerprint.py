"""What a run's numbers depend on beyond its scenario: the published tables and the code.

A run folder records the fingerprint it was started with (``model`` in ``run.json``); a
resumed run must have the same one, or its chunks would mix two models whose numbers
differ although their version and scenario agree (a data file or the code changed).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import simulator
from simulator.market.published import default_data_directory
from simulator.market.published_files import DATA_FILES

__all__ = ["model_fingerprint"]


@functools.cache
def model_fingerprint() -> str:
    """A short hash of every published table the model reads and of matchsim's own code."""
    data = default_data_directory()
    paths = [data / name for name in sorted(DATA_FILES.values())]
    paths += sorted(Path(simulator.__file__).parent.rglob("*.py"))
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
