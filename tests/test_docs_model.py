"""docs/model.md cannot go stale: it names every parameter, fit and data file.

The model reference must mention, as a dotted key in backticks (the way
scenario files spell them):

* every parameter of ``simulator.market.params`` — the fields of ``ApplicantParams``,
  ``ProgramParams``, ``SelectionParams`` and ``SoapParams`` reached from ``MarketParams``
  (``applicants.*``, ``programs.*``, ``selection.*``, ``soap.*``) and of ``Focal``
  (``you.*``) — with its current default in its row of the assumption table;
* every free parameter of ``simulator.study.calibrate.FREE_PARAMETERS``, with the
  value the shipped calibration file holds;
* every data file ``data/*.csv``, as a link;

and the fit it reports must be the one recorded in the header of
``data/calibration_2025.toml``.  Beyond that, each parameter's status in the
assumption table must agree with its rationale in ``params.py`` (an
"Assumption" is *assumed*, a "Calibrated" one *calibrated*, ``you.*`` a *user
input*); every code name the document cites (``market.year.draw_market``,
``stats.paired_difference``, ``market.match.match_solo_copies`` ...) must exist;
every random stream and every focal-noise array must be named; and the
scenario settings it quotes must be the current defaults.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path

import pytest

from simulator.market.focal import FocalNoise
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams, PerType
from simulator.market.streams import STAGES
from simulator.scenario import (
    MarketSettings,
    Scenario,
    default_calibration_path,
    read_calibration,
)
from simulator.study.calibrate import FREE_PARAMETERS, TARGET_NAMES

ROOT = Path(__file__).parents[1]
MODEL = ROOT / "docs" / "model.md"
TEXT = MODEL.read_text(encoding="utf-8")
DATA_FILES = sorted(path.name for path in (ROOT / "data").glob("*.csv"))


def _default(f):
    return f.default_factory() if f.default_factory is not MISSING else f.default


def parameters(cls, prefix: str) -> dict[str, object]:
    """``{dotted key: default}`` of each leaf of ``cls`` (per-type tables: leaves)."""
    return {key: _default(f) for key, f in leaf_fields(cls, prefix).items()}


def leaf_fields(cls, prefix: str) -> dict:
    """``{dotted key: dataclass field}`` of each leaf of ``cls`` (per-type tables: leaves)."""
    out = {}
    for f in fields(cls):
        value = _default(f)
        if is_dataclass(value) and not isinstance(value, PerType):
            out |= leaf_fields(type(value), f"{prefix}{f.name}.")
        else:
            out[f"{prefix}{f.name}"] = f
    return out


FIELDS = leaf_fields(MarketParams, "") | leaf_fields(Focal, "you.")
PARAMETERS = parameters(MarketParams, "") | parameters(Focal, "you.")


def shown(value) -> str:
    """A default as the assumption table writes it."""
    if isinstance(value, PerType):
        entries = (f"{name} {getattr(value, name):g}" for name in PerType.__slots__)
        return ", ".join(entries)
    if isinstance(value, bool):
        return str(value).lower()  # as TOML writes it
    if isinstance(value, str):
        return f'"{value}"'
    return f"{value:g}"


def section(number: int) -> str:
    """The text of section ``number``: from ``## 11. ...`` to the next ``## ``."""
    match = re.search(rf"^## {number}\. .*?(?=^## |\Z)", TEXT, re.MULTILINE | re.DOTALL)
    assert match is not None, f"docs/model.md has no section {number}"
    return match.group(0)


ASSUMPTIONS = section(11)


def table_row(key: str) -> str | None:
    """The row of the assumption table (section 11) whose first cell is `` `key` ``."""
    match = re.search(rf"^\| `{re.escape(key)}` \|(.*)$", ASSUMPTIONS, re.MULTILINE)
    return match.group(1) if match else None


def test_the_walk_finds_every_section():
    roots = {key.split(".")[0] for key in PARAMETERS}
    assert roots == {
        "applicants",
        "programs",
        "selection",
        "soap",
        "geography",
        "signals",
        "couples",
        "advanced",
        "you",
    }
    assert len(PARAMETERS) > 40


@pytest.mark.parametrize("key", sorted(PARAMETERS))
def test_every_parameter_is_mentioned(key):
    assert f"`{key}`" in TEXT, f"docs/model.md does not mention `{key}`"


@pytest.mark.parametrize("key", sorted(PARAMETERS))
def test_every_parameter_has_a_row_with_its_default(key):
    row = table_row(key)
    assert row is not None, f"docs/model.md §11 has no table row for `{key}`"
    default_cell = row.split("|")[0].strip()
    expected = shown(PARAMETERS[key])
    assert default_cell.startswith(expected), (
        f"docs/model.md gives `{key}` the default {default_cell!r}; params.py says {expected!r}"
    )


