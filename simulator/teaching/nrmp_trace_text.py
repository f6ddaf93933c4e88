"""The NRMP's procedure in words: ``matchsim explain`` on a market with couples or PGY-1 lists.

:func:`format_nrmp_trace` prints the rules as the NRMP states them, step 1
(applicants who rank alone, round by round as for plain deferred acceptance),
step 2 (every re-processing round: couples trying pairs, members turned away
and partners withdrawn, PGY-1 years tried once an advanced position is held),
then the result table with each couple's place and whether it is stable.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.teaching.nrmp_procedure import MAX_ROUNDS
from simulator.teaching.nrmp_trace import NRMPTrace
from simulator.teaching.result import format_result
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import join_and, wrap
from simulator.teaching.trace import rounds_lines

#: Re-processing rounds shown in full when there are more (the last one is shown too).
_SHOWN = 10
_RULES = [
    "How the NRMP's algorithm handles couples and supplemental PGY-1 lists:",
    "  1. Applicants who rank alone go first, as in the plain algorithm: each tries",
    "     the first program on their list; each program tentatively holds its most",
    "     preferred applicants, up to its positions; a rejected applicant tries the",
    "     next program on their list.  A supplemental list waits.",
    "  2. Then couples and supplemental lists: a couple tries its pairs in order and",
    "     takes the first pair at which each program takes its member; an applicant",
    "     holding an advanced (PGY-2) position tries the PGY-1 programs of the",
    "     supplemental list attached to it.",
    "  3. A program over its positions turns away its least preferred applicant.",
    "     A couple member turned away withdraws the partner too, and the couple goes",
    "     on down its list of pairs.  Losing an advanced position gives up its PGY-1",
    "     year; losing the PGY-1 year means trying the next one on the supplemental",
    "     list, and with none left the applicant keeps the advanced position without",
    "     one, going no further down the primary list.",
    "  4. Re-processing: anyone whom a place they ranked higher would now take",
    "     (because a program lost an applicant) tries again, until nobody is left.",
    f"     With couples a stable result need not exist: after {MAX_ROUNDS} rounds the",
    "     algorithm stops and says so.",
]


def format_nrmp_trace(market: SmallMarket, trace: NRMPTrace) -> str:
    """The rules, step 1's rounds, step 2's re-processing rounds, then the result."""
    lines = [market.description, ""] if market.description else []
    lines += _RULES
    lines += ["", "Step 1: applicants who rank alone"]
    if trace.singles_rounds:
        lines += rounds_lines(market, trace.singles_rounds, "applicants")
    else:
        lines += ["", "  Nobody ranks alone."]
    if trace.waiting:
        lines.append("")
        lines += [w for sentence in trace.waiting for w in wrap(sentence)]
    lines += ["", "Step 2: couples and supplemental lists"]
    rounds = trace.rounds
    if len(rounds) > _SHOWN + 1:  # a procedure going round in circles: its start and end
        hidden = f"{rounds[_SHOWN].number} to {rounds[-2].number}"
        rounds = (*rounds[:_SHOWN], None, rounds[-1])
    for round_ in rounds:
        if round_ is None:
            lines += ["", f"(Re-processing rounds {hidden} are not shown: --json has them all.)"]
            continue
        lines += ["", f"Re-processing round {round_.number}"]
        might = join_and([_unit(market, name) for name in round_.candidates])
        lines += wrap(f"  Might now be taken by a place they ranked higher: {might}.", "    ")
        for sentence in round_.sentences:
            lines += wrap("  " + sentence, hang="    ")
    lines.append("")
    for sentence in _kept(market, trace):
        lines += [*wrap(sentence), ""]
    if not trace.stable:
        lines += wrap(
            f"After {MAX_ROUNDS} re-processing rounds the algorithm stops: someone would still "
            "be taken by a place they ranked higher, so this result is not stable."
        )
    elif trace.rounds:
        lines += wrap(
            "Nobody would now be taken by a place they ranked higher: the tentative matches "
            "become final."
        )
    else:
        lines += wrap(
            "No couple and no applicant holding an advanced position would be taken by a "
            "place they ranked higher: the tentative matches become final."
        )
    lines += ["", "Result", ""]
    lines.append(format_result(replace(market, description=""), trace.result))
    return "\n".join(lines)


def _unit(market: SmallMarket, name: str) -> str:
    """A re-processed unit by name: an applicant, or ``couple NAME``."""
    return f"couple {name}" if any(c.name == name for c in market.couples) else name


def _kept(market: SmallMarket, trace: NRMPTrace) -> list[str]:
    """Who keeps an advanced position without a PGY-1 year, though they gave a list."""
    pgy1 = trace.result.pgy1 or {}
    return [
        f"{a} keeps {p} without a PGY-1 position: no program on the supplemental list for {p} "
        f"would take {a}, and {a} goes no further down the list while holding {p}."
        for a, p in trace.result.applicants.items()
        if p is not None and a not in pgy1 and market.supplemental_list(a, p)
    ]
