"""``[[strategies]]``: alternatives to compare, each the scenario with some keys changed.

A strategy has a unique, non-empty ``name`` and may set ``you.*`` and the
population keys (``applicants.*``, ``programs.*``, ``selection.*``); it is
applied on top of the fully layered scenario and checked like it, rules
between keys included.  Errors name it by position: ``strategies[2].you...``.
"""

from __future__ import annotations

from collections.abc import Mapping

from simulator.errors import ScenarioError
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams
from simulator.scenario.checks import check_focal, check_params
from simulator.scenario.document import population, replace, under, walk
from simulator.scenario.model import POPULATION_SECTIONS, Strategy
from simulator.scenario.schema import SCHEMA, Key
from simulator.scenario.values import error, show

__all__ = ["derive_strategy", "read_strategies"]

_ROOTS = ("name", "you", *POPULATION_SECTIONS)
_SCHEMA = {"name": Key("name", str, "", "Strategy name."), **{r: SCHEMA[r] for r in _ROOTS[1:]}}


def _reject(path: str) -> str | None:
    root = path.split(".", 1)[0]
    if root in SCHEMA and root not in _ROOTS or root == "strategies":
        return (
            "not allowed in a strategy (a strategy may set name, you.*, applicants.*, "
            "programs.* and selection.*)"
        )
    return None


def derive_strategy(
    name: str, changes: Mapping[str, object], you: Focal, params: MarketParams, where, shown: str
) -> Strategy:
    """Strategy ``name``: ``you`` and ``params`` with checked dotted ``changes`` applied.

    The rules between keys are checked on the result; a broken one names
    ``where`` (the strategy's file, or ``--set``) and the key after ``shown``.
    """
    new_you = replace(you, under(changes, "you"))
    new_params = replace(params, population(changes))

    def blame(keys):  # a strategy is the latest layer to set any key it changes
        return where

    check_focal(new_you, blame, shown)
    check_params(new_params, blame, shown)
    return Strategy(name=name, you=new_you, params=new_params, changes=tuple(changes.items()))


def read_strategies(raw, where, you: Focal, params: MarketParams) -> tuple[Strategy, ...]:
    """The ``strategies`` array of a document (from file or ``--set`` ``where``), checked."""
    if not isinstance(raw, list):
        raise error(where, "strategies", "an array of tables ([[strategies]])", show(raw))
    seen: dict[str, int] = {}
    out = []
    for number, entry in enumerate(raw, start=1):
        shown = f"strategies[{number}]"
        if not isinstance(entry, dict):
            raise error(where, shown, "a table", show(entry))
        flat = walk(entry, _SCHEMA, where=where, shown=shown + ".", out={}, reject=_reject)
        if "name" not in flat:
            raise ScenarioError(
                where,
                shown + ".name",
                "a non-empty string",
                None,
                message="missing (every strategy needs a unique, non-empty name)",
            )
        name = flat.pop("name")
        if not name.strip():
            raise error(where, shown + ".name", "a non-empty string", show(name))
        if name in seen:
            raise error(
                where,
                shown + ".name",
                "a name no other strategy has",
                f"{show(name)} (the name of strategies[{seen[name]}] too)",
            )
        seen[name] = number
        out.append(derive_strategy(name, flat, you, params, where, shown + "."))
    return tuple(out)
