"""Why an applicant (or a program) ended up where it did.

By stability, every program an applicant ranked above their outcome either
did not rank them or filled its positions with applicants it ranked higher;
every applicant a program ranked above its outcome either did not rank it or
matched a program they ranked higher.  :func:`explain_outcome` gathers those
reasons, with what happened between the two in the trace, and for an
unmatched applicant (or a program with open positions) who it missed by not
ranking them.  :mod:`simulator.teaching.why_text` says it in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.teaching.nrmp_why import NRMPExplanation, explain_nrmp
from simulator.teaching.result import check_applicants_propose
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import (
    Prefs,
    check_proposing,
    find_name,
    indices,
    its_choice,
    join_and,
    their_choice,
)
from simulator.teaching.trace import Trace, trace_market
from simulator.teaching.variants import applicant_outcomes, program_outcomes, program_rank_row


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
) -> Explanation | NRMPExplanation:
    """Explain the outcome of applicant or program ``name``.

    An unknown name raises :class:`ScenarioError` suggesting the closest one;
    ``option`` names the command-line option in that message.  A market under
    the NRMP's rules is explained by :func:`~simulator.teaching.nrmp_why.explain_nrmp`.
    """
    if market.nrmp_rules:
        check_applicants_propose(proposing)
        return explain_nrmp(market, name, option=option)
    check_proposing(proposing)
    side = find_name(market, name, option=option)
    trace = trace_market(market, proposing)
    prefs = Prefs(market)
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
            p
            for p in market.programs
            if p not in ranks and prefs.program_choice(p, name) is not None
        ]
        lists = [(*indices(market.programs, ranks), market.programs.index(p)) for p in others]
        got = applicant_outcomes(market, market.applicants.index(name), lists, trace.proposing)
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
            a
            for a, r in zip(market.applicants, market.applicant_ranks)
            if name in r and a not in ranks
        ]
        rows = [program_rank_row(market, (*ranks, a)) for a in others]
        got = program_outcomes(market, q, rows, trace.proposing)
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


def _story(trace: Trace, prefs: Prefs, applicant: str, program: str) -> str:
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
            f"{tried}; {program} held them until round {end}, then rejected them for {displacing}."
        )
    return f"{tried}; {applicant} held it until round {end}, then turned it down for {displacing}."


def _would_propose(trace: Trace, prefs: Prefs, applicant: str, program: str) -> bool:
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
    holds = [e for e in round_.events if e.kind == "hold"]
    if by_applicants:
        taken = [
            f"{e.applicant} ({its_choice(e.program_choice)})" for e in holds if e.program == target
        ]
        return join_and(taken) or "others"
    taken = [
        f"{e.program} ({their_choice(e.applicant_choice)})" for e in holds if e.applicant == target
    ]
    return join_and(taken) or "another offer"
