"""Teaching how rank-order lists work: traces, explanations and the search for a better lie.

Everything here works on a :class:`~simulator.smallmarket.SmallMarket` and
answers one question a person learning the Match asks:

* :func:`trace_market` -- what happens, step by step?  The NRMP's algorithm in
  its own words and order (applicants proposing):

  1. each applicant tries the first program on their list;
  2. each program tentatively holds its most preferred applicants, up to its
     number of positions, and rejects the rest (and anyone it did not rank);
  3. a rejected applicant tries the next program on their list;
  4. tentative matches become final when no applicant has a program left to try.

  The events come from :func:`simulator.reference.traced_deferred_acceptance`;
  this module only puts names and ranks on them.
* :func:`explain_outcome` -- why did this applicant (or program) end up where
  they did?  By stability, every program an applicant ranked above their
  outcome either did not rank them or filled its positions with applicants it
  ranked higher; every applicant a program ranked above its outcome either did
  not rank it or matched a program they ranked higher.
* :func:`compare_sides` -- who fares differently when programs propose?
* :func:`manipulation_search` -- could a different list have done better?  An
  applicant's every possible list (every ordering of every subset of the
  programs) or a program's every list that keeps its true order (every subset,
  which includes every truncation) is re-solved, all at once, as one large
  market of disjoint copies handed to the vectorised engine.  Outcomes are
  judged by the manipulator's *true* preferences: the lists in the file.

Results are small frozen dataclasses with ``to_json()``; ``format_*`` functions
produce the readable text.  No click here: the command is
:mod:`simulator.commands.explain`.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass, replace

import numpy as np

from simulator.engine import PROPOSING_SIDES, deferred_acceptance
from simulator.errors import ScenarioError, closest
from simulator.reference import traced_deferred_acceptance
from simulator.smallmarket import MarketResult, SmallMarket, format_result, result_from_match

#: At most this many lists are tried by :func:`manipulation_search`: every list an
#: applicant can submit in a market of 8 programs (1 + 8 + 8*7 + ... + 8! = 109,601).
MAX_LISTS = 109_601
#: Entries per engine call when lists are solved in batches (bounds memory).
_BATCH_ENTRIES = 1_000_000


# --- traces ------------------------------------------------------------------------------


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
        return {
            "kind": self.kind,
            "applicant": self.applicant,
            "program": self.program,
            "applicant_choice": self.applicant_choice,
            "program_choice": self.program_choice,
            "displaced": self.displaced,
        }


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
    """Solve ``market`` with the sequential reference and name every event of every round."""
    _check_proposing(proposing)
    match, rounds = traced_deferred_acceptance(*market.to_arrays(), proposing=proposing)
    prefs = _Prefs(market)
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
    return Trace(
        proposing=proposing, rounds=tuple(named), result=result_from_match(market, match, proposing)
    )


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
    state = _Replay(market, trace.proposing)
    for round_ in trace.rounds:
        lines += ["", f"Round {round_.number}"]
        for sentence in _round_lines(round_, state, by_applicants):
            lines += _wrap("  " + sentence, hang="    ")
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
            choice = _ordinal(e.applicant_choice)
            lines.append(f"{e.applicant} tries {e.program} ({choice} choice).")
        else:
            offers = _and([f"{e.applicant} ({_its(e.program_choice)})" for e in events])
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
            names = _and([f"{e.applicant} ({_its(e.program_choice)})" for e in holds])
            lines.append(f"{target} tentatively holds {names}.")
        if unranked:
            names = _and([e.applicant for e in unranked])
            lines.append(f"{target} rejects {names}: {target} did not rank them.")
        higher = (
            "applicants it ranks higher" if state.positions[target] > 1
            else "an applicant it ranks higher"
        )
        if passed_over:
            names = _and([f"{e.applicant} ({_its(e.program_choice)})" for e in passed_over])
            lines.append(f"{target} rejects {names}: it is full with {higher}.")
        for e in displaced:
            lines.append(
                f"{target} rejects {e.applicant} ({_its(e.program_choice)}), held since round "
                f"{since[id(e)]}: it is now full with {higher}."
            )
    else:
        for e in holds:
            lines.append(
                f"{target} tentatively holds the offer from {e.program} "
                f"({_their(e.applicant_choice)})."
            )
        if unranked:
            names = _and([e.program for e in unranked])
            it = "it" if len(unranked) == 1 else "them"
            lines.append(f"{target} turns down {names}: {target} did not rank {it}.")
        if passed_over:
            names = _and([f"{e.program} ({_their(e.applicant_choice)})" for e in passed_over])
            lines.append(f"{target} turns down {names}: they hold an offer they rank higher.")
        for e in displaced:
            lines.append(
                f"{target} turns down {e.program} ({_their(e.applicant_choice)}), held since "
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
                    f"({_count(open_, 'position')} open)."
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


# --- why ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """Why one program (or applicant) the subject ranked higher is not their outcome.

    ``name`` is the program an applicant ranked above their outcome, or the
    applicant a program ranked above its outcome; ``choice`` is where it
    stands on the subject's list and ``rank`` where the subject stands on its
    list (1 = first; ``None``: it did not rank the subject).  ``kind`` is
    ``"not-ranked"`` (it did not rank the subject), ``"ranked-higher"`` (its
    places went to ones it ranked higher, listed in ``instead`` with its
    choice of each) or, for a program, ``"no-positions"`` (it offers none).
    ``story`` says what happened between the two in the trace (empty when the
    proposer never had the other on its list).
    """

    name: str
    choice: int
    kind: str
    rank: int | None
    instead: tuple[tuple[str, int], ...] = ()
    story: str = ""

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "choice": self.choice,
            "kind": self.kind,
            "rank": self.rank,
            "instead": [{"name": n, "choice": c} for n, c in self.instead],
            "story": self.story,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Missed:
    """Someone who ranked the subject but whom the subject did not rank.

    ``rank`` is where the subject stands on their list; ``would_match`` says
    whether adding them alone to the bottom of the subject's list would have
    matched the two (everyone else's lists unchanged).
    """

    name: str
    rank: int
    would_match: bool

    def to_json(self) -> dict:
        return {"name": self.name, "rank": self.rank, "would_match": self.would_match}


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Why an applicant or a program ended up where it did.

    ``side`` is ``"applicant"`` or ``"program"``; ``ranks`` the subject's list;
    ``matched`` its match (a program, or a program's applicants best first)
    with ``matched_choices`` their places on that list.  ``positions`` is
    ``None`` for an applicant.  ``reasons`` cover everyone the subject ranked
    above its outcome (for a program with an open position: everyone it ranked
    and did not get; for a program with no positions: nobody).  ``missed`` is
    filled only for an unmatched applicant or a program with open positions.
    ``stories`` tell how each match itself came about, from the trace.
    """

    name: str
    side: str
    proposing: str
    ranks: tuple[str, ...]
    matched: tuple[str, ...]
    matched_choices: tuple[int, ...]
    positions: int | None
    reasons: tuple[Reason, ...]
    missed: tuple[Missed, ...]
    stories: tuple[str, ...] = ()

    @property
    def unfilled(self) -> int | None:
        """Open positions of a program; ``None`` for an applicant."""
        return None if self.positions is None else self.positions - len(self.matched)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "side": self.side,
            "proposing": self.proposing,
            "list": list(self.ranks),
            "matched": list(self.matched),
            "matched_choices": list(self.matched_choices),
            "positions": self.positions,
            "unfilled": self.unfilled,
            "reasons": [r.to_json() for r in self.reasons],
            "missed": [m.to_json() for m in self.missed],
            "stories": list(self.stories),
        }


