"""``report.html``: one self-contained page per run, comparison or sweep, ready to send.

The page needs no network: its style sheet is inline and its pictures (the
PNGs of the output folder) are embedded as base64 data.  It holds your
numbers, your funnel and signals, the charts and what the model assumes, in
the words the printed report uses; its pieces are in
:mod:`simulator.report.html_parts`.  :func:`report_body` is the page's content
alone, which the local web app (:mod:`simulator.web`) shows inside its own page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulator.files import write_text
from simulator.report.funnel import format_funnel, format_signals
from simulator.report.html_parts import (
    escape,
    figure,
    funnel_table,
    paragraphs,
    section,
    sentences,
    signal_rates_table,
    signal_table,
    table,
)
from simulator.report.outcomes import (
    CHOICE_WORDS,
    COLUMNS,
    OUTCOME_WORDS,
    WHERE_WORDS,
    like_you_groups,
    like_you_sentences,
)
from simulator.report.results import ComparisonResult, RunResult, SweepResult
from simulator.report.text import format_ci, format_percent, your_chances
from simulator.study.assumptions import assumed_parameters
from simulator.study.tallies import SIGNAL_STAGES, funnel_summary

__all__ = ["REPORT", "STYLE", "report_body", "report_html", "write_report"]

#: The file every run, compare and sweep writes beside its other outputs.
REPORT = "report.html"
#: The page's whole style sheet (inline: the page must open without network).
STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232b;
       margin: 0 auto; max-width: 62rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d5dbe3; }
.meta, figcaption, .small { color: #5b6573; font-size: .85rem; }
.headline { font-size: 1.25rem; }
.headline strong { font-size: 2rem; color: #0b5cad; }
table { border-collapse: collapse; margin: .6rem 0; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #e6e9ee; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e6e9ee; }
.loss td { color: #a4262c; }
ul.assumptions li { margin-bottom: .4rem; }
"""
#: What every answer rests on, said on every page.
_MODEL = (
    "Each simulated Match year is drawn to look like the published 2025 Main Residency Match "
    "(applicants, programs and positions by specialty), calibrated to the published match "
    "rates by applicant type; your copies are placed in it one at a time and matched by the "
    "NRMP's applicant-proposing algorithm. The numbers are the model's: docs/model.md says what "
    "it assumes and leaves out, and matchsim validate sets it beside published figures."
)
#: The keys of [you] a run's answer depends on through assumed parameters.
_YOUR_KEYS = (
    "you.step2ck",
    "you.usce_months",
    "you.usce_kind",
    "you.years_since_graduation",
    "you.applications",
    "you.visa",
    "you.signals",
    "you.signal_policy",
    "you.home_region",
    "you.geographic_preference",
)
_PROFILE = (
    ("type", "applicant type"),
    ("specialty", "preferred specialty"),
    ("backup_specialty", "backup specialty"),
    ("step2ck", "Step 2 CK"),
    ("usce_months", "months of US clinical experience"),
    ("usce_kind", "kind of US clinical experience"),
    ("observership_months", "months of observership beside it"),
    ("years_since_graduation", "years since graduation"),
    ("visa", "visa needed"),
    ("step3", "Step 3 passed"),
    ("step1_attempts", "attempts to pass Step 1"),
    ("step2ck_attempts", "attempts to pass Step 2 CK"),
    ("applications", "applications"),
    ("application_policy", "where applications go"),
    ("signals", "preference signals per specialty"),
    ("signal_policy", "where signals go"),
    ("signal_reach_share", "share of signals to reach programs"),
    ("signal_safer_share", "share of signals to safer programs"),
    ("home_region", "home region"),
    ("geographic_preference", "geographic preference stated"),
    ("rank_list_length", "most programs ranked (0: all)"),
    ("soap", "takes part in SOAP if unmatched"),
    ("soap_applications", "SOAP applications"),
)

#: Your signal shares: read only with ``signal_policy = "shares"``.
_SHARES = ("signal_reach_share", "signal_safer_share")


