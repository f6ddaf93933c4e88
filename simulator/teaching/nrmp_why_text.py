"""Why an outcome happened under the NRMP's rules, in words: ``matchsim explain --why``.

:func:`format_nrmp_explanation` turns an
:class:`~simulator.teaching.nrmp_why.NRMPExplanation` into the outcome (with
its PGY-1 year, or the couple's pair) and one item per program, PGY-1 year or
pair ranked above it, naming the program that refused and why; for a
program, one item per applicant it ranked higher who is elsewhere.
"""

from __future__ import annotations

from simulator.teaching.nrmp_why import NRMPExplanation, Option, Refusal
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import its_choice, join_and, ordinal, plural, their_choice, wrap


def format_nrmp_explanation(market: SmallMarket, explanation: NRMPExplanation) -> str:
    """The explanation in plain words, wrapped."""
    ex = explanation
    lines = [market.description, ""] if market.description else []
    if ex.side == "program":
        body = _program_lines(market, ex)
    elif ex.couple is not None:
        body = _member_lines(market, ex)
    else:
        body = _single_lines(market, ex)
    if not ex.stable:
        body += [
            "",
            "The algorithm stopped without a stable result (with couples one need not exist): "
            "where a place would take them after all, it says so.",
        ]
    lines += [wrapped for line in body for wrapped in wrap(line)]
    return "\n".join(lines)


def refusal_words(r: Refusal, market: SmallMarket) -> str:
    """``"did not rank Kim"``, ``"ranked Kim 2nd, but filled ..."``, and so on: what the
    program did (its name goes before)."""
    if r.kind == "not-ranked":
        return f"did not rank {r.applicant}"
    if r.kind == "no-positions":
        return "has no positions"
    if r.kind == "takes":
        return f"would take {r.applicant} (the result is not stable)"
    higher = join_and([f"{a} ({its_choice(c)})" for a, c in r.instead])
    if r.kind == "both":
        positions = market.positions[market.programs.index(r.program)]
        if positions < 2:
            return f"cannot take both members: it has {plural(positions, 'position')}"
        leave = "leaves" if len(r.instead) == 1 else "leave"
        room = f"no room for two in its {positions} positions"
        return f"cannot take both members: {higher}, whom it ranked higher, {leave} {room}"
    places = (
        "its only position with an applicant"
        if len(r.instead) == 1
        else f"its {len(r.instead)} positions with applicants"
    )
    return f"ranked {r.applicant} {ordinal(r.rank)}, but filled {places} it ranked higher: {higher}"


def _refused(option: Option, market: SmallMarket) -> str:
    """Each refusal of ``option``, the program named: ``"Mercy did not rank Kim; ..."``."""
    return "; ".join(f"{r.program} {refusal_words(r, market)}" for r in option.refusals)


def _single_lines(market: SmallMarket, ex: NRMPExplanation) -> list[str]:
    name = ex.name
    ranks = market.applicant_ranks[market.applicants.index(name)]
    listed = f"{name} ranked {plural(len(ranks), 'program')}"
    lines = [_title(ex), "", listed + (f": {', '.join(ranks)}." if ranks else ".")]
    for program in ranks:
        supplemental = market.supplemental_list(name, program)
        if supplemental:
            lines.append(f"Supplemental PGY-1 list for {program}: {', '.join(supplemental)}.")
    if not ex.matched:
        lines.append(f"{name} is unmatched.")
    else:
        (program,) = ex.matched
        outcome = f"{name} matched {program}, their {ordinal(ex.choice)} choice"
        supplemental = market.supplemental_list(name, program)
        if ex.pgy1 is not None:
            place = ordinal(supplemental.index(ex.pgy1) + 1)
            outcome += (
                f": an advanced (PGY-2) position, with a PGY-1 year at {ex.pgy1} ({place} on "
                "the supplemental list)"
            )
        elif market.track(program) == "advanced":
            outcome += ": an advanced (PGY-2) position, without a PGY-1 year"
        lines.append(outcome + ".")
    primary = [o for o in ex.options if o.supplemental is None]
    pgy1 = [o for o in ex.options if o.supplemental is not None]
    if primary:
        above = f" above {ex.matched[0]}" if ex.matched else ""
        lines += ["", f"Every program {name} ranked{above}:"]
    for o in primary:
        (r,) = o.refusals
        lines.append(f"- {r.program} ({their_choice(o.choice)}) {refusal_words(r, market)}.")
    if pgy1:
        upto = f" above {ex.pgy1}" if ex.pgy1 else ""
        lines += ["", f"Every program on {name}'s supplemental list for {ex.matched[0]}{upto}:"]
    for o in pgy1:
        (r,) = o.refusals
        place = f"{ordinal(o.supplemental)} on the list"
        lines.append(f"- {r.program} ({place}) {refusal_words(r, market)}.")
    lines.append("")
    if not ex.matched:
        more = "no other program" if ranks else "no program"
        lines.append(f"{name} ranked {more}, so {name} is unmatched.")
        return lines
    program = ex.matched[0]
    lines.append(f"So {program} is the best program on {name}'s list that had a place for them.")
    if ex.pgy1 is not None:
        lines.append(f"And {ex.pgy1} is the best PGY-1 year on its supplemental list that did.")
    if market.supplemental_list(name, program) and ex.pgy1 is None:
        lines.append(
            f"No program on the supplemental list would take {name}: {name} keeps {program} "
            "(partially matched) and, holding it, goes no further down the list; the PGY-1 "
            "year must be found elsewhere."
        )
    if ex.kept_below:
        would = join_and(list(ex.kept_below))
        lines.append(
            f"Lower on {name}'s list, {would} would have taken {name}; but holding {program}, "
            f"{name} never got that far."
        )
    return lines