def explain_outcome(
    market: SmallMarket, name: str, proposing: str = "applicants", *, option: str = "--why"
) -> Explanation:
    """Explain the outcome of applicant or program ``name``.

    An unknown name raises :class:`ScenarioError` suggesting the closest one;
    ``option`` names the command-line option in that message.
    """
    _check_proposing(proposing)
    side = find_name(market, name, option=option)
    trace = trace_market(market, proposing)
    prefs = _Prefs(market)
    result = trace.result
    if side == "applicant":
        return _explain_applicant(market, name, trace, prefs, result)
    return _explain_program(market, name, trace, prefs, result)


def _explain_applicant(market, name, trace, prefs, result) -> Explanation:
    ranks = market.applicant_ranks[market.applicants.index(name)]
    outcome = result.applicants[name]
    above = ranks if outcome is None else ranks[: ranks.index(outcome)]
    reasons = []
    for program in above:
        rank = prefs.program_choice(program, name)
        instead = tuple((a, prefs.program_choice(program, a)) for a in result.programs[program])
        if rank is None:
            kind = "not-ranked"
        elif result.positions[program] == 0:
            kind = "no-positions"
        else:
            kind = "ranked-higher"
        reasons.append(
            Reason(
                name=program,
                choice=prefs.applicant_choice(name, program),
                kind=kind,
                rank=rank,
                instead=() if rank is None else instead,
                story=_story(trace, prefs, name, program),
            )
        )
    missed = ()
    if outcome is None:
        others = [
            p for p in market.programs
            if p not in ranks and prefs.program_choice(p, name) is not None
        ]
        lists = [(*_indices(market.programs, ranks), market.programs.index(p)) for p in others]
        got = _applicant_outcomes(market, market.applicants.index(name), lists, trace.proposing)
        missed = tuple(
            Missed(
                name=p,
                rank=prefs.program_choice(p, name),
                would_match=int(g) == market.programs.index(p),
            )
            for p, g in zip(others, got)
        )
    matched = () if outcome is None else (outcome,)
    return Explanation(
        name=name,
        side="applicant",
        proposing=trace.proposing,
        ranks=ranks,
        matched=matched,
        matched_choices=tuple(prefs.applicant_choice(name, p) for p in matched),
        positions=None,
        reasons=tuple(reasons),
        missed=missed,
        stories=tuple(_story(trace, prefs, name, p) for p in matched),
    )


