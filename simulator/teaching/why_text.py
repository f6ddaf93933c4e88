"""Why an outcome happened, in words: ``matchsim explain --why``.

:func:`format_explanation` turns an :class:`~simulator.teaching.why.Explanation`
into the outcome, one item per reason (with its story from the trace) and,
for an unmatched applicant or a program with open positions, whom it missed
by not ranking them.
"""

from __future__ import annotations

from simulator.teaching.nrmp_why import NRMPExplanation
from simulator.teaching.nrmp_why_text import format_nrmp_explanation
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import its_choice, join_and, ordinal, plural, their_choice, wrap
from simulator.teaching.why import Explanation


def format_explanation(market: SmallMarket, explanation: Explanation | NRMPExplanation) -> str:
    """The explanation in plain words: the outcome, one item per reason, what was missed."""
    if isinstance(explanation, NRMPExplanation):
        return format_nrmp_explanation(market, explanation)
    ex = explanation
    lines = [market.description, ""] if market.description else []
    sides = "applicants propose" if ex.proposing == "applicants" else "programs propose"
    if ex.side == "applicant":
        body = _applicant_lines(ex, sides)
    else:
        body = _program_lines(ex, sides)
    lines += [wrapped for line in body for wrapped in wrap(line)]
    return "\n".join(lines)


def _applicant_lines(ex: Explanation, sides: str) -> list[str]:
    name = ex.name
    if ex.matched:
        (program,), (choice,) = ex.matched, ex.matched_choices
        title = f"Why did {name} match {program}? ({sides})"
        outcome = f"{name} matched {program}, their {ordinal(choice)} choice."
        above = f"Every program {name} ranked above {program}:"
    else:
        title = f"Why is {name} unmatched? ({sides})"
        outcome = f"{name} is unmatched."
        above = f"Every program {name} ranked:"
    listed = f"{name} ranked {plural(len(ex.ranks), 'program')}"
    listed += f": {', '.join(ex.ranks)}." if ex.ranks else "."
    lines = [title, "", listed, outcome]
    if ex.reasons:
        lines += ["", above]
    for r in ex.reasons:
        if r.kind == "not-ranked":
            why = f"did not rank {name}."
        elif r.kind == "no-positions":
            why = f"ranked {name} {ordinal(r.rank)}, but has no positions."
        else:
            filled = join_and([f"{a} ({its_choice(c)})" for a, c in r.instead])
            places = (
                "its only position with an applicant"
                if len(r.instead) == 1
                else f"its {len(r.instead)} positions with applicants"
            )
            why = (
                f"ranked {name} {ordinal(r.rank)}, but filled {places} it ranked higher: {filled}."
            )
        lines.append(f"- {r.name} ({their_choice(r.choice)}) {why}")
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
                f"- {m.name} ranked {name} {ordinal(m.rank)}: adding {m.name} to the bottom of "
                f"{name}'s list {effect} have matched them there."
            )
        if any(m.would_match for m in ex.missed):
            lines.append("A short list is the usual reason good applicants go unmatched.")
    return lines


def _program_lines(ex: Explanation, sides: str) -> list[str]:
    name, unfilled = ex.name, ex.unfilled
    if unfilled:
        title = f"Why does {name} have {plural(unfilled, 'unfilled position')}? ({sides})"
    elif ex.matched:
        title = f"Why did {name} match {join_and(list(ex.matched))}? ({sides})"
    else:
        title = f"Why did {name} match nobody? ({sides})"  # a program with no positions
    listed = (
        f"{name} has {plural(ex.positions, 'position')} and ranked "
        f"{plural(len(ex.ranks), 'applicant')}"
    )
    listed += f": {', '.join(ex.ranks)}." if ex.ranks else "."
    if ex.matched:
        got = join_and([f"{a} ({its_choice(c)})" for a, c in zip(ex.matched, ex.matched_choices)])
        outcome = f"{name} matched {got}"
    else:
        outcome = f"{name} matched nobody"
    if unfilled:
        outcome += f"; {plural(unfilled, 'position')} {'is' if unfilled == 1 else 'are'} unfilled"
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
            why = f"ranked {name} {ordinal(r.rank)} but is unmatched."
        else:
            ((went, choice),) = r.instead
            why = (
                f"ranked {name} {ordinal(r.rank)}, but matched {went}, "
                f"their {ordinal(choice)} choice."
            )
        lines.append(f"- {r.name} ({its_choice(r.choice)}) {why}")
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
                f"- {m.name} ranked {name} {ordinal(m.rank)}: adding {m.name} to the bottom of "
                f"{name}'s list {effect} have filled a position with them."
            )
        if any(m.would_match for m in ex.missed):
            lines.append("A program that ranks too few applicants can go unfilled.")
    return lines
