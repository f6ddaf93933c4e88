"""The outcomes reported beside the Main Match: a position through SOAP, a position at all.

The words for what a comparison's verdict reads (``--outcome match`` or
``placed``), the columns of its default table, and the population's table of
``matchsim run --all-types``: every applicant type's chances, the fill rate,
SOAP's scale and the interview offers with and without a signal.
"""

from __future__ import annotations

from simulator.market.published import load_published
from simulator.report.formats import format_ci, format_percent, prose

__all__ = [
    "CHOICE_WORDS",
    "COLUMNS",
    "OUTCOME_SERIES",
    "OUTCOME_WORDS",
    "WHERE_WORDS",
    "couple_lines",
    "signal_lines",
    "signal_range_words",
    "type_lines",
]

#: The US Census divisions (``simulator.vocabulary.DIVISIONS``) in words, with their states.
_DIVISION_WORDS = {
    "new_england": "New England (CT, MA, ME, NH, RI, VT)",
    "middle_atlantic": "Middle Atlantic (NJ, NY, PA)",
    "east_north_central": "East North Central (IL, IN, MI, OH, WI)",
    "west_north_central": "West North Central (IA, KS, MN, MO, ND, NE, SD)",
    "south_atlantic": "South Atlantic (DC, DE, FL, GA, MD, NC, SC, VA, WV)",
    "east_south_central": "East South Central (AL, KY, MS, TN)",
    "west_south_central": "West South Central (AR, LA, OK, TX)",
    "mountain": "Mountain (AZ, CO, ID, MT, NM, NV, UT, WY)",
    "pacific": "Pacific (AK, CA, HI, OR, WA)",
}
#: The words for the coded values of [you] (``non_us_img`` is a non-US IMG).
CHOICE_WORDS = {
    "type": {
        "us_md": "US MD senior",
        "us_do": "US DO senior",
        "us_img": "US-citizen IMG",
        "non_us_img": "non-US IMG",
    },
    "usce_kind": {"none": "none", "observership": "observership", "hands_on": "hands-on"},
    "application_policy": {
        "broad": "broadly, as most applicants do",
        "visa_sponsoring": "only to programs that sponsor my visa",
        "img_friendly": "only to IMG-friendly programs whose screens I pass",
    },
    "step3": {"false": "not passed", "true": "passed"},
    "soap": {"false": "no", "true": "yes"},
    "visa": {"none": "none", "j1": "J-1", "h1b": "H-1B"},
    "signals": {"-1": "all my specialty allows (as most do)", "0": "none"},
    "signal_policy": {
        "most_preferred": "to the programs I want most",
        "best_chance": "to the programs likeliest to invite me",
        "spread": "spread evenly from most to least wanted",
        "shares": "in shares I set: reach, target, safer",
    },
    "home_region": {"": "like most applicants (drawn at random)", **_DIVISION_WORDS},
    "geographic_preference": {
        "home": "my home region",
        "none": "none (I state no preference)",
        **_DIVISION_WORDS,
    },
}
#: How the programs you matched at are named in words.
WHERE_WORDS = {
    "community": "community",
    "university": "university",
    "none": "sponsoring no visa",
    "j1": "sponsoring J-1 only",
    "j1_h1b": "sponsoring J-1 and H-1B",
}
#: What a comparison's outcome is called: its column label and its words.
OUTCOME_WORDS = {
    "match": ("P(match)", "matching"),
    "placed": ("P(placed)", "a position (the Match or SOAP)"),
    "both": ("P(both)", "both of you matching"),
}
#: The default table's columns for each outcome: its chance, then the third column's label
#: and chance (with ``placed``, the Main Match's chance takes the place of the top 3's).
COLUMNS = {
    "match": ("p_match", "P(top 3)", "p_match_top3"),
    "placed": ("p_placed", "P(match)", "p_match"),
    "both": ("p_match_both", "P(match)", "p_match"),
}
#: The series a chart adds first when a comparison reads another outcome than matching.
OUTCOME_SERIES = {
    "placed": ("a position (the Match or SOAP)", "p_placed"),
    "both": ("both of you matched", "p_match_both"),
}


