"""What happens, step by step: the Match's algorithm on a small market, by name.

:func:`trace_market` follows the NRMP's algorithm in its own words and order
(applicants proposing):

1. each applicant tries the first program on their list;
2. each program tentatively holds its most preferred applicants, up to its
   number of positions, and rejects the rest (and anyone it did not rank);
3. a rejected applicant tries the next program on their list;
4. tentative matches become final when no applicant has a program left to try.

The events come from :func:`simulator.engine.reference.traced_deferred_acceptance`;
this module only puts names and ranks on them.  :func:`format_trace` tells
every round in words.  No click here: the command is
:mod:`simulator.commands.explain`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace

from simulator.engine.reference import traced_deferred_acceptance
from simulator.teaching.result import MarketResult, format_result, result_from_match
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import (
    Prefs,
    check_proposing,
    its_choice,
    join_and,
    ordinal,
    plural,
    their_choice,
    wrap,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceEvent:
    """One step of the algorithm, by name.

    ``kind`` is ``"propose"``, ``"hold"`` or ``"reject"``; who proposes to whom
    depends on :attr:`Trace.proposing`.  ``applicant_choice`` is where the
    program stands on the applicant's list and ``program_choice`` where the
    applicant stands on the program's list (1 = first choice, ``None`` = not
    ranked).  ``displaced`` marks a rejection of someone held until then.
    """

    kind: str
    applicant: str
    program: str
    applicant_choice: int | None
    program_choice: int | None
    displaced: bool = False

    def to_json(self) -> dict:
        """The event as JSON: every field by name."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceRound:
    """The events of one round, in the order the algorithm made them."""

    number: int
    events: tuple[TraceEvent, ...]

    def to_json(self) -> dict:
        return {"round": self.number, "events": [e.to_json() for e in self.events]}


@dataclass(frozen=True, slots=True, kw_only=True)
class Trace:
    """A solved market with every round of the algorithm that solved it."""

    proposing: str
    rounds: tuple[TraceRound, ...]
    result: MarketResult

    def to_json(self) -> dict:
        """``{"proposing", "rounds": [{"round", "events"}], "result"}``.

        ``result`` has the shape ``matchsim match --json`` prints.
        """
        return {
            "proposing": self.proposing,
            "rounds": [r.to_json() for r in self.rounds],
            "result": self.result.to_json(),
        }


def trace_market(market: SmallMarket, proposing: str = "applicants") -> Trace:
    """Solve ``market`` with the sequential reference and name every event of every round.

    Deferred acceptance only: a market under the NRMP's rules (couples,
    supplemental lists) is traced by :func:`simulator.teaching.nrmp_trace.trace_nrmp`.
    """
    check_proposing(proposing)
    if market.nrmp_rules:
        raise ValueError("a market with couples or supplemental lists is traced by trace_nrmp")
    match, rounds = traced_deferred_acceptance(*market.to_arrays(), proposing=proposing)
    return Trace(
        proposing=proposing,
        rounds=name_rounds(market, rounds, proposing),
        result=result_from_match(market, match, proposing),
    )


def name_rounds(market: SmallMarket, rounds, proposing: str) -> tuple[TraceRound, ...]:
    """The reference's rounds of deferred acceptance with names and ranks on every event."""
    prefs = Prefs(market)
    named = []
    for round_ in rounds:
        events = []
        for event in round_.events:
            a, p = (
                (event.proposer, event.target)
                if proposing == "applicants"
                else (event.target, event.proposer)
            )
            applicant, program = market.applicants[a], market.programs[p]
            events.append(
                TraceEvent(
                    kind=event.kind,
                    applicant=applicant,
                    program=program,
                    applicant_choice=prefs.applicant_choice(applicant, program),
                    program_choice=prefs.program_choice(program, applicant),
                    displaced=event.displaced,
                )
            )
        named.append(TraceRound(number=round_.number, events=tuple(events)))
    return tuple(named)


