"""Shared by the teaching modules: finding a name in a small market, and the words and tables.

:func:`find_name` tells whether a name is an applicant or a program (with a
suggestion for a typo), :func:`check_proposing` checks the ``proposing``
argument, and :class:`Prefs` looks up where one name stands on another's list;
the rest turn numbers and names into plain English and fixed-width tables.
Used by the other teaching modules; imports only
:mod:`simulator.teaching.smallmarket`.
"""

from __future__ import annotations

import textwrap

from simulator.errors import ScenarioError, closest
from simulator.teaching.smallmarket import SmallMarket
from simulator.vocabulary import PROPOSING_SIDES


def find_name(market: SmallMarket, name: str, *, option: str = "--why") -> str:
    """``"applicant"`` or ``"program"``; unknown or ambiguous names raise :class:`ScenarioError`."""
    is_applicant, is_program = name in market.applicants, name in market.programs
    if is_applicant and is_program:
        message = f"'{name}' names both an applicant and a program in {market.source}"
        raise ScenarioError(None, option, message=message)
    if is_applicant:
        return "applicant"
    if is_program:
        return "program"
    suggestion = closest(name, (*market.applicants, *market.programs))
    raise ScenarioError(
        None,
        option,
        message=f"no applicant or program named '{name}' in {market.source}{suggestion}",
    )


class Prefs:
    """Look-ups of where one name stands on another's list (1-based; ``None``: not listed)."""

    def __init__(self, market: SmallMarket):
        self._applicant = {
            a: {p: i + 1 for i, p in enumerate(r)}
            for a, r in zip(market.applicants, market.applicant_ranks)
        }
        self._program = {
            p: {a: i + 1 for i, a in enumerate(r)}
            for p, r in zip(market.programs, market.program_ranks)
        }

    def applicant_choice(self, applicant: str, program: str) -> int | None:
        return self._applicant[applicant].get(program)

    def program_choice(self, program: str, applicant: str) -> int | None:
        return self._program[program].get(applicant)


def check_proposing(proposing: str) -> None:
    """Raise :class:`ValueError` unless ``proposing`` is ``"applicants"`` or ``"programs"``."""
    if proposing not in PROPOSING_SIDES:
        raise ValueError(f"proposing must be one of {PROPOSING_SIDES}, got {proposing!r}")


def indices(names: tuple[str, ...], chosen) -> tuple[int, ...]:
    """The position of each of ``chosen`` in ``names``."""
    return tuple(names.index(n) for n in chosen)


def table(header, rows, right=()) -> list[str]:
    """Left-aligned columns two spaces apart (``right``: right-aligned column indices)."""
    all_rows = ([header] if header else []) + list(rows)
    if not all_rows:
        return []
    widths = [max(len(row[i]) for row in all_rows) for i in range(len(all_rows[0]))]
    return [
        "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths))
        ).rstrip()
        for row in all_rows
    ]


#: Longest line of the readable text (tables excepted).
WIDTH = 79


def wrap(line: str, hang: str | None = None) -> list[str]:
    """``line`` wrapped at :data:`WIDTH`; continuation lines get ``hang``.

    By default a bullet (``"- "``) hangs under its text and other lines keep
    their own indentation.  Names are never broken.
    """
    if len(line) <= WIDTH:
        return [line]
    indent = line[: len(line) - len(line.lstrip(" "))]
    if hang is None:
        hang = indent + "  " if line.lstrip(" ").startswith("- ") else indent
    return textwrap.wrap(
        line,
        width=WIDTH,
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
    )


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def its_choice(choice: int | None) -> str:
    return "not on its list" if choice is None else f"its {ordinal(choice)} choice"


def their_choice(choice: int | None) -> str:
    return "not on their list" if choice is None else f"their {ordinal(choice)} choice"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def join_and(items: list[str]) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
