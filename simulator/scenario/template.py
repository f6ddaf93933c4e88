"""A new scenario written from a few answers: commented TOML that ``matchsim run`` reads.

``matchsim new`` and the local web app ask who you are (type, specialty,
Step 2 CK, USCE, years since graduation, visa, applications, rank-list
length) and how much to simulate, and write a scenario file whose every key
carries its explanation as a comment.  The text is checked by the loader
itself before anything is written, so every error is the loader's, naming the
key (or the option it came from), and a file that is written always loads.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from simulator.errors import RunError, ScenarioError
from simulator.files import write_text
from simulator.market.focal_params import Focal, Partner
from simulator.scenario.document import nest, replace, under, walk
from simulator.scenario.load import load_scenario
from simulator.scenario.model import MarketSettings, Scenario
from simulator.scenario.overrides import parse_override
from simulator.scenario.schema import SCHEMA, lookup

__all__ = [
    "NEW_OPTIONS",
    "check_text",
    "describe",
    "new_scenario",
    "read_answers",
    "scenario_text",
    "unsponsored_h1b_notes",
    "write_new",
]

#: The options of ``matchsim new`` and the ``you.*`` key each sets.
NEW_OPTIONS = {
    "--type": "you.type",
    "--specialty": "you.specialty",
    "--backup": "you.backup_specialty",
    "--step2ck": "you.step2ck",
    "--usce-months": "you.usce_months",
    "--usce-kind": "you.usce_kind",
    "--years": "you.years_since_graduation",
    "--visa": "you.visa",
    "--step3": "you.step3",
    "--applications": "you.applications",
    "--rank-list-length": "you.rank_list_length",
    "--partner-specialty": "you.partner.specialty",
    "--partner-type": "you.partner.type",
    "--partner-step2ck": "you.partner.step2ck",
    "--partner-visa": "you.partner.visa",
    "--partner-step3": "you.partner.step3",
}
#: The keys a new scenario writes, by table ("" is the top level), in file order.
_LAYOUT = {
    "": ("description", "seed", "trials"),
    "market": ("scale", "focal_copies"),
    "you": tuple(f.name for f in dataclasses.fields(Focal) if f.name != "partner"),
}
#: Your partner's keys, written as a [you.partner] table when any is given.
_PARTNER_KEYS = tuple(f.name for f in dataclasses.fields(Partner))
_WORDS = {"us_md": "US MD senior", "us_do": "US DO senior", "us_img": "US-citizen IMG"}
_STRATEGY_EXAMPLE = """\
# To compare strategies on the same simulated markets (matchsim compare FILE), add two or
# more blocks; each names the keys it changes, and the first is the baseline:
# [[strategies]]
# name = "as is"
#
# [[strategies]]
# name = "rank at most 5 programs"
# you.rank_list_length = 5
"""


def _toml(value) -> str:
    """A value as TOML writes it: JSON's strings are TOML basic strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _comment(key: str) -> list[str]:
    return textwrap.wrap(lookup(key).doc, 86, initial_indent="# ", subsequent_indent="# ")


def describe(you: Focal) -> str:
    """``A non-US IMG in Internal Medicine (Categorical): Step 2 CK 240, ...``, in words."""
    who = _WORDS.get(you.type, "non-US IMG")
    parts = [f"Step 2 CK {you.step2ck}"]
    if you.usce_kind != "none":
        kind = "hands-on" if you.usce_kind == "hands_on" else you.usce_kind
        parts.append(f"{you.usce_months:g} months {kind} USCE")
    parts.append(f"{you.years_since_graduation:g} years out")
    if you.visa != "none":
        parts.append({"j1": "J-1", "h1b": "H-1B"}[you.visa])
    backup = f", {you.backup_specialty} as backup" if you.backup_specialty else ""
    partner = f"; as a couple, partner in {you.partner.specialty}" if you.has_partner else ""
    return f"A {who} in {you.specialty}{backup}: {', '.join(parts)}{partner}"


