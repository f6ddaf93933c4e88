"""The text matchsim prints: percentages, intervals, verdicts and the tables of run, compare, sweep.

Pure functions from results (:mod:`simulator.stats`, :mod:`simulator.study`) to strings.
"""

from __future__ import annotations

import math

from simulator.report.formats import WIDTH, format_ci, format_percent, prose
from simulator.report.funnel import format_funnel, format_signals
from simulator.report.outcomes import (
    COLUMNS,
    OUTCOME_WORDS,
    WHERE_WORDS,
    couple_lines,
    like_you_groups,
    like_you_lines,
    type_lines,
)
from simulator.report.titles import comparison_title, run_size, run_title, sweep_title
from simulator.stats import PairedDifference, Proportion, UnpairedDifference
from simulator.study.estimates import Comparison, Sweep, pairing_gain
from simulator.vocabulary import advanced_row_name

__all__ = [
    "WIDTH",
    "comparison_title",
    "format_ci",
    "format_comparison",
    "format_interval",
    "format_percent",
    "format_run_summary",
    "format_sweep",
    "prose",
    "run_size",
    "run_title",
    "sweep_title",
    "title_lines",
    "verdict",
    "your_chances",
]

_MINUS = "\u2212"


# --------------------------------------------------------------------------- numbers


def format_interval(result, digits: int = 1) -> str:
    """One-line summary of a result, e.g. ``"58.3% (95% CI 56.1–60.4%, n=2,000)"``.

    Accepts a :class:`Proportion`, :class:`PairedDifference` or
    :class:`UnpairedDifference`.  Differences are printed in percentage points
    with a sign, e.g. ``"+4.2 pp (95% CI +1.0 to +7.4 pp, n=2,000 pairs)"``.
    When clustering shrank the effective sample size it is shown too
    (``"n=2,000, effective n=1,530"``).
    """
    if not isinstance(result, (Proportion, PairedDifference, UnpairedDifference)):
        raise TypeError(f"cannot format {type(result).__name__}")
    level = f"{result.confidence * 100:g}% CI"
    if isinstance(result, Proportion):
        est = format_percent(result.p, digits)
        lo = f"{result.ci_low * 100:.{digits}f}"
        hi = format_percent(result.ci_high, digits)
        sizes = _sizes(result.n, result.n_effective)
        return f"{est} ({level} {lo}\u2013{hi}, {sizes})"

    def pp(x):
        return "n/a" if not math.isfinite(x) else f"{x * 100:+.{digits}f}"

    if isinstance(result, PairedDifference):
        sizes = _sizes(result.n, result.n_effective, unit=" pairs")
    else:
        sizes = f"n={result.n_a:,} vs {result.n_b:,}"
    est = pp(result.diff)
    est = est if est == "n/a" else est + " pp"
    return f"{est} ({level} {pp(result.ci_low)} to {pp(result.ci_high)} pp, {sizes})"


def _sizes(n: int, n_eff: float, unit: str = "") -> str:
    """``n=2,000`` and, when clustering shrank it, the effective n."""
    text = f"n={n:,}{unit}"
    if n_eff < n and round(n_eff) < n:
        text += f", effective n={n_eff:,.0f}"
    return text


# --------------------------------------------------------------------------- words and tables


def _points(x: float, *, signed: bool = True) -> str:
    """A difference in percentage points, with a true minus sign: ``+1.2``, ``−0.4``."""
    text = f"{100 * x:+.1f}" if signed else f"{100 * abs(x):.1f}"
    return text.replace("-", _MINUS)


def rests_on(parameters) -> str:
    """``rests on assumed parameters, not published figures (...): a, b``."""
    return (
        "rests on assumed parameters, not published figures (docs/model.md, section 11): "
        + ", ".join(parameters)
    )


def verdict(name: str, difference: PairedDifference, outcome: str = "match") -> str:
    """Plain words for a paired difference in the chance of matching (``outcome="placed"``:
    of a position through the Main Match or SOAP).

    ``"rank 12 raises your chance by 9.1 to 12.8 points"`` (or ``lowers``)
    only when the interval excludes zero; otherwise
    ``"rank 12: no clear difference (−0.4 to +1.2 points)"``.
    """
    chance = "your chance" + ("" if outcome == "match" else f" of {OUTCOME_WORDS[outcome][1]}")
    if difference.ci_low > 0:
        return (
            f"{name} raises {chance} by {_points(difference.ci_low, signed=False)} to "
            f"{_points(difference.ci_high, signed=False)} points"
        )
    if difference.ci_high < 0:
        return (
            f"{name} lowers {chance} by {_points(difference.ci_high, signed=False)} to "
            f"{_points(difference.ci_low, signed=False)} points"
        )
    return (
        f"{name}: no clear difference ({_points(difference.ci_low)} to "
        f"{_points(difference.ci_high)} points)"
    )


