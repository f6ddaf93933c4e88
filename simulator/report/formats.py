"""Numbers and prose at the printed width: percentages, intervals, wrapped lines.

The primitives every printed report shares (:mod:`simulator.report.text` and
:mod:`simulator.report.outcomes` build on them).
"""

from __future__ import annotations

import math
import textwrap

__all__ = ["WIDTH", "format_ci", "format_percent", "prose"]

#: The width every default printed report fits (the full tables of --all-types are wider).
WIDTH = 88


def format_percent(p: float, digits: int = 1, *, signed: bool = False) -> str:
    """``0.5831 -> "58.3%"``; ``signed`` adds ``+`` to positive values; ``nan -> "n/a"``."""
    if p is None or not math.isfinite(p):
        return "n/a"
    sign = "+" if signed else ""
    return f"{p * 100:{sign}.{digits}f}%"


def format_ci(result, digits: int = 1) -> str:
    """A proportion's confidence limits, e.g. ``"56.1–60.4%"`` (``"n/a"`` without data)."""
    if not (math.isfinite(result.ci_low) and math.isfinite(result.ci_high)):
        return "n/a"
    return f"{result.ci_low * 100:.{digits}f}\u2013{format_percent(result.ci_high, digits)}"


def prose(text: str, indent: str = "") -> list[str]:
    """``text`` (starting with ``indent``) as lines of at most :data:`WIDTH` characters; the
    lines after the first are indented two spaces more."""
    if len(text) <= WIDTH:
        return [text]
    return textwrap.wrap(
        text,
        WIDTH,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
