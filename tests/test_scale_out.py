"""Scaling out without changing the answers: workers, a Dask cluster, interruptions and --resume.

Trial i draws only from ``SeedSequence(seed, spawn_key=(i,))``, so one worker,
two workers and a Dask ``LocalCluster`` give byte-identical ``summary.json``
and equal tables; a run killed with ``kill -9`` or stopped with Ctrl-C keeps
its finished chunks and ``--resume DIR`` finishes it to the outputs of an
uninterrupted run.  A 3%-scale market keeps every run to a few seconds.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from click.testing import CliRunner
from scenario_text import YOU_NON_US_IMG
from threadpoolctl import threadpool_info

import simulator.study.simulate as simulate_module
from simulator import __version__, api, files
from simulator.cli import main
from simulator.market.published import load_published
from simulator.scenario import default_calibration_path, load_scenario
from simulator.study import dask_executor, executors
from simulator.study.executors import Execution, execute
from simulator.study.fingerprint import model_fingerprint
from simulator.study.folder import RunFolder
from simulator.study.simulate import MAX_CHUNK, chunk_ranges
from simulator.study.trials import plan_for, run_chunk

distributed = pytest.importorskip("distributed")

TRIALS = 48  # enough that a run is still going when a test interrupts it
SCENARIO = f"""\
description = "Scale-out tests: a non-US IMG in Internal Medicine, 3% market"
seed = 11
trials = {TRIALS}

[market]
scale = 0.03
focal_copies = 4
calibration = "calibration.toml"

{YOU_NON_US_IMG}
[[strategies]]
name = "as is"

[[strategies]]
name = "rank only 3"
you.rank_list_length = 3
"""
TABLES = ("applicants", "programs")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")


def summary_bytes(folder: Path) -> bytes:
    return (folder / "summary.json").read_bytes()


def assert_same_outputs(folder: Path, reference: Path) -> None:
    """Identical summary.json, equal applicants and programs tables."""
    assert summary_bytes(folder) == summary_bytes(reference)
    for table in TABLES:
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / f"{table}.parquet"),
            pd.read_parquet(reference / f"{table}.parquet"),
        )
    assert not (folder / "chunks").exists()


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    # A private copy of the calibration, so the runs of one test see the same model.
    folder = tmp_path_factory.mktemp("scenario")
    shutil.copy(default_calibration_path(), folder / "calibration.toml")
    path = folder / "scale.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baseline(scenario_file, tmp_path_factory) -> Path:
    """An uninterrupted run with one worker."""
    out = tmp_path_factory.mktemp("runs") / "baseline"
    result = run("run", scenario_file, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def cluster():
    """A Dask LocalCluster of two single-threaded worker processes on this machine."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as local:
        yield local


# --------------------------------------------------------------------------- reproducible


def test_two_workers_and_a_dask_cluster_give_identical_outputs(
    baseline, scenario_file, cluster, tmp_path
):
    results = {
        "two": run("run", scenario_file, "--workers", 2, "--out", tmp_path / "two"),
        "dask": run(
            "run",
            scenario_file,
            "--executor",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            tmp_path / "dask",
        ),
    }
    for name, result in results.items():
        assert result.exit_code == 0, result.output
        assert_same_outputs(tmp_path / name, baseline)
    summary = json.loads(summary_bytes(baseline))
    assert summary["seed"] == 11 and summary["focal"]["p_match"]["n"] == TRIALS * 4
    # SOAP's columns are among those compared, and SOAP placed people: not a vacuous check.
    assert pd.read_parquet(baseline / "applicants.parquet")["soap_placed"].any()


# --------------------------------------------------------------------------- interrupted runs