@pytest.mark.parametrize("key", sorted(FREE_PARAMETERS))
def test_every_free_parameter_is_mentioned(key):
    assert f"`{key}`" in TEXT, f"docs/model.md does not mention free parameter `{key}`"


@pytest.mark.parametrize("key", sorted(FREE_PARAMETERS))
def test_every_free_parameter_has_its_bounds_and_fit_in_section_9(key):
    match = re.search(rf"^\| `{re.escape(key)}` \|(.*)$", section(9), re.MULTILINE)
    assert match is not None, f"docs/model.md §9 has no row for free parameter `{key}`"
    cells = match.group(1).split("|")
    bounds, fitted = cells[0].strip(), cells[2].strip()
    low, high = FREE_PARAMETERS[key]
    assert bounds == f"{low:.1f} to {high:.1f}".replace("-", "−"), bounds
    value = read_calibration(default_calibration_path())[key]
    assert fitted == f"{value:.3f}", (
        f"§9 gives `{key}` the fitted value {fitted}; the file says {value:.3f}"
    )


@pytest.mark.parametrize("key", sorted(read_calibration(default_calibration_path())))
def test_calibrated_values_match_the_shipped_file(key):
    value = read_calibration(default_calibration_path())[key]
    table, _, entry = key.rpartition(".")
    # A per-type entry (selection.type_penalty.us_do) sits in its table's row.
    row = table_row(key) or table_row(table)
    assert row is not None, f"docs/model.md has no row for `{key}`"
    text = f"{entry} {value:.3f}" if table_row(key) is None else f"{value:.3f}"
    assert text in row, f"docs/model.md should show `{key}` calibrated as {value:.3f}"


def test_the_reported_fit_is_the_one_in_the_calibration_file():
    header = Path(default_calibration_path()).read_text(encoding="utf-8")
    figure = r"^# (\w+)\s+([\d.]+)\s+([\d.]+)\s+([+-][\d.]+)(?: points|%)$"
    lines = re.findall(figure, header, re.MULTILINE)
    assert {name for name, *_ in lines} == set(TARGET_NAMES)
    for name, simulated, published, gap in lines:
        gap = gap.replace("-", "−")  # the document uses a true minus sign
        row = f"| `{name}` | {simulated} | {published} | {gap} |"
        assert row in section(9), f"docs/model.md §9 should have the row {row!r}"
    written = r"^# Written by matchsim ([\d.]+): (matchsim calibrate .*)$"
    how = re.search(written, header, re.MULTILINE)
    assert how is not None
    assert f"`{how.group(2)}`" in TEXT
    evaluations = re.search(r"(\d+) evaluations", header)
    assert evaluations is not None and f"{evaluations.group(1)} evaluations" in TEXT


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_is_linked(name):
    assert f"](../data/{name})" in TEXT, f"docs/model.md does not link data/{name}"


def test_links_to_files_in_the_repository_resolve():
    for target in re.findall(r"\]\((\.\./[^)#]+|[a-z_]+\.md)\)", TEXT):
        assert (MODEL.parent / target).resolve().exists(), target


STATUSES = ("published", "assumed", "calibrated", "knob", "user input")


@pytest.mark.parametrize("key", sorted(PARAMETERS))
def test_every_parameter_has_a_status_that_agrees_with_its_rationale(key):
    row = table_row(key)
    assert row is not None, f"docs/model.md §11 has no table row for `{key}`"
    status = row.rstrip().rstrip("|").split("|")[-1].strip()
    assert status.startswith(STATUSES), f"`{key}`: status {status!r} is none of {STATUSES}"
    doc = FIELDS[key].metadata.get("doc", "")
    calibrated = "Calibrated" in doc or any(
        free.startswith(key + ".") or free == key for free in FREE_PARAMETERS
    )
    if key.startswith("you."):
        expected = "user input"
    elif calibrated:
        expected = "calibrated"
    elif "Assumption" in doc:
        expected = "assumed"
    else:
        return  # published, or part published: the rationale names its source
    assert status.startswith(expected), (
        f"docs/model.md gives `{key}` the status {status!r}; "
        f"params.py's rationale makes it {expected!r}"
    )


