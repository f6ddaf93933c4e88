"""Run folders: chunks that record what made them, refused when foreign or damaged; the lock;
combined tables in trial order; run.json checked field by field."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import simulator
from simulator.errors import RunError
from simulator.market.published import default_data_directory
from simulator.study.chunks import DISCARD_HINT
from simulator.study.combined import CombinedTables
from simulator.study.fingerprint import fingerprint_of, model_fingerprint
from simulator.study.folder import RunFolder, fingerprint

TABLES = ("applicants", "programs")
MODEL = "0123456789abcdef"  # a model fingerprint (simulator.study.fingerprint)
RECORD = {
    "matchsim": "0.1.0",
    "model": MODEL,
    "command": "run",
    "options": {"scenario": "s.toml", "set": [], "trials": None, "seed": None},
    "scenario": {"name": "s", "seed": 7, "trials": 6},
}


def frames(first: int, n: int = 2) -> dict[str, pd.DataFrame]:
    trials = list(range(first, first + n))
    return {
        "applicants": pd.DataFrame({"trial": trials, "x": [float(t) for t in trials]}),
        "programs": pd.DataFrame({"trial": trials}),
    }


@pytest.fixture
def folder(tmp_path):
    return RunFolder(tmp_path, RECORD)


def save(folder, first, n=2):
    trials = tuple(range(first, first + n))
    folder.chunks.write(trials, frames(first, n))
    return trials


def test_chunks_record_what_made_them_and_read_back(folder):
    save(folder, 0)
    save(folder, 2)
    assert folder.chunks.finished(TABLES) == [range(0, 2), range(2, 4)]
    pd.testing.assert_frame_equal(folder.chunks.read((2, 3), TABLES)["applicants"],
                                  frames(2)["applicants"])  # fmt: skip


def test_an_incomplete_chunk_and_temporary_files_are_run_again(folder):
    save(folder, 0)
    folder.chunks.write((2, 3), {"applicants": frames(2)["applicants"]})  # programs never came
    (folder.chunks.directory / ".programs-000002-000003.parquet.abc.partial").write_bytes(b"x")
    assert folder.chunks.finished(TABLES) == [range(0, 2)]
    assert sorted(p.name for p in folder.chunks.directory.iterdir()) == [
        "applicants-000000-000001.parquet",
        "programs-000000-000001.parquet",
    ]


def test_a_chunk_of_another_run_is_refused_with_one_line_naming_it(tmp_path):
    other = RunFolder(tmp_path, {**RECORD, "scenario": {**RECORD["scenario"], "seed": 8}})
    save(other, 0)
    folder = RunFolder(tmp_path, RECORD)
    with pytest.raises(RunError) as excinfo:
        folder.chunks.finished(TABLES)
    path = folder.chunks.path("applicants", (0, 1))
    assert str(excinfo.value) == (
        f"{path}: was made by another run (its scenario, seed or trials differ from run.json); "
        f"{DISCARD_HINT}"
    )


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_chunk_is_refused_or_discarded(folder, damage):
    save(folder, 0)
    save(folder, 2)
    path = folder.chunks.path("applicants", (2, 3))
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":  # one byte of the last page of values of the first column
        column = pq.ParquetFile(path).metadata.row_group(0).column(0)
        data[column.data_page_offset + column.total_compressed_size - 1] ^= 0xFF
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(RunError) as excinfo:
        folder.chunks.finished(TABLES)
    assert str(excinfo.value).startswith(f"{path}: is damaged")
    folder.discard_bad_chunks = True
    assert folder.chunks.finished(TABLES) == [range(0, 2)]
    assert not path.exists()


def test_odd_names_overlaps_and_a_file_for_the_folder_are_refused(folder, tmp_path):
    save(folder, 0, 3)
    (folder.chunks.directory / "applicants-abc.parquet").write_bytes(b"")
    with pytest.raises(RunError) as excinfo:
        folder.chunks.finished(TABLES)
    assert "unexpected name" in str(excinfo.value)
    (folder.chunks.directory / "applicants-abc.parquet").unlink()
    save(folder, 2, 2)  # trials 2 and 3 overlap trials 0 to 2
    with pytest.raises(RunError) as excinfo:
        folder.chunks.finished(TABLES)
    assert "overlaps the chunk of trials 0 to 2" in str(excinfo.value)
    folder.discard_bad_chunks = True
    assert folder.chunks.finished(TABLES) == [range(0, 3)]
    lone = RunFolder(tmp_path / "lone", RECORD)
    lone.path.mkdir()
    (lone.path / "chunks").write_text("")
    with pytest.raises(RunError) as excinfo:
        lone.chunks.finished(TABLES)
    assert str(excinfo.value).endswith("is a file, expected the chunks folder")


def test_the_fingerprint_ignores_the_file_path_and_options_but_not_the_scenario():
    moved = {**RECORD, "options": {**RECORD["options"], "scenario": "elsewhere/s.toml"}}
    moved["scenario"] = {**RECORD["scenario"], "source": "elsewhere/s.toml"}
    assert fingerprint(moved) == fingerprint(RECORD)
    assert fingerprint({**RECORD, "values": [1, 2]}) != fingerprint(RECORD)
    changed = {**RECORD, "scenario": {**RECORD["scenario"], "trials": 7}}
    assert fingerprint(changed) != fingerprint(RECORD)


def test_chunks_finishing_out_of_order_are_combined_in_trial_order(folder):
    combined = CombinedTables(folder, TABLES)
    for first in (2, 4):  # held back: trials 0 and 1 are not there yet
        combined.add(save(folder, first))
    with pytest.raises(RuntimeError, match="trials 0 to 5 were never added"):
        combined.close(6)
    combined.add(save(folder, 0))
    assert not (folder.path / "applicants.parquet").exists()  # not before close
    combined.close(6)
    for table in TABLES:
        expected = pd.concat([frames(f)[table] for f in (0, 2, 4)], ignore_index=True)
        pd.testing.assert_frame_equal(pd.read_parquet(folder.path / f"{table}.parquet"), expected)
    assert not list(folder.path.glob("*.partial"))


def test_an_aborted_run_leaves_its_chunks_and_no_combined_tables(folder):
    combined = CombinedTables(folder, TABLES)
    combined.add(save(folder, 0))
    combined.abort()
    assert sorted(p.name for p in folder.path.iterdir()) == ["chunks"]
    assert folder.chunks.finished(TABLES) == [range(0, 2)]


def test_a_folder_in_use_is_refused(tmp_path):
    """Another process holds the lock: a resume of a run still going is refused."""
    folder = RunFolder.create("s", RECORD, tmp_path / "run")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a');"
         "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)",
         str(folder.path / ".lock")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    folder.unlock()
    try:
        assert holder.stdout.readline().strip() == "locked"
        resumed = RunFolder.resume(
            folder.path, "run", finished="summary.json", version="0.1.0", model=MODEL
        )
        with pytest.raises(RunError) as excinfo:
            resumed.lock()
        assert "is in use by another matchsim run (process " in str(excinfo.value)
    finally:
        holder.kill()
        holder.wait()
    assert resumed.lock() is resumed


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda r: "not json {", "run.json unreadable"),
        (lambda r: [], "run.json does not hold an object"),
        (lambda r: {**r, "options": "x"}, "run.json has no valid 'options'"),
        (lambda r: {**r, "options": {**r["options"], "trials": "3"}}, "options.trials"),
        (lambda r: {**r, "options": {**r["options"], "set": [1]}}, "options.set"),
        (lambda r: {**r, "scenario": None}, "run.json has no valid 'scenario'"),
    ],
)
def test_an_edited_run_json_is_one_line(tmp_path, edit, problem):
    edited = edit(RECORD)
    text = edited if isinstance(edited, str) else json.dumps(edited)
    (tmp_path / "run.json").write_text(text)
    with pytest.raises(RunError) as excinfo:
        RunFolder.resume(tmp_path, "run", finished="summary.json", version="0.1.0", model=MODEL)
    message = str(excinfo.value)
    assert message.startswith(f"{tmp_path}: not a matchsim run that can be resumed (")
    assert problem in message and "\n" not in message


def test_an_unwritable_folder_is_one_line(tmp_path):
    folder = RunFolder(tmp_path / "gone", RECORD)
    with pytest.raises(RunError) as excinfo:
        folder.write_json("summary.json", {})
    assert str(excinfo.value).startswith(f"{folder.path}: cannot be written (")


def test_the_model_fingerprint_follows_the_data_and_code_not_where_they_are_installed(tmp_path):
    """A copy of the package (as pip installs it, with the data package inside) has the
    same fingerprint; a changed module or data file gives another."""
    package = Path(simulator.__file__).parent
    data = default_data_directory()
    installed = tmp_path / "site-packages" / "simulator"
    shutil.copytree(package, installed, ignore=shutil.ignore_patterns("__pycache__"))
    (installed / "published").mkdir(exist_ok=True)
    (installed / "published" / "__init__.py").write_text('"""The data package."""\n')
    tables = tmp_path / "data"
    shutil.copytree(data, tables)
    assert fingerprint_of(tables, installed) == fingerprint_of(data, package) == model_fingerprint()
    (installed / "engine" / "csr.py").write_text("# changed\n", encoding="utf-8")
    assert fingerprint_of(tables, installed) != model_fingerprint()
    shutil.copy(package / "engine" / "csr.py", installed / "engine" / "csr.py")
    with (tables / "specialties_2025.csv").open("a", encoding="utf-8") as f:
        f.write("\n")
    assert fingerprint_of(tables, installed) != model_fingerprint()
