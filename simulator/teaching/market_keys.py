"""Checking a market file's values, one key at a time, and saying what was found in TOML words.

Shared by :mod:`simulator.teaching.smallmarket` (programs and applicants) and
:mod:`simulator.teaching.nrmp_market` (tracks, supplemental lists, couples):
each check raises one :class:`~simulator.errors.ScenarioError` naming the file
and the dotted key.
"""

from __future__ import annotations

import re

from simulator.errors import ScenarioError, closest, quoted
from simulator.scenario.values import HugeInt

_LINE_BREAKS_OR_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def check_name(name: str, where: str, source: str) -> None:
    """A name is one line of text, not blank."""
    if not name.strip():
        raise ScenarioError(source, where, message="a name must not be blank")
    if _LINE_BREAKS_OR_CONTROLS.search(name):
        raise ScenarioError(
            source,
            where,
            message="a name must be one line of text (no line breaks or control characters)",
        )


def check_keys(table: dict, allowed, *, prefix: str, source: str) -> None:
    """Reject the first key of ``table`` not in ``allowed``, suggesting the closest."""
    for key in table:
        if key not in allowed:
            suggestion = closest(key, allowed, prefix=prefix)
            raise ScenarioError(
                source, f"{prefix}{toml_key(key)}", message=f"unknown key{suggestion}"
            )


def rank_list(value, where: str, known: tuple[str, ...], source: str) -> tuple[str, ...]:
    """Check one rank-order list: a list of ``known`` names, each at most once."""
    noun = "program" if where.startswith(("applicants.", "couples.")) else "applicant"
    if not isinstance(value, list):
        raise ScenarioError(source, where, f"a list of {noun} names", show(value))
    seen = {}
    for i, name in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(name, str):
            article = "an" if noun == "applicant" else "a"
            raise ScenarioError(source, at, f"{article} {noun} name (a string)", show(name))
        known_name(name, at, known, noun, source)
        if name in seen:
            message = f"'{quoted(name)}' is listed twice (also at [{seen[name]}])"
            raise ScenarioError(source, at, message=message)
        seen[name] = i
    return tuple(value)


def known_name(name: str, where: str, known: tuple[str, ...], noun: str, source: str) -> None:
    """``name`` must be one of ``known``; otherwise suggest the closest."""
    if name not in known:
        suggestion = closest(name, known)
        raise ScenarioError(source, where, message=f"unknown {noun} '{quoted(name)}'{suggestion}")


def toml_key(name: str) -> str:
    """``name`` as a TOML key: bare if it can be, quoted otherwise."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{quoted(name)}"'


def show(value) -> str:
    """A short TOML-flavoured description of a found value."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f'string "{quoted(value)}"'
    if isinstance(value, HugeInt):
        return f"an integer of {value.digits:,} digits"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