#: The widest a strategy name or value is printed in the default tables (longer: cut, with …).
NAME_WIDTH = 24
_INTERVALS = (
    "Intervals: Wilson, widened for clustering by trial; differences: Newcombe's paired "
    "interval, widened likewise."
)


def title_lines(title: str) -> list[str]:
    """A report's first line, broken after its first ``": "`` when it is wider than
    :data:`WIDTH` (``matchsim 0.1.0 run of NAME:`` / ``  40 trials x ...``)."""
    head, sep, rest = title.partition(": ")
    if len(title) <= WIDTH or not sep:
        return prose(title)
    return [*prose(head + ":"), *prose("  " + rest, "  ")]


def _name(name, full: bool) -> str:
    text = str(name)
    return text if full or len(text) <= NAME_WIDTH else text[: NAME_WIDTH - 1] + "\u2026"


def _full_estimate_lines(estimates, label: str) -> list[str]:
    """Every column: the table ``--all-types`` prints (wider than :data:`WIDTH`)."""
    width = max([len(label)] + [len(e.name) for e in estimates]) + 2
    header = (
        f"{label:{width}s}{'P(match)':>9s}  {'95% CI':13s}{'n':>8s}  "
        f"{'P(preferred)':>12s}  {'95% CI':13s}{'P(top 3)':>9s}  {'95% CI':13s}"
        f"{'P(SOAP)':>9s}  {'95% CI':13s}{'P(placed)':>9s}  {'95% CI':13s}"
        f"{'interviews':>10s}{'ranked':>8s}"
    )
    lines = [header]
    for e in estimates:
        lines.append(
            f"{e.name:{width}s}{format_percent(e.p_match.p):>9s}  "
            f"{format_ci(e.p_match):13s}{e.p_match.n:>8,d}  "
            f"{format_percent(e.p_match_preferred.p):>12s}  {format_ci(e.p_match_preferred):13s}"
            f"{format_percent(e.p_match_top3.p):>9s}  {format_ci(e.p_match_top3):13s}"
            f"{format_percent(e.p_soap.p):>9s}  {format_ci(e.p_soap):13s}"
            f"{format_percent(e.p_placed.p):>9s}  {format_ci(e.p_placed):13s}"
            f"{e.mean_interviews:>10.1f}{e.mean_rol_length:>8.1f}"
        )
    return lines


def _estimate_lines(comparison: Comparison, label: str, *, full: bool = False) -> list[str]:
    """One row per strategy or value: your chance (of the comparison's outcome) and its
    interval, the share matched to your backup specialty (when any copy matched there), a top-3
    choice (with ``placed``: matched in the Main Match), interviews, programs ranked; then how
    many copies each row counts."""
    estimates = comparison.estimates
    if full:
        return _full_estimate_lines(estimates, label) + couple_lines(estimates)
    backup = any(e.p_match.k != e.p_match_preferred.k for e in estimates)
    width = max([len(label)] + [len(_name(e.name, False)) for e in estimates]) + 2
    main, third_label, third = COLUMNS[comparison.outcome]
    header = f"{label:{width}s}{OUTCOME_WORDS[comparison.outcome][0]:>9s}  {'95% CI':12s}"
    header += f"{'P(backup)':>10s}" if backup else ""
    lines = [header + f"{third_label:>10s}{'interviews':>12s}{'ranked':>7s}"]
    for e in estimates:
        chance = getattr(e, main)
        row = f"{_name(e.name, False):{width}s}{format_percent(chance.p):>9s}  "
        row += f"{format_ci(chance):12s}"
        if backup:
            row += f"{format_percent(e.p_match.p - e.p_match_preferred.p):>10s}"
        lines.append(
            row + f"{format_percent(getattr(e, third).p):>10s}"
            f"{e.mean_interviews:>12.1f}{e.mean_rol_length:>7.1f}"
        )
    n = estimates[0].p_match.n
    size = f"{comparison.trials} trials x {comparison.copies} copies"
    lines += prose(f"n = {n:,} copies of you in each row ({size})")
    if backup:
        lines += prose("P(backup): matched in your backup specialty (P(match) counts it too)")
    return lines + couple_lines(estimates)


def _difference_lines(comparison: Comparison, label: str, *, full: bool = False) -> list[str]:
    names = [_name(d.name, full) for d in comparison.differences]
    width = max([len(label)] + [len(name) for name in names]) + 2
    lines = [
        f"{label:{width}s}{'difference':>11s}  {'95% CI (points)':17s}{'pairs':>8s}  "
        "unpaired 95% CI"
    ]
    for name, d in zip(names, comparison.differences):
        p = d.paired
        lines.append(
            f"{name:{width}s}{_points(p.diff) + ' pts':>11s}  "
            f"{_points(p.ci_low) + ' to ' + _points(p.ci_high):17s}{p.n:>8,d}  "
            f"{_points(d.unpaired_ci_low) + ' to ' + _points(d.unpaired_ci_high)}"
        )
    return lines


