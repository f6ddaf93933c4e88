"""A small market's matching, by name: solve it, name the engine's answer, show it.

:func:`solve_market` hands the market to the engine and
:func:`result_from_match` puts names on the engine's match vector (the
trace, the two-sides comparison and ``matchsim match`` all end in one
:class:`MarketResult`); :func:`format_result` is the table ``matchsim match``
prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.engine.kernel import deferred_acceptance
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import table


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketResult:
    """The matching of a small market, by name.

    ``applicants`` maps each applicant to their program (``None`` if
    unmatched); ``programs`` maps each program to its matched applicants in the
    program's rank order.  Both follow file order.
    """

    applicants: dict[str, str | None]
    programs: dict[str, list[str]]
    positions: dict[str, int]
    proposing: str = "applicants"

    def unfilled(self, program: str) -> int:
        """Positions of ``program`` left empty."""
        return self.positions[program] - len(self.programs[program])

    def unmatched(self) -> list[str]:
        """Applicants without a program, in file order."""
        return [a for a, p in self.applicants.items() if p is None]

    def to_json(self) -> dict:
        """``{"applicants": {name: program or None}, "programs": {name: [applicants]}}``."""
        return {
            "applicants": dict(self.applicants),
            "programs": {p: list(a) for p, a in self.programs.items()},
        }


def solve_market(market: SmallMarket, proposing: str = "applicants") -> MarketResult:
    """Match ``market`` by deferred acceptance, ``"applicants"`` or ``"programs"`` proposing."""
    match = deferred_acceptance(*market.to_arrays(), proposing=proposing)
    return result_from_match(market, match, proposing)


def result_from_match(market: SmallMarket, match, proposing: str) -> MarketResult:
    """The named :class:`MarketResult` of an engine match vector (``n_programs``: unmatched)."""
    n_programs = len(market.programs)
    applicants = {
        name: None if int(p) == n_programs else market.programs[int(p)]
        for name, p in zip(market.applicants, match)
    }
    programs = {
        name: [a for a in ranks if applicants.get(a) == name]
        for name, ranks in zip(market.programs, market.program_ranks)
    }
    return MarketResult(
        applicants=applicants,
        programs=programs,
        positions=dict(zip(market.programs, market.positions)),
        proposing=proposing,
    )


def format_result(market: SmallMarket, result: MarketResult) -> str:
    """A table of each program's matches and unfilled positions, then the unmatched applicants."""
    header = ("Program", "Positions", "Matched", "Unfilled")
    rows = [
        (p, str(result.positions[p]), ", ".join(result.programs[p]) or "-", str(result.unfilled(p)))
        for p in market.programs
    ]
    lines = [market.description, ""] if market.description else []
    lines += table(header, rows)
    lines += ["", f"Unmatched applicants: {', '.join(result.unmatched()) or 'none'}"]
    return "\n".join(lines)
