"""The NRMP's own rules in a market file: tracks, supplemental PGY-1 lists and couples.

These keys are a contract that outside checks use::

    [programs.Rad]
    positions = 1
    track = "advanced"     # starts at PGY-2; default "categorical"; "preliminary": one-year PGY-1
    ranks = ["Lee", "Kim"]

    [applicants.Lee]
    ranks = ["Rad", "City"]
    supplemental = { Rad = ["Prelim", "Transitional"] }   # PGY-1 list tried once Lee holds Rad

    [couples.Davis-Eastman]
    members = ["Davis", "Eastman"]                         # not declared again under [applicants]
    ranks = [["Mercy", "Mercy"], ["City", "City"], ["-", "City"]]   # "-": no match for that member

A supplemental list belongs to an advanced program on the applicant's own
list and names PGY-1 programs (any track but advanced).  Programs' ``ranks``
may name couple members.  Each problem raises one
:class:`~simulator.errors.ScenarioError` naming the file and the dotted key.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.errors import ScenarioError, quoted
from simulator.teaching.market_keys import (
    check_keys,
    check_name,
    known_name,
    rank_list,
    show,
    toml_key,
)
from simulator.vocabulary import TRACKS  # categorical (default), advanced, preliminary

#: In a couple's pair: no match for that member.
NO_MATCH = "-"
_COUPLE_KEYS = ("members", "ranks")


@dataclass(frozen=True, slots=True, kw_only=True)
class Couple:
    """Two applicants who match together: ``ranks`` are pairs of programs, one per member in
    the order of ``members``, most preferred first; ``None`` is no match for that member."""

    name: str
    members: tuple[str, str]
    ranks: tuple[tuple[str | None, str | None], ...]


def parse_tracks(programs: dict[str, dict], source: str) -> tuple[str, ...]:
    """Each program's track, in file order; ``()`` when no program gives one."""
    if not any("track" in entry for entry in programs.values()):
        return ()
    tracks = []
    for name, entry in programs.items():
        track = entry.get("track", "categorical")
        if track not in TRACKS:
            expected = 'one of "categorical", "advanced" or "preliminary"'
            raise ScenarioError(source, f"programs.{toml_key(name)}.track", expected, show(track))
        tracks.append(track)
    return tuple(tracks)


def parse_couples(data: dict, singles, programs, source: str) -> tuple[Couple, ...]:
    """The ``[couples.NAME]`` tables, in file order (none: ``()``).

    ``singles`` are the names declared under ``[applicants]``: a couple member
    must not be one of them, nor a member of another couple.
    """
    if "couples" not in data:
        return ()
    tables = data["couples"]
    if not isinstance(tables, dict):
        raise ScenarioError(source, "couples", "a table of couples ([couples.NAME])", show(tables))
    if tables and NO_MATCH in programs:
        raise ScenarioError(
            source,
            f"programs.{toml_key(NO_MATCH)}",
            message='a program cannot be named "-" in a market with couples '
            '("-" is no match in a couple\'s pair)',
        )
    couples, member_of = [], {}
    for name, entry in tables.items():
        where = f"couples.{toml_key(name)}"
        check_name(name, where, source)
        if not isinstance(entry, dict):
            raise ScenarioError(source, where, f"a table ([{where}])", show(entry))
        check_keys(entry, _COUPLE_KEYS, prefix=f"{where}.", source=source)
        members = _members(entry, where, singles, member_of, source)
        pairs = _pairs(entry.get("ranks", []), f"{where}.ranks", programs, source)
        couples.append(Couple(name=name, members=members, ranks=pairs))
    return tuple(couples)


