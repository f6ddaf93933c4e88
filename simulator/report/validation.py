"""The validation report: every published target beside the model's, as text, Markdown,
JSON and one chart (model against published, per family, with the identity line).

:func:`write_validation` writes ``validation.json``, ``validation.md`` and
``validation.png`` into a run folder (and, asked, ``validation.md`` and
``img/validation.png`` into a documentation folder); it returns the printed text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.files import write_json, write_text
from simulator.report.validation_chart import plot_validation
from simulator.study.validation import (
    DEFINITIONS,
    FAMILIES,
    MAE_TARGETS,
    MIN_APPLICANTS,
    Target,
    Validation,
)

STEP2CK_FIGURES = ("step2ck_matched_mean", "step2ck_not_matched_mean", "step2ck_gap")
#: Family -> (title, the label column's heading, tables as (title, figures)).
LAYOUT = {
    "applicant_types": (
        "Applicant types and fill rate (2025)",
        "Type",
        (
            ("Active applicants and PGY-1 match rate", ("active_applicants", "match_rate")),
            ("PGY-1 fill rate and positions filled", ("fill_rate", "positions_filled")),
            ("Registered applicants (active or not; not fitted)", ("registered_applicants",)),
            ("Couples: members matched (not fitted)", ("couples_match_rate",)),
        ),
    ),
    "us_md": (
        "US MD seniors by preferred specialty (Charting Outcomes 2024)",
        "Specialty",
        (
            ("Match rate to the preferred specialty", ("match_rate_preferred",)),
            ("Mean Step 2 CK", STEP2CK_FIGURES),
        ),
    ),
    "non_us_img": (
        "Non-US IMGs by preferred specialty (Charting Outcomes 2026)",
        "Specialty",
        (
            ("Match rate to the preferred specialty", ("match_rate_preferred",)),
            ("Mean Step 2 CK", STEP2CK_FIGURES),
            ("Median contiguous ranks", ("ranks_matched_median", "ranks_not_matched_median")),
        ),
    ),
    "ranked_per_position": (
        "Applicants ranked per position by programs (2020)",
        "Specialty",
        (("Applicants ranked per position", ("ranked_per_position",)),),
    ),
    "soap": (
        "SOAP after the Main Match (2024-2025)",
        "",
        (
            ("Positions offered and filled in SOAP", ("offered", "filled")),
            ("Share of SOAP placements by rounds 1 and 2", ("round1_share", "round2_share")),
        ),
    ),
    "signals": (
        "Preference signals and geography: odds ratio of an interview offer (published ranges)",
        "Contrast",
        (
            ("Odds ratio of an interview offer, within applicant", ("odds_ratio",)),
            (
                "Odds ratio of an interview with a signal, by preferred specialty",
                ("signal_odds_ratio",),
            ),
        ),
    ),
}
#: Column headings of each figure (a table's title says what the figures are).
SHORT_NAMES = {
    "active_applicants": "active",
    "registered_applicants": "registered",
    "positions_filled": "filled",
    "match_rate": "match rate %",
    "fill_rate": "fill rate %",
    "couples_match_rate": "matched %",
    "match_rate_preferred": "rate %",
    "step2ck_matched_mean": "matched",
    "step2ck_not_matched_mean": "not matched",
    "step2ck_gap": "gap",
    "ranks_matched_median": "matched",
    "ranks_not_matched_median": "not matched",
    "ranked_per_position": "per position",
    "offered": "offered",
    "filled": "filled",
    "round1_share": "by round 1 %",
    "round2_share": "by round 2 %",
    "odds_ratio": "odds ratio",
    "signal_odds_ratio": "odds ratio",
}
#: What each figure is, in the summary lines and the list of worst rows.
FIGURE_NAMES = {
    "active_applicants": "active applicants",
    "registered_applicants": "registered applicants",
    "positions_filled": "PGY-1 positions filled",
    "match_rate": "match rate %",
    "fill_rate": "PGY-1 fill rate %",
    "couples_match_rate": "couple members matched %",
    "match_rate_preferred": "match rate to preferred %",
    "step2ck_matched_mean": "Step 2 CK of the matched",
    "step2ck_not_matched_mean": "Step 2 CK of the not matched",
    "step2ck_gap": "Step 2 CK gap (matched - not matched)",
    "ranks_matched_median": "median contiguous ranks of the matched",
    "ranks_not_matched_median": "median contiguous ranks of the not matched",
    "ranked_per_position": "applicants ranked per position",
    "offered": "positions offered in SOAP",
    "filled": "positions filled in SOAP",
    "round1_share": "share of SOAP placements by round 1 %",
    "round2_share": "share of SOAP placements by round 2 %",
    "odds_ratio": "odds ratio of an interview offer",
    "signal_odds_ratio": "odds ratio of an interview offer with a signal",
}


def _number(value, unit: str) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if unit in ("applicants", "positions") else f"{value:.1f}"


def _model(target: Target) -> str:
    m = target.model
    value = _number(m.value, target.unit)
    if m.value is None or m.ci_low is None:
        return value
    return f"{value} [{_number(m.ci_low, target.unit)}, {_number(m.ci_high, target.unit)}]"


def _mark(target: Target) -> str:
    return {True: "✓", False: "✗", None: "–"}[target.within]


def _table(targets: list[Target], figures, label: str) -> tuple[list[str], list[list[str]]]:
    """Heading and rows of one table: per figure, published and model; gap and ✓ if judged."""
    judged = [f for f in figures if any(t.figure == f and t.tolerance for t in targets)]
    header = [label]
    for figure in figures:
        header += [f"{SHORT_NAMES[figure]}: published", "model (95% CI)"]
        if figure in judged:
            header += ["off by", "✓"]
    rows = []
    labels = list(dict.fromkeys(t.label for t in targets if t.figure in figures))
    for row_label in labels:
        cells = {t.figure: t for t in targets if t.label == row_label and t.figure in figures}
        few = cells[figures[0]].family in MAE_TARGETS and not all(t.counted for t in cells.values())
        row = [row_label + (" *" if few else "")]
        for figure in figures:
            t = cells[figure]
            row += [_number(t.published, t.unit), _model(t)]
            if figure in judged:
                gap = t.gap
                row += ["n/a" if gap is None else f"{gap:+.1f}", _mark(t)]
        rows.append(row)
    return header, rows


def summary_lines(validation: Validation) -> list[str]:
    """One line per target of the issue: the type rates, the fill rate, each family's MAEs."""
    lines = []
    targets = validation.targets
    rates = [t for t in targets if t.figure == "match_rate"]
    inside = sum(bool(t.within) for t in rates)
    worst = max(rates, key=lambda t: abs(t.gap or 0))
    lines.append(
        f"{'✓' if inside == len(rates) else '✗'} match rates by type: {inside} of {len(rates)} "
        f"within ±1.5 points (worst {worst.label} {worst.gap:+.1f})"
    )
    fill = next(t for t in targets if t.figure == "fill_rate")
    lines.append(
        f"{_mark(fill)} PGY-1 fill rate: model {_model(fill)} vs published "
        f"{fill.published:.1f} ({fill.gap:+.1f}; tolerance ±1)"
    )
    soap = [t for t in targets if t.family == "soap" and t.gap is not None]
    if soap:
        inside, gaps = sum(bool(t.within) for t in soap), ", ".join(_soap_gap(t) for t in soap)
        mark = "✓" if inside == len(soap) else "✗"
        lines.append(f"{mark} SOAP: {inside} of {len(soap)} within tolerance ({gaps})")
    signals = [t for t in targets if t.figure == "odds_ratio" and t.gap is not None]
    if signals:
        inside = sum(bool(t.within) for t in signals)
        found = ", ".join(f"{t.label} {t.model.value:.2f}" for t in signals)
        mark = "✓" if inside == len(signals) else "✗"
        lines.append(
            f"{mark} signals and geography: {inside} of {len(signals)} interview odds ratios "
            f"within the published ranges ({found})"
        )
        by_specialty = [
            t
            for t in targets
            if t.figure == "signal_odds_ratio" and t.counted and t.gap is not None
        ]
        inside = sum(bool(t.within) for t in by_specialty)
        lines.append(
            f"{'✓' if inside == len(by_specialty) else '✗'} signal odds ratio by preferred "
            f"specialty: {inside} of {len(by_specialty)} within the published range"
        )
    for s in validation.summaries:
        what = " and ".join(FIGURE_NAMES[f] for f in s.figures)
        mae = "n/a" if s.mae is None else f"{s.mae:.2f}"
        mark = {True: "✓", False: "✗", None: "–"}[s.within]
        lines.append(
            f"{mark} {s.family}, {what}: MAE {mae} over {s.rows} rows (target ≤ {s.tolerance:g})"
        )
    return lines


