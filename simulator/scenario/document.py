"""Walking a parsed TOML document against the schema, and moving between nested and dotted keys.

:func:`walk` checks every key and value of a document (a scenario, a
strategy, a calibration file, ``--set`` values) and flattens it to
``{dotted key: normalised value}``; an unknown key gets the closest sibling,
or the same name in another section, as a suggestion.  :func:`nest`,
:func:`replace`, :func:`under` and :func:`population` turn those flat values
back into tables and onto the frozen dataclasses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from simulator.errors import ScenarioError
from simulator.scenario.model import POPULATION_SECTIONS
from simulator.scenario.schema import SCHEMA, Key, Table, leaves
from simulator.scenario.values import check_value, error, show, suggest
from simulator.vocabulary import APPLICANT_TYPES

__all__ = ["nest", "population", "replace", "under", "walk"]

#: Why a COMLEX score cannot be given: said instead of a suggestion.
NO_COMLEX = (
    "matchsim models programs' reading of Step 2 CK only; no published concordance of "
    "COMLEX Level 2-CE with Step 2 CK is in its data, so a COMLEX score cannot be used: give "
    "your Step 2 CK as you.step2ck if you took it"
)
#: ``reject(dotted path)``: a message refusing a key that exists, or None to allow it.
Reject = Callable[[str], str | None]


def _unknown(where, shown: str, path: str, name: str, siblings, tree) -> ScenarioError:
    """``path`` (ending in ``.``, or empty) holds no key ``name``: suggest a sibling, else the
    same name in another section."""
    siblings = list(siblings) + (["strategies"] if siblings is SCHEMA else [])
    if "comlex" in name.lower():
        return ScenarioError(
            where,
            shown + path + name,
            message=f"unknown key ({NO_COMLEX})",
        )
    hint = suggest(name, siblings, prefix=shown + path)
    if not hint:
        for leaf in leaves(tree, tables=True):
            if leaf.path.rsplit(".", 1)[-1] == name:
                hint = f" (did you mean '{shown}{leaf.path}'?)"
                break
    return ScenarioError(
        where, shown + path + name, "a known key", name, message="unknown key" + hint
    )


def _first_leaf(path: str, value) -> str:
    """``market`` holding ``{"scale": 0.5}`` -> ``market.scale``: name the key as written."""
    while isinstance(value, dict) and value:
        name, value = next(iter(value.items()))
        path += "." + name
    return path


def walk(
    raw: Mapping,
    node,
    *,
    where,
    path: str = "",
    shown: str = "",
    out: dict,
    tree=None,
    reject: Reject | None = None,
) -> dict:
    """Check ``raw`` against schema ``node``; put ``{dotted path: normalised value}`` in ``out``.

    ``path`` is the dotted path of ``node`` (``""`` at the root, else ending in
    ``.``) and ``shown`` the prefix errors put before it (``strategies[2].``).
    ``reject(path)`` may refuse a key that exists with a message of its own.
    """
    tree = node if tree is None else tree
    children = node.children if isinstance(node, Table) else node
    for name, value in raw.items():
        key_path = path + name
        if reject is not None:
            message = reject(key_path)
            if message is not None:
                raise ScenarioError(where, shown + _first_leaf(key_path, value), message=message)
        child = children.get(name)
        if child is None:
            raise _unknown(where, shown, path, name, children, tree)
        if isinstance(child, Key):
            out[key_path] = check_value(child, value, where, shown + key_path)
            continue
        if not isinstance(value, dict):
            if isinstance(child, Table):
                wanted = f"a table of numbers by applicant type ({', '.join(APPLICANT_TYPES)})"
            else:
                wanted = "a table"
            raise error(where, shown + key_path, wanted, show(value))
        walk(
            value,
            child,
            where=where,
            path=key_path + ".",
            shown=shown,
            out=out,
            tree=tree,
            reject=reject,
        )
    return out


def nest(flat: Iterable[tuple[str, object]]) -> dict:
    """``{"a.b": 1}`` -> ``{"a": {"b": 1}}`` (later values win)."""
    nested: dict = {}
    for dotted, value in flat:
        node, parts = nested, dotted.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return nested


def replace(obj, changes: Mapping[str, object]):
    """``obj`` with dotted ``changes`` (relative to it) applied, nested dataclasses included."""
    if not changes:
        return obj
    direct: dict = {}
    nested: dict[str, dict] = {}
    for dotted, value in changes.items():
        head, _, rest = dotted.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            direct[head] = value
    for head, sub in nested.items():
        direct[head] = replace(getattr(obj, head), sub)
    return dataclasses.replace(obj, **direct)


def under(flat: Mapping[str, object], root: str) -> dict:
    """The entries of ``flat`` under ``root.``, with that prefix removed."""
    prefix = root + "."
    return {k[len(prefix) :]: v for k, v in flat.items() if k.startswith(prefix)}


def population(flat: Mapping[str, object]) -> dict:
    """The entries of ``flat`` that are population parameters (fields of ``MarketParams``)."""
    return {k: v for k, v in flat.items() if k.split(".", 1)[0] in POPULATION_SECTIONS}
