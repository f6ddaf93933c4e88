"""How a model parameter is declared: a dataclass field carrying its documentation and range.

Each field's metadata carries ``doc`` (its rationale), ``range`` (inclusive
bounds checked when a scenario sets it) and ``calibrated`` (fitted by
``matchsim calibrate``); the scenario schema and ``docs/scenarios.md`` are
read from them (:mod:`simulator.market.params`, :mod:`simulator.market.soap_params`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.vocabulary import APPLICANT_TYPES

__all__ = ["PerType", "frozen", "param", "per_type", "table"]


def param(default, doc: str, low=None, high=None, *, calibrated: bool = False):
    """A dataclass field with its documentation and allowed range."""
    return field(
        default=default, metadata={"doc": doc, "range": (low, high), "calibrated": calibrated}
    )


def table(factory, doc: str):
    """A nested table of parameters (a dataclass), documented as a group."""
    return field(default_factory=factory, metadata={"doc": doc, "range": (None, None)})


def frozen(cls):
    """``cls`` as a frozen, slotted, keyword-only dataclass: a table of parameters."""
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


@frozen
class PerType:
    """One number per applicant type."""

    us_md: float = 0.0
    us_do: float = 0.0
    us_img: float = 0.0
    non_us_img: float = 0.0
    other: float = 0.0

    def values(self) -> tuple[float, ...]:
        """The values in the order of ``APPLICANT_TYPES``."""
        return tuple(getattr(self, name) for name in APPLICANT_TYPES)


def per_type(**values):
    return lambda: PerType(**values)
