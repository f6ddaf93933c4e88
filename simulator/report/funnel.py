"""Your funnel and your signals in plain words: where your applications went.

Read by the run report (:mod:`simulator.report.text`) and the web page
(:mod:`simulator.report.html`) from the ``funnel`` and ``signals`` blocks of
``summary.json``'s ``focal``.
"""

from __future__ import annotations

from simulator.report.formats import prose

__all__ = ["format_funnel", "format_signals"]


#: Why applications are lost, the words for each and the stage counts they are computed from.
_LOSSES = (
    ("went to programs that cannot sponsor your visa", "not_read_visa", None),
    ("were cut by a Step 2 CK cut-off", "not_read_score", None),
    ("were cut by a graduation-year limit", "not_read_graduation", None),
    (
        "went to programs that read no application with a failed exam attempt",
        "not_read_attempts",
        None,
    ),
    ("were read but led to no invitation", "read", "invited"),
)


def _amount(x: float) -> str:
    """A mean count in words: ``62``, ``4.1``."""
    return f"{x:.1f}".removesuffix(".0")


def format_signals(signals: dict | None, interviews: float) -> list[str]:
    """Your preference signals and the interviews that came from them, in one sentence."""
    if not signals or signals["sent"]["mean"] <= 0:
        return []
    mean = {stage: figures["mean"] for stage, figures in signals.items()}
    gold = f" ({_amount(mean['gold'])} gold)" if mean["gold"] > 0 else ""
    return prose(
        f"you: {_amount(mean['sent'])} preference signals sent{gold}; "
        f"{_amount(mean['invited'])} invitations and {_amount(mean['interviews'])} of your "
        f"{interviews:.1f} interviews came from programs you signalled"
    )


def format_funnel(funnel: dict | None) -> list[str]:
    """Your funnel in plain words, and the sentence naming the biggest loss.

    ``"you: of your 100 applications, 62 went to programs that cannot sponsor
    your visa, ..."``; nothing when there is no funnel or no application.
    """
    if not funnel or funnel["sent"]["mean"] <= 0:
        return []
    mean = {stage: figures["mean"] for stage, figures in funnel.items()}
    lines = [
        f"you: of your {mean['sent']:.0f} applications, {_amount(mean['not_read_visa'])} went "
        "to programs that cannot sponsor your visa,",
        f"  {_amount(mean['not_read_score'])} were cut by a Step 2 CK cut-off, "
        f"{_amount(mean['not_read_graduation'])} by a graduation-year limit"
        + (
            f", {_amount(mean['not_read_attempts'])} for a failed exam attempt"
            if mean["not_read_attempts"] > 0
            else ""
        )
        + f"; {_amount(mean['read'])} were read,",
        f"  {_amount(mean['invited'])} led to an invitation, {_amount(mean['interviews'])} to "
        f"interviews, {_amount(mean['ranked'])} programs ranked",
    ]
    lost = [(mean[a] - (mean[b] if b else 0.0), words) for words, a, b in _LOSSES]
    amount, words = max(lost, key=lambda loss: loss[0])
    if amount > 0.5 * mean["sent"]:
        lines.append(f"you: most of your applications {words}")
    elif amount > 0:
        lines.append(f"you: your biggest loss: {_amount(amount)} applications {words}")
    return lines
