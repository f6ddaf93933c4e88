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
applicant's SOAP applications, most wanted first.  The NRMP's own rules
(program tracks, supplemental PGY-1 lists and couples) are written as
:mod:`simulator.teaching.nrmp_market` describes.

Every problem in the file raises one :class:`~simulator.errors.ScenarioError`
naming the file and the dotted key.  Names are one line of text; a program
has at most :data:`MAX_POSITIONS` positions; a scenario file given by mistake
is recognised as one.  Dense Python structures are fine here: these markets
have a handful of people, not fifty thousand.  Solving one and showing the
result is :mod:`simulator.teaching.result`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.errors import ScenarioError
from simulator.files import read_text
from simulator.scenario.parse import parse_document
from simulator.scenario.schema import SCHEMA
from simulator.scenario.values import HugeInt
from simulator.teaching.market_keys import check_keys, check_name, rank_list, show, toml_key
from simulator.teaching.nrmp_market import (
    Couple,
    parse_couples,
    parse_supplemental,
    parse_tracks,
)

#: The most positions a program may offer: far more than any residency program
#: has, and still a plain integer everywhere (capacities are capped at the applicants).
MAX_POSITIONS = 10_000
_TOP_KEYS = ("description", "programs", "applicants", "couples")
_SIDE_KEYS = {
    "programs": ("positions", "ranks", "soap_ranks", "track"),
    "applicants": ("ranks", "soap_ranks", "supplemental"),
}
_SCENARIO_TOP_KEYS = (*SCHEMA, "strategies")


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
    #: Each program's track (:data:`~simulator.vocabulary.TRACKS`), in the same
    #: order; ``()`` when the file gives none (all categorical).
    tracks: tuple[str, ...] = ()
    #: Each applicant's supplemental PGY-1 lists, ``((advanced program, (PGY-1 programs,
    #: ...)), ...)`` in the order of the applicant's list; ``()`` when the file gives none.
    supplemental: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = ()
    #: The couples; their members are the last ``applicants``, with empty lists of their own.
    couples: tuple[Couple, ...] = ()

    @property
    def nrmp_rules(self) -> bool:
        """Whether the market needs the NRMP's procedure rather than plain deferred
        acceptance: it has couples, supplemental lists or advanced programs."""
        return bool(self.couples) or any(self.supplemental) or "advanced" in self.tracks

    def track(self, program: str) -> str:
        """``program``'s track: ``"categorical"``, ``"advanced"`` or ``"preliminary"``."""
        return self.tracks[self.programs.index(program)] if self.tracks else "categorical"

    def supplemental_list(self, applicant: str, program: str) -> tuple[str, ...]:
        """The PGY-1 programs ``applicant`` attached to advanced ``program`` (``()``: none)."""
        if not self.supplemental:
            return ()
        return dict(self.supplemental[self.applicants.index(applicant)]).get(program, ())

    def couple_of(self, applicant: str) -> Couple | None:
        """The couple ``applicant`` belongs to, ``None`` for one who ranks alone."""
        return next((c for c in self.couples if applicant in c.members), None)

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

    def to_nrmp_arrays(self) -> dict:
        """The keyword arguments of :func:`~simulator.engine.nrmp.roth_peranson` (int64):
        :meth:`to_arrays`, the supplemental lists of each entry, the couples' pairs."""
        n_applicants, n_programs = len(self.applicants), len(self.programs)
        rol_indptr, rol_programs, program_ranks, capacities = self.to_arrays()
        rank_of = [{a: r for r, a in enumerate(ranks)} for ranks in self.program_ranks]

        def index_rank(program, applicant):
            if program is None:
                return n_programs, n_applicants
            p = self.programs.index(program)
            return p, rank_of[p].get(applicant, n_applicants)

        supplemental = [
            [index_rank(s, a) for s in self.supplemental_list(a, p)]
            for a, ranks in zip(self.applicants, self.applicant_ranks)
            for p in ranks
        ]
        seats = [
            [(index_rank(h, c.members[0]), index_rank(k, c.members[1])) for h, k in c.ranks]
            for c in self.couples
        ]
        pairs = np.array([s for c in seats for s in c], dtype=np.int64).reshape(-1, 2, 2)
        flat = np.array([s for e in supplemental for s in e], dtype=np.int64).reshape(-1, 2)
        members = [self.applicants.index(m) for c in self.couples for m in c.members]
        return {
            "rol_indptr": rol_indptr,
            "rol_programs": rol_programs,
            "program_ranks": program_ranks,
            "capacities": capacities,
            "couples": np.array(members, dtype=np.int64).reshape(-1, 2),
            "couple_indptr": np.cumsum([0] + [len(c) for c in seats], dtype=np.int64),
            "pair_programs": pairs[:, :, 0],
            "pair_ranks": pairs[:, :, 1],
            "supplemental_indptr": np.cumsum([0] + [len(e) for e in supplemental], dtype=np.int64),
            "supplemental_programs": flat[:, 0],
            "supplemental_ranks": flat[:, 1],
        }


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
    check_keys(data, _TOP_KEYS, prefix="", source=source)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(source, "description", "a string", show(description))
    has_couples = isinstance(data.get("couples"), dict) and bool(data["couples"])
    tables = {
        "programs": _side_tables(data, "programs", source),
        "applicants": _side_tables(data, "applicants", source, required=not has_couples),
    }
    programs, singles = tuple(tables["programs"]), tuple(tables["applicants"])
    couples = parse_couples(data, singles, programs, source)
    applicants = singles + tuple(m for c in couples for m in c.members)

    positions = tuple(
        _positions(entry, f"programs.{toml_key(name)}", source)
        for name, entry in tables["programs"].items()
    )
    sides = (("programs", applicants), ("applicants", programs))
    ranks = {
        (side, key): tuple(
            rank_list(entry.get(key, []), f"{side}.{toml_key(name)}.{key}", known, source)
            for name, entry in tables[side].items()
        )
        for side, known in sides
        for key in ("ranks", "soap_ranks")
    }
    tracks = parse_tracks(tables["programs"], source)
    supplemental = parse_supplemental(
        tables["applicants"], ranks["applicants", "ranks"], programs, tracks, source
    )
    members = ((),) * (len(applicants) - len(singles))
    return SmallMarket(
        applicants=applicants,
        programs=programs,
        positions=positions,
        applicant_ranks=ranks["applicants", "ranks"] + members,
        program_ranks=ranks["programs", "ranks"],
        description=description,
        source=source,
        applicant_soap_ranks=_given(ranks["applicants", "soap_ranks"] + members),
        program_soap_ranks=_given(ranks["programs", "soap_ranks"]),
        tracks=tracks,
        supplemental=supplemental + members if supplemental else (),
        couples=couples,
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


def _side_tables(data: dict, side: str, source: str, *, required: bool = True) -> dict[str, dict]:
    """The ``[programs.NAME]`` or ``[applicants.NAME]`` tables, checked for shape and keys
    (applicants may be left out of a market of couples: ``required`` false)."""
    if side not in data:
        if not required:
            return {}
        expected = f"expected at least one [{side}.NAME] table"
        raise ScenarioError(source, message=f"no {side} ({expected})")
    tables = data[side]
    if not isinstance(tables, dict):
        raise ScenarioError(source, side, f"a table of {side} ([{side}.NAME])", show(tables))
    if not tables and required:
        raise ScenarioError(source, side, f"at least one [{side}.NAME] table", "none")
    for name, entry in tables.items():
        where = f"{side}.{toml_key(name)}"
        check_name(name, where, source)
        if not isinstance(entry, dict):
            raise ScenarioError(source, where, f"a table ([{where}])", show(entry))
        check_keys(entry, _SIDE_KEYS[side], prefix=f"{where}.", source=source)
    return tables


def _positions(entry: dict, where: str, source: str) -> int:
    if "positions" not in entry:
        raise ScenarioError(
            source, f"{where}.positions", message="missing (expected a non-negative integer)"
        )
    value = entry["positions"]
    if isinstance(value, HugeInt) or (type(value) is int and value > MAX_POSITIONS):
        expected = f"at most {MAX_POSITIONS:,} positions"
        raise ScenarioError(source, f"{where}.positions", expected, show(value))
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScenarioError(source, f"{where}.positions", "a non-negative integer", show(value))
    return value
