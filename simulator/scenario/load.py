"""Loading a scenario: layering the calibration file, the scenario file and ``--set``.

Layers, later winning key by key: the dataclass defaults < the calibration
file < the scenario file < ``--set`` overrides.  Every value is checked where
it is read, every rule between keys once all layers are merged, naming the
latest layer that set the keys involved.  :func:`with_changes` derives
variants of a loaded scenario (or of a ``Focal`` or ``MarketParams``) checked
the same way; :func:`scenario_to_dict` lays a scenario out like its file.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path

from simulator.errors import ScenarioError, quoted
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams
from simulator.scenario.calibration_file import (
    default_calibration_path,
    read_calibration,
    read_named_calibration,
)
from simulator.scenario.checks import blame_by_layer, check_focal, check_market, check_params
from simulator.scenario.document import nest, population, replace, under, walk
from simulator.scenario.model import POPULATION_SECTIONS, MarketSettings, Scenario
from simulator.scenario.overrides import SET_SOURCE, parse_override
from simulator.scenario.parse import read_toml
from simulator.scenario.schema import SCHEMA
from simulator.scenario.strategies import derive_strategy, read_strategies

__all__ = ["load_scenario", "scenario_to_dict", "with_changes"]


def _document(raw: Mapping, where) -> tuple[dict, object]:
    """Check a scenario document (all but ``strategies``); return (flat values, strategies)."""
    strategies = raw.get("strategies")
    body = {k: v for k, v in raw.items() if k != "strategies"}
    return walk(body, SCHEMA, where=where, out={}), strategies


def _refuse_small_market(raw: Mapping, where) -> None:
    """A small-market file given to run, compare or sweep: say so, rather than "unknown key"."""
    for side in ("programs", "applicants"):
        entries = raw.get(side)
        for name, entry in entries.items() if isinstance(entries, dict) else ():
            if name in SCHEMA[side] or not isinstance(entry, dict):
                continue
            if not entry.keys().isdisjoint(("ranks", "positions")):
                table = f"[{side}.{quoted(name)}]"
                raise ScenarioError(
                    where,
                    message=f"this looks like a small-market file (it has {table}): "
                    "use matchsim match or matchsim explain",
                )


#: The layer named by errors in overrides given as a mapping (the Python API).
MAPPING_SOURCE = "overrides"


def _override_pairs(overrides) -> tuple[str, list, tuple[str, ...]]:
    """(the layer's name, its ``(key, value)`` pairs, the overrides as ``--set`` strings)."""
    if isinstance(overrides, Mapping):
        pairs = [(str(k), v) for k, v in overrides.items()]
        return MAPPING_SOURCE, pairs, tuple(f"{k}={_toml(v)}" for k, v in pairs)
    texts = tuple(str(o) for o in overrides)
    return SET_SOURCE, [parse_override(text) for text in texts], texts


def _toml(value) -> str:
    """A value as it would be written after ``--set key=``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _overrides(pairs, source: str) -> tuple[dict, object]:
    """The override layer: (flat values, the latest strategies given, or None)."""
    flat_set: dict = {}
    strategies = None
    for pair in pairs:
        flat, given = _document(nest([pair]), source)
        for k in flat:
            flat_set.pop(k, None)  # re-insert so the latest --set counts as latest
        flat_set.update(flat)
        if given is not None:
            strategies = given
    return flat_set, strategies


def _calibration(
    path: Path, file_flat: Mapping, set_flat: Mapping, source: str
) -> tuple[str, dict]:
    """The calibration layer, named in the file or with ``--set``, else shipped for the year:
    (the path read, its values)."""
    if set_flat.get("market.calibration"):
        given = set_flat["market.calibration"]
        return given, read_named_calibration(Path(given), given, source)
    if "market.calibration" not in set_flat and file_flat.get("market.calibration"):
        given = file_flat["market.calibration"]
        cal_path = path.parent / given
        return str(cal_path), read_named_calibration(cal_path, given, str(path))
    year = {**file_flat, **set_flat}.get("market.year", MarketSettings().year)
    cal_path = default_calibration_path(year)
    return str(cal_path), read_calibration(cal_path)


def load_scenario(path, overrides: Iterable[str] | Mapping[str, object] = ()) -> Scenario:
    """Read, layer and check a scenario file.

    ``overrides`` are ``"dotted.key=value"`` strings (the command line's
    ``--set``; see :func:`parse_override`), or a mapping of dotted keys to
    values (``{"trials": 4, "market.scale": 0.25}``), applied on top of the
    file in order.
    Layers, later winning key by key: dataclass defaults < calibration file <
    scenario file < overrides.  Raises :class:`ScenarioError` for the first
    problem found, naming the file (``--set`` for an override) and dotted key.
    """
    path = Path(path)
    where = str(path)
    source, pairs, overrides = _override_pairs(overrides)
    raw = read_toml(path, where)
    _refuse_small_market(raw, where)
    file_flat, file_strategies = _document(raw, where)
    set_flat, set_strategies = _overrides(pairs, source)
    cal_source, cal_flat = _calibration(path, file_flat, set_flat, source)

    origins: dict[str, int] = {}
    merged: dict = {}
    for layer, flat in enumerate((cal_flat, file_flat, set_flat)):
        for k, v in flat.items():
            merged[k] = v
            origins[k] = layer
    merged["market.calibration"] = cal_source

    market = replace(MarketSettings(), under(merged, "market"))
    you = replace(Focal(), under(merged, "you"))
    params = replace(MarketParams(), population(merged))
    blame = blame_by_layer(origins, [cal_source, where, source], where)
    check_market(market, blame)
    check_focal(you, blame)
    check_params(params, blame)

    if set_strategies is not None:
        strategies = read_strategies(set_strategies, source, you, params)
    elif file_strategies is not None:
        strategies = read_strategies(file_strategies, where, you, params)
    else:
        strategies = ()

    top = {k: v for k, v in merged.items() if "." not in k}
    return Scenario(
        source=where,
        name=path.stem,
        market=market,
        you=you,
        params=params,
        strategies=strategies,
        overrides=overrides,
        **top,
    )


def with_changes(target, changes: Mapping[str, object], *, source=None):
    """``target`` (a ``Focal``, ``MarketParams`` or ``Scenario``) with dotted-key ``changes``.

    Keys are written as in a scenario file: ``you.rank_list_length`` for a
    ``Focal``; ``applicants.*``, ``programs.*``, ``selection.*`` for
    ``MarketParams``; any of those and ``description``, ``seed``, ``trials``,
    ``market.year``, ``market.scale``, ``market.focal_copies`` for a
    ``Scenario`` (whose strategies are re-derived from the changed base).
    Values are checked exactly as in a file; problems raise ``ScenarioError``
    naming ``source`` (default: the scenario's file, else none) and the key.
    """
    if isinstance(target, Focal):
        roots, kind = ("you",), "the focal applicant (you.*)"
    elif isinstance(target, MarketParams):
        roots = POPULATION_SECTIONS
        kind = "the market parameters (" + ", ".join(f"{s}.*" for s in roots) + ")"
    elif isinstance(target, Scenario):
        roots, kind = tuple(SCHEMA), "a scenario"
        if source is None:
            source = target.source or None
    else:
        raise TypeError(
            f"with_changes() needs a Focal, MarketParams or Scenario, not {type(target).__name__}"
        )

    def reject(path: str) -> str | None:
        if path.split(".", 1)[0] in SCHEMA and path.split(".", 1)[0] not in roots:
            return f"not a setting of {kind}"
        if path == "market.calibration":
            return "cannot be changed after loading (the calibration layer is already applied)"
        return None

    def blame(keys):  # the changes are the latest layer
        return source

    nested = nest((str(k), v) for k, v in changes.items())
    if "strategies" in nested:
        raise ScenarioError(source, "strategies", message="cannot be changed with with_changes()")
    flat = walk(nested, SCHEMA, where=source, out={}, reject=reject)

    if isinstance(target, Focal):
        you = replace(target, under(flat, "you"))
        check_focal(you, blame)
        return you
    if isinstance(target, MarketParams):
        params = replace(target, flat)
        check_params(params, blame)
        return params
    market = replace(target.market, under(flat, "market"))
    you = replace(target.you, under(flat, "you"))
    params = replace(target.params, population(flat))
    check_market(market, blame)
    check_focal(you, blame)
    check_params(params, blame)
    strategies = tuple(
        derive_strategy(s.name, dict(s.changes), you, params, source, f"strategies[{i}].")
        for i, s in enumerate(target.strategies, start=1)
    )
    top = {k: v for k, v in flat.items() if "." not in k}
    return dataclasses.replace(
        target, market=market, you=you, params=params, strategies=strategies, **top
    )


def _plain(obj) -> dict:
    return {
        f.name: (_plain(v) if dataclasses.is_dataclass(v := getattr(obj, f.name)) else v)
        for f in fields(obj)
    }


def scenario_to_dict(scenario: Scenario) -> dict:
    """The resolved scenario as plain nested dicts (JSON-serialisable), laid out like the file.

    Strategies appear as in the file: ``name`` plus the keys they change.
    """
    return {
        "name": scenario.name,
        "source": scenario.source,
        "description": scenario.description,
        "seed": scenario.seed,
        "trials": scenario.trials,
        "market": _plain(scenario.market),
        "you": _plain(scenario.you),
        **{section: _plain(getattr(scenario.params, section)) for section in POPULATION_SECTIONS},
        "strategies": [{"name": s.name, **nest(s.changes)} for s in scenario.strategies],
        "overrides": list(scenario.overrides),
    }