def _profile(you: dict) -> str:
    """Your settings in words; an empty one only if it has words (a home region drawn at
    random), the signal shares only with the policy that uses them."""

    def words(key, value):
        value = str(value).lower() if isinstance(value, bool) else value  # as TOML spells it
        return CHOICE_WORDS.get(key, {}).get(str(value), value)

    def shown(key):
        if key in _SHARES and you.get("signal_policy") != "shares":
            return False
        return key in you and (you[key] != "" or "" in CHOICE_WORDS.get(key, {}))

    return table(
        ("", "value"), [(label, words(key, you[key])) for key, label in _PROFILE if shown(key)]
    )


def _assumptions(items, notes) -> str:
    lines = [_MODEL, *items, *(f"Note: {note}" for note in notes)]
    return '<ul class="assumptions">' + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>"


def _rests_on(what: str, parameters) -> str:
    return (
        f"{what} rests on parameters the model assumes rather than takes from published data "
        f"(docs/model.md, section 11): {', '.join(parameters)}."
    )


def _header(title: str, description: str, meta: str) -> str:
    lead = f'<p class="lead">{escape(description)}</p>' if description else ""
    return f'<header><h1>{escape(title)}</h1>{lead}<p class="meta">{escape(meta)}</p></header>'


def _headline(p, words: str) -> str:
    """Your chance, large, with the exact figures as data for scripts and tests."""
    return (
        f'<p class="headline"><strong id="p-match" data-p="{p.p!r}" data-k="{p.k}" '
        f'data-n="{p.n}">{format_percent(p.p)}</strong> {escape(words)} '
        f"(95% CI {format_ci(p)}; {p.n:,} copies of you in {p.n_clusters} simulated Match years)"
        "</p>"
    )


# --------------------------------------------------------------------------- run


def _where_table(where: dict) -> str:
    """The programs you matched at, by kind and visa policy; nothing without matches."""
    rows = [
        (WHERE_WORDS[kind], f"{d['share_of_matches']:.0%}", f"{d['count']:,}")
        for shares in where.values()
        for kind, d in shares.items()
        if d["count"]
    ]
    return table(("program", "share of matches", "copies"), rows, numeric=(1, 2)) if rows else ""


def _run_body(result: RunResult) -> str:
    summary, scenario = result.summary, result.record.get("scenario", {})
    focal, you = summary["focal"], scenario.get("you", {})
    chances = [(label, format_percent(p.p), format_ci(p)) for label, p in your_chances(focal, you)]
    funnel, signals = focal.get("funnel"), focal.get("signals")
    ranks = [
        (f"#{rank}", f"{d['share_of_matches']:.0%}", f"{d['count']:,}")
        for rank, d in focal["matched_rank_distribution"].items()
    ]
    types = [
        (name, format_percent(f["p_match"].p), format_ci(f["p_match"]), f"{f['p_match'].n:,}")
        for name, f in summary["by_type"].items()
    ]
    fill = summary["fill_rate"]
    types.append(("fill rate (positions filled)", format_percent(fill.p), format_ci(fill), ""))
    if (couples := summary.get("couples")) is not None:
        matched = couples["members_matched"]
        types.append(("couples (members)", format_percent(matched.p), format_ci(matched), ""))
    specialties = (you.get("specialty"), you.get("backup_specialty"))
    folder = result.folder
    return "".join(
        [
            _header("Your chance of matching", scenario.get("description", ""), result.title),
            section(
                "chances",
                "Your chances",
                _headline(focal["p_match"], "chance of matching"),
                table(("", "chance", "95% CI"), chances, numeric=(1, 2)),
                f'<p class="small">On average {focal["mean_applications"]:.0f} applications, '
                f"{focal['mean_interviews']:.1f} interviews, {focal['mean_rol_length']:.1f} "
                "programs ranked.</p>",
            ),
            _like_you_section(like_you_sentences(summary.get("applicants_like_you"))),
            section("profile", "Who you are in this simulation", _profile(you)),
            section(
                "funnel",
                "Your applications, stage by stage",
                paragraphs(sentences(format_funnel(funnel))),
                paragraphs(sentences(format_signals(signals, focal["mean_interviews"]))),
                funnel_table({"mean per copy of you": funnel}) if funnel else "",
                signal_table({"mean per copy of you": signals}),
                figure(folder, "funnel.png", "Your funnel: mean count per copy, 95% CI"),
            ),
            section(
                "ranks",
                "Where on your list you matched",
                table(("choice", "share of your matches", "copies"), ranks, numeric=(1, 2))
                if ranks
                else "<p>No copy of you matched.</p>",
                _where_table(focal.get("matched_where", {})),
            ),
            section(
                "charts",
                "Charts",
                figure(folder, "match_by_step2ck.png", "Match probability by Step 2 CK score"),
                figure(
                    folder,
                    "match_by_rank_list_length.png",
                    "Match probability by rank-list length",
                ),
            ),
            section(
                "types",
                "Every applicant type in the simulated market",
                table(("", "P(match)", "95% CI", "n"), types, numeric=(1, 2, 3)),
                signal_rates_table(summary.get("signals_by_specialty", {})),
            ),
            section(
                "assumptions",
                "What the model assumes",
                _assumptions(
                    [
                        _rests_on(
                            "How your score, USCE, years since graduation, applications, visa, "
                            "signals and region move your chance",
                            assumed_parameters(_YOUR_KEYS, specialties, None, you.get("type")),
                        )
                    ],
                    summary.get("notes", ()),
                ),
            ),
        ]
    )


