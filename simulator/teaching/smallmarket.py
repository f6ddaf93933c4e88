"""Small hand-written markets: what one is, and how it is written down in TOML.

A market file names its programs and applicants and gives each one's
rank-order list, most preferred first::

    description = "optional one-line text saying what this market shows"

    [programs.Mercy]
    positions = 2
    ranks = ["Chen", "Garcia"]

    [applicants.Chen]
    ranks = ["City", "Mercy"]

Either side may also give ``soap_ranks``, its list for SOAP after the Match
(:mod:`simulator.teaching.soap`): a program's order of offers, an
applicant's SOAP applications, most wanted first.

Every problem in the file raises one :class:`~simulator.errors.ScenarioError`
naming the file and the dotted key.  Names are one line of text; a program
has at most :data:`MAX_POSITIONS` positions; a scenario file given by mistake
is recognised as one.  Dense Python structures are fine here: these markets
have a handful of people, not fifty thousand.  Solving one and showing the
result is :mod:`simulator.teaching.result`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from simulator.errors import ScenarioError, closest, quoted
from simulator.files import read_text
from simulator.scenario.parse import parse_document
from simulator.scenario.schema import SCHEMA
from simulator.scenario.values import HugeInt

#: The most positions a program may offer: far more than any residency program
#: has, and still a plain integer everywhere (capacities are capped at the applicants).
MAX_POSITIONS = 10_000
_TOP_KEYS = ("description", "programs", "applicants")
_SIDE_KEYS = {
    "programs": ("positions", "ranks", "soap_ranks"),
    "applicants": ("ranks", "soap_ranks"),
}
_SCENARIO_TOP_KEYS = (*SCHEMA, "strategies")
_LINE_BREAKS_OR_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True, kw_only=True)
class SmallMarket:
    """A hand-written market; names and lists are kept in file order."""

    applicants: tuple[str, ...]
    programs: tuple[str, ...]
    positions: tuple[int, ...]
    applicant_ranks: tuple[tuple[str, ...], ...]
    program_ranks: tuple[tuple[str, ...], ...]
    description: str = ""
    source: str = "<string>"
    #: SOAP lists (``soap_ranks``), in the same order (empty where a name gives none);
    #: ``()`` when the file gives none at all.
    applicant_soap_ranks: tuple[tuple[str, ...], ...] = ()
    program_soap_ranks: tuple[tuple[str, ...], ...] = ()

    def to_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The engine's ``rol_indptr, rol_programs, program_ranks, capacities`` (int64, read-only).

        A program's rank of an applicant is the applicant's position on the
        program's list, ``n_applicants`` if not listed.  Capacities are the
        positions, capped at ``n_applicants``: more can never be filled, and the
        engine allocates one slot per position.
        """
        n_applicants = len(self.applicants)
        program_index = {name: p for p, name in enumerate(self.programs)}
        rank_of = [{a: r for r, a in enumerate(ranks)} for ranks in self.program_ranks]
        rol_indptr = np.zeros(n_applicants + 1, dtype=np.int64)
        np.cumsum([len(ranks) for ranks in self.applicant_ranks], out=rol_indptr[1:])
        entries = [
            (program_index[p], rank_of[program_index[p]].get(a, n_applicants))
            for a, ranks in zip(self.applicants, self.applicant_ranks)
            for p in ranks
        ]
        rol_programs, program_ranks = np.array(entries, dtype=np.int64).reshape(-1, 2).T
        capacities = np.minimum(self.positions, n_applicants).astype(np.int64)
        arrays = (rol_indptr, rol_programs.copy(), program_ranks.copy(), capacities)
        for array in arrays:
            array.flags.writeable = False
        return arrays


def load_market(path) -> SmallMarket:
    """Read a market from a TOML file."""
    return parse_market(read_text(path), source=str(path))


def parse_market(text: str, source: str = "<string>") -> SmallMarket:
    """Read a market from TOML text; ``source`` names it in error messages."""
    data = parse_document(text, source, allow_empty=True)
    if not data:
        raise ScenarioError(
            source, message="empty file (expected [programs.NAME] and [applicants.NAME] tables)"
        )
    _refuse_scenario(data, source)
    _check_keys(data, _TOP_KEYS, prefix="", source=source)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(source, "description", "a string", _show(description))
    tables = {side: _side_tables(data, side, source) for side in ("programs", "applicants")}
    names = {side: tuple(tables[side]) for side in tables}

    positions = tuple(
        _positions(entry, f"programs.{_key(name)}", source)
        for name, entry in tables["programs"].items()
    )
    sides = (("programs", names["applicants"]), ("applicants", names["programs"]))
    ranks = {
        (side, key): tuple(
            _rank_list(entry.get(key, []), f"{side}.{_key(name)}.{key}", known, source)
            for name, entry in tables[side].items()
        )
        for side, known in sides
        for key in ("ranks", "soap_ranks")
    }
    return SmallMarket(
        applicants=names["applicants"],
        programs=names["programs"],
        positions=positions,
        applicant_ranks=ranks["applicants", "ranks"],
        program_ranks=ranks["programs", "ranks"],
        description=description,
        source=source,
        applicant_soap_ranks=_given(ranks["applicants", "soap_ranks"]),
        program_soap_ranks=_given(ranks["programs", "soap_ranks"]),
    )


