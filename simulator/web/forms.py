"""The web app's form: a profile, a few strategies and how much to simulate, read into a scenario.

Every field is a scenario key (its ``name`` is the dotted key), read and
checked by the scenario layer exactly as ``--set`` is; a problem becomes a
message beside the field whose key the :class:`~simulator.errors.ScenarioError`
names (a strategy's, for ``strategies[N]...``), never a stack trace.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from simulator.errors import ScenarioError
from simulator.report.outcomes import CHOICE_WORDS
from simulator.report.specialties import specialty_rows
from simulator.scenario.template import check_text, read_answers, scenario_text
from simulator.vocabulary import (
    APPLICATION_POLICIES,
    DIVISIONS,
    FOCAL_TYPES,
    FOCAL_USCE_KINDS,
    SIGNAL_POLICIES,
    VISAS,
)

__all__ = [
    "SETTINGS",
    "STRATEGY_KEYS",
    "STRATEGY_ROWS",
    "Field",
    "detail",
    "profile_fields",
    "profile_groups",
    "read_form",
]

#: The choices of a yes/no key, as the form sends them (TOML's spelling).
BOOLEANS = ("false", "true")
#: How many strategy rows the form offers.
STRATEGY_ROWS = 3
#: The first strategy of a comparison: the profile as entered.
BASELINE = "your profile as entered"
#: The signal counts the form offers beyond all (-1) and none (0): at most 1 to this many.
MOST_SIGNALS = 30


@dataclass(frozen=True, slots=True)
class Field:
    """One input: its scenario key, label, default text and, for a list, its choices;
    ``only_for``: the ``you.signal_policy`` it is read with (the page hides it otherwise)."""

    key: str
    label: str
    default: str
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    only_for: str = ""


def _words(key: str, choices) -> tuple[tuple[str, str], ...]:
    return tuple((choice, CHOICE_WORDS[key][choice]) for choice in choices)


def _specialties(blank: str | None = None) -> tuple[tuple[str, str], ...]:
    rows = [(name, f"{name} ({positions:,} positions)") for name, positions, _ in specialty_rows()]
    return tuple(([("", blank)] if blank is not None else []) + rows)


@functools.cache
def profile_groups() -> tuple[tuple[str, tuple[Field, ...]], ...]:
    """The profile's fields in groups, each a legend and its fields (the specialty lists are
    read from the published data once)."""
    return (
        ("You", _you_fields()),
        ("Your preference signals and where you want to train", _signal_fields()),
    )


def profile_fields() -> tuple[Field, ...]:
    """The profile's fields, every group's."""
    return tuple(field for _, fields in profile_groups() for field in fields)


def _you_fields() -> tuple[Field, ...]:
    """Who you are and what you do, beside your signals."""
    return (
        Field("you.type", "Applicant type", "non_us_img", _words("type", FOCAL_TYPES)),
        Field("you.specialty", "Specialty", "Internal Medicine (Categorical)", _specialties()),
        Field("you.backup_specialty", "Backup specialty", "", _specialties("none")),
        Field("you.step2ck", "Step 2 CK score", "240"),
        Field(
            "you.usce_kind",
            "US clinical experience",
            "hands_on",
            _words("usce_kind", FOCAL_USCE_KINDS),
        ),
        Field("you.usce_months", "Months of US clinical experience", "3"),
        Field("you.observership_months", "Months of observership beside it", "0"),
        Field("you.years_since_graduation", "Years since graduation", "2"),
        Field("you.visa", "Visa needed", "j1", _words("visa", VISAS)),
        Field("you.step3", "Step 3 (an H-1B needs it)", "false", _words("step3", BOOLEANS)),
        Field("you.step1_attempts", "Attempts to pass Step 1", "1"),
        Field("you.step2ck_attempts", "Attempts to pass Step 2 CK", "1"),
        Field("you.applications", "Applications", "100"),
        Field(
            "you.application_policy",
            "Apply",
            "broad",
            _words("application_policy", APPLICATION_POLICIES),
        ),
        Field("you.rank_list_length", "Most programs you will rank", "0", hint="0: all"),
        Field("you.soap", "Take part in SOAP if unmatched", "true", _words("soap", BOOLEANS)),
        Field("you.soap_applications", "SOAP applications", "45", hint="at most 45"),
    )


def _signal_counts() -> tuple[tuple[str, str], ...]:
    counts = tuple((str(n), f"at most {n}") for n in range(1, MOST_SIGNALS + 1))
    return _words("signals", ("-1", "0")) + counts


def _signal_fields() -> tuple[Field, ...]:
    """Your preference signals and where you want to train."""
    return (
        Field(
            "you.signals",
            "Preference signals in each specialty",
            "-1",
            _signal_counts(),
            hint="gold first where there are two tiers; never more than the specialty allows",
        ),
        Field(
            "you.signal_policy",
            "Send your signals",
            "most_preferred",
            _words("signal_policy", SIGNAL_POLICIES),
        ),
        Field(
            "you.signal_reach_share",
            "Share of signals to reach programs",
            "0.3",
            hint="0 to 1; reach: the third of your applications least likely to invite you",
            only_for="shares",
        ),
        Field(
            "you.signal_safer_share",
            "Share of signals to safer programs",
            "0.2",
            hint="0 to 1; safer: the third likeliest to invite you; target ones get the rest",
            only_for="shares",
        ),
        Field(
            "you.home_region",
            "Your home region",
            "",
            _words("home_region", ("", *DIVISIONS)),
            hint="where you come from or want to live",
        ),
        Field(
            "you.geographic_preference",
            "Geographic preference you state on ERAS",
            "home",
            _words("geographic_preference", ("home", "none", *DIVISIONS)),
        ),
    )


#: How much to simulate: small by default, so that a run takes seconds.
SETTINGS = (
    Field("trials", "Simulated Match years", "4", hint="more: narrower intervals, slower"),
    Field("market.scale", "Share of the national market", "0.25", hint="1: the full market"),
    Field("market.focal_copies", "Copies of you per year", "512"),
    Field("seed", "Seed", "2025", hint="the same seed gives the same answer"),
)
#: The keys a strategy row may change.
STRATEGY_KEYS = (
    ("you.rank_list_length", "most programs ranked"),
    ("you.applications", "applications"),
    ("you.step2ck", "Step 2 CK"),
    ("you.usce_months", "months of USCE"),
    ("you.usce_kind", "kind of USCE"),
    ("you.years_since_graduation", "years since graduation"),
    ("you.visa", "visa"),
    ("you.step3", "Step 3 (true/false)"),
    ("you.step2ck_attempts", "attempts to pass Step 2 CK"),
    ("you.application_policy", "where you apply"),
    ("you.signals", "preference signals (-1: all allowed, 0: none)"),
    ("you.signal_policy", "where signals go (most_preferred, best_chance, spread, shares)"),
    ("you.geographic_preference", "geographic preference (home, none or a region)"),
    ("you.specialty", "specialty"),
    ("you.backup_specialty", "backup specialty"),
)
_STRATEGY = re.compile(r"^strategies\[(\d+)\]\.?(.*)$")


def detail(error: ScenarioError) -> str:
    """What a :class:`ScenarioError` says without its file and key: ``expected ..., found ...``."""
    if error.message is not None:
        return error.message
    text = f"expected {error.expected}" if error.expected else "invalid value"
    return text + (f", found {error.found}" if error.found is not None else "")


def _strategy_rows(form) -> tuple[list[dict], list[str], dict[str, str]]:
    """The strategy rows filled in: (their tables, their field prefixes, errors by field)."""
    strategies, prefixes, errors = [], [], {}
    for i in range(1, STRATEGY_ROWS + 1):
        prefix = f"strategy{i}"
        name = form.get(f"{prefix}.name", "").strip()
        key = form.get(f"{prefix}.key", "")
        text = form.get(f"{prefix}.value", "").strip()
        if not (name or text):
            continue
        if not name:
            errors[f"{prefix}.name"] = "give this strategy a name"
            continue
        if name in [BASELINE, *(s["name"] for s in strategies)]:
            errors[f"{prefix}.name"] = "another strategy has this name: give each its own"
            continue
        if key not in dict(STRATEGY_KEYS):
            errors[f"{prefix}.key"] = "choose what this strategy changes"
            continue
        try:
            change = read_answers({key: text})
        except ScenarioError as error:
            errors[f"{prefix}.value"] = detail(error)
            continue
        strategies.append({"name": name, **change})
        prefixes.append(prefix)
    return strategies, prefixes, errors


def _field_of(key: str | None, prefixes: list[str]) -> str:
    """The form field a scenario key belongs to (``""``: the form as a whole)."""
    match = _STRATEGY.match(key or "")
    if match:
        number, rest = int(match.group(1)), match.group(2)
        if 2 <= number <= len(prefixes) + 1:
            return f"{prefixes[number - 2]}.{'name' if rest == 'name' else 'value'}"
        return ""
    return key or ""


def read_form(form) -> tuple[str | None, bool, dict[str, str]]:
    """The scenario text a submitted form describes, whether it compares strategies, and the
    errors by field name (the text is None when there are any).

    Strategies, if any row is filled, are compared against the profile as entered.
    """
    values, errors = {}, {}
    for field in (*profile_fields(), *SETTINGS):
        try:
            values.update(read_answers({field.key: form.get(field.key, field.default).strip()}))
        except ScenarioError as error:
            errors[field.key] = detail(error)
    strategies, prefixes, strategy_errors = _strategy_rows(form)
    errors.update(strategy_errors)
    if errors:
        return None, False, errors
    if strategies:
        strategies = [{"name": BASELINE}, *strategies]
    text = scenario_text(values, strategies)
    try:
        check_text(text, "the form")
    except ScenarioError as error:
        return None, False, {_field_of(error.key, prefixes): detail(error)}
    return text, bool(strategies), {}