def _explain_program(market, name, trace, prefs, result) -> Explanation:
    q = market.programs.index(name)
    ranks, positions = market.program_ranks[q], market.positions[q]
    matched = tuple(result.programs[name])
    full = len(matched) >= positions
    if not positions:
        above = ()  # nothing to fill, nothing to explain
    elif full:
        above = ranks[: ranks.index(matched[-1])]
    else:
        above = ranks
    reasons = []
    for applicant in above:
        if applicant in matched:
            continue
        rank = prefs.applicant_choice(applicant, name)
        went = result.applicants[applicant]
        instead = () if went is None else ((went, prefs.applicant_choice(applicant, went)),)
        reasons.append(
            Reason(
                name=applicant,
                choice=prefs.program_choice(name, applicant),
                kind="not-ranked" if rank is None else "ranked-higher",
                rank=rank,
                instead=() if rank is None else instead,
                story=_story(trace, prefs, applicant, name),
            )
        )
    missed = ()
    if not full:
        others = [
            a for a, r in zip(market.applicants, market.applicant_ranks)
            if name in r and a not in ranks
        ]
        rows = [_program_rank_row(market, (*ranks, a)) for a in others]
        got = _program_outcomes(market, q, rows, trace.proposing)
        missed = tuple(
            Missed(
                name=a,
                rank=prefs.applicant_choice(a, name),
                would_match=bool(g[market.applicants.index(a)]),
            )
            for a, g in zip(others, got)
        )
    return Explanation(
        name=name,
        side="program",
        proposing=trace.proposing,
        ranks=ranks,
        matched=matched,
        matched_choices=tuple(prefs.program_choice(name, a) for a in matched),
        positions=positions,
        reasons=tuple(reasons),
        missed=missed,
        stories=tuple(_story(trace, prefs, a, name) for a in matched),
    )


def _story(trace: Trace, prefs: _Prefs, applicant: str, program: str) -> str:
    """What happened between ``applicant`` and ``program`` in the trace, in one sentence."""
    by_applicants = trace.proposing == "applicants"
    target = program if by_applicants else applicant
    events = [
        (r.number, e)
        for r in trace.rounds
        for e in r.events
        if e.applicant == applicant and e.program == program
    ]
    proposed = [n for n, e in events if e.kind == "propose"]
    held = [n for n, e in events if e.kind == "hold"]
    rejected = [(n, e) for n, e in events if e.kind == "reject"]
    if not proposed and not _would_propose(trace, prefs, applicant, program):
        return ""  # not on the proposer's list, or no position to offer: the reason says so
    if not proposed:
        if by_applicants:
            return f"{applicant} never got as far as {program} on their list."
        return f"{program} never got as far as {applicant} on its list."
    start = proposed[0]
    tried = (
        f"{applicant} tried {program} in round {start}"
        if by_applicants
        else f"{program} offered {applicant} a position in round {start}"
    )
    if not held:
        if by_applicants:
            return f"{tried} and was rejected."
        return f"{tried}; {applicant} turned it down."
    if not rejected:
        if by_applicants:
            return f"{tried}; {program} held them to the end."
        return f"{tried}; {applicant} held it to the end."
    end, _ = rejected[0]
    displacing = _displacing(trace, end, target, by_applicants)
    if by_applicants:
        return (
            f"{tried}; {program} held them until round {end}, then rejected them for "
            f"{displacing}."
        )
    return (
        f"{tried}; {applicant} held it until round {end}, then turned it down for {displacing}."
    )


def _would_propose(trace: Trace, prefs: _Prefs, applicant: str, program: str) -> bool:
    """Whether the proposer has the other on its list.

    A program proposes only to applicants who ranked it, and only if it has
    positions to offer.
    """
    a_choice = prefs.applicant_choice(applicant, program)
    if trace.proposing == "applicants":
        return a_choice is not None
    p_choice = prefs.program_choice(program, applicant)
    has_positions = trace.result.positions[program] > 0
    return a_choice is not None and p_choice is not None and has_positions


def _displacing(trace: Trace, number: int, target: str, by_applicants: bool) -> str:
    """Whom ``target`` took in round ``number``, when it let a held proposer go."""
    round_ = trace.rounds[number - 1]
    taken = [e for e in round_.events if e.kind == "hold" and _target(e, by_applicants) == target]
    if by_applicants:
        return _and([f"{e.applicant} ({_its(e.program_choice)})" for e in taken]) or "others"
    return _and([f"{e.program} ({_their(e.applicant_choice)})" for e in taken]) or "another offer"


def format_explanation(market: SmallMarket, explanation: Explanation) -> str:
    """The explanation in plain words: the outcome, one item per reason, what was missed."""
    ex = explanation
    lines = [market.description, ""] if market.description else []
    sides = "applicants propose" if ex.proposing == "applicants" else "programs propose"
    if ex.side == "applicant":
        body = _applicant_lines(ex, sides)
    else:
        body = _program_lines(ex, sides)
    lines += [wrapped for line in body for wrapped in _wrap(line)]
    return "\n".join(lines)