def format_comparison(
    comparison: Comparison,
    *,
    title: str,
    assumptions=None,
    notes=(),
    all_types: bool = False,
    like_you=None,
) -> str:
    """What ``matchsim compare`` prints: estimates, paired differences, verdicts.

    ``assumptions`` maps a strategy to the assumed parameters its difference
    rests on, said under its verdict.  ``all_types`` prints every column
    (wider than :data:`WIDTH`); ``like_you`` (strategy -> block) says how the model does
    for applicants like you.
    """
    assumptions = assumptions or {}
    lines = [*title_lines(title), ""]
    lines += [*_estimate_lines(comparison, "strategy", full=all_types), ""]
    if comparison.differences:
        lines += prose(
            f"Your chance of {OUTCOME_WORDS[comparison.outcome][1]} against the baseline "
            f"({comparison.baseline}), "
            "paired on the same markets:"
        )
        lines += _difference_lines(comparison, "strategy", full=all_types)
        lines.append("")
        for d in comparison.differences:
            lines += prose(verdict(d.name, d.paired, comparison.outcome))
            if assumptions.get(d.name):
                lines += prose(f"  {rests_on(assumptions[d.name])}", "  ")
        gain = pairing_gain(comparison)
        lines.append("")
        if math.isfinite(gain):
            lines += prose(
                f"Pairing (common random numbers) makes these intervals {gain:.1f}x narrower "
                "than two independent runs of the same size (the unpaired column)."
            )
    lines += _like_you_groups_lines(like_you)
    lines += prose(_INTERVALS)
    return "\n".join(lines + _one_trial(comparison, notes))


def format_sweep(
    sweep: Sweep,
    *,
    title: str,
    assumptions=(),
    notes=(),
    all_types: bool = False,
    like_you=None,
) -> str:
    """What ``matchsim sweep`` prints: one row per value, then the change from the first value.

    ``assumptions``: the assumed parameters the key's effect rests on;
    ``all_types`` prints every column (wider than :data:`WIDTH`); ``like_you`` as for
    :func:`format_comparison`.
    """
    comparison = sweep.comparison
    lines = [*title_lines(title), ""]
    lines += [*_estimate_lines(comparison, sweep.key, full=all_types), ""]
    if comparison.differences:
        lines += prose(
            f"Your chance of {OUTCOME_WORDS[comparison.outcome][1]} against {sweep.key} = "
            f"{comparison.baseline}, paired "
            "on the same markets:"
        )
        lines += _difference_lines(comparison, sweep.key, full=all_types)
        lines.append("")
    if assumptions:
        lines += prose(f"The effect of {sweep.key} {rests_on(assumptions)}")
    lines += _like_you_groups_lines(like_you)
    lines += prose(_INTERVALS)
    return "\n".join(lines + _one_trial(comparison, notes))


def _like_you_groups_lines(blocks) -> list[str]:
    """Each distinct applicants-like-you block of a comparison or sweep, then a blank line."""
    if not blocks:
        return []
    lines = [
        line
        for whose, block in like_you_groups(blocks)
        for line in like_you_lines(block, whose=whose)
    ]
    return lines + [""]


def your_chances(focal: dict, you: dict) -> list[tuple[str, object]]:
    """Your chances, named: any specialty (a career position), your preferred one, a one-year
    preliminary position alone (when it happened), your backup (if any), a top-3 choice, a
    position through SOAP, a position at all, at least one interview."""
    specialty, backup = you.get("specialty"), you.get("backup_specialty")
    if specialty and you.get("advanced"):
        specialty = advanced_row_name(specialty)
    rows = [
        ("matched (any specialty)", focal["p_match"]),
        (f"matched in {specialty or 'your preferred specialty'}", focal["p_match_preferred"]),
    ]
    one_year = focal.get("p_match_preliminary_only")
    if one_year is not None and one_year.k > 0:
        rows.append(("matched to a one-year preliminary position only", one_year))
    partial = focal.get("p_match_advanced_without_pgy1")
    if partial is not None and (partial.k > 0 or you.get("advanced")):
        rows.append(("matched to an advanced position without a PGY-1 year", partial))
    if backup and "p_match_backup" in focal:
        rows.append((f"matched in {backup} (backup)", focal["p_match_backup"]))
    if "p_match_partner" in focal:  # [you.partner]: you ranked as a couple
        rows.append(("your partner matched (any specialty)", focal["p_match_partner"]))
        rows.append(("both of you matched", focal["p_match_both"]))
    rows += [
        ("matched to one of your top 3 choices", focal["p_match_top3"]),
        ("placed through SOAP after the Match", focal["p_soap"]),
        ("a position at all (the Match or SOAP)", focal["p_placed"]),
        ("invited to at least one interview", focal["p_interview"]),
    ]
    return rows


