"""Why a name ended up where it did, under the NRMP's rules: couples and PGY-1 lists.

In a stable result every bundle a unit ranked above its own has a seat that
would not take it: a program that did not rank the member, has no
positions, is full with applicants it ranks higher, or (a couple at one
program) has no room for both.  :func:`explain_nrmp` lists, for an applicant,
every program (or, for a couple member, every pair of the couple) ranked
above the outcome and the seat that refused; for a program, every applicant
it ranked above its last match (all of them, with a position open) and why
they are elsewhere.  If the procedure stopped without a stable result, a
bundle may take its unit after all: it is listed with the refusal
``"takes"``.  :mod:`simulator.teaching.nrmp_why_text` says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.teaching.nrmp_trace import trace_nrmp
from simulator.teaching.result import MarketResult
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import Prefs, find_name


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """Why ``program`` would not take ``applicant``: ``kind`` is ``"not-ranked"``,
    ``"no-positions"``, ``"full"`` (``instead``: its holders with their places on its list),
    ``"both"`` (a couple at one program: no room for both; ``instead``: those ranked above
    the lower of the two) or ``"takes"`` (it would: the result is not stable)."""

    program: str
    applicant: str
    kind: str
    rank: int | None
    instead: tuple[tuple[str, int], ...] = ()

    def to_json(self) -> dict:
        return {
            "program": self.program,
            "applicant": self.applicant,
            "kind": self.kind,
            "rank": self.rank,
            "instead": [{"name": n, "choice": c} for n, c in self.instead],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """A bundle a unit ranked above its outcome: ``seats`` ``(applicant, program or None,
    role)``, its place ``choice`` on the primary list (or the couple's pairs) and
    ``supplemental`` on the supplemental list (``None``: not from one), and the refusals."""

    choice: int
    supplemental: int | None
    seats: tuple[tuple[str, str | None, str], ...]
    refusals: tuple[Refusal, ...]

    def to_json(self) -> dict:
        return {
            "choice": self.choice,
            "supplemental": self.supplemental,
            "seats": [{"applicant": a, "program": p, "role": r} for a, p, r in self.seats],
            "refusals": [r.to_json() for r in self.refusals],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Elsewhere:
    """Why an applicant a program ranked above its outcome is not there: ``kind`` is
    ``"not-ranked"`` (never ranked it), ``"prefers"`` (holds something ranked higher than
    any bundle with it) or ``"refused"`` (each bundle with it ranked higher, in
    ``wanted``, has another seat that refused)."""

    name: str
    choice: int
    kind: str
    matched: str | None
    pgy1: str | None
    couple: str | None
    wanted: tuple[Option, ...] = ()

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "choice": self.choice,
            "kind": self.kind,
            "matched": self.matched,
            "pgy1": self.pgy1,
            "couple": self.couple,
            "wanted": [w.to_json() for w in self.wanted],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class NRMPExplanation:
    """Why ``name`` (an applicant or a program) ended up where it did, under the NRMP's rules.

    An applicant: ``matched`` its program (or nothing), ``pgy1`` its PGY-1 year,
    ``couple``/``partner`` if it ranks as a couple, ``choice`` the outcome's place on
    its list (or the couple's), ``options`` every bundle ranked above the outcome,
    ``kept_below`` (an advanced position held without a PGY-1 year) the programs lower on
    the list that would have taken it, had it gone further down.  A
    program: ``matched`` its applicants (``pgy1_years``: those holding it as a PGY-1
    year), ``elsewhere`` every applicant it ranked above its last match (all, with a
    position open).
    """

    name: str
    side: str
    stable: bool
    matched: tuple[str, ...]
    pgy1: str | None = None
    couple: str | None = None
    partner: str | None = None
    choice: int | None = None
    options: tuple[Option, ...] = ()
    kept_below: tuple[str, ...] = ()
    elsewhere: tuple[Elsewhere, ...] = ()
    pgy1_years: tuple[str, ...] = ()
    proposing: str = "applicants"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "side": self.side,
            "proposing": self.proposing,
            "stable": self.stable,
            "matched": list(self.matched),
            "pgy1": self.pgy1,
            "couple": self.couple,
            "partner": self.partner,
            "choice": self.choice,
            "options": [o.to_json() for o in self.options],
            "kept_below": list(self.kept_below),
            "elsewhere": [e.to_json() for e in self.elsewhere],
            "pgy1_years": list(self.pgy1_years),
        }


def explain_nrmp(market: SmallMarket, name: str, *, option: str = "--why") -> NRMPExplanation:
    """Explain applicant or program ``name``'s outcome in ``market`` (NRMP's rules).

    An unknown name raises :class:`~simulator.errors.ScenarioError` naming ``option``.
    """
    side = find_name(market, name, option=option)
    trace = trace_nrmp(market)
    world = _World(market, trace.result, trace.stable)
    if side == "program":
        return world.program(name)
    return world.couple_member(name) if market.couple_of(name) else world.single(name)


class _World:
    """The final matching, asked which seats would take whom."""

    def __init__(self, market: SmallMarket, result: MarketResult, stable: bool):
        self.market, self.result, self.stable = market, result, stable
        self.prefs = Prefs(market)
        self.pgy1 = result.pgy1 or {}

    def holds(self, applicant: str, program: str) -> bool:
        return program in (self.result.applicants[applicant], self.pgy1.get(applicant))

    def refusal(self, program: str, applicant: str, partner: str | None = None):
        """The :class:`Refusal` of ``program`` for ``applicant`` (with ``partner`` too: a
        couple at one program), ``kind`` ``"takes"`` if it would take them."""
        rank = self.prefs.program_choice(program, applicant)
        held = [(h, self.prefs.program_choice(program, h)) for h in self.result.programs[program]]
        positions = self.result.positions[program]
        if rank is None:
            return Refusal(program=program, applicant=applicant, kind="not-ranked", rank=None)
        if positions == 0:
            return Refusal(program=program, applicant=applicant, kind="no-positions", rank=rank)
        if partner is not None:
            worse = max(rank, self.prefs.program_choice(program, partner))
            ahead = tuple((h, r) for h, r in held if h not in (applicant, partner) and r < worse)
            if len(ahead) <= positions - 2:
                return Refusal(program=program, applicant=applicant, kind="takes", rank=rank)
            return Refusal(
                program=program, applicant=applicant, kind="both", rank=rank, instead=ahead
            )
        room = self.holds(applicant, program) or len(held) < positions
        if room or rank < max(r for _, r in held):
            return Refusal(program=program, applicant=applicant, kind="takes", rank=rank)
        return Refusal(
            program=program, applicant=applicant, kind="full", rank=rank, instead=tuple(held)
        )

    def refusals(self, seats) -> tuple[Refusal, ...]:
        """Every seat of a bundle that refuses (all ``"takes"``: the bundle would take it)."""
        named = [(a, p) for a, p, _ in seats if p is not None]
        if len(named) == 2 and named[0][1] == named[1][1]:
            (a, p), (b, _) = named
            alone = [self.refusal(p, x) for x in (a, b)]
            found = [r for r in alone if r.kind in ("not-ranked", "no-positions")]
            return tuple(found) or (self.refusal(p, a, partner=b),)
        found = [self.refusal(p, a) for a, p in named]
        refused = tuple(r for r in found if r.kind != "takes")
        return refused or tuple(found)

    # -- the bundles of a unit, best first ---------------------------------------------------

    def bundles(self, applicant: str) -> list[tuple[int, int | None, tuple]]:
        """``(choice, supplemental place, seats)`` for every bundle of ``applicant``'s unit."""
        couple = self.market.couple_of(applicant)
        if couple is not None:
            first, second = couple.members
            return [
                (k, None, ((first, h, "primary"), (second, q, "primary")))
                for k, (h, q) in enumerate(couple.ranks, start=1)
            ]
        found = []
        for k, program in enumerate(self._ranks(applicant), start=1):
            primary = (applicant, program, "primary")
            for j, s in enumerate(self.market.supplemental_list(applicant, program), start=1):
                found.append((k, j, (primary, (applicant, s, "pgy1"))))
            found.append((k, None, (primary,)))
        return found

    def outcome(self, applicant: str, bundles) -> int:
        """Where the unit's seats stand on its list (``len``: unmatched)."""
        couple = self.market.couple_of(applicant)
        members = (applicant,) if couple is None else couple.members
        held = {(a, self.result.applicants[a], "primary") for a in members}
        held |= {(a, self.pgy1.get(a), "pgy1") for a in members}
        held = {seat for seat in held if seat[1] is not None}
        named = [{seat for seat in seats if seat[1] is not None} for _, _, seats in bundles]
        return named.index(held) if held in named else len(bundles)

    def _ranks(self, applicant: str) -> tuple[str, ...]:
        return self.market.applicant_ranks[self.market.applicants.index(applicant)]

    # -- the three kinds of subject ----------------------------------------------------------

    def single(self, name: str) -> NRMPExplanation:
        bundles = self.bundles(name)
        at = self.outcome(name, bundles)
        matched, pgy1 = self.result.applicants[name], self.pgy1.get(name)
        choice = bundles[at][0] if at < len(bundles) else None
        # Programs ranked higher (alone: refusing alone, they refuse with any PGY-1 year),
        # and PGY-1 years ranked above the one held with the advanced position.
        options = tuple(
            Option(choice=k, supplemental=j, seats=seats, refusals=self.refusals(seats[-1:]))
            for k, j, seats in bundles[:at]
            if j is None or k == choice
        )
        kept_below = ()
        if matched is not None and pgy1 is None and self.market.supplemental_list(name, matched):
            below = self._ranks(name)[choice:]
            kept_below = tuple(p for p in below if self.refusal(p, name).kind == "takes")
        return NRMPExplanation(
            name=name,
            side="applicant",
            stable=self.stable,
            matched=() if matched is None else (matched,),
            pgy1=pgy1,
            choice=choice,
            options=options,
            kept_below=kept_below,
        )

    def couple_member(self, name: str) -> NRMPExplanation:
        couple = self.market.couple_of(name)
        bundles = self.bundles(name)
        at = self.outcome(name, bundles)
        matched = self.result.applicants[name]
        return NRMPExplanation(
            name=name,
            side="applicant",
            stable=self.stable,
            matched=() if matched is None else (matched,),
            couple=couple.name,
            partner=next(m for m in couple.members if m != name),
            choice=at + 1 if at < len(bundles) else None,
            options=tuple(
                Option(choice=k, supplemental=None, seats=seats, refusals=self.refusals(seats))
                for k, _, seats in bundles[:at]
            ),
        )

    def program(self, name: str) -> NRMPExplanation:
        q = self.market.programs.index(name)
        ranks, positions = self.market.program_ranks[q], self.market.positions[q]
        matched = tuple(self.result.programs[name])
        if not positions:
            above = ()
        elif len(matched) >= positions:
            above = ranks[: ranks.index(matched[-1])]
        else:
            above = ranks
        elsewhere = tuple(
            self._elsewhere(name, a, i)
            for i, a in enumerate(ranks, start=1)
            if a in above and a not in matched
        )
        return NRMPExplanation(
            name=name,
            side="program",
            stable=self.stable,
            matched=matched,
            elsewhere=elsewhere,
            pgy1_years=tuple(a for a in matched if self.pgy1.get(a) == name),
        )

    def _elsewhere(self, program: str, applicant: str, choice: int) -> Elsewhere:
        bundles = self.bundles(applicant)
        at = self.outcome(applicant, bundles)
        mine = [i for i, (_, _, seats) in enumerate(bundles) if _names(seats, applicant, program)]
        wanted = [bundles[i] for i in mine if i < at]
        couple = self.market.couple_of(applicant)
        if not mine:
            kind = "not-ranked"
        elif not wanted:
            kind = "prefers"
        else:
            kind = "refused"
        options = []
        for k, j, seats in wanted:  # the program takes them: another seat refuses
            others = [
                s
                for s in seats
                if s[1] is not None and (s[:2] != (applicant, program) or _same(seats))
            ]
            refusals = self.refusals(others or seats)  # alone: the program would take them
            options.append(Option(choice=k, supplemental=j, seats=seats, refusals=refusals))
        return Elsewhere(
            name=applicant,
            choice=choice,
            kind=kind,
            matched=self.result.applicants[applicant],
            pgy1=self.pgy1.get(applicant),
            couple=None if couple is None else couple.name,
            wanted=tuple(options),
        )


def _names(seats, applicant: str, program: str) -> bool:
    """Whether a bundle has ``applicant`` at ``program``."""
    return any(a == applicant and p == program for a, p, _ in seats)


def _same(seats) -> bool:
    """Whether a couple's pair names one program for both members."""
    programs = [p for _, p, _ in seats]
    return len(programs) == 2 and programs[0] is not None and programs[0] == programs[1]