def _applicant_lines(ex: Explanation, sides: str) -> list[str]:
    name = ex.name
    if ex.matched:
        (program,), (choice,) = ex.matched, ex.matched_choices
        title = f"Why did {name} match {program}? ({sides})"
        outcome = f"{name} matched {program}, their {_ordinal(choice)} choice."
        above = f"Every program {name} ranked above {program}:"
    else:
        title = f"Why is {name} unmatched? ({sides})"
        outcome = f"{name} is unmatched."
        above = f"Every program {name} ranked:"
    listed = f"{name} ranked {_count(len(ex.ranks), 'program')}"
    listed += f": {', '.join(ex.ranks)}." if ex.ranks else "."
    lines = [title, "", listed, outcome]
    if ex.reasons:
        lines += ["", above]
    for r in ex.reasons:
        if r.kind == "not-ranked":
            why = f"did not rank {name}."
        elif r.kind == "no-positions":
            why = f"ranked {name} {_ordinal(r.rank)}, but has no positions."
        else:
            filled = _and([f"{a} ({_its(c)})" for a, c in r.instead])
            places = (
                "its only position with an applicant"
                if len(r.instead) == 1
                else f"its {len(r.instead)} positions with applicants"
            )
            why = (
                f"ranked {name} {_ordinal(r.rank)}, but filled {places} it ranked higher: "
                f"{filled}."
            )
        lines.append(f"- {r.name} ({_their(r.choice)}) {why}")
        if r.story:
            lines.append(f"  {r.story}")
    lines.append("")
    if ex.matched:
        if ex.matched_choices[0] == 1:
            lines.append(f"{program} is {name}'s first choice: nothing better was possible.")
        else:
            lines.append(
                f"So {program} is the best program on {name}'s list that had a place for them."
            )
        lines += list(ex.stories)
        return lines
    if ex.ranks:
        lines.append(f"{name} ranked no other program, so {name} is unmatched.")
    else:
        lines.append(f"{name} ranked no program, so {name} is unmatched.")
    if ex.missed:
        lines += ["", f"Programs that ranked {name} but that {name} did not rank:"]
        for m in ex.missed:
            effect = "would" if m.would_match else "would not"
            lines.append(
                f"- {m.name} ranked {name} {_ordinal(m.rank)}: adding {m.name} to the bottom of "
                f"{name}'s list {effect} have matched them there."
            )
        if any(m.would_match for m in ex.missed):
            lines.append("A short list is the usual reason good applicants go unmatched.")
    return lines


def _program_lines(ex: Explanation, sides: str) -> list[str]:
    name, unfilled = ex.name, ex.unfilled
    if unfilled:
        title = f"Why does {name} have {_count(unfilled, 'unfilled position')}? ({sides})"
    elif ex.matched:
        title = f"Why did {name} match {_and(list(ex.matched))}? ({sides})"
    else:
        title = f"Why did {name} match nobody? ({sides})"  # a program with no positions
    listed = (
        f"{name} has {_count(ex.positions, 'position')} and ranked "
        f"{_count(len(ex.ranks), 'applicant')}"
    )
    listed += f": {', '.join(ex.ranks)}." if ex.ranks else "."
    if ex.matched:
        got = _and([f"{a} ({_its(c)})" for a, c in zip(ex.matched, ex.matched_choices)])
        outcome = f"{name} matched {got}"
    else:
        outcome = f"{name} matched nobody"
    if unfilled:
        outcome += f"; {_count(unfilled, 'position')} {'is' if unfilled == 1 else 'are'} unfilled"
    lines = [title, "", listed, outcome + "."]
    if not ex.positions:
        return lines + ["", f"{name} offers no positions, so there is nothing to fill."]
    lines += [f"  {s}" for s in ex.stories]
    if ex.reasons:
        if unfilled:
            lines += ["", f"Every applicant {name} ranked but did not get:"]
        else:
            lines += ["", f"Every applicant {name} ranked above {ex.matched[-1]}:"]
    for r in ex.reasons:
        if r.kind == "not-ranked":
            why = f"did not rank {name}."
        elif not r.instead:  # impossible in a stable matching; said plainly if it happens
            why = f"ranked {name} {_ordinal(r.rank)} but is unmatched."
        else:
            ((went, choice),) = r.instead
            why = (
                f"ranked {name} {_ordinal(r.rank)}, but matched {went}, "
                f"their {_ordinal(choice)} choice."
            )
        lines.append(f"- {r.name} ({_its(r.choice)}) {why}")
        if r.story:
            lines.append(f"  {r.story}")
    if not unfilled:
        return lines
    the_positions = "the position" if unfilled == 1 else "the positions"
    lines += ["", f"No one else {name} ranked was left to take {the_positions}."]
    if ex.missed:
        lines += ["", f"Applicants who ranked {name} but whom {name} did not rank:"]
        for m in ex.missed:
            effect = "would" if m.would_match else "would not"
            lines.append(
                f"- {m.name} ranked {name} {_ordinal(m.rank)}: adding {m.name} to the bottom of "
                f"{name}'s list {effect} have filled a position with them."
            )
        if any(m.would_match for m in ex.missed):
            lines.append("A program that ranks too few applicants can go unfilled.")
    return lines


