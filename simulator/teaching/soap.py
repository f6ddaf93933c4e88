"""SOAP after the Match on a small market: who is offered what, round by round.

A market file may give SOAP lists (``soap_ranks``): a program's order of
offers for the positions the Match leaves it, an applicant's SOAP applications,
most wanted first.  :func:`soap_lesson` takes the Match's result and runs
SOAP's rounds on what it left, with the function every simulated trial uses
(:func:`simulator.market.soap.soap_rounds`): each round, every program with
open positions offers them down its SOAP list to applicants not yet placed,
one offer per open position; each applicant holding offers accepts the one
they like best, at once and for good, and declines the rest, which opens those
positions again for the next round.  :func:`format_soap` tells it in words and
names the pairs who would rather have each other than what SOAP gave them:
offers accepted at once are not deferred acceptance, and nothing guarantees a
stable result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulator.errors import ScenarioError
from simulator.market.soap import SoapLists, soap_rounds
from simulator.market.soap_params import SoapParams
from simulator.teaching.result import MarketResult, refuse_nrmp_rules
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import join_and, table, wrap

#: SOAP's rules in the lesson: no evaluation bar (a program's list is its bar), one offer per
#: open position, the simulated trials' number of rounds.
LESSON_RULES = SoapParams(acceptability_bar=-math.inf, bar_drop=0.0, offers_per_position=1.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SoapRound:
    """One round of SOAP: the offers, and what each applicant holding offers did."""

    number: int
    offers: tuple[tuple[str, str], ...]  # (program, applicant), by program
    accepted: tuple[tuple[str, str], ...]  # (applicant, program)
    declined: tuple[tuple[str, str], ...]  # (applicant, program)

    def to_json(self) -> dict:
        return {
            "round": self.number,
            "offers": [{"program": p, "applicant": a} for p, a in self.offers],
            "accepted": [{"applicant": a, "program": p} for a, p in self.accepted],
            "declined": [{"applicant": a, "program": p} for a, p in self.declined],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class SoapLesson:
    """SOAP after a small market's Match: what was open, the rounds, and the result.

    ``placed`` maps each applicant the Match left unmatched to the program they
    accepted in SOAP (``None``: none); ``unstable`` lists the ``(applicant,
    program)`` pairs who would both rather have each other than what SOAP gave them.
    """

    open_positions: dict[str, int]
    unmatched: tuple[str, ...]
    rounds: tuple[SoapRound, ...]
    placed: dict[str, str | None]
    unstable: tuple[tuple[str, str], ...]

    def to_json(self) -> dict:
        return {
            "open_positions": dict(self.open_positions),
            "unmatched": list(self.unmatched),
            "rounds": [r.to_json() for r in self.rounds],
            "placed": dict(self.placed),
            "unstable": [{"applicant": a, "program": p} for a, p in self.unstable],
        }


def soap_lesson(market: SmallMarket, result: MarketResult) -> SoapLesson:
    """SOAP's rounds on the positions ``result`` (the Match of ``market``) left open.

    A :class:`~simulator.errors.ScenarioError` naming ``--soap`` if the file gives no SOAP lists,
    or if the market is under the NRMP's rules.
    """
    refuse_nrmp_rules(market, "--soap", "SOAP's rounds are played on plain markets")
    if not any(market.program_soap_ranks) or not any(market.applicant_soap_ranks):
        raise ScenarioError(
            None,
            "--soap",
            message=f"{market.source} gives no soap_ranks: SOAP needs the programs' and the "
            "applicants' SOAP lists (see scenarios/lesson-soap.toml)",
        )
    open_positions = {p: result.unfilled(p) for p in market.programs if result.unfilled(p) > 0}
    unmatched = tuple(result.unmatched())
    programs, applicants = tuple(open_positions), market.applicants
    program_lists = dict(zip(market.programs, market.program_soap_ranks))
    rows = [
        (programs.index(p), applicants.index(a), -program_lists[p].index(a), -choice)
        for a, wanted in zip(applicants, market.applicant_soap_ranks)
        if a in unmatched
        for choice, p in enumerate(wanted)
        if p in open_positions and a in program_lists[p]
    ]
    columns = np.array(rows, dtype=float).reshape(-1, 4).T
    lists = SoapLists(
        program=columns[0].astype(np.int64),
        applicant=columns[1].astype(np.int64),
        evaluation=columns[2],
        preference=columns[3],
    )
    opened = np.array(list(open_positions.values()), dtype=np.int64)
    played = soap_rounds(lists, opened, len(applicants), LESSON_RULES, record=True)
    rounds = tuple(
        _named_round(number, offers, programs, applicants)
        for number, offers in enumerate(played.offers, start=1)
    )
    placed = {
        a: None if played.round[applicants.index(a)] == 0 else programs[played.placed[i]]
        for a, i in ((a, applicants.index(a)) for a in unmatched)
    }
    return SoapLesson(
        open_positions=open_positions,
        unmatched=unmatched,
        rounds=rounds,
        placed=placed,
        unstable=_unstable(market, open_positions, placed),
    )


def _named_round(number, offers, programs, applicants) -> SoapRound:
    applicant, program, accepted = offers
    pairs = [(applicants[a], programs[p], bool(k)) for a, p, k in zip(applicant, program, accepted)]
    return SoapRound(
        number=number,
        offers=tuple((p, a) for a, p, _ in pairs),
        accepted=tuple((a, p) for a, p, k in pairs if k),
        declined=tuple((a, p) for a, p, k in pairs if not k),
    )


def _unstable(market: SmallMarket, open_positions, placed) -> tuple[tuple[str, str], ...]:
    """The (applicant, program) pairs on each other's SOAP lists who would both rather have
    each other: the applicant prefers the program to what SOAP gave them, and the program
    has a position left or ranks the applicant above someone it took."""
    applicant_lists = dict(zip(market.applicants, market.applicant_soap_ranks))
    program_lists = dict(zip(market.programs, market.program_soap_ranks))
    pairs = []
    for a, got in placed.items():
        wanted = applicant_lists[a]
        better = wanted[: wanted.index(got)] if got in wanted else wanted
        for p in better:
            if p not in open_positions or a not in program_lists[p]:
                continue
            taken = [b for b, q in placed.items() if q == p]
            rank = program_lists[p].index
            if len(taken) < open_positions[p] or any(rank(a) < rank(b) for b in taken):
                pairs.append((a, p))
    return tuple(pairs)


def format_soap(lesson: SoapLesson) -> str:
    """SOAP in words: what the Match left, each round's offers and answers, the result, and
    the pairs SOAP leaves who would rather have each other."""
    opened = ", ".join(f"{p} {n}" for p, n in lesson.open_positions.items()) or "none"
    lines = [
        "SOAP (the Supplemental Offer and Acceptance Program), after the Match",
        "",
        *wrap(f"Positions left open by the Match: {opened}."),
        *wrap(f"Unmatched applicants: {join_and(list(lesson.unmatched)) or 'none'}."),
        *wrap(
            "Each round, every program with open positions offers them down its SOAP list "
            "to applicants not yet placed, one offer per open position; an applicant "
            "holding offers accepts the one they like best, at once and for good, and "
            "declines the rest, which opens those positions again for the next round."
        ),
    ]
    for r in lesson.rounds:
        lines += ["", f"SOAP round {r.number}"]
        for program in dict.fromkeys(p for p, _ in r.offers):
            names = join_and([a for p, a in r.offers if p == program])
            lines += wrap(f"- {program} offers a position to {names}.")
        for a, p in r.accepted:
            turned = join_and([q for b, q in r.declined if b == a])
            lines += wrap(f"- {a} accepts {p}" + (f" and declines {turned}." if turned else "."))
    rows = [
        (a, p or "-", "-" if p is None else f"round {_round_of(lesson, a)}")
        for a, p in lesson.placed.items()
    ]
    lines += ["", "Result of SOAP", *table(("Applicant", "Placed in SOAP", "When"), rows)]
    left = {
        p: n - sum(1 for q in lesson.placed.values() if q == p)
        for p, n in lesson.open_positions.items()
    }
    still = ", ".join(f"{p} {n}" for p, n in left.items() if n > 0) or "none"
    lines += ["", *wrap(f"Positions still open after SOAP: {still}.")]
    lines += _unstable_lines(lesson)
    return "\n".join(lines)


def _round_of(lesson: SoapLesson, applicant: str) -> int:
    return next(r.number for r in lesson.rounds if any(a == applicant for a, _ in r.accepted))


def _unstable_lines(lesson: SoapLesson) -> list[str]:
    if not lesson.unstable:
        return ["", *wrap("No two people would rather have each other than what SOAP gave them.")]
    lines = [""]
    for a, p in lesson.unstable:
        got = lesson.placed[a]
        why = (
            f"{a} accepted {got} in round {_round_of(lesson, a)}, for good,"
            if got
            else "SOAP's rounds ended"
        )
        lines += wrap(
            f"{a} and {p} would both rather have each other: {why} before {p} "
            f"offered {a} a position."
        )
    lines += wrap(
        "The Match never leaves such a pair: its holds stay tentative until the end, so "
        "its result is stable. In SOAP an acceptance is final at once, and nothing "
        "guarantees a stable result."
    )
    return lines
