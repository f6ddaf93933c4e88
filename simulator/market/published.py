"""The published figures of the Match, loaded from the CSV files in ``data/`` and checked.

Every figure the simulator is calibrated against lives in one tidy CSV file
in the repository's ``data/`` directory (shipped inside the package as
``simulator.published``), with a ``source`` column naming the publication,
year and table it was copied from.  :func:`load_published` reads all of
them into one frozen :class:`PublishedData`, after checking

1. each file on its own: the columns are exactly the expected ones, counts
   are whole numbers, shares lie in [0, 1], categorical columns hold known
   values, no key is repeated, and every row names its source;
2. the files against each other: specialty names exist in
   ``specialties_2025.csv``, each match rate equals matched / active within
   0.001, the five applicant types add up to the market totals, visa-policy
   shares add up to 1 within 0.002, and so on.

A file that fails a check raises :class:`~simulator.errors.ScenarioError`
with one line naming the file, the line and column, and what is wrong.
The tables handed out are shared by every caller of the cached default
load: treat them as read-only.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pandas as pd

from simulator.errors import ScenarioError, closest
from simulator.vocabulary import APPLICANT_TYPES, PROGRAM_KINDS, VISA_POLICIES

__all__ = [
    "APPLICANT_TYPES",
    "DATA_FILES",
    "MAIN_APPLICANT_TYPES",
    "MARKET_FIGURES",
    "PublishedData",
    "load_published",
]

#: The four types the NRMP reports per specialty.
MAIN_APPLICANT_TYPES = APPLICANT_TYPES[:4]
#: Count figures of ``market_totals_2025.csv`` (whole numbers).
MARKET_COUNTS = (
    "registered_applicants",
    "active_applicants",
    "positions_offered",
    "pgy1_positions_offered",
    "pgy1_positions_filled",
    "programs",
    "couples",
)
#: Rate figures of ``market_totals_2025.csv`` (shares in [0, 1]).
MARKET_RATES = ("pgy1_fill_rate", "couples_match_rate")
#: Every figure ``market_totals_2025.csv`` must hold, once each.
MARKET_FIGURES = MARKET_COUNTS + MARKET_RATES
APPLICATION_TYPES = ("all", "us_md", "us_do", "img")
#: Statistics of ``step2ck_norms.csv`` and what their values must be.
STEP2CK_STATISTICS = {
    "mean": "score",
    "sd": "positive",
    "passing_score": "score",
    "previous_passing_score": "score",
    "first_attempt_pass_rate": "share",
}
#: (group, statistic) rows the simulator relies on.
STEP2CK_REQUIRED = (
    ("lcme_first_takers", "mean"),
    ("lcme_first_takers", "sd"),
    ("non_us_img_internal_medicine", "mean"),
    ("non_us_img_internal_medicine", "sd"),
    ("non_us_img_family_medicine", "mean"),
    ("non_us_img_family_medicine", "sd"),
    ("all_examinees", "passing_score"),
    ("img_examinees", "first_attempt_pass_rate"),
)

MATCH_RATE_TOLERANCE = 0.001
VISA_SUM_TOLERANCE = 0.002

# Column kinds: "text", "source", "count" (whole number >= 0), "year",
# "number" (finite >= 0), "positive" (finite > 0), "share" ([0, 1]),
# "percent" ([0, 100]), or a tuple of allowed values.
_SCHEMAS: dict[str, tuple[str, dict[str, object], tuple[str, ...]]] = {
    # field: (file name, {column: kind}, key columns)
    "applicant_types": (
        "applicant_types_2025.csv",
        {
            "applicant_type": APPLICANT_TYPES,
            "active_applicants": "count",
            "matched_pgy1": "count",
            "match_rate": "share",
            "source": "source",
        },
        ("applicant_type",),
    ),
    "market_totals": (
        "market_totals_2025.csv",
        {"figure": MARKET_FIGURES, "value": "number", "source": "source"},
        ("figure",),
    ),
    "specialties": (
        "specialties_2025.csv",
        {"specialty": "text", "programs": "count", "positions": "count", "source": "source"},
        ("specialty",),
    ),
    "specialty_applicants": (
        "specialty_applicants_2025.csv",
        {
            "specialty": "text",
            "applicant_type": MAIN_APPLICANT_TYPES,
            "applicants": "count",
            "source": "source",
        },
        ("specialty", "applicant_type"),
    ),
    "step2ck_norms": (
        "step2ck_norms.csv",
        {
            "group": "text",
            "statistic": tuple(STEP2CK_STATISTICS),
            "value": "number",
            "source": "source",
        },
        ("group", "statistic"),
    ),
    "step2ck_percentiles": (
        "step2ck_percentiles.csv",
        {"group": "text", "score": "count", "percentile": "percent", "source": "source"},
        ("group", "score"),
    ),
    "applications_per_applicant": (
        "applications_per_applicant.csv",
        {
            "applicant_type": APPLICATION_TYPES,
            "season": "text",
            "applications": "positive",
            "source": "source",
        },
        ("applicant_type", "season"),
    ),
    "applicants_ranked_per_position": (
        "applicants_ranked_per_position.csv",
        {
            "specialty": "text",
            "ranked_per_position": "positive",
            "year": "year",
            "source": "source",
        },
        ("specialty", "year"),
    ),
    "visa_policies": (
        "visa_policies.csv",
        {
            "specialty": "text",
            "policy": VISA_POLICIES,
            "share": "share",
            "n_programs": "count",
            "source": "source",
        },
        ("specialty", "policy"),
    ),
    "img_share_of_positions": (
        "img_share_of_positions.csv",
        {
            "program_kind": PROGRAM_KINDS,
            "img_share_low": "share",
            "img_share_high": "share",
            "source": "source",
        },
        ("program_kind",),
    ),
}

#: Field of :class:`PublishedData` -> file name in the data directory.
DATA_FILES = {field: schema[0] for field, schema in _SCHEMAS.items()}

_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PublishedData:
    """All published figures, one DataFrame per file of ``data/`` (see its README).

    Columns are as in the files; counts are ``int64``, shares and other
    figures ``float64``.  The accessors below return fresh Series or plain
    numbers keyed by the tables' natural keys.
    """

    directory: Path
    applicant_types: pd.DataFrame
    market_totals: pd.DataFrame
    specialties: pd.DataFrame
    specialty_applicants: pd.DataFrame
    step2ck_norms: pd.DataFrame
    step2ck_percentiles: pd.DataFrame
    applications_per_applicant: pd.DataFrame
    applicants_ranked_per_position: pd.DataFrame
    visa_policies: pd.DataFrame
    img_share_of_positions: pd.DataFrame

    # -- specialties ---------------------------------------------------------
    @property
    def specialty_names(self) -> tuple[str, ...]:
        """The specialties of ``specialties_2025.csv``, in file order."""
        return tuple(str(s) for s in self.specialties["specialty"])

    @property
    def positions_by_specialty(self) -> pd.Series:
        """PGY-1 positions offered per specialty (``int64``, indexed by specialty)."""
        return self.specialties.set_index("specialty")["positions"].copy()

    @property
    def programs_by_specialty(self) -> pd.Series:
        """Programs per specialty (``int64``, indexed by specialty)."""
        return self.specialties.set_index("specialty")["programs"].copy()

    @property
    def specialty_applicants_wide(self) -> pd.DataFrame:
        """Applicants who ranked each specialty: specialties × the four main types."""
        wide = self.specialty_applicants.pivot(
            index="specialty", columns="applicant_type", values="applicants"
        )
        wide = wide.reindex(index=list(self.specialty_names), columns=list(MAIN_APPLICANT_TYPES))
        wide.columns.name = None
        return wide.astype("int64")

    # -- applicant types -----------------------------------------------------
    @property
    def applicants_by_type(self) -> pd.Series:
        """Active applicants (certified a rank-order list) per applicant type."""
        return self._by_type("active_applicants")

    @property
    def matched_by_type(self) -> pd.Series:
        """Applicants matched to a PGY-1 position per applicant type."""
        return self._by_type("matched_pgy1")

    @property
    def match_rate_by_type(self) -> pd.Series:
        """Published PGY-1 match rate per applicant type."""
        return self._by_type("match_rate")

    def _by_type(self, column: str) -> pd.Series:
        series = self.applicant_types.set_index("applicant_type")[column]
        return series.reindex(list(APPLICANT_TYPES)).copy()

    # -- single figures ------------------------------------------------------
    def market(self, figure: str) -> int | float:
        """One figure of ``market_totals_2025.csv``: an ``int`` for counts, else a ``float``."""
        values = self.market_totals.set_index("figure")["value"]
        if figure not in values.index:
            raise KeyError(f"unknown market figure {figure!r}{closest(figure, values.index)}")
        value = float(values[figure])
        return int(value) if figure in MARKET_COUNTS else value

    def step2ck(self, group: str, statistic: str) -> float:
        """One figure of ``step2ck_norms.csv``, e.g. ``step2ck("lcme_first_takers", "sd")``."""
        rows = self.step2ck_norms
        hit = rows[(rows["group"] == group) & (rows["statistic"] == statistic)]
        if hit.empty:
            known = [f"{g}/{s}" for g, s in zip(rows["group"], rows["statistic"])]
            raise KeyError(
                f"no Step 2 CK figure {group}/{statistic}{closest(f'{group}/{statistic}', known)}"
            )
        return float(hit["value"].iloc[0])

    @property
    def step2ck_passing_score(self) -> int:
        """The Step 2 CK passing score in force (218 from 1 July 2025)."""
        return int(self.step2ck("all_examinees", "passing_score"))

    def step2ck_percentile_table(self, group: str = "lcme_first_takers") -> pd.Series:
        """Percentile rank (0–100) by Step 2 CK score for ``group``, indexed by score."""
        rows = self.step2ck_percentiles[self.step2ck_percentiles["group"] == group]
        if rows.empty:
            groups = self.step2ck_percentiles["group"].unique()
            raise KeyError(f"no Step 2 CK percentile table for {group!r}{closest(group, groups)}")
        return rows.set_index("score")["percentile"].sort_index().copy()

    def visa_shares(self, specialty: str = "Internal Medicine (Categorical)") -> pd.Series:
        """Share of a specialty's programs by visa policy (``none``, ``j1``, ``j1_h1b``)."""
        rows = self.visa_policies[self.visa_policies["specialty"] == specialty]
        if rows.empty:
            known = self.visa_policies["specialty"].unique()
            raise KeyError(f"no visa policies for {specialty!r}{closest(specialty, known)}")
        return rows.set_index("policy")["share"].reindex(list(VISA_POLICIES)).copy()


