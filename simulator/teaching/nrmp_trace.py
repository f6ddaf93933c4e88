"""The NRMP's procedure on a small market, step by step and by name: couples and PGY-1 lists.

:func:`trace_nrmp` runs :func:`~simulator.teaching.nrmp_procedure.run_procedure`
(the engine's steps, one at a time) and names what happened: step 1's rounds
as :mod:`simulator.teaching.trace` names them, and every re-processing round
as events seat by seat (for ``--json`` and the web page: ``propose``,
``hold``, ``reject`` and ``withdraw``) and as sentences in the NRMP's words
(a pair tried, a member turned away and the partner withdrawn, a PGY-1 year
tried once its advanced position is held).  :mod:`.nrmp_trace_text` prints it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from simulator.teaching.nrmp_procedure import Bundle, Procedure, Reprocessing, Step, run_procedure
from simulator.teaching.result import MarketResult, result_from_nrmp
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import Prefs, its_choice, join_and, ordinal, plural
from simulator.teaching.trace import TraceRound, name_rounds

_ROLES = ("primary", "pgy1")


@dataclass(frozen=True, slots=True, kw_only=True)
class NRMPEvent:
    """One seat's event in a re-processing round.

    ``kind``: ``"propose"``, ``"hold"``, ``"reject"`` (``displaced``: someone held
    until then; else ``reason`` is ``"not-ranked"``, ``"no-positions"``, ``"full"``
    or ``"both"``: no room for both members of a couple) or ``"withdraw"``.
    ``role`` is ``"primary"`` or ``"pgy1"`` (a supplemental PGY-1 year);
    ``applicant_choice`` the place on the list it comes from (the primary list,
    the supplemental list or the couple's pairs), ``program_choice`` the
    applicant's place on the program's list (``None``: not ranked).
    """

    kind: str
    applicant: str
    program: str
    applicant_choice: int | None
    program_choice: int | None
    role: str = "primary"
    couple: str | None = None
    displaced: bool = False
    reason: str | None = None

    def to_json(self) -> dict:
        """The event as JSON: every field by name."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class NRMPRound:
    """One re-processing round: who might do better, the events, and the same in sentences."""

    number: int
    candidates: tuple[str, ...]
    events: tuple[NRMPEvent, ...]
    sentences: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "step": 2,
            "round": self.number,
            "candidates": list(self.candidates),
            "events": [e.to_json() for e in self.events],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class NRMPTrace:
    """A market solved by the NRMP's procedure: step 1's rounds (singles), who waits for
    step 2 (``waiting``, sentences), the re-processing rounds, the result and whether it
    is stable."""

    singles_rounds: tuple[TraceRound, ...]
    waiting: tuple[str, ...]
    rounds: tuple[NRMPRound, ...]
    result: MarketResult
    stable: bool
    proposing: str = "applicants"

    def to_json(self) -> dict:
        """``{"proposing", "rounds", "result"}`` as for deferred acceptance; each round has
        ``"step"`` (1: singles, 2: re-processing), and ``result`` ``"pgy1"``/``"stable"``."""
        singles = [{"step": 1, **r.to_json()} for r in self.singles_rounds]
        return {
            "proposing": self.proposing,
            "rounds": singles + [r.to_json() for r in self.rounds],
            "result": self.result.to_json(),
        }


def trace_nrmp(market: SmallMarket) -> NRMPTrace:
    """Solve ``market`` by the NRMP's procedure, step by step, and name every step."""
    procedure = run_procedure(market.to_nrmp_arrays())
    namer = _Namer(market, procedure)
    return NRMPTrace(
        singles_rounds=name_rounds(market, procedure.singles_rounds, "applicants"),
        waiting=tuple(namer.waiting()),
        rounds=tuple(namer.name_round(r) for r in procedure.reprocessing),
        result=result_from_nrmp(market, procedure.match, procedure.pgy1, procedure.stable),
        stable=procedure.stable,
    )


class _Namer:
    """Names the procedure's steps, replaying who holds which seat as it goes."""

    def __init__(self, market: SmallMarket, procedure: Procedure):
        self.market, self.procedure, self.prefs = market, procedure, Prefs(market)
        n_programs = len(market.programs)
        self.held = {(a, 0): p for a, p in enumerate(procedure.singles_match) if p < n_programs}
        self.at = list(procedure.start)
        self.turned_away: set[int] = set()
        self.first: dict[int, int] = {}  # each candidate's first bundle this round

    # -- names -------------------------------------------------------------------------------

    def unit(self, u: int) -> str:
        members = self.procedure.members[u]
        if len(members) == 1:
            return self.market.applicants[members[0]]
        return self.market.couples[u - len(self.market.applicants)].name

    def couple(self, u: int) -> str | None:
        return None if len(self.procedure.members[u]) == 1 else self.unit(u)

    def bundle(self, u: int, b: int) -> Bundle:
        return self.procedure.units[u][b]

    def event(self, kind, u, bundle, program, a, role, **extra) -> NRMPEvent:
        applicant, name = self.market.applicants[a], self.market.programs[program]
        choice = bundle.entry + 1 if role == 0 else bundle.supplemental + 1
        return NRMPEvent(
            kind=kind,
            applicant=applicant,
            program=name,
            applicant_choice=choice,
            program_choice=self.prefs.program_choice(name, applicant),
            role=_ROLES[role],
            couple=self.couple(u),
            **extra,
        )

    def waiting(self) -> list[str]:
        """Who step 2 is for: each single holding an advanced program with a supplemental
        list, and each couple."""
        lines = []
        for a, p in enumerate(self.procedure.singles_match):
            name = self.market.applicants[a]
            if p < len(self.market.programs) and self.has_supplemental(a, p):
                program = self.market.programs[p]
                lines.append(
                    f"{name} holds {program}, an advanced position: the supplemental PGY-1 "
                    f"list for {program} is tried in step 2."
                )
        couples = [c.name for c in self.market.couples]
        if len(couples) == 1:
            lines.append(f"Couple {couples[0]} applies in step 2, pair by pair.")
        elif couples:
            lines.append(f"Couples {join_and(couples)} apply in step 2, pair by pair.")
        return lines

    # -- one round ---------------------------------------------------------------------------

    def name_round(self, r: Reprocessing) -> NRMPRound:
        events, sentences = [], []
        self.first = dict(r.candidates)
        for step in r.steps:
            new_events, sentence = getattr(self, f"_{step.kind}")(step)
            events += new_events
            if sentence:
                sentences.append(sentence)
        return NRMPRound(
            number=r.number,
            candidates=tuple(self.unit(u) for u, _ in r.candidates),
            events=tuple(events),
            sentences=tuple(sentences),
        )

    def _apply(self, step: Step):
        u, bundle = step.unit, self.bundle(step.unit, step.bundle)
        new = self.new_seats(bundle)
        events = [self.event("propose", u, bundle, p, a, role) for p, a, _, role in new]
        if self.couple(u):
            pair = ordinal(bundle.entry + 1)
            return (
                events,
                f"Couple {self.unit(u)} tries its {pair} pair: {self.pair_words(u, bundle)}.",
            )
        name, choice = self.unit(u), ordinal(bundle.entry + 1)
        primary = self.market.programs[bundle.seats[0][0]]
        if len(bundle.seats) == 1:
            if not new:
                return events, ""  # keeping the advanced position: said when it holds
            alone = " without a PGY-1 year" if self.has_supplemental(u, bundle.seats[0][0]) else ""
            return events, f"{name} tries {primary} ({choice} choice){alone}."
        pgy1 = self.market.programs[bundle.seats[1][0]]
        place = f"{ordinal(bundle.supplemental + 1)} on the supplemental list for {primary}"
        if len(new) == 1:
            place += self.passed_over(u, step.bundle)
            return events, f"{name}, holding {primary}, tries {pgy1} for the PGY-1 year ({place})."
        return (
            events,
            f"{name} tries {primary} ({choice} choice) with {pgy1} for the PGY-1 year ({place}).",
        )

    def _refuse(self, step: Step):
        u, bundle = step.unit, self.bundle(step.unit, step.bundle)
        role = next(s[3] for s in bundle.seats if s[:2] == (step.program, step.applicant))
        event = self.event("reject", u, bundle, step.program, step.applicant, role, reason=step.why)
        program, applicant = event.program, event.applicant
        if step.why == "not-ranked":
            return [event], f"{program} did not rank {applicant}."
        if step.why == "no-positions":
            return [event], f"{program} has no positions."
        if step.why == "full":
            return [event], f"{program} is full with applicants it ranks above {applicant}."
        first, second = (self.market.applicants[a] for a in self.procedure.members[u])
        positions = self.market.positions[step.program]
        room = (
            f"it has {plural(positions, 'position')}"
            if positions < 2
            else "the applicants it ranks higher leave no room for two"
        )
        return [event], f"{program} cannot take both {first} and {second}: {room}."

    def _hold(self, step: Step):
        u, bundle = step.unit, self.bundle(step.unit, step.bundle)
        new = self.new_seats(bundle)
        events = [self.event("hold", u, bundle, p, a, role) for p, a, _, role in new]
        for p, a, _, role in bundle.seats:
            self.held[(a, role)] = p
        self.at[u] = step.bundle
        self.turned_away.discard(u)
        if self.couple(u):
            held = join_and([self.holds_words(p, a, role) for p, a, _, role in bundle.seats])
            return events, f"Couple {self.unit(u)} now holds this pair: {held}."
        name, primary = self.unit(u), self.market.programs[bundle.seats[0][0]]
        if len(bundle.seats) == 2:
            return events, " and ".join(self.holds_words(p, a, role) for p, a, _, role in new) + "."
        if not self.has_supplemental(u, bundle.seats[0][0]):
            return events, self.holds_words(*new[0][:2], 0) + "."
        if not new:
            return events, (
                f"No program further down {name}'s supplemental list for {primary} takes "
                f"{name}: {name} keeps {primary} without a PGY-1 position and goes no further "
                "down the list."
            )
        return events, (
            f"{self.holds_words(*new[0][:2], 0)}, without a PGY-1 year: no program on {name}'s "
            f"supplemental list for {primary} takes {name}."
        )

    def _withdraw(self, step: Step):
        u, a, role = step.unit, step.applicant, step.role
        bundle = self.bundle(u, self.at[u])
        event = self.event("withdraw", u, bundle, step.program, a, role)
        del self.held[(a, role)]
        name, program = event.applicant, event.program
        if u not in self.turned_away:
            place = "a pair the couple ranked" if self.couple(u) else "a place they ranked"
            return [event], f"{name} gives up {program} for {place} higher."
        if self.couple(u):
            partner = next(self.market.applicants[m] for m in self.procedure.members[u] if m != a)
            return [event], (
                f"{name} withdraws from {program}: {partner} was turned away, and a couple "
                "moves together."
            )
        if role:
            lost = self.market.programs[bundle.seats[0][0]]
            return [event], f"{name} gives up {program}, the PGY-1 year that went with {lost}."
        return [event], f"{name} gives up {program}."

    def _displace(self, step: Step):
        u, a, role = step.unit, step.applicant, step.role
        bundle = self.bundle(u, self.at[u])
        event = self.event(
            "reject", u, bundle, step.program, a, role, displaced=True, reason="displaced"
        )
        del self.held[(a, role)]
        self.turned_away.add(u)
        program, name, by = event.program, event.applicant, self.market.applicants[step.by]
        year = " from the PGY-1 year" if role else ""
        sentence = (
            f"{program} turns away {name}{year} ({its_choice(event.program_choice)}) for {by} "
            f"({its_choice(self.prefs.program_choice(program, by))})."
        )
        if self.couple(u):
            sentence += f" Couple {self.unit(u)} goes on down its list together."
        return [event], sentence

    def _exhaust(self, step: Step):
        u = step.unit
        self.at[u] = len(self.procedure.units[u])
        self.turned_away.discard(u)
        if self.couple(u):
            first, second = (self.market.applicants[a] for a in self.procedure.members[u])
            return [], (
                f"Couple {self.unit(u)} has no pair left to try: {first} and {second} are "
                "unmatched."
            )
        return [], f"{self.unit(u)} has no program left to try."

    # -- words -------------------------------------------------------------------------------

    def new_seats(self, bundle: Bundle) -> list:
        """The seats of ``bundle`` its applicants do not hold yet."""
        return [s for s in bundle.seats if self.held.get((s[1], s[3])) != s[0]]

    def holds_words(self, p: int, a: int, role: int) -> str:
        """``"City tentatively holds Kim (its 2nd choice)"``, ``for the PGY-1 year`` if so."""
        program, name = self.market.programs[p], self.market.applicants[a]
        year = " for the PGY-1 year" if role else ""
        choice = its_choice(self.prefs.program_choice(program, name))
        return f"{program} tentatively holds {name}{year} ({choice})"

    def pair_words(self, u: int, bundle: Bundle) -> str:
        """``"Mercy for Davis and City for Eastman"`` (no match: ``"no match for Davis"``)."""
        at = {m: p for p, m, _, _ in bundle.seats}
        return " and ".join(
            f"{self.market.programs[at[m]]} for {self.market.applicants[m]}"
            if m in at
            else f"no match for {self.market.applicants[m]}"
            for m in self.procedure.members[u]
        )

    def passed_over(self, u: int, b: int) -> str:
        """For a candidate's first PGY-1 year: why those above it on the supplemental list
        were not tried (``"; Prelim, 1st, is full with applicants it ranks above Lee"``)."""
        if self.first.get(u) != b:
            return ""
        name, entry = self.unit(u), self.bundle(u, b).entry
        said = ""
        for above in self.procedure.units[u][:b]:
            if above.entry == entry:
                program = self.market.programs[above.seats[1][0]]
                place = ordinal(above.supplemental + 1)
                said += f"; {program}, {place}, {self.refuses(program, name)}"
        return said

    def refuses(self, program: str, applicant: str) -> str:
        """Why ``program`` would not take ``applicant`` on its own at this point."""
        if self.prefs.program_choice(program, applicant) is None:
            return f"did not rank {applicant}"
        if self.market.positions[self.market.programs.index(program)] == 0:
            return "has no positions"
        return f"is full with applicants it ranks above {applicant}"

    def has_supplemental(self, a: int, p: int) -> bool:
        """Whether applicant ``a`` attached a supplemental list to program ``p``."""
        return bool(
            self.market.supplemental_list(self.market.applicants[a], self.market.programs[p])
        )