def _soap_gap(t: Target) -> str:
    digits = 0 if t.unit == "positions" else 1
    return f"{SHORT_NAMES[t.figure]} {t.gap:+,.{digits}f} (±{t.tolerance:,.{digits}f})"


def worst_rows(validation: Validation, count: int = 8) -> list[Target]:
    """The judged, counted rows furthest outside their tolerance, worst first."""
    judged = [t for t in validation.targets if t.tolerance and t.gap is not None and t.counted]
    judged.sort(key=lambda t: abs(t.gap) / t.tolerance, reverse=True)
    return [t for t in judged[:count] if not t.within]


def _about(validation: Validation) -> list[str]:
    run = validation.run
    inactive = ", ".join(f"{k} {v:.0f}%" for k, v in validation.inactive_share.items())
    options = run.get("options", {})
    words = ["matchsim validate", options.get("scenario") or ""]
    words += [f"--set {o}" for o in options.get("set", [])]
    words += [f"--{k} {options[k]}" for k in ("trials", "seed") if options.get(k) is not None]
    return [
        f"Scenario {run['scenario']}: {run['trials']} trials, seed {run['seed']}, "
        f"market.scale {run['scale']:g} (`{' '.join(w for w in words if w)}`).",
        f"Drawn applicants who ranked no program (not active, in no figure): {inactive}.",
    ]