# --------------------------------------------------------------------------- compare, sweep


def _variant_funnels(folder, estimates) -> tuple[dict[str, dict], dict[str, dict]]:
    """Each variant's funnel and signals, from the ``focal.parquet`` of ``folder`` (empty
    without one)."""
    path = Path(folder) / "focal.parquet" if folder is not None else None
    if path is None or not path.is_file():
        return {}, {}
    focal = pd.read_parquet(path)
    strategy = focal["strategy"].astype(str)
    rows = {e.name: focal[strategy == e.name] for e in estimates}
    return (
        {name: funnel_summary(r) for name, r in rows.items()},
        {name: funnel_summary(r, SIGNAL_STAGES) for name, r in rows.items()},
    )


def _variant_rows(comparison) -> list[tuple]:
    """The table's rows: each variant's chance of the comparison's outcome (as the text's
    default table, :data:`~simulator.report.outcomes.COLUMNS`) and its paired difference."""
    main, third_label, third = COLUMNS[comparison.outcome]
    differences = {d.name: d.paired for d in comparison.differences}
    backup = any(e.p_match.k != e.p_match_preferred.k for e in comparison.estimates)
    rows = []
    for e in comparison.estimates:
        d = differences.get(e.name)
        change = (
            "baseline"
            if d is None
            else f"{100 * d.diff:+.1f} ({100 * d.ci_low:+.1f} to {100 * d.ci_high:+.1f})".replace(
                "-", "\u2212"
            )
        )
        rows.append(
            (
                e.name,
                format_percent(getattr(e, main).p),
                format_ci(getattr(e, main)),
                *([format_percent(e.p_match.p - e.p_match_preferred.p)] if backup else []),
                format_percent(getattr(e, third).p),
                f"{e.mean_interviews:.1f}",
                change,
            )
        )
    label = OUTCOME_WORDS[comparison.outcome][0]
    header = ("", label, "95% CI", *(["P(backup)"] if backup else []), third_label)
    return [(*header, "interviews", "difference, points (95% CI)"), *rows]