def format_trace(market: SmallMarket, trace: Trace) -> str:
    """The rules, then every round (proposals, holds, rejections), then the result table."""
    by_applicants = trace.proposing == "applicants"
    lines = [market.description, ""] if market.description else []
    if by_applicants:
        lines += [
            "How the Match works when applicants propose (the NRMP's algorithm):",
            "  1. Each applicant tries the first program on their list.",
            "  2. Each program tentatively holds its most preferred applicants, up to its",
            "     number of positions, and rejects the rest (and anyone it did not rank).",
            "  3. A rejected applicant tries the next program on their list.",
            "  4. Tentative matches become final when no applicant has a program left",
            "     to try.",
        ]
    else:
        lines += [
            "How the Match works when programs propose:",
            "  1. Each program offers its positions to the applicants at the top of its list",
            "     (skipping any who did not rank it: they could never match).",
            "  2. Each applicant tentatively holds the offer they rank highest and turns",
            "     down the rest (and any program they did not rank).",
            "  3. A program turned down offers the position to the next applicant on its",
            "     list.",
            "  4. Tentative matches become final when no program with an open position has",
            "     an applicant left to try.",
        ]
    lines += rounds_lines(market, trace.rounds, trace.proposing)
    if by_applicants:
        lines += [
            "",
            "No applicant has a program left to try: the tentative matches become final.",
        ]
    else:
        lines += [
            "",
            "No program with an open position has an applicant left to try:",
            "the tentative matches become final.",
        ]
    lines += ["", "Result", ""]
    lines.append(format_result(replace(market, description=""), trace.result))
    return "\n".join(lines)


def rounds_lines(market: SmallMarket, rounds, proposing: str) -> list[str]:
    """Every round in words: a ``Round k`` heading, then its proposals, holds and rejections."""
    state = _Replay(market, proposing)
    lines = []
    for round_ in rounds:
        lines += ["", f"Round {round_.number}"]
        for sentence in _round_lines(round_, state, proposing == "applicants"):
            lines += wrap("  " + sentence, hang="    ")
    return lines


class _Replay:
    """Who holds whom and who has run out of list, replayed event by event for the text."""

    def __init__(self, market: SmallMarket, proposing: str):
        self.held: dict[str, list[str]] = {p: [] for p in market.programs}
        self.held_since: dict[tuple[str, str], int] = {}
        self.tried: dict[str, int] = {}  # proposals made by each proposer
        lists = dict(zip(market.applicants, market.applicant_ranks))
        if proposing == "applicants":
            self.list_length = {a: len(r) for a, r in lists.items()}
        else:  # a program proposes only to those who ranked it
            self.list_length = {
                p: sum(1 for a in r if p in lists[a])
                for p, r in zip(market.programs, market.program_ranks)
            }
        self.positions = dict(zip(market.programs, market.positions))
        rank_of = [{a: i for i, a in enumerate(r)} for r in market.program_ranks]
        self.program_rank = dict(zip(market.programs, rank_of))

    def hold(self, e: TraceEvent, number: int) -> None:
        held = self.held[e.program]
        held.append(e.applicant)
        held.sort(key=self.program_rank[e.program].__getitem__)
        self.held_since[(e.applicant, e.program)] = number

    def release(self, e: TraceEvent) -> int | None:
        """Let go of a held pair; return the round the hold began."""
        self.held[e.program].remove(e.applicant)
        return self.held_since.pop((e.applicant, e.program), None)


def _round_lines(round_: TraceRound, state: _Replay, by_applicants: bool) -> list[str]:
    """The sentences of one round, updating ``state``."""
    proposals = [e for e in round_.events if e.kind == "propose"]
    decisions = [e for e in round_.events if e.kind != "propose"]
    lines = []
    # 1. Proposals, grouped by proposer.
    for proposer, events in _grouped(proposals, lambda e: _proposer(e, by_applicants)):
        state.tried[proposer] = state.tried.get(proposer, 0) + len(events)
        if by_applicants:
            (e,) = events
            choice = ordinal(e.applicant_choice)
            lines.append(f"{e.applicant} tries {e.program} ({choice} choice).")
        else:
            offers = join_and([f"{e.applicant} ({its_choice(e.program_choice)})" for e in events])
            noun = "a position" if len(events) == 1 else "positions"
            lines.append(f"{proposer} offers {noun} to {offers}.")
    # 2. Each target's decisions: holds first, then rejections.
    for target, events in _grouped(decisions, lambda e: _target(e, by_applicants)):
        holds = [e for e in events if e.kind == "hold"]
        rejects = [e for e in events if e.kind == "reject"]
        unranked = [e for e in rejects if _target_choice(e, by_applicants) is None]
        displaced = [e for e in rejects if e.displaced]
        passed_over = [e for e in rejects if e not in unranked and e not in displaced]
        since = {id(e): state.release(e) for e in displaced}
        for e in holds:
            state.hold(e, round_.number)
        lines += _decision_lines(
            target, holds, unranked, passed_over, displaced, since, state, by_applicants
        )
    # 3. Where things stand.
    held = "; ".join(f"{p}: {', '.join(a)}" for p, a in state.held.items() if a) or "nobody"
    lines.append(f"Tentatively held after round {round_.number}: {held}.")
    lines += _exhausted_lines(round_, state, by_applicants)
    return lines