def _member_lines(market: SmallMarket, ex: NRMPExplanation) -> list[str]:
    name, partner = ex.name, ex.partner
    couple = next(c for c in market.couples if c.name == ex.couple)
    pairs = "; ".join(_pair(p, couple.members) for p in couple.ranks)
    lines = [
        _title(ex),
        "",
        f"{name} ranks as a couple with {partner} (couple {couple.name}): "
        f"{plural(len(couple.ranks), 'pair')}" + (f": {pairs}." if pairs else "."),
    ]
    if ex.choice is None:
        lines.append(f"{name} and {partner} are unmatched.")
    else:
        pair = _pair(couple.ranks[ex.choice - 1], couple.members)
        lines.append(f"The couple matched its {ordinal(ex.choice)} pair: {pair}.")
    if ex.options:
        above = " above it" if ex.choice else ""
        lines += ["", f"Every pair the couple ranked{above}:"]
    for o in ex.options:
        pair = _pair(couple.ranks[o.choice - 1], couple.members)
        lines.append(f"- {ordinal(o.choice)} pair, {pair}: {_refused(o, market)}.")
    lines.append("")
    if ex.choice is None:
        lines.append(f"No pair on the list takes both, so {name} and {partner} are unmatched.")
    else:
        lines.append(
            "So this is the first pair on the list at which each program takes its member."
        )
    return lines


def _program_lines(market: SmallMarket, ex: NRMPExplanation) -> list[str]:
    name = ex.name
    q = market.programs.index(name)
    ranks, positions = market.program_ranks[q], market.positions[q]
    unfilled = positions - len(ex.matched)
    if unfilled:
        title = f"Why does {name} have {plural(unfilled, 'unfilled position')}?"
    elif ex.matched:
        title = f"Why did {name} match {join_and(list(ex.matched))}?"
    else:
        title = f"Why did {name} match nobody?"
    listed = f"{name} ({market.track(name)}) has {plural(positions, 'position')} and ranked "
    listed += f"{plural(len(ranks), 'applicant')}" + (f": {', '.join(ranks)}." if ranks else ".")
    got = join_and([_holder(ranks, a, a in ex.pgy1_years) for a in ex.matched]) or "nobody"
    lines = [f"{title} (the NRMP's algorithm)", "", listed, f"{name} matched {got}."]
    if not positions:
        return lines + ["", f"{name} offers no positions, so there is nothing to fill."]
    if ex.elsewhere:
        above = "but did not get" if unfilled else f"above {ex.matched[-1]}"
        lines += ["", f"Every applicant {name} ranked {above}:"]
    for e in ex.elsewhere:
        lines.append(f"- {e.name} ({its_choice(e.choice)}) {_elsewhere(market, name, e)}")
    if unfilled:
        the = "the position" if unfilled == 1 else "the positions"
        lines += ["", f"No one else {name} ranked was left to take {the}."]
    return lines


def _elsewhere(market: SmallMarket, program: str, e) -> str:
    if e.kind == "not-ranked":
        return f"did not rank {program}."
    where = "is unmatched" if e.matched is None else f"matched {e.matched}"
    if e.pgy1:
        where += f" (PGY-1 year at {e.pgy1})"
    if e.kind == "prefers":
        who = f"couple {e.couple}" if e.couple else e.name
        return f"{where}, which {who} ranked above any place with {program}."
    said = []
    for o in e.wanted:
        members = tuple(a for a, _, _ in o.seats)
        if len(o.seats) == 1:  # only when the result is not stable
            said.append(f"ranked {program} {ordinal(o.choice)}: {_refused(o, market)}")
        elif e.couple:
            pair = _pair(tuple(p for _, p, _ in o.seats), members)
            said.append(f"the couple's {ordinal(o.choice)} pair, {pair}: {_refused(o, market)}")
        elif o.seats[0][1] == program:
            said.append(f"with {o.seats[1][1]} for the PGY-1 year: {_refused(o, market)}")
        else:
            where_ = f"on the supplemental list for {o.seats[0][1]}, tried only with it"
            said.append(f"{program} is {where_}: {_refused(o, market)}")
    return f"{where}; {'; '.join(said)}."


def _holder(ranks: tuple[str, ...], applicant: str, pgy1: bool) -> str:
    """``"Kim (its 2nd choice)"``, with ``", a PGY-1 year"`` for a supplemental match."""
    year = ", a PGY-1 year" if pgy1 else ""
    return f"{applicant} ({its_choice(ranks.index(applicant) + 1)}{year})"


def _title(ex: NRMPExplanation) -> str:
    if ex.matched:
        return f"Why did {ex.name} match {ex.matched[0]}? (the NRMP's algorithm)"
    return f"Why is {ex.name} unmatched? (the NRMP's algorithm)"


def _pair(pair, members) -> str:
    """``"Mercy for Davis and no match for Eastman"``."""
    return " and ".join(f"{'no match' if p is None else p} for {m}" for p, m in zip(pair, members))