# --- the two sides -----------------------------------------------------------------------


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
    """Solve ``market`` both ways and list who fares differently."""
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
    prefs = _Prefs(market)
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
        return "unmatched" if p is None else f"{p} ({_their(prefs.applicant_choice(a, p))})"

    def program_cell(p, applicants):
        cells = [f"{a} ({_its(prefs.program_choice(p, a))})" for a in applicants]
        return ", ".join(cells) or "nobody"

    n_a, n_p = len(comparison.applicants), len(comparison.programs)
    lines += [
        f"{_count(n_a, 'applicant')} and {_count(n_p, 'program')} fare differently:",
        "",
    ]
    header = ("Applicant", "Applicants propose", "Programs propose")
    rows = [(a, applicant_cell(a, x), applicant_cell(a, y)) for a, x, y in comparison.applicants]
    lines += _table(header, rows)
    lines.append("")
    header = ("Program", "Applicants propose", "Programs propose")
    rows = [(p, program_cell(p, x), program_cell(p, y)) for p, x, y in comparison.programs]
    lines += _table(header, rows)
    lines += [
        "",
        "Every applicant does at least as well when applicants propose, and every program",
        "at least as well when programs propose: the two are the extremes of the market's",
        "stable matchings.",
    ]
    return "\n".join(lines)


# --- manipulation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOutcome:
    """What one submitted list got, judged by the submitter's true list.

    ``ranks`` is the submitted list; ``matched`` the outcome (an applicant's
    program, or a program's applicants best first); ``choices`` where each
    stands on the *true* list (1 = first choice, ``None``: not on it).
    ``positions`` is ``None`` for an applicant.
    """

    ranks: tuple[str, ...]
    matched: tuple[str, ...]
    choices: tuple[int | None, ...]
    positions: int | None = None

    def to_json(self) -> dict:
        """Applicant: ``{"list", "matched": name or null, "choice"}``; program: ``{"list",
        "matched": [...], "choices": [...], "unfilled"}``."""
        if self.positions is None:
            return {
                "list": list(self.ranks),
                "matched": self.matched[0] if self.matched else None,
                "choice": self.choices[0] if self.choices else None,
            }
        return {
            "list": list(self.ranks),
            "matched": list(self.matched),
            "choices": list(self.choices),
            "unfilled": self.positions - len(self.matched),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Manipulation:
    """The best any list could do for one applicant or program, against the truthful list.

    ``improved`` is true when ``best`` is better than ``truthful`` by the true
    preferences: for an applicant, a program higher on the true list (or any
    listed program instead of none); for a program, a set of applicants at
    least as good place by place (best with best, second with second, an empty
    position worst) and better in one place -- better, that is, however the
    program weighs them.  ``outcomes`` counts the lists giving each outcome,
    best first; ``truncations`` are the true list and every list made by
    dropping names from its bottom, longest first.
    """

    name: str
    side: str
    proposing: str
    truthful: ListOutcome
    best: ListOutcome
    improved: bool
    lists_tried: int
    searched: str
    outcomes: tuple[tuple[ListOutcome, int], ...]
    truncations: tuple[ListOutcome, ...]
    limit: int = MAX_LISTS

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "side": self.side,
            "proposing": self.proposing,
            "truthful": self.truthful.to_json(),
            "best": self.best.to_json(),
            "improved": self.improved,
            "lists_tried": self.lists_tried,
            "limit": self.limit,
            "searched": self.searched,
            "outcomes": [
                {**{k: v for k, v in o.to_json().items() if k != "list"}, "lists": n}
                for o, n in self.outcomes
            ],
            "truncations": [t.to_json() for t in self.truncations],
        }


def count_applicant_lists(n_programs: int) -> int:
    """How many rank-order lists exist over ``n_programs`` programs.

    Every ordering of every subset: ``sum(n! / (n - k)!, k = 0..n)``.
    """
    return sum(math.perm(n_programs, k) for k in range(n_programs + 1))


def manipulation_search(
    market: SmallMarket,
    name: str,
    proposing: str = "applicants",
    *,
    limit: int = MAX_LISTS,
    option: str = "--manipulate",
) -> Manipulation:
    """Try every list ``name`` could have submitted; report the best by its true preferences.

    An applicant's lists are every ordering of every subset of the market's
    programs; a program's are every subset of its true list kept in order
    (which includes every truncation: dropping applicants from the bottom).
    More than ``limit`` lists raises :class:`ScenarioError` before any solving.
    Everyone else's lists stay as in the file.
    """
    _check_proposing(proposing)
    side = find_name(market, name, option=option)
    if side == "applicant":
        return _manipulate_applicant(market, name, proposing, limit, option)
    return _manipulate_program(market, name, proposing, limit, option)


