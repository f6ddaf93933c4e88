"""The specialties a scenario may name, with the positions and programs each offers."""

from __future__ import annotations

from simulator.market.applicants import POOLED_SPECIALTY
from simulator.market.published import load_published

__all__ = ["format_specialties", "specialty_rows"]


def specialty_rows(published=None) -> list[tuple[str, int, int]]:
    """``(name, PGY-1 positions, programs)`` for each specialty, in the published file's order."""
    table = (published or load_published()).specialties
    return [
        (str(name), int(positions), int(programs))
        for name, positions, programs in zip(
            table["specialty"], table["positions"], table["programs"]
        )
    ]


def format_specialties(published=None) -> str:
    """What ``matchsim specialties`` prints: one line per specialty, then how to write one.
    The pooled remainder is a note, not a line: a scenario cannot name it."""
    rows = specialty_rows(published)
    pooled = [row for row in rows if row[0] == POOLED_SPECIALTY]
    rows = [row for row in rows if row[0] != POOLED_SPECIALTY]
    width = max(len(name) for name, _, _ in rows) + 2
    lines = [f"{'specialty':{width}s}{'positions':>10s}{'programs':>10s}"]
    lines += [
        f"{name:{width}s}{positions:>10,d}{programs:>10,d}" for name, positions, programs in rows
    ]
    lines += [
        "",
        f"{len(rows)} specialties of the 2025 Main Residency Match, with their PGY-1 positions",
        "and programs (data/specialties_2025.csv).",
    ]
    for name, positions, programs in pooled:
        lines += [
            f"The market also holds {positions:,} positions in {programs:,} programs of "
            "specialties the tables do not",
            f'itemise, pooled as "{name}": simulated, but not a choice.',
        ]
    lines += [
        'Write a name as shown (you.specialty = "Internal Medicine (Categorical)"); case,',
        'punctuation and a name without its parenthesis are accepted ("internal medicine").',
    ]
    return "\n".join(lines)