def type_lines(summary: dict) -> list[str]:
    """Every applicant type's chance of matching and of a position at all (the Match or
    SOAP), the fill rate and SOAP's scale: what ``--all-types`` adds."""
    published = load_published().match_rate_by_type
    lines = [
        f"{'type':12s}{'P(match)':>9s}  {'95% CI':12s}{'published':>10s}{'n':>9s}  "
        f"{'eff. n':>8s}  {'P(preferred)':>12s}{'P(placed)':>10s}"
    ]
    for name, figures in summary["by_type"].items():
        p, preferred = figures["p_match"], figures["p_match_preferred"]
        lines.append(
            f"{name:12s}{format_percent(p.p):>9s}  {format_ci(p):12s}"
            f"{format_percent(published[name]):>10s}{p.n:>9,d}  "
            f"{p.n_effective:>8,.0f}  {format_percent(preferred.p):>12s}"
            f"{format_percent(figures['p_placed'].p):>10s}"
        )
    fill, soap = summary["fill_rate"], summary["soap"]
    lines.append(
        f"{'fill rate':12s}{format_percent(fill.p):>9s}  {format_ci(fill):12s}"
        f"{format_percent(load_published().market('pgy1_fill_rate')):>10s}"
        f"{fill.n:>9,d}  {fill.n_effective:>8,.0f}"
    )
    if (couples := summary.get("couples")) is not None:
        matched = couples["members_matched"]
        lines.append(
            f"{'couples':12s}{format_percent(matched.p):>9s}  {format_ci(matched):12s}"
            f"{format_percent(load_published().market('couples_match_rate')):>10s}"
            f"{matched.n:>9,d}  {matched.n_effective:>8,.0f}"
        )
    lines += prose(
        "published: NRMP 2025 Main Residency Match, PGY-1; couples: members of a couple "
        "matched (docs/validation.md)"
    )
    if couples is not None and (unstable := couples["trials_without_stable_matching"]):
        lines += prose(
            f"In {unstable} of {couples['trials']} trials the NRMP's procedure stopped without "
            "a stable matching (couples can make one impossible): every position held at most "
            "once, but a few applicants and programs would rather swap (docs/model.md, couples)"
        )
    return lines + soap_lines(soap) + signal_lines(summary.get("signals_by_specialty", {}))


def soap_lines(soap: dict) -> list[str]:
    """SOAP's scale in words: the positions the Match left, how many SOAP filled, by round."""
    rounds = ", ".join(f"{share:.0%} by round {r}" for r, share in soap["filled_by_round"].items())
    share = soap["fill_share"]
    return prose(
        f"SOAP: {soap['positions_offered']:,.0f} positions a trial left unfilled by the Match, "
        f"{soap['positions_filled']:,.0f} filled in SOAP ({format_percent(share.p)}, 95% CI "
        f"{format_ci(share)}); of SOAP's placements, {rounds}"
    )


def signal_lines(rates: dict, top: int = 12) -> list[str]:
    """Interview offers with and without a preference signal, by preferred specialty (the
    ``top`` with the most signals): the contrast the signal bonus is calibrated to."""
    if not rates:
        return []
    largest = sorted(rates.items(), key=lambda item: -item[1]["signalled"])[:top]
    width = max(len(name) for name, _ in largest) + 2
    lines = [
        "",
        "interview offers with and without a signal (active population, by preferred specialty):",
        f"{'specialty':{width}s}{'with a signal':>14s}{'without':>9s}{'odds ratio':>12s}",
    ]
    for name, r in largest:
        lines.append(
            f"{name:{width}s}{r['invited_signalled_pct']:>13.1f}%"
            f"{r['invited_not_signalled_pct']:>8.1f}%{r['odds_ratio']:>12.2f}"
        )
    return lines + prose(
        f"odds ratio: within applicant (Mantel-Haenszel); {signal_range_words()}; docs/model.md"
    )


def signal_range_words() -> str:
    """The published range of a signal's odds ratio of an interview, with its source."""
    low, high = load_published().odds_ratio_range("signal")
    return f"published {low:g} to {high:g} over nine specialties (Romanoski et al. 2025)"


