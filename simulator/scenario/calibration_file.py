"""Calibration files: TOML files holding only calibrated parameters, read and written.

The calibration layer sits between the dataclass defaults and the scenario
file.  It is the shipped ``data/calibration_<year>.toml`` unless
``[market] calibration`` names another file, which must be a regular ``.toml``
file within the input size limit holding only calibrated keys
(:func:`~simulator.scenario.schema.calibrated_keys`).  ``matchsim calibrate``
writes one with :func:`write_calibration`, never replacing a file by accident.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from simulator.errors import ScenarioError
from simulator.files import read_text, write_text
from simulator.scenario.document import nest, walk
from simulator.scenario.model import AVAILABLE_YEARS
from simulator.scenario.parse import parse_document
from simulator.scenario.schema import SCHEMA, calibrated_keys, calibration_schema, leaves, lookup
from simulator.scenario.values import error, show

__all__ = [
    "default_calibration_path",
    "read_calibration",
    "read_named_calibration",
    "write_calibration",
]

_KEY = "market.calibration"
_WANTED = "a calibration file (a regular .toml file)"


def _published(name: str):
    """A file shipped in ``simulator.published`` (``data/``), else in a source tree's ``data/``."""
    try:
        root = resources.files("simulator.published")
    except ModuleNotFoundError:  # pragma: no cover - only without the package mapping
        root = Path(__file__).resolve().parents[2] / "data"
    return root / name


def default_calibration_path(year: int = AVAILABLE_YEARS[-1]):
    """The shipped calibration file of ``year`` (``data/calibration_<year>.toml``)."""
    return _published(f"calibration_{year}.toml")


def _not_calibrated(path: str) -> str | None:
    """Refuse, with a message of its own, a key that exists but is not calibrated."""
    node = lookup(path)
    if node is not None and not any(key.calibrated for key in leaves(node)):
        return "not a calibrated parameter (set it in a scenario file instead)"
    return None


def _values(raw: Mapping, where) -> dict[str, float]:
    """Check a calibration document: calibrated keys only, each in range."""
    return walk(raw, calibration_schema(), where=where, out={}, tree=SCHEMA, reject=_not_calibrated)


def read_calibration(path) -> dict[str, float]:
    """The calibrated values in calibration file ``path``, as ``{dotted key: value}``.

    The file must be a regular ``.toml`` file and may hold only calibrated
    parameters (see :func:`~simulator.scenario.schema.calibrated_keys`);
    anything else, or a value out of range, raises ``ScenarioError``.  A file
    with no values (comments only) is allowed and sets nothing.
    """
    where = str(path)
    if Path(where).suffix != ".toml":
        raise ScenarioError(where, message="not a .toml file (calibration files are TOML)")
    return _values(parse_document(read_text(path, where), where, allow_empty=True), where)


def read_named_calibration(path, given: str, where) -> dict[str, float]:
    """The values of the calibration file that ``market.calibration = given`` names.

    ``where`` is the scenario file or ``--set`` that set it and ``path`` the
    file it names.  A path that is not a regular ``.toml`` file within the
    input size limit (followed through links) is refused naming ``where`` and
    ``market.calibration``, before anything is read; a problem inside the
    file names the calibration file.
    """
    real = Path(os.path.realpath(path))
    if Path(path).suffix != ".toml":
        raise error(where, _KEY, _WANTED, f"{show(given)} (not a .toml file)")
    if real.suffix != ".toml":
        raise error(where, _KEY, _WANTED, f"{show(given)} (a link to {real}, not a .toml file)")
    try:
        text = read_text(path)
    except ScenarioError as problem:
        raise error(where, _KEY, _WANTED, f"{show(given)} ({real}: {problem.message})") from None
    return _values(parse_document(text, str(path), allow_empty=True), str(path))


def write_calibration(
    path, values: Mapping[str, float], header: str, *, overwrite: bool = False
) -> Path:
    """Write ``values`` (``{dotted key: number}``) as a calibration file.

    ``header`` (one or more lines saying how the values were produced) is
    written first as ``#`` comments.  The values are checked as
    :func:`read_calibration` checks them, and written in tables
    (``[selection]``, ``[selection.type_penalty]``) in documentation order,
    with full float precision so that reading the file back gives the same
    numbers.  Refuses (``ScenarioError``) to replace an existing file unless
    ``overwrite`` is true.  The file is written atomically.
    """
    path = Path(path)
    where = str(path)
    checked = _values(nest(values.items()), where)
    lines = [
        line if line.startswith("#") else f"# {line}".rstrip()
        for line in header.strip("\n").splitlines()
    ]
    tables: dict[str, list[str]] = {}
    for key in calibrated_keys():
        if key in checked:
            table, _, name = key.rpartition(".")
            tables.setdefault(table, []).append(f"{name} = {float(checked[key])!r}")
    for table in sorted(tables):  # a table before its sub-tables
        lines += ["", f"[{table}]", *tables[table]]
    if not overwrite and os.path.lexists(path):
        raise ScenarioError(
            where, message="already exists; not overwriting it (pass overwrite=True to replace it)"
        )
    write_text(path, "\n".join(lines).lstrip("\n") + "\n")
    return path