def _manipulate_applicant(market, name, proposing, limit, option) -> Manipulation:
    n_p = len(market.programs)
    n_lists = count_applicant_lists(n_p)
    if n_lists > limit:
        raise ScenarioError(
            None,
            option,
            message=(
                f"{name} could submit {n_lists:,} different lists over the {n_p} programs; "
                f"matchsim tries at most {limit:,} (every list over "
                f"{_max_programs(limit)} programs): use a smaller market"
            ),
        )
    a = market.applicants.index(name)
    true = market.applicant_ranks[a]
    true_idx = _indices(market.programs, true)
    # Truthful first, then its truncations, then every other list, shortest first.
    truncs = [true_idx[:k] for k in range(len(true_idx), -1, -1)]
    seen = set(truncs)
    lists = truncs + [
        lst
        for k in range(n_p + 1)
        for lst in itertools.permutations(range(n_p), k)
        if lst not in seen
    ]
    got = _applicant_outcomes(market, a, lists, proposing)
    true_position = {p: i for i, p in enumerate(true_idx)}

    def value(p: int) -> int:  # smaller is better: true list position, unmatched, unlisted
        if p == n_p:
            return len(true_idx)
        return true_position.get(p, len(true_idx) + 1)

    values = np.array([value(p) for p in range(n_p + 1)])[got]
    best_i = int(np.argmin(values))  # the first best list: the truthful one if it is best

    def outcome(i: int) -> ListOutcome:
        return _applicant_outcome(market, true, lists[i], int(got[i]))

    counts = np.bincount(got, minlength=n_p + 1)
    order = sorted(range(n_p + 1), key=lambda p: (value(p), p))
    outcomes = tuple(
        (_applicant_outcome(market, true, (), p), int(counts[p]))
        for p in order
        if counts[p] or p in true_position
    )
    return Manipulation(
        name=name,
        side="applicant",
        proposing=proposing,
        truthful=outcome(0),
        best=outcome(best_i),
        improved=bool(values[best_i] < values[0]),
        lists_tried=len(lists),
        searched=f"every ordering of every subset of the {_count(n_p, 'program')}",
        outcomes=outcomes,
        truncations=tuple(outcome(i) for i in range(len(truncs))),
        limit=limit,
    )


def _applicant_outcome(market, true, submitted, p) -> ListOutcome:
    n_p = len(market.programs)
    matched = () if p == n_p else (market.programs[p],)
    return ListOutcome(
        ranks=tuple(market.programs[q] for q in submitted),
        matched=matched,
        choices=tuple(true.index(m) + 1 if m in true else None for m in matched),
    )


def _manipulate_program(market, name, proposing, limit, option) -> Manipulation:
    q = market.programs.index(name)
    true = market.program_ranks[q]
    n = len(true)
    n_lists = 2**n
    if n_lists > limit:
        raise ScenarioError(
            None,
            option,
            message=(
                f"{name} ranked {n} applicants, so it could submit {n_lists:,} different lists "
                f"keeping its order; matchsim tries at most {limit:,} "
                f"(a list of up to {int(math.log2(limit))} applicants): use a smaller market"
            ),
        )
    truncs = [tuple(range(k)) for k in range(n, -1, -1)]
    seen = set(truncs)
    subsets = truncs + [
        kept
        for k in range(n - 1, 0, -1)
        for kept in itertools.combinations(range(n), k)
        if kept not in seen
    ]
    submitted = [tuple(true[i] for i in kept) for kept in subsets]
    rows = [_program_rank_row(market, lst) for lst in submitted]
    got = _program_outcomes(market, q, rows, proposing)  # (K, n_applicants) bool
    positions = market.positions[q]
    true_rank = {a: i + 1 for i, a in enumerate(true)}
    outcomes_by_list = []
    for row in got:
        matched = sorted(
            (market.applicants[i] for i in np.flatnonzero(row)), key=true_rank.__getitem__
        )
        outcomes_by_list.append(tuple(matched))

    def vector(matched: tuple[str, ...]) -> tuple[float, ...]:
        ranks = [true_rank[a] for a in matched]
        return tuple(ranks + [math.inf] * (max(positions, len(ranks)) - len(ranks)))

    def outcome(i: int) -> ListOutcome:
        matched = outcomes_by_list[i]
        return ListOutcome(
            ranks=submitted[i],
            matched=matched,
            choices=tuple(true_rank[a] for a in matched),
            positions=positions,
        )

    truthful = vector(outcomes_by_list[0])
    candidates = [
        i for i, m in enumerate(outcomes_by_list) if _weakly_dominates(vector(m), truthful)
    ]
    best_i = min(candidates, key=lambda i: (vector(outcomes_by_list[i]), i))
    improved = vector(outcomes_by_list[best_i]) != truthful
    counts: dict[tuple[str, ...], int] = {}
    for m in outcomes_by_list:
        counts[m] = counts.get(m, 0) + 1
    outcomes = tuple(
        (
            ListOutcome(
                ranks=(), matched=m, choices=tuple(true_rank[a] for a in m), positions=positions
            ),
            c,
        )
        for m, c in sorted(counts.items(), key=lambda item: vector(item[0]))
    )
    return Manipulation(
        name=name,
        side="program",
        proposing=proposing,
        truthful=outcome(0),
        best=outcome(best_i),
        improved=improved,
        lists_tried=len(submitted),
        searched=(
            f"every subset of its {_count(n, 'ranked applicant')} kept in its order, "
            f"including its {n + 1} truncations"
        ),
        outcomes=outcomes,
        truncations=tuple(outcome(i) for i in range(len(truncs))),
        limit=limit,
    )