def _default_interrupt_handling() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(scenario_file, out, workers) -> subprocess.Popen:
    """``python -m simulator run`` in a real process; returns once it has saved a chunk."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "run",
            str(scenario_file),
            "--workers",
            str(workers),
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell running the tests in the background ignores Ctrl-C, and its children would
        # inherit that: give the run the default handling a terminal's Ctrl-C meets.
        preexec_fn=_default_interrupt_handling,
    )
    deadline = time.monotonic() + 120
    while not list(out.glob("chunks/programs-*.parquet")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no chunk saved in 120 s"
        time.sleep(0.01)
    return process


def kept_chunks_of(out, tables) -> list[range]:
    """The chunks a run left in ``out``, checked as a resume checks them."""
    record = json.loads((out / "run.json").read_text())
    return RunFolder(out, record).chunks.finished(tables)


def kept_chunks(out) -> list[range]:
    return kept_chunks_of(out, TABLES)


def test_a_killed_run_resumes_to_the_outputs_of_an_uninterrupted_one(
    baseline, scenario_file, tmp_path
):
    out = tmp_path / "killed"
    process = start(scenario_file, out, workers=1)
    process.kill()  # SIGKILL: no clean-up of any kind
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    kept = kept_chunks(out)
    assert kept and sum(len(r) for r in kept) < TRIALS
    assert not (out / "summary.json").exists()

    result = run("run", scenario_file, "--resume", out, "--workers", 1)  # other chunks: 3 trials
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith(f"wrote {out} in ")
    assert_same_outputs(out, baseline)


def test_ctrl_c_keeps_finished_chunks_exits_130_and_says_how_to_resume(
    baseline, scenario_file, tmp_path
):
    out = tmp_path / "interrupted"
    process = start(scenario_file, out, workers=2)
    workers = psutil.Process(process.pid).children(recursive=True)
    assert len(workers) >= 2
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    kept = sum(len(r) for r in kept_chunks(out))
    assert f"\ninterrupted: {kept} of {TRIALS} trials kept in {out / 'chunks'}\n" in stderr
    assert stderr.endswith(f"to finish it: matchsim run {scenario_file} --resume {out}\n")
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []  # the worker processes were stopped too

    result = run("run", scenario_file, "--resume", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert_same_outputs(out, baseline)


def interrupt_after_first_chunk(monkeypatch):
    """Make the next command stop (as on Ctrl-C) once it has saved its first chunk."""
    real = simulate_module.execute

    def execute(task, plan, chunks, execution, on_chunk):
        def then_stop(result):
            on_chunk(result)
            raise KeyboardInterrupt

        monkeypatch.setattr(simulate_module, "execute", real)
        real(task, plan, chunks, execution, then_stop)

    monkeypatch.setattr(simulate_module, "execute", execute)


@pytest.mark.parametrize(
    "command",
    [
        ("compare", "comparison.json"),
        ("sweep", "sweep.json", "--param", "you.rank_list_length", "--values", "3,6"),
    ],
    ids=lambda c: c[0],
)
def test_compare_and_sweep_resume_too(command, scenario_file, tmp_path, monkeypatch):
    name, output, *options = command
    small = ["--trials", 6, "--workers", 1]
    whole = run(name, scenario_file, *options, *small, "--out", tmp_path / "whole")
    assert whole.exit_code == 0, whole.output

    out = tmp_path / "resumed"
    interrupt_after_first_chunk(monkeypatch)
    stopped = run(name, scenario_file, *options, *small, "--out", out)
    assert stopped.exit_code == 130, stopped.output
    assert f"to finish it: matchsim {name} {scenario_file}" in stopped.output
    resumed = run(name, scenario_file, *options, "--resume", out, "--workers", 1)
    assert resumed.exit_code == 0, resumed.output
    assert (out / output).read_bytes() == (tmp_path / "whole" / output).read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "focal.parquet"),
        pd.read_parquet(tmp_path / "whole" / "focal.parquet"),
    )


@pytest.mark.parametrize(
    "command",
    [
        ("compare", "comparison.json", "compare_focal"),
        (
            "sweep",
            "sweep.json",
            "sweep_focal",
            "--param",
            "you.rank_list_length",
            "--values",
            "3,6",
        ),
    ],
    ids=lambda c: c[0],
)
def test_compare_and_sweep_stopped_after_their_trials_resume_from_the_chunks(
    command, scenario_file, tmp_path, monkeypatch
):
    """Stopped once focal.parquet is written but before the final JSON: nothing runs again."""
    name, output, step, *options = command
    small = ["--trials", 6, "--workers", 1]
    whole = run(name, scenario_file, *options, *small, "--out", tmp_path / "whole")
    assert whole.exit_code == 0, whole.output
    out = tmp_path / "stopped"
    real = getattr(api, step)

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, step, stop)
    assert run(name, scenario_file, *options, *small, "--out", out).exit_code == 130
    assert (out / "focal.parquet").exists() and kept_chunks_of(out, ("focal", "population_counts"))
    monkeypatch.setattr(api, step, real)

    def run_nothing(task, plan, chunks, execution, on_chunk):
        assert chunks == []  # every trial was kept

    monkeypatch.setattr(simulate_module, "execute", run_nothing)
    resumed = run(name, scenario_file, *options, "--resume", out, "--workers", 1)
    assert resumed.exit_code == 0, resumed.output
    assert (out / output).read_bytes() == (tmp_path / "whole" / output).read_bytes()
    assert not (out / "chunks").exists()


def test_sigterm_keeps_finished_chunks_exits_143_and_says_how_to_resume(
    baseline, scenario_file, tmp_path
):
    out = tmp_path / "terminated"
    process = start(scenario_file, out, workers=2)
    workers = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    kept = sum(len(r) for r in kept_chunks(out))
    assert f"\nterminated: {kept} of {TRIALS} trials kept in {out / 'chunks'}\n" in stderr
    assert stderr.endswith(f"to finish it: matchsim run {scenario_file} --resume {out}\n")
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
    result = run("run", scenario_file, "--resume", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert_same_outputs(out, baseline)


def test_workers_die_with_a_killed_run(scenario_file, tmp_path):
    """kill -9 of matchsim: its worker processes and helpers do not live on."""
    process = start(scenario_file, tmp_path / "killed", workers=2)
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 2
    process.kill()
    process.communicate()
    _, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []


def test_a_killed_local_worker_has_its_chunk_run_again(baseline, scenario_file, tmp_path):
    out = tmp_path / "lost-worker"
    process = start(scenario_file, out, workers=2)
    workers = [
        child
        for child in psutil.Process(process.pid).children(recursive=True)
        if "resource_tracker" not in " ".join(child.cmdline())
    ]
    workers[-1].kill()
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    assert_same_outputs(out, baseline)


def test_a_run_still_going_cannot_be_resumed_alongside(baseline, scenario_file, tmp_path):
    out = tmp_path / "busy"
    process = start(scenario_file, out, workers=1)
    try:
        result = run("run", scenario_file, "--resume", out, "--workers", 1)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"Error: {out}: is in use by another matchsim run")
    finally:
        _, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    assert_same_outputs(out, baseline)


def test_too_many_workers_for_the_memory_is_one_line(scenario_file, tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "available_memory", lambda: 2 * 2**30)
    result = run("run", scenario_file, "--workers", 64, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output == (
        "Error: --workers: 64 workers need about 10.1 GiB at scale 0.03, and 2.0 GiB is "
        "available: use --workers 12 or fewer\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_chunk_of_another_run_is_refused_then_discarded(baseline, scenario_file, tmp_path):
    """A chunk copied in from a run with another seed never changes the summary."""
    other, out = tmp_path / "other", tmp_path / "mixed"
    assert run("run", scenario_file, "--seed", 12, "--out", other, "--workers", 1).exit_code == 0
    process = start(scenario_file, out, workers=1)
    process.kill()
    process.communicate()
    kept = kept_chunks(out)
    foreign = sorted(range(TRIALS), key=lambda t: any(t in r for r in kept))[0]  # a missing trial
    record = json.loads((other / "run.json").read_text())
    other_folder = RunFolder(other, record)
    tables = other_folder.chunks  # the other run finished: make its chunk for that trial again
    plan = plan_for(load_scenario(scenario_file, ["seed=12"]), load_published(), strategies=False)
    tables.write((foreign,), run_chunk(plan, [foreign]).tables)
    for table in TABLES:
        shutil.copy(tables.path(table, (foreign,)), out / "chunks")
    result = run("run", scenario_file, "--resume", out, "--workers", 1)
    assert result.exit_code == 2
    chunk = out / "chunks" / f"applicants-{foreign:06d}-{foreign:06d}.parquet"
    assert result.output == (
        f"Error: {chunk}: was made by another run (its scenario, seed or trials differ from "
        "run.json); resume with --discard-bad-chunks to run its trials again\n"
    )
    result = run("run", scenario_file, "--resume", out, "--workers", 1, "--discard-bad-chunks")
    assert result.exit_code == 0, result.output
    assert_same_outputs(out, baseline)


def test_a_full_disk_stops_the_run_with_one_line_and_the_resume_hint(
    baseline, scenario_file, tmp_path, monkeypatch
):
    out = tmp_path / "full"
    real, writes = files.write_atomically, []

    def fill_up(path, write):
        writes.append(path)
        if len(writes) > 4:  # the record and two chunks fit; then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, write)

    monkeypatch.setattr(files, "write_atomically", fill_up)
    result = run("run", scenario_file, "--workers", 1, "--out", out)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[-1] == f"Error: {out}: cannot be written (No space left on device)"
    assert lines[-2] == f"to finish it: matchsim run {scenario_file} --resume {out}"
    monkeypatch.setattr(files, "write_atomically", real)
    resumed = run("run", scenario_file, "--resume", out, "--workers", 1)
    assert resumed.exit_code == 0, resumed.output
    assert_same_outputs(out, baseline)


def test_resume_refuses_what_it_cannot_finish(baseline, scenario_file, tmp_path):
    started = tmp_path / "started"  # a run interrupted before its first chunk
    started.mkdir()
    shutil.copy(baseline / "run.json", started / "run.json")
    cases = [
        (
            ["--resume", started, "--out", tmp_path / "x"],
            "--resume: cannot be combined with --out (a resumed run finishes in its own folder)",
        ),
        (["--resume", tmp_path / "nowhere"], f"{tmp_path / 'nowhere'}: no such folder to resume"),
        (
            ["--resume", scenario_file.parent],
            f"{scenario_file.parent}: not a matchsim run that can be resumed (no run.json with the "
            "options it was started with)",
        ),
        (
            ["--resume", baseline],
            f"{baseline}: is already complete (summary.json exists); nothing to resume",
        ),
        (
            ["--resume", started, "--set", "you.step2ck=250"],
            f"{started}: was started with another scenario (you.step2ck: 240 recorded in run.json, "
            "250 now); resume it with the scenario file and options it was started with",
        ),
        (
            ["--resume", started, "--trials", 5],
            f"{started}: was started with another scenario (trials: {TRIALS} recorded in "
            "run.json, 5 now); resume it with the scenario file and options it was started with",
        ),
    ]
    # A run started with other published data or code: its chunks would mix two models.
    other_model = tmp_path / "other-model"
    other_model.mkdir()
    record = json.loads((baseline / "run.json").read_text(encoding="utf-8"))
    (other_model / "run.json").write_text(json.dumps({**record, "model": "0" * 16}))
    cases.append(
        (
            ["--resume", other_model],
            f"{other_model}: was started with other published data or model code than this "
            f"matchsim has (model {'0' * 16} in run.json, {model_fingerprint()} now), whose "
            "trials may differ: start a new run",
        )
    )
    before = sorted(p.name for p in started.iterdir())
    for options, message in cases:
        result = run("run", scenario_file, *options)
        assert result.exit_code == 2, result.output
        assert result.output == f"Error: {message}\n"
    assert sorted(p.name for p in started.iterdir()) == before
    record = json.loads((started / "run.json").read_text(encoding="utf-8"))
    assert record["command"] == "run" and record["matchsim"] == __version__
    assert record["model"] == model_fingerprint()
    assert record["options"] == {
        "scenario": str(scenario_file),
        "set": [],
        "trials": None,
        "seed": None,
    }
    result = run("compare", scenario_file, "--resume", started)
    assert result.output == (
        f"Error: {started}: holds a matchsim run run, not a compare one; "
        f"resume it with matchsim run ... --resume {started}\n"
    )


def test_chunks_of_the_missing_trials_never_span_a_gap():
    assert chunk_ranges([0, 1, 2, 5, 6, 9], 1) == [[0, 1], [2], [5, 6], [9]]
    missing = [t for t in range(100) if not 8 <= t < 16]
    chunks = chunk_ranges(missing, 2)
    assert [t for chunk in chunks for t in chunk] == missing
    assert all(chunk == list(range(chunk[0], chunk[-1] + 1)) for chunk in chunks)
    assert max(len(chunk) for chunk in chunks) <= MAX_CHUNK
    # 60 trials on 2 workers: 8 chunks of 8 or 7 trials, not 7 of 8 and one of 4
    assert [len(chunk) for chunk in chunk_ranges(range(60), 2)] == [8] * 4 + [7] * 4


# --------------------------------------------------------------------------- Dask


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_problems_are_one_error_line_and_write_nothing(scenario_file, tmp_path, monkeypatch):
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setattr(dask_executor, "DASK_CONNECT_TIMEOUT", 1)
    cases = [
        (
            ["--scheduler", address],
            f"--scheduler: cannot reach a Dask scheduler at {address} "
            f"(Timed out trying to connect to {address} after 1 s)",
        ),
        (
            ["--executor", "dask"],
            "--executor: dask needs --scheduler ADDRESS, e.g. --scheduler tcp://HOST:8786",
        ),
        (
            ["--executor", "local", "--scheduler", address],
            "--scheduler: is only used with --executor dask",
        ),
    ]
    for options, message in cases:
        result = run("run", scenario_file, *options, "--out", out)
        assert (result.exit_code, result.output) == (2, f"Error: {message}\n")
        assert not out.exists()
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    result = run("run", scenario_file, "--scheduler", address, "--out", out)
    assert (result.exit_code, result.output) == (
        2,
        "Error: --executor: dask needs the optional extra: pip install 'matchsim[dask]'\n",
    )


@pytest.fixture(scope="module")
def plan(scenario_file):
    return plan_for(load_scenario(scenario_file), load_published(), strategies=False)


def tables(results):
    results = sorted(results, key=lambda r: r.trials)
    return {t: pd.concat([r.tables[t] for r in results], ignore_index=True) for t in TABLES}


class FailOnce:
    """A chunk task that raises the first time it sees each chunk (marker files tell)."""

    def __init__(self, folder):
        self.folder = str(folder)

    def __call__(self, plan, trials):
        marker = Path(self.folder) / f"tried-{trials[0]}"
        if not marker.exists():
            marker.touch()
            raise RuntimeError(f"chunk {trials[0]} fails the first time")
        return run_chunk(plan, trials)


def test_dask_retries_a_chunk_that_fails(plan, cluster, tmp_path):
    chunks = [[0, 1], [2, 3]]
    results = []
    dask = Execution(executor="dask", workers=2, scheduler=cluster.scheduler_address)
    execute(FailOnce(tmp_path), plan, chunks, dask, results.append)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tried-0", "tried-2"]
    expected = tables(run_chunk(plan, chunk) for chunk in chunks)
    for table, frame in tables(results).items():
        pd.testing.assert_frame_equal(frame, expected[table])


class SlowAfterTheFirst:
    """A chunk task that runs the chunk of trial 0 at once and waits a second before every
    other: when the first chunk is back, the others are surely still running (a chunk at
    this scale takes a few hundredths of a second)."""

    def __call__(self, plan, trials):
        if trials[0] != 0:
            time.sleep(1.0)
        return run_chunk(plan, trials)


def test_a_dask_worker_killed_mid_run_has_its_chunks_rerun(plan, cluster):
    """Kill -9 a worker process while it runs a chunk: the scheduler re-runs the chunk elsewhere."""
    chunks = [[t, t + 1, t + 2] for t in range(0, 18, 3)]
    results, killed = [], []
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)

        def on_chunk(result):
            results.append(result)
            if not killed:
                busy = [w for w, keys in client.processing().items() if keys]
                assert busy, "no chunk running to interrupt"
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(pids[busy[0]])

        dask = Execution(executor="dask", workers=2, scheduler=cluster.scheduler_address)
        execute(SlowAfterTheFirst(), plan, chunks, dask, on_chunk)
        client.wait_for_workers(2, timeout=60)  # the nanny has started a new worker
        assert killed and killed[0] not in client.run(os.getpid).values()
    assert sorted(r.trials for r in results) == [tuple(c) for c in chunks]  # each exactly once
    expected = {}
    execute(run_chunk, plan, chunks, Execution(), lambda r: expected.setdefault(r.trials, r))
    for table, frame in tables(results).items():
        pd.testing.assert_frame_equal(frame, tables(expected.values())[table])


def blas_threads(plan, trials):
    """A chunk task that reports its worker's BLAS threads instead of running trials."""
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_local_workers_use_one_blas_thread(plan):
    seen = []
    execute(blas_threads, plan, [[0], [1]], Execution(workers=2), seen.append)
    assert len(seen) == 2 and all(threads and set(threads) == {1} for threads in seen)


def test_dask_workers_use_one_blas_thread(plan, cluster):
    seen = []
    dask = Execution(executor="dask", workers=2, scheduler=cluster.scheduler_address)
    execute(blas_threads, plan, [[0], [1]], dask, seen.append)
    assert len(seen) == 2 and all(threads and set(threads) == {1} for threads in seen)
