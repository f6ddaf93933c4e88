"""What the search for a better list found, in words: ``matchsim explain --manipulate``.

:func:`format_manipulation` shows the truthful outcome, how many of the
lists tried gave each outcome, what dropping names from the bottom of the
true list does, and closes with what the best list teaches.  The search
itself is :mod:`simulator.teaching.manipulation`.
"""

from __future__ import annotations

from simulator.teaching.manipulation import (
    ListOutcome,
    Manipulation,
    applicants_within,
    programs_within,
)
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.text import join_and, ordinal, plural, table, wrap


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
            return f"{p} ({ordinal(c)} choice)" if c else f"{p} (not on the true list)"
        cells = [f"{a} ({ordinal(c)})" for a, c in zip(o.matched, o.choices)]
        open_ = o.positions - len(o.matched)
        if open_ > 0:
            cells.append(f"{plural(open_, 'position')} unfilled")
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
            f"{programs_within(m.limit)} programs.)"
            if is_applicant
            else f"(matchsim tries at most {m.limit:,} lists: enough for a list of "
            f"{applicants_within(m.limit)} applicants.)"
        ),
        "",
    ]
    lines += [w for line in head for w in wrap(line)]
    rows = [(show(o), str(n)) for o, n in m.outcomes[:max_rows]]
    if len(m.outcomes) > max_rows:
        rest = m.outcomes[max_rows:]
        rows.append((f"{len(rest)} other outcomes", str(sum(n for _, n in rest))))
    lines += table((f"Outcome, judged by {m.name}'s true list", "Lists"), rows, right=(1,))
    lines += ["", "Dropping names from the bottom of the true list:"]
    rows = [
        (show_prefix(t), "->", show(t) + ("  (truthful)" if i == 0 else ""))
        for i, t in enumerate(m.truncations)
    ]
    lines += ["  " + line for line in table(None, rows)]
    lines.append("")
    lines += [w for line in _manipulation_verdict(m, show, show_list) for w in wrap(line)]
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
        with_list += f" (leaving off {join_and(left_off)})"
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