# `market.year.draw_market`, `proportions._wilson_from_p`, `market.year.Market.interview_unranked`,
# `simulator.market.published.load_published()`: a module of the package, then attributes.
# The market's modules keep their `market.` prefix: `applicants.*` and `programs.*` are
# parameter keys.
MODULE_PATHS = {
    "calibrate": "simulator.study.calibrate",
    "differences": "simulator.stats.differences",
    "engine": "simulator.engine.kernel",
    "engine.csr": "simulator.engine.csr",
    "engine.nrmp": "simulator.engine.nrmp",
    "engine.nrmp_batch": "simulator.engine.nrmp_batch",
    "engine.packed_sort": "simulator.engine.packed_sort",
    "params": "simulator.market.params",
    "proportions": "simulator.stats.proportions",
    "simulate": "simulator.study.simulate",
    "study.coverage": "simulator.study.coverage",
    "scenario": "simulator.scenario",
    "stats": "simulator.stats",
    "insertion": "simulator.engine.insertion",
    "engine.insertion": "simulator.engine.insertion",
    "market.applicants": "simulator.market.applicants",
    "market.applications": "simulator.market.applications",
    "market.couples": "simulator.market.couples",
    "market.couple_copies": "simulator.market.couple_copies",
    "engine.reprocess": "simulator.engine.reprocess",
    "market.couple_params": "simulator.market.couple_params",
    "market.advanced_params": "simulator.market.advanced_params",
    "market.distributions": "simulator.market.distributions",
    "market.evaluation": "simulator.market.evaluation",
    "market.focal": "simulator.market.focal",
    "market.inputs": "simulator.market.inputs",
    "market.interviews": "simulator.market.interviews",
    "market.lists": "simulator.market.lists",
    "market.match": "simulator.market.match",
    "market.published": "simulator.market.published",
    "market.soap": "simulator.market.soap",
    "market.soap_applications": "simulator.market.soap_applications",
    "market.soap_params": "simulator.market.soap_params",
    "market.streams": "simulator.market.streams",
    "market.year": "simulator.market.year",
    "tallies": "simulator.study.tallies",
    "trials": "simulator.study.trials",
    "vocabulary": "simulator.vocabulary",
}
MODULES = tuple(MODULE_PATHS)
_MODULE = "|".join(map(re.escape, MODULES))
CODE_NAME = re.compile(rf"`(?:simulator\.)?((?:{_MODULE})(?:\.(?!py`)[A-Za-z_]\w*)+)(?:\(\))?`")


def cited_code_names() -> list[str]:
    return sorted(set(CODE_NAME.findall(TEXT)))


def test_the_document_cites_code_names():
    names = cited_code_names()
    assert "market.year.draw_market" in names and "stats.paired_difference" in names
    assert len(names) > 30


@pytest.mark.parametrize("name", cited_code_names())
def test_every_cited_code_name_exists(name):
    module = max((m for m in MODULES if name.startswith(m + ".")), key=len)
    attributes = name[len(module) + 1 :].split(".")
    value = importlib.import_module(MODULE_PATHS[module])
    for attribute in attributes:
        assert hasattr(value, attribute), f"docs/model.md cites `{name}`, which does not exist"
        value = getattr(value, attribute)


def test_every_random_stream_is_in_the_stream_table():
    for stage in STAGES:
        assert re.search(rf"^\s*\| `{stage}` \|", section(1), re.MULTILINE), (
            f"docs/model.md §1 has no row for the random stream `{stage}`"
        )


def test_every_focal_noise_array_is_named():
    names = tuple(name for name in FocalNoise.__slots__ if name != "column")  # not noise
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
    flowing = re.sub(r"\s+", " ", section(1))  # the phrase may wrap
    assert f"{words[len(names)]} arrays of shape (copies, programs drawn)" in flowing, (
        f"docs/model.md §1 should say the focal noise is {words[len(names)]} arrays"
    )
    for name in (*names, "column"):
        assert f"`{name}`" in TEXT, f"docs/model.md never names the focal noise array `{name}`"


def table_row_anywhere(first_cell: str) -> str | None:
    match = re.search(rf"^\| {re.escape(first_cell)} \|(.*)$", ASSUMPTIONS, re.MULTILINE)
    return match.group(1) if match else None


def test_the_scenario_settings_quoted_are_the_defaults():
    market, scenario = MarketSettings(), Scenario()
    rows = {
        "`market.scale`": f"{market.scale:.1f}",
        "`market.focal_copies`": f"{market.focal_copies}",
        "`seed` / `trials`": f"{scenario.seed} / {scenario.trials}",
    }
    for name, value in rows.items():
        row = table_row_anywhere(name)
        assert row is not None, f"docs/model.md §11 has no row for {name}"
        assert row.split("|")[0].strip() == value, (
            f"{name}: the document says {row.split('|')[0].strip()!r}, the code {value!r}"
        )