def scenario_text(values: Mapping[str, object], strategies: Sequence[Mapping] = ()) -> str:
    """A commented scenario: ``values`` (dotted keys, checked values) over the defaults.

    ``strategies`` are ``{"name": ..., dotted key: value}`` tables; without
    any, a commented example shows how to add them.
    """
    defaults = Scenario(market=MarketSettings(), you=Focal())
    you = replace(Focal(), under(values, "you"))
    given = {"description": describe(you), **values}
    lines = [
        "# Written by matchsim new: who you are, and how much of the Match to simulate.",
        "# Every key is explained in docs/scenarios.md. Run it with: matchsim run FILE",
    ]
    for table, names in _LAYOUT.items():
        lines += ["", f"[{table}]"] if table else [""]
        for name in names:
            key = f"{table}.{name}" if table else name
            value = given.get(key, _default(defaults, key))
            lines += [*_comment(key), f"{name} = {_toml(value)}"]
    partner = under(values, "you.partner")
    if any(value != getattr(Partner(), name) for name, value in partner.items()):
        # a [you.partner] table: every key of it, those not given at their defaults
        lines += ["", "[you.partner]"]
        for name in _PARTNER_KEYS:
            value = partner.get(name, getattr(Partner(), name))
            lines += [*_comment(f"you.partner.{name}"), f"{name} = {_toml(value)}"]
    lines.append("")
    for strategy in strategies:
        lines.append("[[strategies]]")
        lines += [f"{k} = {_toml(v)}" for k, v in strategy.items()]
        lines.append("")
    return "\n".join(lines) + ("" if strategies else "\n" + _STRATEGY_EXAMPLE)


def _default(scenario: Scenario, key: str):
    value = scenario
    for part in key.split("."):
        value = getattr(value, part)
    return value


def check_text(text: str, where) -> Scenario:
    """Load scenario ``text`` as a file would be; errors name ``where`` instead of a file."""
    with tempfile.TemporaryDirectory(prefix="matchsim-new-") as folder:
        path = Path(folder) / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_scenario(path)
        except ScenarioError as error:
            raise ScenarioError(
                where, error.key, error.expected, error.found, message=error.message
            ) from None


def read_answers(answers: Mapping[str, str], where: Mapping[str, str] | None = None) -> dict:
    """``{dotted key: text as typed}`` read and checked one by one (as ``--set`` reads them):
    ``{dotted key: value}``.  A bad value raises ``ScenarioError`` naming ``where[key]``."""
    values: dict = {}
    for key, text in answers.items():
        pair = parse_override(f"{key}={text}")
        source = (where or {}).get(key)
        values.update(walk(nest([pair]), SCHEMA, where=source, out={}))
    return values


def new_scenario(path, answers: Mapping[str, str]) -> Scenario:
    """Write a commented scenario to ``path`` (never over an existing file) from ``answers``:
    option (a key of :data:`NEW_OPTIONS`) -> text as typed.  Returns it, loaded."""
    values = read_answers(
        {NEW_OPTIONS[option]: text for option, text in answers.items()},
        {key: option for option, key in NEW_OPTIONS.items()},
    )
    text = scenario_text(values)
    check_text(text, "matchsim new")  # the rules between keys
    return load_scenario(write_new(path, text))


def unsponsored_h1b_notes(scenario: Scenario, path) -> list[str]:
    """A note for you and for your partner needing an H-1B without Step 3 passed, whom no
    program can sponsor: which key of ``path`` to change."""
    you = scenario.you
    people = [("you have", you, "you")]
    if you.has_partner:
        people.append(("your partner has", you.partner, "you.partner"))
    return [
        f"note: an H-1B needs Step 3 passed and {who} not passed it ({table}.step3 = false), "
        f"so no program can sponsor it: if passed, set {table}.step3 = true in {path}; if a "
        f"J-1 would do, {table}.visa = 'j1'"
        for who, person, table in people
        if person.visa == "h1b" and not person.step3
    ]


def write_new(path, text: str) -> Path:
    """Write ``text`` to the new file ``path`` atomically (its folder is made if missing);
    :class:`RunError` if ``path`` exists, even if it appears meanwhile."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise RunError(path, message="already exists; not overwriting it")
    if not path.name:
        raise RunError(path, message="expected a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".new.", suffix=".partial", dir=path.parent)
        os.close(handle)
        try:
            write_text(name, text)
            os.link(name, path)  # fails if path exists: never replaces a file
        finally:
            os.unlink(name)
    except FileExistsError:
        raise RunError(path, message="already exists; not overwriting it") from None
    except OSError as error:
        raise RunError(path, message=f"cannot be written ({error.strerror or error})") from None
    return path