def load_published(directory: str | os.PathLike[str] | None = None) -> PublishedData:
    """Read and check every published table.

    ``directory`` defaults to the data shipped with the package; the default
    load is cached, so repeated calls return the same object.  An explicit
    directory (a corrected or experimental copy) is read afresh each time.
    Raises :class:`~simulator.errors.ScenarioError` naming the file, line and
    column of the first problem found.
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@functools.lru_cache(maxsize=1)
def _load_default() -> PublishedData:
    return _load(_default_directory())


def _default_directory() -> Path:
    """The ``simulator.published`` package directory, else ``data/`` of a source tree."""
    try:
        from importlib import resources

        root = resources.files("simulator.published")
    except ModuleNotFoundError:
        root = None
    if isinstance(root, Path) and (root / DATA_FILES["specialties"]).is_file():
        return root
    source_tree = Path(__file__).resolve().parent.parent / "data"
    if (source_tree / DATA_FILES["specialties"]).is_file():
        return source_tree
    raise ScenarioError(
        file=source_tree,
        message="the published data files are not installed (reinstall matchsim)",
    )


# ---------------------------------------------------------------------------
# reading one file


class _Table:
    """One parsed file, with the line number of each row for error messages."""

    __slots__ = ("path", "frame", "lines", "keys")

    def __init__(self, path: Path, frame: pd.DataFrame, lines: list[int], keys: tuple[str, ...]):
        self.path = path
        self.frame = frame
        self.lines = lines
        self.keys = keys

    @property
    def name(self) -> str:
        return self.path.name

    def row_label(self, row: int) -> str:
        return _row_label(self.lines[row], {k: self.frame[k].iat[row] for k in self.keys})

    def fail(self, message: str, *, row: int | None = None, column: str | None = None) -> NoReturn:
        where = []
        if row is not None:
            where.append(self.row_label(row))
        if column is not None:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        raise ScenarioError(file=self.path, message=f"{prefix}: {message}" if prefix else message)


def _read_table(directory: Path, field: str) -> _Table:
    name, columns, keys = _SCHEMAS[field]
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(file=path, message="file not found") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            file=path, message=f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None

    def fail(message: str) -> NoReturn:
        raise ScenarioError(file=path, message=message)

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        fail("empty file; expected a header line: " + ",".join(columns))
    seen = set()
    for h in header:
        if h in seen:
            fail(f"line 1: column '{h}' appears twice")
        seen.add(h)
    missing = [c for c in columns if c not in header]
    extra = [h for h in header if h not in columns]
    if missing:
        fail(f"line 1: missing column '{missing[0]}'{closest(missing[0], extra)}")
    if extra:
        fail(f"line 1: unexpected column '{extra[0]}'; expected exactly: " + ",".join(columns))

    position = {c: header.index(c) for c in columns}
    values: dict[str, list] = {c: [] for c in columns}
    lines: list[int] = []
    first_line: dict[tuple, int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if not raw or all(not cell.strip() for cell in raw):
                continue  # blank line
            if len(raw) != len(header):
                fail(
                    f"line {line}: expected {len(header)} fields, found {len(raw)}"
                    " (quote values that contain a comma)"
                )
            cells = {c: raw[position[c]].strip() for c in columns}
            label = _row_label(line, {k: cells[k] for k in keys}, columns)
            for column, kind in columns.items():
                where = f"{label}, column '{column}'"
                values[column].append(_parse(cells[column], kind, where, fail))
            key = tuple(values[k][-1] for k in keys)
            if key in first_line:
                fail(f"{label}: repeats line {first_line[key]} (same {' and '.join(keys)})")
            first_line[key] = line
            lines.append(line)
    except csv.Error as exc:
        fail(f"line {reader.line_num}: not valid CSV ({exc})")
    if not lines:
        fail("no data rows after the header")

    data = {}
    for column, kind in columns.items():
        if kind in ("count", "year"):
            data[column] = pd.Series(values[column], dtype="int64")
        elif kind in ("number", "positive", "share", "percent"):
            data[column] = pd.Series(values[column], dtype="float64")
        else:
            data[column] = pd.Series(values[column], dtype="str")
    return _Table(path, pd.DataFrame(data), lines, keys)


def _row_label(line: int, key: dict, columns: dict | None = None) -> str:
    """``line 7 (specialty 'Pathology', year 2020)``: text quoted, numbers bare."""
    parts = []
    for column, value in key.items():
        numeric = (columns[column] in ("count", "year")) if columns else not isinstance(value, str)
        parts.append(f"{column} {value}" if numeric else f"{column} '{value}'")
    return f"line {line} ({', '.join(parts)})"


def _parse(text: str, kind, where: str, fail):
    """One cell converted to its kind, or ``fail`` with a message naming ``where``."""
    if kind == "source":
        if not text:
            fail(
                f"{where}: empty; every row must name the publication, year and table "
                "of its figures"
            )
        return text
    if kind == "text":
        if not text:
            fail(f"{where}: empty")
        return text
    if isinstance(kind, tuple):
        if text not in kind:
            fail(
                f"{where}: unknown value '{text}'{closest(text, kind)}; expected one of "
                + ", ".join(kind)
            )
        return text
    if kind in ("count", "year"):
        if not _WHOLE.fullmatch(text):
            fail(f"{where}: expected a whole number, found '{text}'")
        value = int(text)
        if kind == "year" and not 1900 <= value <= 2100:
            fail(f"{where}: expected a year, found '{text}'")
        return value
    try:
        value = float(text)
    except ValueError:
        fail(f"{where}: expected a number, found '{text}'")
    if not math.isfinite(value):
        fail(f"{where}: expected a finite number, found '{text}'")
    if kind == "share" and not 0.0 <= value <= 1.0:
        fail(f"{where}: expected a share between 0 and 1, found '{text}'")
    if kind == "percent" and not 0.0 <= value <= 100.0:
        fail(f"{where}: expected a percentile between 0 and 100, found '{text}'")
    if kind == "positive" and value <= 0.0:
        fail(f"{where}: expected a number above 0, found '{text}'")
    if kind == "number" and value < 0.0:
        fail(f"{where}: expected a number of at least 0, found '{text}'")
    return value


# ---------------------------------------------------------------------------
# checks within and across files


def _load(directory: Path) -> PublishedData:
    if not directory.is_dir():
        raise ScenarioError(file=directory, message="not a directory of published data")
    tables = {field: _read_table(directory, field) for field in _SCHEMAS}
    market = _check_market_totals(tables["market_totals"])
    _check_applicant_types(tables["applicant_types"], tables["market_totals"], market)
    names = _check_specialties(tables["specialties"], tables["market_totals"].name, market)
    _check_specialty_applicants(
        tables["specialty_applicants"], names, tables["specialties"], tables["applicant_types"]
    )
    _check_step2ck_norms(tables["step2ck_norms"])
    _check_step2ck_percentiles(tables["step2ck_percentiles"])
    _check_specialty_names(tables["applicants_ranked_per_position"], names, tables["specialties"])
    _check_visa_policies(tables["visa_policies"], names, tables["specialties"])
    _check_img_share(tables["img_share_of_positions"])
    return PublishedData(directory=directory, **{f: t.frame for f, t in tables.items()})


def _require_all(table: _Table, column: str, expected) -> None:
    present = set(table.frame[column])
    for value in expected:
        if value not in present:
            table.fail(
                f"no row for {column} '{value}'; expected one row for each of "
                + ", ".join(expected)
            )


def _check_market_totals(table: _Table) -> dict[str, float]:
    _require_all(table, "figure", MARKET_FIGURES)
    frame = table.frame
    rows = {figure: i for i, figure in enumerate(frame["figure"])}
    market = dict(zip(frame["figure"], frame["value"]))
    for figure in MARKET_COUNTS:
        if not float(market[figure]).is_integer():
            table.fail(
                f"{figure} is a count; expected a whole number, found {market[figure]:g}",
                row=rows[figure],
                column="value",
            )
    for figure in MARKET_RATES:
        if not 0.0 <= market[figure] <= 1.0:
            table.fail(
                f"expected a share between 0 and 1, found {market[figure]:g}",
                row=rows[figure],
                column="value",
            )
    for smaller, larger in (
        ("active_applicants", "registered_applicants"),
        ("pgy1_positions_offered", "positions_offered"),
        ("pgy1_positions_filled", "pgy1_positions_offered"),
    ):
        if market[smaller] > market[larger]:
            table.fail(
                f"{market[smaller]:,.0f} exceeds {larger} = {market[larger]:,.0f}",
                row=rows[smaller],
                column="value",
            )
    filled, offered = market["pgy1_positions_filled"], market["pgy1_positions_offered"]
    implied = filled / offered
    if abs(market["pgy1_fill_rate"] - implied) > MATCH_RATE_TOLERANCE:
        table.fail(
            f"{market['pgy1_fill_rate']:g} differs from pgy1_positions_filled / "
            f"pgy1_positions_offered = {filled:,.0f} / {offered:,.0f} = {implied:.4f} "
            f"by more than {MATCH_RATE_TOLERANCE:g}",
            row=rows["pgy1_fill_rate"],
            column="value",
        )
    return market


def _check_applicant_types(table: _Table, market_table: _Table, market: dict[str, float]) -> None:
    _require_all(table, "applicant_type", APPLICANT_TYPES)
    frame = table.frame
    for i in range(len(frame)):
        active = int(frame["active_applicants"].iat[i])
        matched = int(frame["matched_pgy1"].iat[i])
        rate = float(frame["match_rate"].iat[i])
        if matched > active:
            table.fail(
                f"{matched:,} matched exceed {active:,} active applicants",
                row=i,
                column="matched_pgy1",
            )
        if active == 0:
            table.fail(
                "expected at least 1 active applicant, found 0", row=i, column="active_applicants"
            )
        implied = matched / active
        if abs(rate - implied) > MATCH_RATE_TOLERANCE:
            table.fail(
                f"{rate:g} differs from matched_pgy1 / active_applicants = "
                f"{matched:,} / {active:,} = {implied:.4f} by more than {MATCH_RATE_TOLERANCE:g}",
                row=i,
                column="match_rate",
            )
    for column, figure in (
        ("active_applicants", "active_applicants"),
        ("matched_pgy1", "pgy1_positions_filled"),
    ):
        total = int(frame[column].sum())
        if total != int(market[figure]):
            table.fail(
                f"the five applicant types sum to {total:,}, but {market_table.name} gives "
                f"{figure} = {market[figure]:,.0f}",
                column=column,
            )


def _check_specialties(table: _Table, market_name: str, market: dict[str, float]) -> list[str]:
    frame = table.frame
    for column, figure in (("positions", "pgy1_positions_offered"), ("programs", "programs")):
        total = int(frame[column].sum())
        if total > market[figure]:
            table.fail(
                f"the specialties sum to {total:,} {column}, more than {figure} = "
                f"{market[figure]:,.0f} in {market_name}",
                column=column,
            )
    for i in range(len(frame)):
        if frame["positions"].iat[i] > 0 and frame["programs"].iat[i] == 0:
            table.fail("positions are offered but there are 0 programs", row=i, column="programs")
    return [str(s) for s in frame["specialty"]]


def _check_specialty_names(table: _Table, names: list[str], specialties: _Table) -> None:
    known = set(names)
    for i, name in enumerate(table.frame["specialty"]):
        if name not in known:
            table.fail(
                f"'{name}' is not a specialty of {specialties.name}{closest(name, names)}",
                row=i,
                column="specialty",
            )


def _check_specialty_applicants(
    table: _Table, names: list[str], specialties: _Table, types: _Table
) -> None:
    _check_specialty_names(table, names, specialties)
    frame = table.frame
    present = set(zip(frame["specialty"], frame["applicant_type"]))
    for name in names:
        for kind in MAIN_APPLICANT_TYPES:
            if (name, kind) not in present:
                table.fail(
                    f"specialty '{name}' of {specialties.name} has no row for "
                    f"applicant_type '{kind}'"
                )
    active = dict(zip(types.frame["applicant_type"], types.frame["active_applicants"]))
    for i in range(len(frame)):
        kind = frame["applicant_type"].iat[i]
        count = int(frame["applicants"].iat[i])
        if count > active[kind]:
            table.fail(
                f"{count:,} {kind} applicants exceed the {int(active[kind]):,} active {kind} "
                f"applicants of {types.name}",
                row=i,
                column="applicants",
            )


def _check_step2ck_norms(table: _Table) -> None:
    frame = table.frame
    present = set(zip(frame["group"], frame["statistic"]))
    for group, statistic in STEP2CK_REQUIRED:
        if (group, statistic) not in present:
            table.fail(f"no row for group '{group}' with statistic '{statistic}'")
    for i in range(len(frame)):
        kind = STEP2CK_STATISTICS[frame["statistic"].iat[i]]
        value = float(frame["value"].iat[i])
        if kind == "score" and not (1.0 <= value <= 300.0 and value.is_integer()):
            table.fail(
                f"expected a whole Step 2 CK score from 1 to 300, found {value:g}",
                row=i,
                column="value",
            )
        if kind == "positive" and value <= 0.0:
            table.fail(f"expected a number above 0, found {value:g}", row=i, column="value")
        if kind == "share" and not 0.0 <= value <= 1.0:
            table.fail(f"expected a share between 0 and 1, found {value:g}", row=i, column="value")


def _check_step2ck_percentiles(table: _Table) -> None:
    frame = table.frame
    if "lcme_first_takers" not in set(frame["group"]):
        table.fail("no rows for group 'lcme_first_takers'")
    for group in frame["group"].unique():
        rows = sorted(
            (int(frame["score"].iat[i]), i)
            for i in range(len(frame))
            if frame["group"].iat[i] == group
        )
        for (low_score, low), (high_score, high) in zip(rows, rows[1:]):
            if frame["percentile"].iat[high] < frame["percentile"].iat[low]:
                table.fail(
                    f"{frame['percentile'].iat[high]:g} at score {high_score} is below "
                    f"{frame['percentile'].iat[low]:g} at score {low_score}; percentiles must "
                    "not fall as the score rises",
                    row=high,
                    column="percentile",
                )


def _check_visa_policies(table: _Table, names: list[str], specialties: _Table) -> None:
    _check_specialty_names(table, names, specialties)
    frame = table.frame
    for specialty in frame["specialty"].unique():
        rows = [i for i in range(len(frame)) if frame["specialty"].iat[i] == specialty]
        total = float(frame["share"].iloc[rows].sum())
        if abs(total - 1.0) > VISA_SUM_TOLERANCE:
            table.fail(
                f"the shares of specialty '{specialty}' sum to {total:.3f}; expected 1 within "
                f"{VISA_SUM_TOLERANCE:g}",
                column="share",
            )
        sizes = frame["n_programs"].iloc[rows]
        for i in rows:
            if frame["n_programs"].iat[i] == 0:
                table.fail(
                    "expected the number of programs surveyed, found 0", row=i, column="n_programs"
                )
            if frame["n_programs"].iat[i] != sizes.iat[0]:
                table.fail(
                    f"{frame['n_programs'].iat[i]} differs from {sizes.iat[0]} on line "
                    f"{table.lines[rows[0]]}; n_programs is the size of one survey",
                    row=i,
                    column="n_programs",
                )


def _check_img_share(table: _Table) -> None:
    _require_all(table, "program_kind", PROGRAM_KINDS)
    frame = table.frame
    for i in range(len(frame)):
        low, high = frame["img_share_low"].iat[i], frame["img_share_high"].iat[i]
        if low > high:
            table.fail(f"{low:g} is above img_share_high = {high:g}", row=i, column="img_share_low")
