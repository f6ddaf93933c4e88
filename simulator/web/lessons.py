"""The teaching page's markets: the shipped lessons, or one typed in, traced round by round.

The shipped markets (``scenarios/nrmp-example.toml`` and ``lesson-*.toml``)
are installed with the web app as ``simulator/web/lessons/``; from a source
tree they are read where they are.  :func:`lesson_data` is everything the page
animates: the rounds (as ``matchsim explain --json`` gives them), each
name's list, and why every applicant and program ended up where it did.
"""

from __future__ import annotations

from pathlib import Path

from simulator.errors import ScenarioError
from simulator.teaching import explain_market, explain_outcome, format_explanation, load_market
from simulator.teaching.smallmarket import SmallMarket, parse_market

__all__ = ["FIRST_LESSON", "lesson_data", "lesson_folder", "read_lesson", "shipped_lessons"]

#: The lesson the page opens with.
FIRST_LESSON = "nrmp-example"
_INSTALLED = Path(__file__).resolve().parent / "lessons"
_SOURCE_TREE = Path(__file__).resolve().parents[2] / "scenarios"


def lesson_folder() -> Path:
    """Where the shipped markets are: installed beside this module, else a source tree's
    ``scenarios/``."""
    return _INSTALLED if (_INSTALLED / f"{FIRST_LESSON}.toml").is_file() else _SOURCE_TREE


def shipped_lessons() -> dict[str, Path]:
    """``{name: file}``: the NRMP's example first, then the lessons in name order."""
    folder = lesson_folder()
    files = [folder / f"{FIRST_LESSON}.toml", *sorted(folder.glob("lesson-*.toml"))]
    return {path.stem: path for path in files if path.is_file()}


def read_lesson(name: str | None, text: str | None) -> SmallMarket:
    """A shipped lesson by ``name``, or the market typed in as ``text`` (TOML, as for
    ``matchsim match``); ``ScenarioError`` for an unknown name or a bad market."""
    if text is not None and text.strip():
        return parse_market(text, source="the market typed in")
    lessons = shipped_lessons()
    if name not in lessons:
        raise ScenarioError("lesson", message=f"no shipped lesson named {name!r}")
    return load_market(lessons[name])


def lesson_data(market: SmallMarket, proposing: str = "applicants") -> dict:
    """What the page animates: ``matchsim explain --json``'s rounds and result, the lists of
    every name, each program's positions, and why each applicant and program ended where
    it did, in words."""
    lesson = explain_market(market, proposing)
    why = {}
    for name in (*market.applicants, *market.programs):
        try:
            why[name] = format_explanation(market, explain_outcome(market, name, proposing))
        except ScenarioError as error:  # a name that is both an applicant and a program
            why[name] = str(error)
    return {
        **lesson.to_json(),
        "description": market.description,
        "applicants": {a: list(r) for a, r in zip(market.applicants, market.applicant_ranks)},
        "programs": {
            p: {"positions": n, "ranks": list(r)}
            for p, n, r in zip(market.programs, market.positions, market.program_ranks)
        },
        "why": why,
    }
