"""TOML text to data: every way parsing can fail becomes one ``ScenarioError``.

Beyond syntax errors (reported with line and column), two inputs make
``tomllib`` itself fail in ways a user cannot read: an integer with more
digits than Python converts from text (a plain ``ValueError``) and arrays or
tables nested hundreds deep (a ``RecursionError``).  Over-long integers are
kept as :class:`~simulator.scenario.values.HugeInt` markers, so the key that
holds one is named when it is checked; deep nesting is refused outright.
"""

from __future__ import annotations

import re
import sys
import tomllib

from simulator.errors import ScenarioError
from simulator.files import read_text
from simulator.scenario.values import HugeInt

__all__ = ["MAX_NESTING", "loads", "parse_document", "read_toml"]

#: The deepest nesting of tables and arrays a document may have (a scenario needs four).
MAX_NESTING = 100
#: Stand-ins for over-long integers: ``_STAND_IN + i`` replaces the i-th one in the text.
_STAND_IN = 10**40


def _nested_too_deeply(where) -> ScenarioError:
    return ScenarioError(
        where, message=f"nested too deeply (more than {MAX_NESTING} levels of tables and arrays)"
    )


def _depth(data) -> int:
    """How deeply tables and arrays nest in ``data`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:
            stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _mark_huge(data, huge: dict[int, int]) -> None:
    """Replace, in place, each stand-in integer of ``data`` by a ``HugeInt`` of its digits."""
    stack = [data]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for name, value in list(items):
            if isinstance(value, (dict, list)):
                stack.append(value)
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) in huge:
                node[name] = HugeInt(huge[abs(value)])


def _parse_huge(text: str, where, error: ValueError) -> dict:
    """Parse ``text`` whose over-long integers made ``tomllib`` fail, marking them."""
    limit = sys.get_int_max_str_digits()
    runs = list(re.finditer(rf"[0-9][0-9_]{{{limit},}}", text)) if limit else []
    if not runs:
        raise ScenarioError(where, message=f"invalid TOML: {error}") from None
    huge: dict[int, int] = {}
    pieces, start = [], 0
    for i, run in enumerate(runs):
        huge[_STAND_IN + i] = len(run.group().replace("_", ""))
        pieces += [text[start : run.start()], str(_STAND_IN + i)]
        start = run.end()
    data = tomllib.loads("".join(pieces) + text[start:])
    _mark_huge(data, huge)
    return data


def loads(text: str, where) -> dict:
    """The TOML document ``text``; syntax errors raise ``tomllib.TOMLDecodeError``.

    Over-long integers come back as ``HugeInt``; nesting deeper than
    :data:`MAX_NESTING` raises ``ScenarioError`` naming ``where``.
    """
    try:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            raise
        except ValueError as error:  # an integer with too many digits to convert
            data = _parse_huge(text, where, error)
    except RecursionError:
        raise _nested_too_deeply(where) from None
    if _depth(data) > MAX_NESTING:
        raise _nested_too_deeply(where)
    return data


def _decode_error(text: str, where, error: tomllib.TOMLDecodeError) -> ScenarioError:
    """``invalid TOML at line L, column C: what`` (the end of the text when tomllib gives none)."""
    detail = str(error)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", detail)
    if match:
        line, column = match.group(1), match.group(2)
        detail = detail[: match.start()]
    else:
        detail = re.sub(r"\s*\(at end of document\)$", "", detail)
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return ScenarioError(where, message=f"invalid TOML at line {line}, column {column}: {detail}")


def parse_document(text: str, where, *, allow_empty: bool = False) -> dict:
    """Parse TOML ``text`` read from ``where``; every way it can fail is one ``ScenarioError``.

    A document with no values (empty, or comments only) is refused unless ``allow_empty``.
    """
    try:
        data = loads(text, where)
    except tomllib.TOMLDecodeError as error:
        raise _decode_error(text, where, error) from None
    if not data and not allow_empty:
        raise ScenarioError(
            where, message="empty file (expected scenario settings such as a [you] table)"
        )
    return data


def read_toml(path, where, *, allow_empty: bool = False) -> dict:
    """Read TOML file ``path`` (bounded, regular files only) and parse it: see parse_document."""
    return parse_document(read_text(path, where), where, allow_empty=allow_empty)
