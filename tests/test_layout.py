"""The house stays legible: modules stay small, commands stay thin, imports flow one way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulator"
#: The layers, top first: a module may import only from layers below its own (and its own).
LAYERS = [
    {"__main__"},
    {"cli"},
    {"commands"},
    {"web"},
    {"api"},
    {"report"},
    {"study"},
    {"teaching"},
    {"scenario"},
    {"market"},
    {"stats"},
    {"__init__"},
    {"files"},
    {"errors"},
    {"vocabulary"},
    {"engine"},
]
LAYER = {name: depth for depth, names in enumerate(LAYERS) for name in names}
IMPORT = re.compile(r"^\s*(?:from|import) simulator(?:\.(\w+))?", re.MULTILINE)


def unit(path: Path) -> str:
    """The layer a module belongs to: its subpackage, or its own name at the top level."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_450_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 450


def test_the_commands_are_thin():
    lines = sum(len(p.read_text().splitlines()) for p in (PACKAGE / "commands").glob("*.py"))
    assert lines < 600


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path):
    source = unit(path)
    assert source in LAYER, f"{source} is in no layer of tests/test_layout.py"
    for target in IMPORT.findall(path.read_text(encoding="utf-8")):
        target = target or "__init__"
        if target != source:
            assert LAYER[target] > LAYER[source], f"{source} imports {target}, a layer above it"


def test_the_engine_imports_only_numpy_and_the_standard_library():
    for path in (PACKAGE / "engine").glob("*.py"):
        imports = re.findall(r"^\s*(?:from|import) (\w+)", path.read_text(), re.MULTILINE)
        assert set(imports) <= {
            "__future__",
            "bisect",
            "dataclasses",
            "numpy",
            "simulator",
            "time",
        }, path
        for target in IMPORT.findall(path.read_text()):
            assert target == "engine", path