def _members(entry: dict, where: str, singles, member_of: dict, source: str) -> tuple[str, str]:
    """A couple's two members: new names, each in one couple only."""
    at = f"{where}.members"
    if "members" not in entry:
        raise ScenarioError(source, at, message="missing (expected the two members' names)")
    members = entry["members"]
    if not isinstance(members, list) or len(members) != 2:
        found = f"an array of {len(members)}" if isinstance(members, list) else show(members)
        raise ScenarioError(source, at, "a list of two applicant names", found)
    for i, member in enumerate(members):
        here = f"{at}[{i}]"
        if not isinstance(member, str):
            raise ScenarioError(source, here, "an applicant name (a string)", show(member))
        check_name(member, here, source)
        shown = quoted(member)
        if member in singles:
            raise ScenarioError(
                source,
                here,
                message=f"'{shown}' is also declared as [applicants.{toml_key(member)}]: "
                f"a couple member is declared only in [{where}]",
            )
        if i == 1 and member == members[0]:
            raise ScenarioError(source, here, message=f"'{shown}' is listed twice (also at [0])")
        if member in member_of:
            raise ScenarioError(
                source, here, message=f"'{shown}' is already a member of [{member_of[member]}]"
            )
        member_of[member] = where
    return members[0], members[1]


def _pairs(value, where: str, programs, source: str) -> tuple[tuple[str | None, str | None], ...]:
    """A couple's list: pairs of program names or ``"-"``, never ``["-", "-"]``, each once."""
    if not isinstance(value, list):
        expected = 'a list of pairs of program names ("-": no match)'
        raise ScenarioError(source, where, expected, show(value))
    pairs, seen = [], {}
    for i, pair in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            found = f"an array of {len(pair)}" if isinstance(pair, list) else show(pair)
            raise ScenarioError(source, at, 'a pair of program names or "-" (a list of two)', found)
        for j, program in enumerate(pair):
            if not isinstance(program, str):
                raise ScenarioError(
                    source, f"{at}[{j}]", 'a program name or "-" (a string)', show(program)
                )
            if program != NO_MATCH:
                known_name(program, f"{at}[{j}]", programs, "program", source)
        key = tuple(pair)
        if key == (NO_MATCH, NO_MATCH):
            raise ScenarioError(
                source, at, message='["-", "-"] is no match for both members (leave it out)'
            )
        if key in seen:
            shown = ", ".join(f'"{quoted(p)}"' for p in key)
            message = f"[{shown}] is listed twice (also at [{seen[key]}])"
            raise ScenarioError(source, at, message=message)
        seen[key] = i
        pairs.append(tuple(None if p == NO_MATCH else p for p in key))
    return tuple(pairs)


def parse_supplemental(applicants: dict[str, dict], ranks, programs, tracks, source: str):
    """Each applicant's supplemental lists ``((advanced program, (PGY-1 programs, ...)), ...)``
    in the order of the applicant's own list; ``()`` when no applicant gives one.

    ``ranks`` are the applicants' checked lists and ``tracks`` the programs'
    (``()``: all categorical), both in file order.
    """
    if not any("supplemental" in entry for entry in applicants.values()):
        return ()
    track = dict(zip(programs, tracks or ("categorical",) * len(programs)))
    found = []
    for (name, entry), own in zip(applicants.items(), ranks):
        where = f"applicants.{toml_key(name)}.supplemental"
        lists = entry.get("supplemental", {})
        if not isinstance(lists, dict):
            expected = 'a table of PGY-1 lists ({ ADVANCED = ["PGY-1", ...] })'
            raise ScenarioError(source, where, expected, show(lists))
        checked = {}
        for advanced, pgy1 in lists.items():
            at = f"{where}.{toml_key(advanced)}"
            known_name(advanced, at, programs, "program", source)
            shown = quoted(advanced)
            if advanced not in own:
                raise ScenarioError(
                    source,
                    at,
                    message=f"'{shown}' is not on {quoted(name)}'s list "
                    f"(applicants.{toml_key(name)}.ranks): a supplemental list belongs to an "
                    "advanced program the applicant ranks",
                )
            if track[advanced] != "advanced":
                raise ScenarioError(
                    source,
                    at,
                    message=f"'{shown}' is not an advanced program "
                    f'(its track is "{track[advanced]}")'
                    ": only an advanced program has a supplemental PGY-1 list",
                )
            checked[advanced] = rank_list(pgy1, at, programs, source)
            for i, program in enumerate(checked[advanced]):
                if track[program] == "advanced":
                    raise ScenarioError(
                        source,
                        f"{at}[{i}]",
                        message=f"'{quoted(program)}' is an advanced program (it starts at "
                        "PGY-2): a supplemental list names PGY-1 programs",
                    )
        found.append(tuple((p, checked[p]) for p in own if p in checked))
    return tuple(found)