def _weakly_dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether place-by-place ``a`` is at least as good as ``b`` (smaller ranks are better)."""
    return all(x <= y for x, y in zip(a, b))


def _max_programs(limit: int) -> int:
    n = 0
    while count_applicant_lists(n + 1) <= limit:
        n += 1
    return n


def format_manipulation(market: SmallMarket, m: Manipulation, *, max_rows: int = 8) -> str:
    """The truthful and best outcomes, how many lists gave each outcome, and the truncations.

    The outcome table shows at most ``max_rows`` outcomes, best first (a
    program's lists can give many); the rest are counted in one line.
    """
    lines = [market.description, ""] if market.description else []
    sides = "applicants propose" if m.proposing == "applicants" else "programs propose"
    is_applicant = m.side == "applicant"

    def show(o: ListOutcome) -> str:
        if is_applicant:
            if not o.matched:
                return "unmatched"
            (p,), (c,) = o.matched, o.choices
            return f"{p} ({_ordinal(c)} choice)" if c else f"{p} (not on the true list)"
        cells = [f"{a} ({_ordinal(c)})" for a, c in zip(o.matched, o.choices)]
        open_ = o.positions - len(o.matched)
        if open_ > 0:
            cells.append(f"{_count(open_, 'position')} unfilled")
        return ", ".join(cells) or "nobody"

    def show_list(o: ListOutcome) -> str:
        return ", ".join(o.ranks) or "(empty list)"

    def show_prefix(o: ListOutcome) -> str:
        if len(m.truthful.ranks) <= 4 or not o.ranks:
            return show_list(o)
        if len(o.ranks) == 1:
            return f"top 1 ({o.ranks[0]})"
        return f"top {len(o.ranks)}, down to {o.ranks[-1]}"

    question = "rank-order list" if is_applicant else "rank-order list, ranking fewer applicants"
    head = [
        f"Could {m.name} do better with a different {question}? ({sides})",
        "",
        f"{m.name}'s true list: {show_list(m.truthful)}",
        f"Truthful outcome: {show(m.truthful)}",
        "",
        f"Tried {m.lists_tried:,} lists: {m.searched}.",
        (
            f"(matchsim tries at most {m.limit:,} lists: every list over "
            f"{_max_programs(m.limit)} programs.)"
            if is_applicant
            else f"(matchsim tries at most {m.limit:,} lists: enough for a list of "
            f"{int(math.log2(m.limit))} applicants.)"
        ),
        "",
    ]
    lines += [w for line in head for w in _wrap(line)]
    rows = [(show(o), str(n)) for o, n in m.outcomes[:max_rows]]
    if len(m.outcomes) > max_rows:
        rest = m.outcomes[max_rows:]
        rows.append((f"{len(rest)} other outcomes", str(sum(n for _, n in rest))))
    lines += _table((f"Outcome, judged by {m.name}'s true list", "Lists"), rows, right=(1,))
    lines += ["", "Dropping names from the bottom of the true list:"]
    rows = [
        (show_prefix(t), "->", show(t) + ("  (truthful)" if i == 0 else ""))
        for i, t in enumerate(m.truncations)
    ]
    lines += ["  " + line for line in _table(None, rows)]
    lines.append("")
    lines += [w for line in _manipulation_verdict(m, show, show_list) for w in _wrap(line)]
    return "\n".join(lines)


def _manipulation_verdict(m: Manipulation, show, show_list) -> list[str]:
    """The closing sentences: the best outcome and what it teaches."""
    is_applicant = m.side == "applicant"
    lines = []
    if not m.improved:
        lines.append(f"Best outcome of any list: {show(m.best)}, the same as the truthful list.")
        if is_applicant:
            lines.append(
                f"No list gets {m.name} a program they prefer: ranking programs in true order "
                f"of preference is safe."
            )
        else:
            lines.append(f"No list gets {m.name} better applicants than its true list.")
        return lines
    with_list = f"with the list {show_list(m.best)}"
    left_off = [n for n in m.truthful.ranks if n not in m.best.ranks]
    if not is_applicant and left_off and m.best.ranks:
        with_list += f" (leaving off {_and(left_off)})"
    lines.append(f"Best outcome of any list: {show(m.best)}, {with_list}.")
    if is_applicant:
        lines.append(
            f"{m.name} does better with a list that is not their true one: when programs "
            f"propose, applicants can gain by misreporting (when applicants propose, never)."
        )
    elif m.proposing == "applicants":
        lines.append(
            f"{m.name} does better by ranking fewer applicants than it truly finds acceptable: "
            f"unlike applicants, programs can sometimes gain."
        )
    else:
        lines.append(
            f"{m.name} does better by ranking fewer applicants than it truly finds acceptable."
        )
    return lines


# --- batched re-solves -------------------------------------------------------------------


def _applicant_outcomes(market: SmallMarket, a: int, lists, proposing: str) -> np.ndarray:
    """The program applicant ``a`` gets with each list in ``lists`` (``n_programs``: unmatched).

    Each list is a sequence of program indices; everyone else's lists, and the
    programs' true ranks of ``a``, stay as they are.  The lists are solved in
    batches: each batch is one market of disjoint copies, copy ``k`` with
    ``a`` (moved last) submitting list ``k``, handed once to the engine.
    """
    indptr, programs, ranks, caps = market.to_arrays()
    n_a, n_p = indptr.size - 1, caps.size
    mine = np.zeros(programs.size, dtype=bool)
    mine[indptr[a] : indptr[a + 1]] = True
    other_programs, other_ranks = programs[~mine], ranks[~mine]
    other_lengths = np.delete(np.diff(indptr), a)
    n_other = other_programs.size
    true_rank = np.full(n_p, n_a, dtype=np.int64)
    rank_of_a = {p: r for p, r_list in enumerate(market.program_ranks)
                 for r, x in enumerate(r_list) if x == market.applicants[a]}
    for p, r in rank_of_a.items():
        true_rank[p] = r
    out = np.empty(len(lists), dtype=np.int64)
    per_batch = max(1, _BATCH_ENTRIES // max(n_other + n_p, 1))
    for lo in range(0, len(lists), per_batch):
        batch = lists[lo : lo + per_batch]
        k = len(batch)
        lengths = np.fromiter((len(x) for x in batch), dtype=np.int64, count=k)
        flat = np.fromiter(
            itertools.chain.from_iterable(batch), dtype=np.int64, count=int(lengths.sum())
        )
        n_total = k * n_a  # applicants in the batch market: the new "not ranked" sentinel
        copy = np.arange(k, dtype=np.int64)
        row_lengths = np.concatenate([np.tile(other_lengths, (k, 1)), lengths[:, None]], axis=1)
        new_indptr = np.zeros(n_total + 1, dtype=np.int64)
        np.cumsum(row_lengths.ravel(), out=new_indptr[1:])
        per_copy = n_other + lengths
        start = np.concatenate([[0], np.cumsum(per_copy)[:-1]])
        rol = np.empty(int(per_copy.sum()), dtype=np.int64)
        rk = np.empty_like(rol)
        at = (start[:, None] + np.arange(n_other)).ravel()
        rol[at] = (other_programs[None, :] + (copy * n_p)[:, None]).ravel()
        rk[at] = np.tile(np.where(other_ranks >= n_a, n_total, other_ranks), k)
        copy_of = np.repeat(copy, lengths)
        within = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        at = start[copy_of] + n_other + within
        rol[at] = flat + copy_of * n_p
        rk[at] = np.where(true_rank[flat] >= n_a, n_total, true_rank[flat])
        match = deferred_acceptance(
            new_indptr, rol, rk, np.tile(caps, k), proposing=proposing, check_input=False
        )
        got = match.reshape(k, n_a)[:, -1]
        out[lo : lo + k] = np.where(got == k * n_p, n_p, got - copy * n_p)
    return out


def _program_rank_row(market: SmallMarket, submitted) -> np.ndarray:
    """A program's rank of every applicant if it submitted ``submitted`` (``n_applicants``: not
    ranked), a row for :func:`_program_outcomes`."""
    n_a = len(market.applicants)
    row = np.full(n_a, n_a, dtype=np.int64)
    for r, name in enumerate(submitted):
        row[market.applicants.index(name)] = r
    return row


def _program_outcomes(market: SmallMarket, q: int, rows, proposing: str) -> np.ndarray:
    """Which applicants program ``q`` gets with each rank row, as a ``(len(rows), n_applicants)``
    bool array.

    ``rows[k][a]`` is the rank ``q`` gives applicant ``a`` in variant ``k``
    (``n_applicants``: not ranked); every other list stays as it is.  Solved
    in batches of disjoint copies, as in :func:`_applicant_outcomes`.
    """
    indptr, programs, ranks, caps = market.to_arrays()
    n_a, n_p = indptr.size - 1, caps.size
    applicant_of = np.repeat(np.arange(n_a), np.diff(indptr))
    at_q = programs == q
    rows = np.asarray(rows, dtype=np.int64).reshape(len(rows), n_a)
    out = np.zeros(rows.shape, dtype=bool)
    per_batch = max(1, _BATCH_ENTRIES // max(programs.size, 1))
    for lo in range(0, len(rows), per_batch):
        batch = rows[lo : lo + per_batch]
        k = len(batch)
        n_total = k * n_a
        copy = np.arange(k, dtype=np.int64)
        new_indptr = np.zeros(n_total + 1, dtype=np.int64)
        np.cumsum(np.tile(np.diff(indptr), k), out=new_indptr[1:])
        rol = (programs[None, :] + (copy * n_p)[:, None]).ravel()
        rk = np.where(at_q[None, :], batch[:, applicant_of], ranks[None, :])
        rk = np.where(rk >= n_a, n_total, rk).ravel()
        match = deferred_acceptance(
            new_indptr, rol, rk, np.tile(caps, k), proposing=proposing, check_input=False
        )
        out[lo : lo + k] = match.reshape(k, n_a) == (q + copy * n_p)[:, None]
    return out


# --- shared helpers ----------------------------------------------------------------------


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


class _Prefs:
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


def _check_proposing(proposing: str) -> None:
    if proposing not in PROPOSING_SIDES:
        raise ValueError(f"proposing must be one of {PROPOSING_SIDES}, got {proposing!r}")


def _indices(names: tuple[str, ...], chosen) -> tuple[int, ...]:
    return tuple(names.index(n) for n in chosen)


def _table(header, rows, right=()) -> list[str]:
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


def _wrap(line: str, hang: str | None = None) -> list[str]:
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


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _its(choice: int | None) -> str:
    return "not on its list" if choice is None else f"its {_ordinal(choice)} choice"


def _their(choice: int | None) -> str:
    return "not on their list" if choice is None else f"their {_ordinal(choice)} choice"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _and(items: list[str]) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