def _decision_lines(target, holds, unranked, passed_over, displaced, since, state, by_applicants):
    """What ``target`` did with this round's proposals: holds, then each kind of rejection."""
    lines = []
    if by_applicants:
        if holds:
            names = join_and([f"{e.applicant} ({its_choice(e.program_choice)})" for e in holds])
            lines.append(f"{target} tentatively holds {names}.")
        if unranked:
            names = join_and([e.applicant for e in unranked])
            lines.append(f"{target} rejects {names}: {target} did not rank them.")
        higher = (
            "applicants it ranks higher"
            if state.positions[target] > 1
            else "an applicant it ranks higher"
        )
        if passed_over:
            names = join_and(
                [f"{e.applicant} ({its_choice(e.program_choice)})" for e in passed_over]
            )
            lines.append(f"{target} rejects {names}: it is full with {higher}.")
        for e in displaced:
            lines.append(
                f"{target} rejects {e.applicant} ({its_choice(e.program_choice)}), held since "
                f"round {since[id(e)]}: it is now full with {higher}."
            )
    else:
        for e in holds:
            lines.append(
                f"{target} tentatively holds the offer from {e.program} "
                f"({their_choice(e.applicant_choice)})."
            )
        if unranked:
            names = join_and([e.program for e in unranked])
            it = "it" if len(unranked) == 1 else "them"
            lines.append(f"{target} turns down {names}: {target} did not rank {it}.")
        if passed_over:
            names = join_and(
                [f"{e.program} ({their_choice(e.applicant_choice)})" for e in passed_over]
            )
            lines.append(f"{target} turns down {names}: they hold an offer they rank higher.")
        for e in displaced:
            lines.append(
                f"{target} turns down {e.program} ({their_choice(e.applicant_choice)}), held since "
                f"round {since[id(e)]}: they now hold an offer they rank higher."
            )
    return lines


def _exhausted_lines(round_: TraceRound, state: _Replay, by_applicants: bool) -> list[str]:
    """Proposers turned away this round who have nobody left to try."""
    turned_away = {_proposer(e, by_applicants) for e in round_.events if e.kind == "reject"}
    lines = []
    for proposer in sorted(turned_away, key=list(state.list_length).index):
        if state.tried.get(proposer, 0) < state.list_length[proposer]:
            continue
        if by_applicants:
            if not any(proposer in held for held in state.held.values()):
                lines.append(f"{proposer} has no program left to try.")
        else:
            open_ = state.positions[proposer] - len(state.held[proposer])
            if open_ > 0:
                lines.append(
                    f"{proposer} has no applicant left to offer a position to "
                    f"({plural(open_, 'position')} open)."
                )
    return lines


def _proposer(e: TraceEvent, by_applicants: bool) -> str:
    return e.applicant if by_applicants else e.program


def _target(e: TraceEvent, by_applicants: bool) -> str:
    return e.program if by_applicants else e.applicant


def _target_choice(e: TraceEvent, by_applicants: bool) -> int | None:
    """Where the proposer stands on the target's list."""
    return e.program_choice if by_applicants else e.applicant_choice


def _grouped(events, key):
    """``[(key, [events])]`` in order of each key's first event."""
    groups: dict[str, list] = {}
    for e in events:
        groups.setdefault(key(e), []).append(e)
    return list(groups.items())