def validation_text(validation: Validation) -> str:
    """Every table as aligned text, then the summary lines and the worst rows."""
    out = _about(validation)
    for family in FAMILIES:
        title, label, tables = LAYOUT[family]
        mine = [t for t in validation.targets if t.family == family]
        out += ["", title.upper(), ""]
        for caption, figures in tables:
            header, rows = _table(mine, figures, label)
            out.append(f"{caption}:")
            widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
            for r in [header, *rows]:
                out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            out.append("")
    out += [f"* fewer than {MIN_APPLICANTS} active applicants per trial: not in the MAE", ""]
    out += summary_lines(validation)
    worst = worst_rows(validation)
    if worst:
        out += ["worst rows (gap / tolerance):"]
        out += [f"  {_row_name(t)}: {t.gap:+.1f} (±{t.tolerance:g})" for t in worst]
    return "\n".join(out)


def _row_name(t: Target) -> str:
    return f"{t.family} {t.label}, {FIGURE_NAMES[t.figure]}"


def validation_markdown(validation: Validation, image: str) -> str:
    """The Markdown report: what was run, definitions, summary, chart and every table."""
    out = ["# Validation: the model beside the published figures", ""]
    out += [
        "Written by `matchsim validate`. Every published target beside the model's value "
        "with its 95% interval, the gap (model − published) and ✓/✗ against the tolerance "
        "of issue 11 (– where the issue sets none).",
        "",
        *_about(validation),
        "",
        "## Definitions",
        "",
        *[f"- {d}" for d in DEFINITIONS],
        "",
        "## Summary",
        "",
        *[f"- {line}" for line in summary_lines(validation)],
    ]
    worst = worst_rows(validation)
    if worst:
        out += ["", "Worst rows (furthest outside their tolerance):", ""]
        out += [f"- {_row_name(t)}: {t.gap:+.1f} (tolerance ±{t.tolerance:g})" for t in worst]
    out += ["", f"![model against published]({image})", ""]
    for family in FAMILIES:
        title, label, tables = LAYOUT[family]
        mine = [t for t in validation.targets if t.family == family]
        out += [f"## {title}", ""]
        for caption, figures in tables:
            header, rows = _table(mine, figures, label)
            out += [
                f"**{caption}**",
                "",
                "| " + " | ".join(header) + " |",
                "|" + "---|" * len(header),
            ]
            out += ["| " + " | ".join(r) + " |" for r in rows]
            out.append("")
            shown = [t for t in mine if t.figure in figures]
            if family in MAE_TARGETS and not all(t.counted for t in shown):
                out += [
                    f"\\* fewer than {MIN_APPLICANTS} active applicants per trial: not in the MAE.",
                    "",
                ]
            elif family not in MAE_TARGETS:
                out += [f"Note: {n}." for n in sorted({t.note for t in shown if t.note})]
                out += [""] if any(t.note for t in shown) else []
    return "\n".join(out)


def validation_record(validation: Validation) -> dict:
    """The JSON record: the run, definitions, every family's rows and summaries."""
    families = {}
    for family in FAMILIES:
        rows = [
            {
                "label": t.label,
                "figure": t.figure,
                "unit": t.unit,
                "published": t.published,
                "model": t.model.value,
                "ci": [t.model.ci_low, t.model.ci_high],
                "n": t.model.n,
                "gap": t.gap,
                "tolerance": t.tolerance,
                "within": t.within,
                "counted": t.counted,
                "note": t.note,
            }
            for t in validation.targets
            if t.family == family
        ]
        summary = [
            {
                "figures": list(s.figures),
                "mae": s.mae,
                "rows": s.rows,
                "tolerance": s.tolerance,
                "within": s.within,
            }
            for s in validation.summaries
            if s.family == family
        ]
        families[family] = {"title": LAYOUT[family][0], "rows": rows, "summary": summary}
    return {
        "run": validation.run,
        "min_applicants_per_trial": MIN_APPLICANTS,
        "definitions": list(DEFINITIONS),
        "inactive_share_percent": validation.inactive_share,
        "families": families,
    }


def write_validation(validation: Validation, folder, docs=None) -> str:
    """Write the JSON, Markdown and chart into ``folder`` (and ``docs``, if given); the text."""
    folder = Path(folder)
    write_json(folder / "validation.json", validation_record(validation))
    plot_validation(validation, folder / "validation.png")
    write_text(folder / "validation.md", validation_markdown(validation, "validation.png"))
    if docs is not None:
        docs = Path(docs)
        (docs / "img").mkdir(parents=True, exist_ok=True)
        plot_validation(validation, docs / "img" / "validation.png")
        write_text(docs / "validation.md", validation_markdown(validation, "img/validation.png"))
    return validation_text(validation)