def format_run_summary(
    summary: dict, *, title: str, you: dict | None = None, all_types: bool = False
) -> str:
    """What ``matchsim run`` prints: your chances first, your funnel, then (``all_types``)
    every applicant type's chance and the fill rate.

    ``you`` is the scenario's ``[you]`` table (``specialty``, ``backup_specialty``),
    which names the rows; the backup's row is printed only when there is one.
    """
    focal = summary["focal"]
    rows = your_chances(focal, you or {})
    width = max(len(label) for label, _ in rows) + 2
    lines = [*title_lines(title), "", f"{'you':{width}s}{'chance':>7s}  95% CI"]
    for label, p in rows:
        lines.append(f"{label:{width}s}{format_percent(p.p):>7s}  {format_ci(p)}")
    p = focal["p_match"]
    lines += prose(
        f"n = {p.n:,} copies of you ({p.n_clusters} trials); intervals: Wilson, widened for "
        "clustering by trial (docs/model.md)"
    )
    lines += like_you_lines(summary.get("applicants_like_you"))
    lines += [
        "",
        f"you: on average {focal['mean_applications']:.0f} applications, "
        f"{focal['mean_interviews']:.1f} interviews, "
        f"{focal['mean_rol_length']:.1f} programs ranked",
    ]
    lines += format_funnel(focal.get("funnel"))
    lines += format_signals(focal.get("signals"), focal["mean_interviews"])
    distribution = focal["matched_rank_distribution"]
    if distribution:
        shares = ", ".join(
            f"#{rank} {d['share_of_matches']:.0%}" for rank, d in list(distribution.items())[:10]
        )
        lines += prose(f"you: where on your list you matched (share of your matches): {shares}")
    where = focal.get("matched_where", {})
    if where and any(d["count"] for d in where["matched_program_kind"].values()):
        lines += prose("you: the programs you matched at: " + _matched_where(where))
    if all_types:
        lines += ["", *type_lines(summary)]
    lines += [line for note in summary.get("notes", ()) for line in prose(f"note: {note}")]
    return "\n".join(lines)


def _matched_where(where: dict) -> str:
    """``"72% community, 28% university; 10% sponsoring no visa, ..."``."""
    return "; ".join(
        ", ".join(
            f"{d['share_of_matches']:.0%} {WHERE_WORDS[kind]}"
            for kind, d in shares.items()
            if d["count"]
        )
        for shares in (where["matched_program_kind"], where["matched_visa_policy"])
    )


#: Said when a study ran a single trial.
ONE_TRIAL = (
    "one trial: the intervals treat the copies of you in one simulated market as "
    "independent and miss how markets differ; run 2 or more trials (--trials) for honest intervals"
)


#: Why an H-1B applicant without Step 3 is read nowhere.
NO_STEP3 = (
    "an H-1B needs Step 3 passed: without it no program can sponsor yours (you.step3 = false); "
    "if you would take a J-1 instead, set you.visa = 'j1'"
)


def run_notes(scenario, summary: dict, scale_notes=()) -> list[str]:
    """What a reader of a run's figures should be told: a single trial, a market too small
    for the applications you asked to send, a scale that changes your answer."""
    notes = []
    if summary["focal"]["p_match"].n_clusters == 1:
        notes.append(ONE_TRIAL)
    you = scenario.you
    sent, asked = summary["focal"]["mean_applications"], you.applications
    if sent < 0.9 * asked and you.application_policy != "broad":
        notes.append(
            f"you asked to send {asked} applications, but only {sent:.0f} programs of your "
            f"specialties (on average) pass you.application_policy = '{you.application_policy}'"
        )
    elif sent < 0.9 * asked:
        notes.append(
            f"you asked to send {asked} applications, but this market (scale "
            f"{scenario.market.scale:g}) has room for {sent:.0f} on average: it holds too few "
            "programs of your specialty; raise market.scale for a market as large as the real one"
        )
    if you.visa == "h1b" and not you.step3:
        notes.append(NO_STEP3)
    return notes + list(scale_notes)


def _one_trial(comparison: Comparison, notes=()) -> list[str]:
    estimates = comparison.estimates
    one = estimates and estimates[0].p_match.n_clusters == 1
    notes = ([ONE_TRIAL] if one else []) + list(notes)
    return [line for note in notes for line in prose(f"note: {note}")]
