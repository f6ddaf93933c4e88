"""The variants a comparison or a sweep runs, on common random numbers.

Both ``matchsim compare`` and ``matchsim sweep`` turn one scenario into a list
of :class:`~simulator.scenario.Strategy` s that
:func:`simulator.study.trials.simulate_trial` runs on the *same* trials: trial
``t`` draws its market once for every distinct set of population parameters,
and every variant's focal copies see the same noise, so copy ``j`` of trial
``t`` under strategy A and under strategy B differ only by the strategy.  A
sweep over a ``you.*`` key therefore draws each trial's market once, whatever
the number of values; a sweep over a population key (``applicants.*``,
``programs.*``, ``selection.*``, ``soap.*``, ``geography.*``, ``signals.*``) needs one
market per value, drawn
from the same seeds.

Nothing here imports click; bad input raises :class:`~simulator.errors.ScenarioError`.
"""

from __future__ import annotations

import dataclasses
import typing

from simulator.errors import ScenarioError, closest
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams
from simulator.scenario import Strategy, scenario_keys, with_changes
from simulator.scenario.model import POPULATION_SECTIONS
from simulator.study.trials import Plan

__all__ = [
    "SWEEPABLE_ROOTS",
    "focal_plan",
    "strategy_variants",
    "sweep_key_kind",
    "sweep_variants",
    "value_label",
]

#: Sections whose keys a sweep may vary: the focal applicant and the population parameters.
SWEEPABLE_ROOTS = ("you", *POPULATION_SECTIONS)
_PARAM = "--param"
_VALUES = "--values"


def strategy_variants(scenario) -> tuple[Strategy, ...]:
    """One variant per ``[[strategies]]`` block of ``scenario``; the first is the baseline.

    Raises :class:`ScenarioError` when the scenario has fewer than two.
    (Unknown keys in a strategy block are already reported by
    :func:`simulator.scenario.load_scenario`.)
    """
    found = len(scenario.strategies)
    if found < 2:
        raise ScenarioError(
            scenario.source or None,
            "strategies",
            message=f"expected two or more [[strategies]] blocks to compare, found {found}",
        )
    return scenario.strategies


def sweep_key_kind(key: str) -> type:
    """The type (``int``, ``float`` or ``str``) of the sweepable scenario key ``key``.

    Raises :class:`ScenarioError` (naming ``--param``) for a key that does not
    exist, a per-type table given without its entry, or a key outside
    :data:`SWEEPABLE_ROOTS` (``seed``, ``trials``, ``market.*``).
    """
    leaves = scenario_keys(tables=False)
    if key not in leaves:
        tables = [k for k in scenario_keys(tables=True) if k not in leaves]
        if key in tables:
            raise ScenarioError(
                _PARAM,
                key,
                message="is a table with one number per applicant type; sweep one "
                f"entry, e.g. {key}.non_us_img",
            )
        raise ScenarioError(_PARAM, message=f"no scenario key '{key}'{closest(key, leaves)}")
    root, _, rest = key.partition(".")
    if root not in SWEEPABLE_ROOTS:
        raise ScenarioError(
            _PARAM,
            key,
            message="cannot be swept (a sweep varies one "
            + ", ".join(f"{root}.*" for root in SWEEPABLE_ROOTS)
            + " key; use --set for the others)",
        )
    cls = Focal if root == "you" else MarketParams
    parts = rest.split(".") if root == "you" else key.split(".")
    for part in parts:
        cls = typing.get_type_hints(cls)[part]
    return cls


def value_label(value) -> str:
    """A swept value as a short label (and variant name): ``5``, ``2.5``, ``Psychiatry``,
    ``true`` (as TOML writes it)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}" if value == float(f"{value:g}") else repr(value)
    return str(value) if value != "" else "(none)"


def sweep_variants(scenario, key: str, values) -> tuple[Strategy, ...]:
    """One variant of ``scenario`` per value of ``key``, named by the value.

    A ``you.*`` key changes the focal applicant only (every variant shares
    the market); a population key changes the market parameters.  Each value
    is checked exactly as in a scenario file (errors name ``--values``).  The
    scenario's own ``[[strategies]]``, if any, are ignored.
    """
    sweep_key_kind(key)
    values = tuple(values)
    if not values:
        raise ScenarioError(_VALUES, key, message="expected at least one value, found none")
    focal = key.startswith("you.")
    variants = []
    for value in values:
        if focal:
            you, params = with_changes(scenario.you, {key: value}, source=_VALUES), scenario.params
        else:
            you, params = scenario.you, with_changes(scenario.params, {key: value}, source=_VALUES)
        variants.append(
            Strategy(name=value_label(value), you=you, params=params, changes=((key, value),))
        )
    return tuple(variants)


def focal_plan(plan: Plan, variants) -> Plan:
    """``plan`` running ``variants`` and keeping only the focal copies' rows."""
    return dataclasses.replace(plan, variants=tuple(variants), population=False)
