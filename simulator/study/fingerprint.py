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

__all__ = ["fingerprint_of", "model_fingerprint"]


@functools.cache
def model_fingerprint() -> str:
    """The fingerprint of this matchsim's published tables and code (:func:`fingerprint_of`)."""
    return fingerprint_of(default_data_directory(), Path(simulator.__file__).parent)


def fingerprint_of(data: Path, package: Path) -> str:
    """A short hash of the published tables in ``data`` and of the code in ``package``.

    The same from a source tree and from an installed copy: the code is every module of
    the package but the ``simulator.published`` data package (installed only), each
    hashed with its path inside the package.
    """
    files = [(name, data / name) for name in sorted(DATA_FILES.values())]
    for path in sorted(package.rglob("*.py")):
        inside = path.relative_to(package)
        if inside.parts[0] != "published":
            files.append((inside.as_posix(), path))
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
