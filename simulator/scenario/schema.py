"""The schema: every key a scenario may hold, read once from the dataclass metadata.

Each settable value is a :class:`Key` (its dotted path, type, default, range,
choices and rationale); a per-type table is a :class:`Table` of five keys, one
per applicant type.  The tree of sections, tables and keys is :data:`SCHEMA`,
laid out like a scenario file and in documentation order.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, fields

from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams, PerType
from simulator.scenario.model import AVAILABLE_YEARS, MarketSettings, Scenario
from simulator.vocabulary import (
    APPLICANT_TYPES,
    APPLICATION_POLICIES,
    DIVISIONS,
    FOCAL_TYPES,
    FOCAL_USCE_KINDS,
    ONE_YEAR_TRACKS,
    SIGNAL_POLICIES,
    VISAS,
)

__all__ = [
    "CALIBRATED_TABLES",
    "ENTRY_RANGES",
    "SCHEMA",
    "OPTIONAL_SPECIALTY_KEYS",
    "SPECIALTY_KEYS",
    "Key",
    "Table",
    "calibrated_keys",
    "calibration_schema",
    "leaves",
    "lookup",
    "scenario_keys",
]

#: Per-type tables that the calibration file may set (besides fields marked calibrated).
CALIBRATED_TABLES = ("selection.type_penalty", "applicants.registered_per_active")
#: Keys holding a specialty name of the published data.
SPECIALTY_KEYS = (
    "you.specialty",
    "you.backup_specialty",
    "you.partner.specialty",
    "you.partner.backup_specialty",
)
#: Specialty keys that may be empty (none).
OPTIONAL_SPECIALTY_KEYS = SPECIALTY_KEYS[1:]

#: Inclusive range of each entry of a per-type table (the tables' own metadata has none).
ENTRY_RANGES = {
    "applicants.step2ck_mean": (1, 300),
    "applicants.step2ck_sd": (0, 100),
    "applicants.step2ck_shift": (-100, 100),
    "applicants.usce_hands_on_share": (0, 1),
    "applicants.usce_none_share": (0, 1),
    "applicants.usce_mean_months": (0, 120),
    "applicants.ysg_mean": (0, 60),
    "applicants.registered_per_active": (1, 5),
    "applicants.applications_mean": (1, 2000),
    "applicants.step1_failure_share": (0, 1),
    "applicants.step2ck_failure_share": (0, 1),
    "selection.type_penalty": (-20, 20),
    "couples.type_weight": (0, 100),
}


@dataclass(frozen=True, slots=True)
class Key:
    """One settable value."""

    path: str
    kind: type  # int, float or str
    default: object
    doc: str
    low: object = None
    high: object = None
    choices: tuple = ()
    calibrated: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A per-type table: one number per applicant type."""

    path: str
    doc: str
    children: dict
    calibrated: bool = False


def _choices_for(path: str) -> tuple:
    return {
        "you.type": FOCAL_TYPES,
        "you.visa": VISAS,
        "you.usce_kind": FOCAL_USCE_KINDS,
        "you.partner.type": FOCAL_TYPES,
        "you.partner.visa": VISAS,
        "you.partner.usce_kind": FOCAL_USCE_KINDS,
        "you.application_policy": APPLICATION_POLICIES,
        "you.signal_policy": SIGNAL_POLICIES,
        "you.pgy1_track": ONE_YEAR_TRACKS,
        "you.home_region": ("", *DIVISIONS),
        "you.geographic_preference": ("home", "none", *DIVISIONS),
        "signals.policy": SIGNAL_POLICIES[:3],
        "market.year": AVAILABLE_YEARS,
    }.get(path, ())


def _section(cls, prefix: str) -> dict:
    """The schema nodes of the documented fields of dataclass ``cls`` (defaults from ``cls()``)."""
    hints = typing.get_type_hints(cls)
    instance = cls()
    nodes = {}
    for f in fields(cls):
        if "doc" not in f.metadata:
            continue
        path = prefix + f.name
        kind = hints[f.name]
        default = getattr(instance, f.name)
        if kind is PerType:
            low, high = ENTRY_RANGES.get(path, (None, None))
            children = {
                t: Key(
                    f"{path}.{t}",
                    float,
                    getattr(default, t),
                    f.metadata["doc"],
                    low,
                    high,
                    calibrated=path in CALIBRATED_TABLES,
                )
                for t in APPLICANT_TYPES
            }
            nodes[f.name] = Table(path, f.metadata["doc"], children, path in CALIBRATED_TABLES)
        elif dataclasses.is_dataclass(kind):
            nodes[f.name] = _section(kind, path + ".")
        else:
            low, high = f.metadata.get("range", (None, None))
            nodes[f.name] = Key(
                path,
                kind,
                default,
                f.metadata["doc"],
                low,
                high,
                _choices_for(path),
                bool(f.metadata.get("calibrated")),
            )
    return nodes


def _build_schema() -> dict:
    tree = _section(Scenario, "")
    tree["market"] = _section(MarketSettings, "market.")
    tree["you"] = _section(Focal, "you.")
    for f in fields(MarketParams):
        tree[f.name] = _section(typing.get_type_hints(MarketParams)[f.name], f.name + ".")
    return tree


#: ``{name: Key | Table | section}``, nested like a scenario file.
SCHEMA = _build_schema()


def leaves(node, *, tables: bool = False) -> list:
    """Every ``Key`` under ``node`` in schema order (with ``tables``, ``Table`` nodes instead
    of their entries)."""
    if isinstance(node, Key):
        return [node]
    if isinstance(node, Table):
        return [node] if tables else list(node.children.values())
    out = []
    for child in node.values():
        out.extend(leaves(child, tables=tables))
    return out


def lookup(path: str):
    """The schema node of dotted ``path``, or None."""
    node = SCHEMA
    for part in path.split("."):
        children = node.children if isinstance(node, Table) else node
        if not isinstance(children, dict) or part not in children:
            return None
        node = children[part]
    return node


def scenario_keys(*, tables: bool = True) -> tuple[str, ...]:
    """Every dotted key a scenario may set, in documentation order.

    With ``tables`` (the default) a per-type table counts as one key
    (``applicants.step2ck_mean``); otherwise each entry is listed
    (``applicants.step2ck_mean.us_md`` ...).  ``strategies`` is not included.
    """
    return tuple(node.path for node in leaves(SCHEMA, tables=tables))


def calibrated_keys() -> tuple[str, ...]:
    """Every dotted key a calibration file may set (``selection.type_penalty.us_do`` ...)."""
    return tuple(key.path for key in leaves(SCHEMA) if key.calibrated)


def calibration_schema() -> dict:
    """The part of :data:`SCHEMA` a calibration file may hold, nested the same way."""
    tree: dict = {}
    for key in calibrated_keys():
        node, parts = tree, key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = lookup(key)
    return tree
