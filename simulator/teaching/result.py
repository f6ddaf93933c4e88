"""A small market's matching, by name: solve it, name the engine's answer, show it.

:func:`solve_market` hands the market to the engine and
:func:`result_from_match` puts names on the engine's match vector (the
trace, the two-sides comparison and ``matchsim match`` all end in one
:class:`MarketResult`); :func:`format_result` is the table ``matchsim match``
prints.  A market with couples, supplemental lists or advanced programs is
matched by the NRMP's procedure (:func:`~simulator.engine.nrmp.roth_peranson`)
and :func:`result_from_nrmp` names its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.engine.kernel import deferred_acceptance
from simulator.engine.nrmp import roth_peranson
from simulator.errors import ScenarioError
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import check_proposing, join_and, ordinal, table, wrap


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
    #: The supplemental PGY-1 position each applicant holds (only those who hold one);
    #: ``None`` in a market without supplemental lists or advanced programs.
    pgy1: dict[str, str] | None = None
    #: Whether the NRMP's procedure found a stable matching; ``None`` without couples
    #: (unless it found none).
    stable: bool | None = None

    def unfilled(self, program: str) -> int:
        """Positions of ``program`` left empty."""
        return self.positions[program] - len(self.programs[program])

    def unmatched(self) -> list[str]:
        """Applicants without a program, in file order."""
        return [a for a, p in self.applicants.items() if p is None]

    def to_json(self) -> dict:
        """``{"applicants": {name: program or None}, "programs": {name: [applicants]}}``,
        plus ``"pgy1": {name: program}`` and ``"stable"`` where the market has them."""
        output = {
            "applicants": dict(self.applicants),
            "programs": {p: list(a) for p, a in self.programs.items()},
        }
        if self.pgy1 is not None:
            output["pgy1"] = dict(self.pgy1)
        if self.stable is not None:
            output["stable"] = self.stable
        return output


def solve_market(market: SmallMarket, proposing: str = "applicants") -> MarketResult:
    """Match ``market`` by deferred acceptance, ``"applicants"`` or ``"programs"`` proposing;
    a market under the NRMP's rules (:attr:`SmallMarket.nrmp_rules`) by its procedure, which
    has applicants propose (programs proposing raises :class:`ScenarioError`)."""
    if market.nrmp_rules:
        check_applicants_propose(proposing)
        result = roth_peranson(**market.to_nrmp_arrays())
        return result_from_nrmp(market, result.match, result.pgy1, result.stable)
    match = deferred_acceptance(*market.to_arrays(), proposing=proposing)
    return result_from_match(market, match, proposing)


def check_applicants_propose(proposing: str, option: str = "--proposing") -> None:
    """The NRMP's procedure has applicants propose: anything else is a :class:`ScenarioError`."""
    check_proposing(proposing)
    if proposing != "applicants":
        raise ScenarioError(
            None,
            option,
            message="programs cannot propose in a market with couples, supplemental lists or "
            "advanced programs: the NRMP's procedure has applicants propose",
        )


def refuse_nrmp_rules(market: SmallMarket, option: str, why: str) -> None:
    """A question without meaning under the NRMP's rules (couples, supplemental lists):
    :class:`ScenarioError` naming the command-line ``option`` and saying ``why``."""
    if market.nrmp_rules:
        rules = "has couples, supplemental lists or advanced programs"
        raise ScenarioError(None, option, message=f"{why}; {market.source} {rules}")


