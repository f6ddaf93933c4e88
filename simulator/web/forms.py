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
from simulator.market.applicants import ONE_YEAR_TRACKS, POOLED_SPECIALTY
from simulator.report.outcomes import CHOICE_WORDS
from simulator.report.specialties import specialty_rows
from simulator.scenario.schema import lookup
from simulator.scenario.template import check_text, read_answers, scenario_text

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


#: Where the form starts: the non-US IMG of scenarios/img-internal-medicine.toml (every other
#: field starts at its scenario default).
START = {
    "you.usce_kind": "hands_on",
    "you.usce_months": "3",
    "you.years_since_graduation": "2",
    "you.visa": "j1",
}


def _toml(value) -> str:
    """A default as the form sends it: TOML's spelling (``true``, ``-1``, ``0.3``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _field(key: str, label: str, *, choices=None, hint: str = "", only_for: str = "") -> Field:
    """The field of scenario ``key``: its default (:data:`START`, else the scenario's) and,
    for a key with a fixed set of choices, those choices in words."""
    node = lookup(key)
    name = key.rsplit(".", 1)[-1]  # you.type and you.partner.type read the same words
    if choices is None and (node.choices or node.kind is bool):
        values = node.choices or BOOLEANS
        choices = tuple((_toml(c), CHOICE_WORDS[name][_toml(c)]) for c in values)
    default = START.get(key, _toml(node.default))
    return Field(key, label, default, choices or (), hint=hint, only_for=only_for)


def _specialties(blank: str | None = None) -> tuple[tuple[str, str], ...]:
    """The specialties to choose from (never the pooled remainder); a main specialty (no
    ``blank``) is never a one-year track, which is ranked beside one."""
    rows = [
        (name, f"{name} ({positions:,} positions)")
        for name, positions, _ in specialty_rows()
        if name != POOLED_SPECIALTY and (blank is not None or name not in ONE_YEAR_TRACKS)
    ]
    return tuple(([("", blank)] if blank is not None else []) + rows)


@functools.cache
def profile_groups() -> tuple[tuple[str, tuple[Field, ...]], ...]:
    """The profile's fields in groups, each a legend and its fields (the specialty lists are
    read from the published data once)."""
    return (
        ("You", _you_fields()),
        ("Your preference signals and where you want to train", _signal_fields()),
        ("Your partner, if you enter the Match as a couple", _partner_fields()),
    )


def profile_fields() -> tuple[Field, ...]:
    """The profile's fields, every group's."""
    return tuple(field for _, fields in profile_groups() for field in fields)


def _you_fields() -> tuple[Field, ...]:
    """Who you are and what you do, beside your signals."""
    return (
        _field("you.type", "Applicant type"),
        _field("you.specialty", "Specialty", choices=_specialties()),
        _field("you.backup_specialty", "Backup specialty", choices=_specialties("none")),
        _field("you.step2ck", "Step 2 CK score"),
        _field("you.usce_kind", "US clinical experience"),
        _field("you.usce_months", "Months of US clinical experience"),
        _field("you.observership_months", "Months of observership beside it"),
        _field("you.years_since_graduation", "Years since graduation"),
        _field("you.visa", "Visa needed"),
        _field("you.step3", "Step 3 (an H-1B needs it)"),
        _field("you.step1_attempts", "Attempts to pass Step 1"),
        _field("you.step2ck_attempts", "Attempts to pass Step 2 CK"),
        _field("you.applications", "Applications"),
        _field("you.application_policy", "Apply"),
        _field("you.rank_list_length", "Most programs you will rank", hint="0: all"),
        _field("you.soap", "Take part in SOAP if unmatched"),
        _field("you.soap_applications", "SOAP applications", hint="at most 45"),
    )


def _partner_fields() -> tuple[Field, ...]:
    """Your partner's profile: with a specialty, your copies rank pairs of programs with theirs."""
    return (
        _field(
            "you.partner.specialty",
            "Your partner's specialty",
            choices=tuple(
                choice
                for choice in _specialties("no partner: you match alone")
                if choice[0] not in ONE_YEAR_TRACKS
            ),
        ),
        _field("you.partner.type", "Your partner's applicant type"),
        _field("you.partner.step2ck", "Your partner's Step 2 CK score"),
        _field("you.partner.usce_kind", "Your partner's US clinical experience"),
        _field("you.partner.usce_months", "Your partner's months of US clinical experience"),
        _field("you.partner.years_since_graduation", "Years since your partner's graduation"),
        _field("you.partner.visa", "Visa your partner needs"),
        _field("you.partner.applications", "Your partner's applications"),
    )


def _signal_counts() -> tuple[tuple[str, str], ...]:
    words = CHOICE_WORDS["signals"]
    counts = tuple((str(n), f"at most {n}") for n in range(1, MOST_SIGNALS + 1))
    return (("-1", words["-1"]), ("0", words["0"])) + counts


def _signal_fields() -> tuple[Field, ...]:
    """Your preference signals and where you want to train."""
    return (
        _field(
            "you.signals",
            "Preference signals in each specialty",
            choices=_signal_counts(),
            hint="gold first where there are two tiers; never more than the specialty allows",
        ),
        _field("you.signal_policy", "Send your signals"),
        _field(
            "you.signal_reach_share",
            "Share of signals to reach programs",
            hint="0 to 1; reach: the third of your applications least likely to invite you",
            only_for="shares",
        ),
        _field(
            "you.signal_safer_share",
            "Share of signals to safer programs",
            hint="0 to 1; safer: the third likeliest to invite you; target ones get the rest",
            only_for="shares",
        ),
        _field("you.home_region", "Your home region", hint="where you come from or want to live"),
        _field("you.geographic_preference", "Geographic preference you state on ERAS"),
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
