"""The public Python API: docs/api.md runs as written, and keeps its contract with the commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import simulator as ms
from simulator.cli import main
from simulator.vocabulary import APPLICANT_TYPES

ROOT = Path(__file__).resolve().parents[1]
API_DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
SCENARIO = "scenarios/img-internal-medicine.toml"
SMALL = {"trials": 3, "seed": 1, "market.scale": 0.1, "market.focal_copies": 8}


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def doc_namespace():
    """Every example of docs/api.md, run in order in one namespace from the repository root."""
    namespace: dict = {}
    blocks = python_blocks(API_DOC)
    assert len(blocks) >= 5
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        for block in blocks:
            exec(compile(block, "docs/api.md", "exec"), namespace)
    return namespace


def test_the_documented_examples_run_and_give_the_promised_shapes(doc_namespace):
    res, cmp, sw = doc_namespace["res"], doc_namespace["cmp"], doc_namespace["sw"]
    assert 0 <= res.you.ci_low <= res.you.p <= res.you.ci_high <= 1 and res.you.n > 0
    assert list(res.by_type.index) == list(APPLICANT_TYPES)
    assert {"p_match", "ci_low", "ci_high", "n"} <= set(res.by_type.columns)
    assert len(res.applicants) > 0 and len(res.programs) > 0
    assert list(cmp.table["name"]) == [s.name for s in doc_namespace["cmp_sc"].strategies]
    assert list(sw["value"]) == [230, 250]
    assert list(doc_namespace["matched"]) == [1, 0]


def test_results_print_readably_and_render_in_a_notebook(doc_namespace):
    res, cmp = doc_namespace["res"], doc_namespace["cmp"]
    text = str(res)
    assert "\nmatched (any specialty) " in text and "non_us_img" not in text
    assert "P(match)" in res.to_text(all_types=True) and "non_us_img" in res.to_text(all_types=True)
    assert "<table" in res._repr_html_() and "<table" in cmp._repr_html_()
    assert "strategy" in str(cmp)


def test_overrides_may_be_a_mapping_or_set_strings():
    as_mapping = ms.load_scenario(SCENARIO, overrides={"you.step2ck": 250, "trials": 7})
    as_strings = ms.load_scenario(SCENARIO, overrides=["you.step2ck=250", "trials=7"])
    assert as_mapping.you == as_strings.you and as_mapping.trials == as_strings.trials == 7


def test_a_bad_override_names_the_key_and_what_was_expected():
    with pytest.raises(ms.ScenarioError) as excinfo:
        ms.load_scenario(SCENARIO, overrides={"you.step2ck": 900})
    assert "you.step2ck" in str(excinfo.value) and "900" in str(excinfo.value)
    assert isinstance(excinfo.value, ms.MatchsimError) and isinstance(excinfo.value, ValueError)


def test_run_gives_what_matchsim_run_writes(tmp_path):
    """The command is built on the same function: same summary.json, same tables."""
    sc = ms.load_scenario(SCENARIO, overrides=SMALL)
    res = ms.run(sc, workers=1)
    out = tmp_path / "cli"
    args = ["run", SCENARIO, "--workers", "1", "--out", str(out)]
    args += [a for key, value in SMALL.items() for a in ("--set", f"{key}={value}")]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = json.loads((out / "summary.json").read_text())
    for key in ("focal", "by_type", "fill_rate", "seed", "trials"):
        assert written[key] == json.loads(json.dumps(res.record[key])), key
    pd.testing.assert_frame_equal(pd.read_parquet(out / "applicants.parquet"), res.applicants)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "programs.parquet"), res.programs)
    assert res.folder is None  # nothing kept on disk without out=


def test_run_with_out_keeps_the_folder_and_never_overwrites(tmp_path):
    sc = ms.load_scenario(SCENARIO, overrides={**SMALL, "trials": 1})
    res = ms.run(sc, workers=1, out=tmp_path / "kept")
    assert (tmp_path / "kept" / "summary.json").exists() and res.folder == tmp_path / "kept"
    assert len(res.applicants) == len(pd.read_parquet(tmp_path / "kept" / "applicants.parquet"))
    with pytest.raises(ms.RunError) as excinfo:
        ms.run(sc, workers=1, out=tmp_path / "kept")
    assert "already exists and is not empty" in str(excinfo.value)


def test_sweep_table_has_the_columns_of_sweep_csv(tmp_path):
    sc = ms.load_scenario(SCENARIO, overrides={**SMALL, "trials": 2})
    table = ms.sweep(sc, "you.step2ck", [230, 250], workers=1, out=tmp_path / "sweep")
    written = pd.read_csv(tmp_path / "sweep" / "sweep.csv")
    assert list(table.columns) == list(written.columns)
    assert list(written["value"]) == [230, 250]


def test_a_sweep_without_values_is_one_clear_error():
    sc = ms.load_scenario(SCENARIO, overrides=SMALL)
    with pytest.raises(ms.ScenarioError) as excinfo:
        ms.sweep(sc, "you.step2ck", [], workers=1)
    assert str(excinfo.value) == "--values: you.step2ck: expected at least one value, found none"