def _given(lists: tuple) -> tuple:
    """SOAP lists as given, or ``()`` when the file gives none."""
    return lists if any(lists) else ()


def _refuse_scenario(data: dict, source: str) -> None:
    """A scenario file given to ``match`` or ``explain``: say so, rather than "unknown key"."""
    found = [
        _header(key, value)
        for key, value in data.items()
        if key in _SCENARIO_TOP_KEYS and key not in _TOP_KEYS
    ]
    for side in ("programs", "applicants"):
        entries = data.get(side)
        if isinstance(entries, dict):
            found += [
                f"{side}.{name}"
                for name, entry in entries.items()
                if name in SCHEMA[side] and not _is_market_entry(entry)
            ]
    if found:
        raise ScenarioError(
            source,
            message=f"this looks like a scenario file (it has {', '.join(found[:3])}): "
            "use matchsim run, compare or sweep",
        )


def _header(key: str, value) -> str:
    """``key`` as written in the file: ``[key]``, ``[[key]]`` or plain ``key``."""
    if isinstance(value, dict):
        return f"[{key}]"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"[[{key}]]"
    return key


def _is_market_entry(entry) -> bool:
    """Whether ``entry`` is a program's or applicant's table (it has ranks or positions)."""
    return isinstance(entry, dict) and not entry.keys().isdisjoint(("ranks", "positions"))


def _side_tables(data: dict, side: str, source: str) -> dict[str, dict]:
    """The ``[programs.NAME]`` or ``[applicants.NAME]`` tables, checked for shape and keys."""
    if side not in data:
        expected = f"expected at least one [{side}.NAME] table"
        raise ScenarioError(source, message=f"no {side} ({expected})")
    tables = data[side]
    if not isinstance(tables, dict):
        raise ScenarioError(source, side, f"a table of {side} ([{side}.NAME])", _show(tables))
    if not tables:
        raise ScenarioError(source, side, f"at least one [{side}.NAME] table", "none")
    for name, entry in tables.items():
        where = f"{side}.{_key(name)}"
        if not name.strip():
            raise ScenarioError(source, where, message="a name must not be blank")
        if _LINE_BREAKS_OR_CONTROLS.search(name):
            raise ScenarioError(
                source,
                where,
                message="a name must be one line of text (no line breaks or control characters)",
            )
        if not isinstance(entry, dict):
            raise ScenarioError(source, where, f"a table ([{where}])", _show(entry))
        _check_keys(entry, _SIDE_KEYS[side], prefix=f"{where}.", source=source)
    return tables


def _check_keys(table: dict, allowed, *, prefix: str, source: str) -> None:
    """Reject the first key of ``table`` not in ``allowed``, suggesting the closest."""
    for key in table:
        if key not in allowed:
            suggestion = closest(key, allowed, prefix=prefix)
            raise ScenarioError(source, f"{prefix}{_key(key)}", message=f"unknown key{suggestion}")


def _positions(entry: dict, where: str, source: str) -> int:
    if "positions" not in entry:
        raise ScenarioError(
            source, f"{where}.positions", message="missing (expected a non-negative integer)"
        )
    value = entry["positions"]
    if isinstance(value, HugeInt) or (type(value) is int and value > MAX_POSITIONS):
        expected = f"at most {MAX_POSITIONS:,} positions"
        raise ScenarioError(source, f"{where}.positions", expected, _show(value))
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScenarioError(source, f"{where}.positions", "a non-negative integer", _show(value))
    return value


def _rank_list(value, where: str, known: tuple[str, ...], source: str) -> tuple[str, ...]:
    """Check one rank-order list: a list of ``known`` names, each at most once."""
    noun = "program" if where.startswith("applicants.") else "applicant"
    if not isinstance(value, list):
        raise ScenarioError(source, where, f"a list of {noun} names", _show(value))
    seen = {}
    for i, name in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(name, str):
            article = "an" if noun == "applicant" else "a"
            raise ScenarioError(source, at, f"{article} {noun} name (a string)", _show(name))
        if name not in known:
            suggestion = closest(name, known)
            raise ScenarioError(source, at, message=f"unknown {noun} '{quoted(name)}'{suggestion}")
        if name in seen:
            message = f"'{quoted(name)}' is listed twice (also at [{seen[name]}])"
            raise ScenarioError(source, at, message=message)
        seen[name] = i
    return tuple(value)


def _key(name: str) -> str:
    """``name`` as a TOML key: bare if it can be, quoted otherwise."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{quoted(name)}"'


def _show(value) -> str:
    """A short TOML-flavoured description of a found value."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f'string "{quoted(value)}"'
    if isinstance(value, HugeInt):
        return f"an integer of {value.digits:,} digits"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
