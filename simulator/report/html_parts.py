"""The pieces ``report.html`` is built of: escaped text, tables, embedded pictures, sections,
and the tables of funnels and of preference signals.

:mod:`simulator.report.html` puts them together into the page of a run,
comparison or sweep.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

from simulator.report.outcomes import signal_range_words
from simulator.report.plots import FUNNEL_LABELS

__all__ = [
    "SIGNAL_LABELS",
    "escape",
    "figure",
    "funnel_table",
    "paragraphs",
    "section",
    "sentences",
    "signal_rates_table",
    "signal_table",
    "table",
]

#: The stages of your signals (``summary.json``'s ``focal.signals``), in words.
SIGNAL_LABELS = {
    "sent": "signals sent",
    "gold": "gold signals among them",
    "invited": "invitations from programs you signalled",
    "interviews": "interviews at programs you signalled",
}


def escape(value) -> str:
    """``value`` as text safe inside HTML."""
    return html.escape(str(value))


def table(header, rows, *, numeric=(), row_class=None) -> str:
    """An HTML table; columns whose index is in ``numeric`` are right-aligned."""

    def cell(tag: str, i: int, value) -> str:
        kind = ' class="num"' if i in numeric else ""
        return f"<{tag}{kind}>{escape(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        kind = f' class="{row_class(r)}"' if row_class and row_class(r) else ""
        body.append(f"<tr{kind}>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>")
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>'


def figure(folder, name: str, caption: str) -> str:
    """``name`` from ``folder`` embedded as a base64 PNG, or nothing if it was not drawn."""
    path = Path(folder) / name if folder is not None else None
    if path is None or not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def section(key: str, title: str, *parts: str) -> str:
    """A titled section of the page, with ``key`` as its id."""
    return f'<section id="{key}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def paragraphs(lines) -> str:
    """Each line as a paragraph."""
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def sentences(lines) -> list[str]:
    """The printed ``you: ...`` lines (continued on indented lines) as sentences."""
    text = " ".join(line.strip() for line in lines)
    parts = [part.strip() for part in text.split("you: ")]
    return [part[0].upper() + part[1:] + "." for part in parts if part]


def _stage_table(first: str, columns: dict[str, dict], labels: dict[str, str], loss=None) -> str:
    """Each stage's mean count per copy of you (a row of ``labels``, under the heading
    ``first``), one column per strategy or value; rows where ``loss`` is true are marked."""
    names = list(columns)
    stages = [s for s in labels if all(s in c for c in columns.values())]
    rows = [(labels[s], *(f"{columns[n][s]['mean']:.1f}" for n in names)) for s in stages]
    return table(
        (first, *names),
        rows,
        numeric=range(1, len(names) + 1),
        row_class=lambda r: "loss" if loss and loss(stages[r]) else "",
    )


def funnel_table(funnels: dict[str, dict]) -> str:
    """Your funnel's stages (mean per copy), one column per strategy or value."""
    return _stage_table("stage", funnels, FUNNEL_LABELS, lambda stage: stage.startswith("not_read"))


def signal_table(signals: dict[str, dict]) -> str:
    """Your signals and the invitations and interviews they led to (mean per copy), one column
    per strategy or value; nothing when no column sent any."""
    if not any(s and s["sent"]["mean"] > 0 for s in signals.values()):
        return ""
    return _stage_table("your preference signals", signals, SIGNAL_LABELS)


def _ratio(x: float) -> str:
    return f"{x:.2f}" if math.isfinite(x) else "\u2013"


def signal_rates_table(rates: dict) -> str:
    """The population's interview offers with and without a signal, by preferred specialty
    (the most signalled first): the contrast the signal bonus is calibrated to."""
    if not rates:
        return ""
    rows = [
        (
            name,
            f"{r['signalled']:,}",
            f"{r['invited_signalled_pct']:.1f}%",
            f"{r['not_signalled']:,}",
            f"{r['invited_not_signalled_pct']:.1f}%",
            _ratio(r["odds_ratio"]),
        )
        for name, r in sorted(rates.items(), key=lambda item: -item[1]["signalled"])
    ]
    header = ("preferred specialty", "applications with a signal", "invited", "without one",
              "invited", "odds ratio")  # fmt: skip
    return (
        '<h3 id="signals-by-specialty">Interview offers with and without a preference signal'
        "</h3>"
        + table(header, rows, numeric=range(1, 6))
        + '<p class="small">The applications of the simulated applicants who apply, by each '
        "applicant's preferred specialty, and the share that led to an interview offer. Odds "
        f"ratio: within applicant (Mantel-Haenszel); {escape(signal_range_words())}; "
        "docs/model.md.</p>"
    )