#: Applicant types in the plural, as a sentence names them.
TYPE_PLURALS = {
    "us_md": "US MD seniors",
    "us_do": "US DO seniors",
    "us_img": "US-citizen IMGs",
    "non_us_img": "non-US IMGs",
    "other": "other applicants",
}


def like_you_lines(like: dict | None, *, whose: str = "") -> list[str]:
    """How the model does for applicants like you (``summary["applicants_like_you"]``), as
    printed: a heading line, then one indented line per figure; ``whose`` names the
    strategies it is for, in a comparison."""
    sentences = like_you_sentences(like, whose=whose)
    if not sentences:
        return []
    heading, *figures = sentences
    return ["", *prose(heading), *(line for f in figures for line in prose(f"  {f}", "  "))]


def like_you_sentences(like: dict | None, *, whose: str = "") -> list[str]:
    """The run's own population of your type, and of your type preferring your specialty,
    beside the published rates, with the gap where it is beyond the validation's
    tolerance: a heading, then one sentence per figure."""
    if not like:
        return []
    kind = TYPE_PLURALS[like["applicant_type"]]
    whose = f" ({whose})" if whose else ""
    return [
        f"applicants like you{whose}, in the population of this run: {kind} who ranked a program",
        f"matched at all: {_beside_published(like['match_rate'])}",
        f"preferring {like['specialty']}, matched to it: "
        f"{_beside_published(like['match_rate_preferred'])}",
    ]


def like_you_groups(blocks: dict) -> list[tuple[str, dict]]:
    """A comparison's or sweep's blocks (strategy -> block) grouped where they are the same
    (the same population, type and specialty): ``(whose, block)``, ``whose`` empty when one
    block serves every strategy."""
    groups: dict[tuple, list[str]] = {}
    first: dict[tuple, dict] = {}
    for name, block in blocks.items():
        key = (
            block["applicant_type"],
            block["specialty"],
            *(
                (f["model"].k, f["model"].n) if f["model"] is not None else None
                for f in (block["match_rate"], block["match_rate_preferred"])
            ),
        )
        groups.setdefault(key, []).append(name)
        first.setdefault(key, block)
    if len(groups) == 1:
        return [("", next(iter(first.values())))]
    return [(", ".join(names), first[key]) for key, names in groups.items()]


def _beside_published(figure: dict) -> str:
    """``"57.2% (56.9–57.5%); published 58.0% (NRMP 2025), within 1.5 points"``."""
    model = figure["model"]
    if model is None:
        return "none in this run"
    said = f"{format_percent(model.p)} ({format_ci(model)}, n = {model.n:,})"
    if figure["published"] is None:
        return f"{said}; no published figure"
    said += f"; published {format_percent(figure['published'])} ({figure['source']})"
    tolerance = figure["tolerance_points"]
    if figure["within"]:
        return f"{said}, within {tolerance:g} points"
    gap = figure["gap_points"]
    side = "higher" if gap > 0 else "lower"
    band = (figure["published"] - tolerance / 100, figure["published"] + tolerance / 100)
    if model.ci_low <= band[1] and model.ci_high >= band[0]:  # the interval reaches the band
        return (
            f"{said}: {abs(gap):.1f} points {side}, not clearly beyond the {tolerance:g}-point "
            "tolerance with this many trials"
        )
    which = "high" if gap > 0 else "low"
    return (
        f"{said}: the model is {abs(gap):.1f} points {side}, beyond its {tolerance:g}-point "
        f"tolerance, so your chance may be too {which} by about as much (docs/validation.md)"
    )


def couple_lines(estimates) -> list[str]:
    """With ``[you.partner]``: each couple strategy's partner chance and both of yours."""
    lines = []
    for e in estimates:
        if e.p_match_partner is not None:
            lines += prose(
                f"{e.name}: your partner matched {format_percent(e.p_match_partner.p)} "
                f"({format_ci(e.p_match_partner)}), both of you "
                f"{format_percent(e.p_match_both.p)} ({format_ci(e.p_match_both)})"
            )
    return lines
