"""Applicants propose or programs propose: who fares differently.

:func:`compare_sides` solves a small market both ways; the two matchings are
the extremes of the market's stable matchings (each side does best when it
proposes), and when they agree the market has only one stable matching.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.engine.kernel import deferred_acceptance
from simulator.teaching.result import MarketResult, refuse_nrmp_rules, result_from_match
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import Prefs, its_choice, plural, table, their_choice
from simulator.vocabulary import PROPOSING_SIDES


@dataclass(frozen=True, slots=True, kw_only=True)
class SideComparison:
    """The applicant-proposing and program-proposing matchings, and who differs.

    ``applicants`` lists ``(name, program when applicants propose, program when
    programs propose)`` for each applicant whose match differs (``None``:
    unmatched); ``programs`` likewise with tuples of applicants.
    """

    applicants_proposing: MarketResult
    programs_proposing: MarketResult
    applicants: tuple[tuple[str, str | None, str | None], ...]
    programs: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]

    @property
    def same(self) -> bool:
        """Whether the two matchings are the same (then it is the market's only stable matching)."""
        return not self.applicants

    def to_json(self) -> dict:
        return {
            "same": self.same,
            "applicants_proposing": self.applicants_proposing.to_json(),
            "programs_proposing": self.programs_proposing.to_json(),
            "applicants": [
                {"name": n, "applicants_proposing": a, "programs_proposing": p}
                for n, a, p in self.applicants
            ],
            "programs": [
                {"name": n, "applicants_proposing": list(a), "programs_proposing": list(p)}
                for n, a, p in self.programs
            ],
        }


def compare_sides(market: SmallMarket) -> SideComparison:
    """Solve ``market`` both ways and list who fares differently (not under the NRMP's
    rules, where only applicants propose: :class:`~simulator.errors.ScenarioError`)."""
    refuse_nrmp_rules(market, "--compare-sides", "only applicants propose under the NRMP's rules")
    arrays = market.to_arrays()
    results = {
        side: result_from_match(market, deferred_acceptance(*arrays, proposing=side).tolist(), side)
        for side in PROPOSING_SIDES
    }
    by_a, by_p = results["applicants"], results["programs"]
    return SideComparison(
        applicants_proposing=by_a,
        programs_proposing=by_p,
        applicants=tuple(
            (a, by_a.applicants[a], by_p.applicants[a])
            for a in market.applicants
            if by_a.applicants[a] != by_p.applicants[a]
        ),
        programs=tuple(
            (p, tuple(by_a.programs[p]), tuple(by_p.programs[p]))
            for p in market.programs
            if by_a.programs[p] != by_p.programs[p]
        ),
    )


def format_comparison(market: SmallMarket, comparison: SideComparison) -> str:
    """Two small tables (applicants, programs) of who fares differently, and what it means."""
    prefs = Prefs(market)
    lines = [market.description, ""] if market.description else []
    lines.append("Applicants propose (the NRMP's algorithm) or programs propose?")
    lines.append("")
    if comparison.same:
        lines += [
            "Nobody fares differently: both give the same matching, so it is the market's",
            "only stable matching.",
        ]
        return "\n".join(lines)

    def applicant_cell(a, p):
        return "unmatched" if p is None else f"{p} ({their_choice(prefs.applicant_choice(a, p))})"

    def program_cell(p, applicants):
        cells = [f"{a} ({its_choice(prefs.program_choice(p, a))})" for a in applicants]
        return ", ".join(cells) or "nobody"

    n_a, n_p = len(comparison.applicants), len(comparison.programs)
    lines += [
        f"{plural(n_a, 'applicant')} and {plural(n_p, 'program')} fare differently:",
        "",
    ]
    header = ("Applicant", "Applicants propose", "Programs propose")
    rows = [(a, applicant_cell(a, x), applicant_cell(a, y)) for a, x, y in comparison.applicants]
    lines += table(header, rows)
    lines.append("")
    header = ("Program", "Applicants propose", "Programs propose")
    rows = [(p, program_cell(p, x), program_cell(p, y)) for p, x, y in comparison.programs]
    lines += table(header, rows)
    lines += [
        "",
        "Every applicant does at least as well when applicants propose, and every program",
        "at least as well when programs propose: the two are the extremes of the market's",
        "stable matchings.",
    ]
    return "\n".join(lines)