def _variants_body(
    result, *, kind: str, title: str, headline: str, label: str, picture: str, assumptions: list
) -> str:
    """The page of a comparison or sweep; ``headline`` words the first row's chance
    (``{}``: its name)."""
    comparison = result.comparison if kind == "compare" else result.sweep.comparison
    scenario = result.record.get("scenario", {})
    header, *rows = _variant_rows(comparison)
    verdicts = [v for v in (s.get("verdict") for s in result.record.get("strategies", [])) if v]
    funnels, signals = _variant_funnels(result.folder, comparison.estimates)
    first = comparison.estimates[0]
    return "".join(
        [
            _header(title, scenario.get("description", ""), result.title),
            section(
                "chances",
                f"Your chances by {label}",
                _headline(
                    getattr(first, COLUMNS[comparison.outcome][0]), headline.format(first.name)
                ),
                table(header, rows, numeric=range(1, len(header) - 1)),
                paragraphs(verdicts),
                f'<p class="small">Every {label} runs on the same simulated Match years '
                "(common random numbers); differences are paired, copy by copy.</p>",
            ),
            section(
                "profile",
                "Who you are in this simulation (the first row's profile)",
                _profile(scenario["you"]),
            )
            if "you" in scenario
            else "",
            section(
                "funnel",
                f"Your applications, stage by stage, by {label} (mean per copy of you)",
                funnel_table(funnels) if funnels else "",
                signal_table(signals),
            ),
            section("charts", "Charts", figure(result.folder, picture, result.title)),
            _like_you_section(
                [
                    sentence
                    for whose, block in like_you_groups(result.like_you)
                    for sentence in like_you_sentences(block, whose=whose)
                ]
            ),
            section(
                "assumptions",
                "What the model assumes",
                _assumptions(assumptions, result.notes),
            ),
        ]
    )


def _like_you_section(sentences) -> str:
    """How the model does for applicants like you, one paragraph per sentence ("" if none)."""
    if not sentences:
        return ""
    return section(
        "like-you",
        "How the model does for applicants like you",
        paragraphs(s[0].upper() + s[1:] + "." for s in sentences),
    )


def _compare_body(result: ComparisonResult) -> str:
    items = [
        _rests_on(f"The effect of {name}", parameters)
        for name, parameters in result.assumptions.items()
        if parameters
    ]
    return _variants_body(
        result,
        kind="compare",
        title="Your strategies compared",
        headline=f"chance of {_words(result.comparison)} with {{}} (the baseline)",
        label="strategy",
        picture="comparison.png",
        assumptions=items,
    )


def _words(comparison) -> str:
    """What the comparison's chance is of: ``matching``, or a position (the Match or SOAP)."""
    return OUTCOME_WORDS[comparison.outcome][1]


def _sweep_body(result: SweepResult) -> str:
    key = result.sweep.key
    items = [_rests_on(f"The effect of {key}", result.assumptions)] if result.assumptions else []
    return _variants_body(
        result,
        kind="sweep",
        title=f"Your chance of {_words(result.sweep.comparison)} by {key}",
        headline=f"chance of {_words(result.sweep.comparison)} at {key} = {{}}",
        label=key,
        picture="sweep.png",
        assumptions=items,
    )


# --------------------------------------------------------------------------- the page


def report_body(result) -> str:
    """The page's content (header and sections) for a run, comparison or sweep result."""
    if isinstance(result, RunResult):
        return _run_body(result)
    if isinstance(result, ComparisonResult):
        return _compare_body(result)
    if isinstance(result, SweepResult):
        return _sweep_body(result)
    raise TypeError(f"no report for {type(result).__name__}")


def report_html(result) -> str:
    """The whole self-contained page: inline style, embedded pictures, no network."""
    footer = (
        f'<footer class="small"><p>Written by {escape(result.title)}. Everything on this page is '
        "in the files beside it (JSON, CSV, Parquet, PNG).</p></footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(result.title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{report_body(result)}</main>{footer}</body></html>\n"
    )


def write_report(result) -> Path:
    """Write ``report.html`` into the result's folder (atomically); return its path."""
    path = Path(result.folder) / REPORT
    write_text(path, report_html(result))
    return path
