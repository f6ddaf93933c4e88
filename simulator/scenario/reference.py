"""The key reference of ``docs/scenarios.md``, generated from the dataclass metadata.

Run ``python -m simulator.scenario.reference docs/scenarios.md`` to refresh the
generated section of that file (between the BEGIN and END markers); without
an argument the reference is printed.  A test keeps the document in step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.files import read_text, write_text
from simulator.scenario.model import AVAILABLE_YEARS
from simulator.scenario.schema import OPTIONAL_SPECIALTY_KEYS, SCHEMA, SPECIALTY_KEYS, Table, leaves
from simulator.scenario.values import num

__all__ = ["REFERENCE_BEGIN", "REFERENCE_END", "refresh_reference", "scenario_reference_markdown"]

REFERENCE_BEGIN = (
    "<!-- BEGIN GENERATED REFERENCE: python -m simulator.scenario.reference docs/scenarios.md -->"
)
REFERENCE_END = "<!-- END GENERATED REFERENCE -->"

_SECTION_TITLES = {
    "": ("Top level", "Keys at the top of the file, outside any table."),
    "market": ("`[market]`", "Which market is simulated."),
    "you": ("`[you]`", "The focal applicant: you (`simulator.market.focal_params.Focal`)."),
    "applicants": (
        "`[applicants]`",
        "How the other applicants are drawn (`simulator.market.params.ApplicantParams`).",
    ),
    "programs": (
        "`[programs]`",
        "How programs are drawn, screen and interview (`simulator.market.params.ProgramParams`).",
    ),
    "selection": (
        "`[selection]`",
        "How programs evaluate applicants (`simulator.market.params.SelectionParams`).",
    ),
    "soap": (
        "`[soap]`",
        "SOAP after the Main Match: offer rounds for the positions it left "
        "(`simulator.market.soap_params.SoapParams`).",
    ),
    "geography": (
        "`[geography]`",
        "Where programs are and where applicants come from "
        "(`simulator.market.signal_params.GeographyParams`).",
    ),
    "signals": (
        "`[signals]`",
        "ERAS preference signals, and what programs make of signals and geography "
        "(`simulator.market.signal_params.SignalParams`).",
    ),
    "couples": (
        "`[couples]`",
        "Couples matching jointly: who pairs up and how a couple ranks pairs of programs "
        "(`simulator.market.couple_params.CoupleParams`).",
    ),
    "advanced": (
        "`[advanced]`",
        "Advanced (PGY-2) positions: who seeks one, and their supplemental PGY-1 applications "
        "(`simulator.market.advanced_params.AdvancedParams`).",
    ),
}


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_value(value) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{num(value)}`"


def _md_range(node) -> str:
    key = next(iter(node.children.values())) if isinstance(node, Table) else node
    if key.path == "market.year":
        return "one of " + ", ".join(f"`{y}`" for y in AVAILABLE_YEARS)
    if key.choices:
        return "one of " + ", ".join(f'`"{c}"`' if c == "" else f"`{c}`" for c in key.choices)
    if key.path in SPECIALTY_KEYS:
        return "a specialty of `data/specialties_2025.csv`" + (
            ", or empty" if key.path in OPTIONAL_SPECIALTY_KEYS else ""
        )
    if key.kind is str:
        return ""
    if key.kind is bool:
        return "`true` or `false`"
    if key.path == "market.scale":
        return f"> {num(key.low)} and ≤ {num(key.high)}"
    if key.low is not None and key.high is not None:
        return f"{num(key.low)} to {num(key.high)}"
    if key.low is not None:
        return f"≥ {num(key.low)}"
    if key.high is not None:
        return f"≤ {num(key.high)}"
    return "any"


def _md_row(node) -> str:
    if isinstance(node, Table):
        kind = "number per type"
        default = ", ".join(f"{t} `{num(k.default)}`" for t, k in node.children.items())
        allowed = _md_range(node) + " each"
    else:
        kind = {int: "integer", float: "number", str: "string", bool: "boolean"}[node.kind]
        default = _md_value(node.default)
        allowed = _md_range(node)
    doc = _md(node.doc)
    if node.calibrated:
        doc = "**Calibrated** (read from the calibration file). " + doc
    return f"| `{node.path}` | {kind} | {default} | {allowed} | {doc} |"


def scenario_reference_markdown() -> str:
    """The key reference of ``docs/scenarios.md``: one table per section, from the metadata.

    Every key, its type, default, allowed values and rationale (the ``doc``
    metadata of :mod:`simulator.market.params`).  Per-type tables are one row each;
    their entries are ``<key>.<type>`` for the five applicant types.
    """
    groups: dict[str, list] = {section: [] for section in _SECTION_TITLES}
    for node in leaves(SCHEMA, tables=True):
        root = node.path.split(".", 1)[0] if "." in node.path else ""
        groups[root].append(node)
    out = []
    for section, nodes in groups.items():
        title, intro = _SECTION_TITLES[section]
        out += [
            f"### {title}",
            "",
            intro,
            "",
            "| Key | Type | Default | Allowed | Meaning |",
            "|---|---|---|---|---|",
        ]
        out += [_md_row(node) for node in nodes]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def refresh_reference(text: str) -> str:
    """``text`` (the contents of docs/scenarios.md) with its generated reference replaced."""
    start = text.index(REFERENCE_BEGIN) + len(REFERENCE_BEGIN)
    end = text.index(REFERENCE_END)
    return text[:start] + "\n\n" + scenario_reference_markdown() + "\n" + text[end:]


def main(argv: list[str]) -> None:
    """Refresh the reference in the file named by ``argv`` (one path), or print it."""
    if len(argv) == 1:
        target = Path(argv[0])
        write_text(target, refresh_reference(read_text(target)))
    else:
        sys.stdout.write(scenario_reference_markdown())


if __name__ == "__main__":  # pragma: no cover - documentation maintenance
    main(sys.argv[1:])
