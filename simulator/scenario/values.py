"""Checking one value against its key, and saying what was expected and what was found.

Every check of a single value lives here: its type (integers stay integers,
numbers become floats), its range, its choices and, for specialty keys, the
published specialty names.  The helpers that word errors (``expected ...,
found ...`` with a ``did you mean`` suggestion) are shared by every check.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from simulator.errors import ScenarioError, closest
from simulator.scenario.model import AVAILABLE_YEARS
from simulator.scenario.schema import OPTIONAL_SPECIALTY_KEYS, SPECIALTY_KEYS, Key

__all__ = [
    "HugeInt",
    "check_value",
    "error",
    "expected",
    "num",
    "show",
    "spelled",
    "suggest",
]

#: Integers longer than this are shown by their number of digits, not digit by digit.
SHOWN_DIGITS = 20


@dataclass(frozen=True, slots=True)
class HugeInt:
    """An integer in TOML text too long for Python to convert (more digits than it allows)."""

    digits: int


def _digits(n: int) -> int:
    """The number of decimal digits of ``n``, without converting it to text."""
    n = abs(n)
    if n == 0:
        return 1
    estimate = int((n.bit_length() - 1) * math.log10(2)) + 1
    return estimate + 1 if n >= 10**estimate else estimate


def num(x) -> str:
    """A bound or computed number, briefly: 0, 0.45, 1e-05."""
    return f"{x:.10g}" if isinstance(x, float) else str(x)


def show(value) -> str:
    """A found value as written in TOML: numbers bare, strings quoted, huge integers by size."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, HugeInt):
        return f"an integer of {value.digits:,} digits"
    if isinstance(value, int) and (digits := _digits(value)) > SHOWN_DIGITS:
        return f"an integer of {digits:,} digits"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"{type(value).__name__} {value}"


def suggest(word, choices, prefix: str = "") -> str:
    """The choice ``word`` means once case and punctuation are ignored (``H-1B`` is ``h1b``),
    else the closest ``difflib`` match."""
    if isinstance(word, str):
        for choice in choices:
            if isinstance(choice, str) and _letters(choice) == _letters(word):
                return f" (did you mean '{prefix}{choice}'?)"
    return closest(word, choices, prefix=prefix)


def _letters(text: str) -> str:
    """``text`` lower-cased, letters and digits only."""
    return "".join(c for c in text.lower() if c.isalnum())


def error(where, key, expected, found, hint: str = "") -> ScenarioError:
    """``where: key: expected ..., found ...`` as one ``ScenarioError``."""
    return ScenarioError(
        where, key, expected, found, message=f"expected {expected}, found {found}{hint}"
    )


def expected(key: Key) -> str:
    """``an integer from 1 to 300``, ``one of none, j1, h1b``, ``a string`` ..."""
    if key.path == "market.year":
        return f"one of the years with published data ({', '.join(map(str, AVAILABLE_YEARS))})"
    if key.choices:
        return "one of " + ", ".join("'' (empty)" if c == "" else str(c) for c in key.choices)
    if key.kind is str:
        return "a string"
    if key.kind is bool:
        return "true or false"
    noun = "an integer" if key.kind is int else "a number"
    if key.path == "market.scale":
        return f"{noun} greater than {num(key.low)} and at most {num(key.high)}"
    if key.low is not None and key.high is not None:
        return f"{noun} from {num(key.low)} to {num(key.high)}"
    if key.low is not None:
        return f"{noun} of at least {num(key.low)}"
    if key.high is not None:
        return f"{noun} of at most {num(key.high)}"
    return noun


def _specialty_names() -> tuple[str, ...]:
    """The specialties a scenario may name: every published one but the pooled remainder."""
    from simulator.market import published  # lazy: the tables are read only when needed
    from simulator.market.applicants import POOLED_SPECIALTY

    names = published.load_published().specialty_names
    return tuple(name for name in names if name != POOLED_SPECIALTY)


def _pooled_specialty() -> str:
    from simulator.market.applicants import POOLED_SPECIALTY  # lazy, as above

    return POOLED_SPECIALTY


def spelled(word: str, choices) -> str | None:
    """The choice ``word`` spells once case and punctuation are ignored (``H-1B`` is ``h1b``,
    ``hands on`` is ``hands_on``), else the one choice it names without its parenthesis
    (``Internal Medicine`` is ``Internal Medicine (Categorical)``), else None.  Text with a
    line break or another control character spells nothing."""
    if not word.isprintable():
        return None
    same = [c for c in choices if _letters(c) == _letters(word)]
    if len(same) == 1:
        return same[0]
    stem = [c for c in choices if _letters(c.split(" (", 1)[0]) == _letters(word)]
    return stem[0] if len(stem) == 1 else None


def _check_text(key: Key, value, where, shown: str) -> str:
    if not isinstance(value, str):
        raise error(where, shown, expected(key), show(value))
    if key.choices and value not in key.choices:
        value = spelled(value, key.choices) or value
    if key.choices and value not in key.choices:
        raise error(where, shown, expected(key), show(value), suggest(value, key.choices))
    if key.path in SPECIALTY_KEYS and not (value == "" and key.path in OPTIONAL_SPECIALTY_KEYS):
        names = _specialty_names()
        value = value if value in names else spelled(value, names) or value
        if value not in names:
            wanted = "a specialty named in data/specialties_2025.csv"
            if _letters(value) == _letters(_pooled_specialty()):
                wanted = "one specialty, not the pool of programs the tables do not itemise"
            if key.path in OPTIONAL_SPECIALTY_KEYS:
                wanted += " or '' for none"
            raise error(where, shown, wanted, show(value), suggest(value, names))
    return value


def check_value(key: Key, value, where, shown: str):
    """``value`` normalised for ``key`` (ints stay ints, floats become floats), or an error.

    ``where`` is the file (or ``--set``) errors name, ``shown`` the key as written there.
    """
    if key.kind is str:
        return _check_text(key, value, where, shown)
    if key.kind is bool:
        if not isinstance(value, bool):
            raise error(where, shown, expected(key), show(value))
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise error(where, shown, expected(key), show(value))
    found = show(int(value) if isinstance(value, numbers.Integral) else float(value))
    if key.kind is int:
        if not isinstance(value, numbers.Integral):
            if not (math.isfinite(value) and float(value).is_integer()):
                raise error(where, shown, expected(key), show(value))
        value = int(value)
    else:
        try:
            value = float(value)
        except OverflowError:  # an integer beyond any float is beyond every range
            raise error(where, shown, expected(key), found) from None
        if not math.isfinite(value):
            raise error(where, shown, "a finite number", show(value))
    if key.choices and value not in key.choices:
        raise error(where, shown, expected(key), found)
    too_low = key.low is not None and (
        value <= key.low if key.path == "market.scale" else value < key.low
    )
    if too_low or (key.high is not None and value > key.high):
        raise error(where, shown, expected(key), found)
    return value
