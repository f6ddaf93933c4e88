"""The published data files: what each must hold, and a strict reader of one file.

:data:`SCHEMAS` gives every file's name, its columns with the kind of value
each holds, and its key columns; :func:`read_table` reads one file against
its schema and raises :class:`~simulator.errors.DataError` naming the
file, line and column of the first problem.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import NoReturn

import pandas as pd

from simulator.errors import DataError, closest
from simulator.vocabulary import APPLICANT_TYPES, PROGRAM_KINDS, VISA_POLICIES

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
    "soap_positions_offered",
    "soap_positions_filled",
)
#: Rate figures of ``market_totals_2025.csv`` (shares in [0, 1]).
MARKET_RATES = ("pgy1_fill_rate", "couples_match_rate", "soap_round1_share", "soap_round2_share")
#: Every figure ``market_totals_2025.csv`` must hold, once each.
MARKET_FIGURES = MARKET_COUNTS + MARKET_RATES
APPLICATION_TYPES = ("all", "us_md", "us_do", "img")
#: Figures of ``signal_effects.csv``: published odds ratios of an interview (ranges over
#: specialties) and interview rates with and without a signal or geographic preference.
SIGNAL_FIGURES = (
    *(
        f"{effect}_odds_ratio_{end}"
        for effect in ("signal", "geographic", "in_state")
        for end in ("low", "high")
    ),
    "gold_interview_rate",
    "silver_interview_rate",
    "signalled_interview_rate",
    "unsignalled_interview_rate",
    "geographic_interview_rate",
    "no_geographic_interview_rate",
)
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


# Column kinds: "text", "source", "count" (whole number >= 0), "year",
# "number" (finite >= 0), "positive" (finite > 0), "share" ([0, 1]),
# "percent" ([0, 100]), or a tuple of allowed values.
SCHEMAS: dict[str, tuple[str, dict[str, object], tuple[str, ...]]] = {
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
    "advanced_positions": (
        "advanced_positions_2025.csv",
        {
            "specialty": "text",
            "pgy1_specialty": "text",
            "programs": "count",
            "positions": "count",
            "source": "source",
        },
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
    "signal_counts": (
        "signal_counts.csv",
        {
            "specialty": "text",
            "season": "text",
            "gold": "count",
            "silver": "count",
            "source": "source",
        },
        ("specialty",),
    ),
    "signal_effects": (
        "signal_effects.csv",
        {"figure": SIGNAL_FIGURES, "specialty": "text", "value": "positive", "source": "source"},
        ("figure", "specialty"),
    ),
    "charting_outcomes_us_md": (
        "charting_outcomes_2024_us_md.csv",
        {
            "specialty": "text",
            "model_specialty": "text",
            "matched_preferred": "count",
            "not_matched": "count",
            "match_rate_preferred": "share",
            "step2ck_matched_mean": "positive",
            "step2ck_not_matched_mean": "positive",
            "source": "source",
        },
        ("specialty",),
    ),
    "charting_outcomes_non_us_img": (
        "charting_outcomes_2026_non_us_img.csv",
        {
            "specialty": "text",
            "model_specialty": "text",
            "positions": "count",
            "matched_preferred": "count",
            "not_matched": "count",
            "match_rate_preferred": "share",
            **{
                f"ranks_{group}_{statistic}": "positive"
                for group in ("matched", "not_matched")
                for statistic in ("mean", "median", "q1", "q3")
            },
            **{
                f"step2ck_{group}_{statistic}": "positive"
                for group in ("matched", "not_matched")
                for statistic in ("mean", "sd")
            },
            "source": "source",
        },
        ("specialty",),
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

#: Field of :class:`~.published.PublishedData` -> file name in the data directory.
DATA_FILES = {field: schema[0] for field, schema in SCHEMAS.items()}

_WHOLE = re.compile(r"[0-9]+")


class Table:
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
        raise DataError(file=self.path, message=f"{prefix}: {message}" if prefix else message)


def read_table(directory: Path, field: str) -> Table:
    """Read the file of :class:`~.published.PublishedData` field ``field`` against its schema."""
    name, columns, keys = SCHEMAS[field]
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(file=path, message="file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            file=path, message=f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None

    def fail(message: str) -> NoReturn:
        raise DataError(file=path, message=message)

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
    return Table(path, pd.DataFrame(data), lines, keys)


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