def result_from_nrmp(market: SmallMarket, match, pgy1, stable: bool) -> MarketResult:
    """The named :class:`MarketResult` of the NRMP procedure's ``match`` and ``pgy1`` vectors
    (``n_programs``: none): a program's applicants include those holding it as a PGY-1 year."""
    result = result_from_match(market, match, "applicants")
    n_programs = len(market.programs)
    held = {a: market.programs[int(p)] for a, p in zip(market.applicants, pgy1) if p < n_programs}
    programs = {
        name: [a for a in ranks if result.applicants.get(a) == name or held.get(a) == name]
        for name, ranks in zip(market.programs, market.program_ranks)
    }
    supplemental = any(market.supplemental) or "advanced" in market.tracks
    return MarketResult(
        applicants=result.applicants,
        programs=programs,
        positions=result.positions,
        pgy1=held if supplemental else None,
        stable=bool(stable) if market.couples or not stable else None,
    )


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
    """A table of each program's matches and unfilled positions, then the unmatched applicants;
    under the NRMP's rules each program's track, the PGY-1 year beside each advanced match,
    the couples and whether the result is stable."""
    header = ("Program", "Positions", "Matched", "Unfilled")
    rows = [
        (p, str(result.positions[p]), _matched(market, result, p), str(result.unfilled(p)))
        for p in market.programs
    ]
    lines = [market.description, ""] if market.description else []
    if market.tracks:
        header = (header[0], "Track", *header[1:])
        rows = [(row[0], market.track(row[0]), *row[1:]) for row in rows]
    lines += table(header, rows)
    lines += ["", f"Unmatched applicants: {', '.join(result.unmatched()) or 'none'}"]
    if market.nrmp_rules:
        lines += [wrapped for line in _nrmp_lines(market, result) for wrapped in wrap(line)]
    return "\n".join(lines)


def _matched(market: SmallMarket, result: MarketResult, program: str) -> str:
    """A program's applicants; under the NRMP's rules an advanced match shows its PGY-1
    year, and a PGY-1 year held beside an advanced position is marked."""
    if result.pgy1 is None:
        return ", ".join(result.programs[program]) or "-"
    advanced = market.track(program) == "advanced"
    cells = []
    for a in result.programs[program]:
        if result.applicants[a] != program:
            cells.append(f"{a} (PGY-1 year for {result.applicants[a]})")
        elif advanced:
            year = result.pgy1.get(a)
            cells.append(f"{a} (PGY-1 at {year})" if year else f"{a} (no PGY-1 year)")
        else:
            cells.append(a)
    return ", ".join(cells) or "-"


def _nrmp_lines(market: SmallMarket, result: MarketResult) -> list[str]:
    """Who holds an advanced position without a PGY-1 year, who matched only a preliminary
    year, where each couple matched and whether the result is stable."""
    pgy1 = result.pgy1 or {}
    partial, one_year = [], []
    for a, p in result.applicants.items():
        if p is not None and market.track(p) == "advanced" and a not in pgy1:
            partial.append(f"{a} ({p})")
        elif p is not None and market.track(p) == "preliminary":
            one_year.append(f"{a} ({p})")
    lines = []
    if partial:
        lines.append(
            f"Advanced position without a PGY-1 year: {join_and(partial)}: kept (partially "
            "matched); a PGY-1 year must be found elsewhere."
        )
    if one_year:
        lines.append(
            f"Matched to a preliminary year only: {join_and(one_year)}: a one-year position, "
            "not a career outcome."
        )
    lines += [_couple_line(c, result) for c in market.couples]
    if result.stable is not None:
        lines.append(
            "The result is stable: no applicant, couple or program would rather have each "
            "other than what they got."
            if result.stable
            else "The result is not stable: re-processing stopped at its limit without finding "
            "a stable matching (with couples, one need not exist)."
        )
    return [""] + lines if lines else []


def _couple_line(couple, result: MarketResult) -> str:
    """Where ``couple`` matched, and which of its pairs that is."""
    first, second = couple.members
    got = (result.applicants[first], result.applicants[second])
    if got == (None, None):
        return f"Couple {couple.name}: {first} and {second} are both unmatched."
    where = " and ".join(
        f"{m} {'unmatched' if p is None else 'at ' + p}" for m, p in zip(couple.members, got)
    )
    pair = f" (their {ordinal(couple.ranks.index(got) + 1)} pair)" if got in couple.ranks else ""
    return f"Couple {couple.name}: {where}{pair}."
