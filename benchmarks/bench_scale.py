"""Trials per second with 1 and 2 local workers and on a Dask LocalCluster; memory per worker.

    python benchmarks/bench_scale.py                  # full scale, the scenario's 60 trials
    python benchmarks/bench_scale.py --size small     # 3% scale, for a quick look

Each mode runs the same trials of ``scenarios/default.toml`` exactly as
``matchsim run`` does (chunks of trials run by :func:`simulator.study.executors.execute`,
each chunk saved to a folder, tallied and appended to the combined tables in
trial order as it finishes), best of ``--repeats``:

- ``1 worker``: in this process, one chunk after another;
- ``2 workers``: two local worker processes (their start-up is included);
- ``LocalCluster``: a ``distributed.LocalCluster`` of two single-threaded
  worker processes on this machine (its start-up is not included, as a
  cluster outlives the runs it serves).

It checks that every mode gives the same summary and the same applicants
table, prints trials/s, the speed-up and parallel efficiency (speed-up / 2)
against one worker, the CPU seconds each trial took inside its worker (if
that stays put while the wall-clock speed-up falls short, the workers were
waiting for a core: other load on the machine), how long after the start the
first chunk began (the workers' start-up: spawning and importing), and the peak memory
(resident set) of a worker process running full chunks of ``MAX_CHUNK``
trials, and of this process.

The machine may be shared: before and after the runs it measures how much of
two cores is free, as the work two busy-looping processes get done together
relative to one alone (2.0 on an idle 2-core machine).  No executor can beat
that ceiling.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from simulator.market.published import load_published
from simulator.report.records import to_jsonable
from simulator.scenario import load_scenario, with_changes
from simulator.study import tallies as run_tallies
from simulator.study.combined import CombinedTables
from simulator.study.executors import Execution, execute
from simulator.study.folder import RunFolder
from simulator.study.memory import keep_freed_memory
from simulator.study.simulate import MAX_CHUNK, chunk_ranges
from simulator.study.trials import plan_for, run_chunk

SIZES = {
    "full": dict(scale=1.0, trials=None),
    "small": dict(scale=0.03, trials=64),
}  # None: the scenario's


def timed_chunk(plan, trials):
    """:func:`run_chunk`, its CPU seconds in the worker and when it began (epoch seconds)."""
    began, started = time.time(), time.process_time()
    result = run_chunk(plan, trials)
    return result, time.process_time() - started, began


def one_run(plan, trials, path: Path, execution: Execution) -> tuple[float, float, float, str]:
    """Wall seconds, worker CPU seconds and seconds until the first chunk began for ``trials``
    trials run as ``matchsim run`` does, and the summary as JSON."""
    path.mkdir()
    folder = RunFolder(path)
    tallies, cpu, began = {}, [], []
    combined = CombinedTables(folder, plan.tables)

    def finished(timed):
        result, seconds, chunk_began = timed
        cpu.append(seconds)
        began.append(chunk_began)
        folder.chunks.write(result.trials, result.tables)
        tables = result.tables
        tallies[result.trials[0]] = run_tallies.tallies(tables["applicants"], tables["programs"])
        combined.add(result.trials)

    started, epoch = time.perf_counter(), time.time()
    execute(timed_chunk, plan, chunk_ranges(range(trials), execution.workers), execution, finished)
    combined.close(trials)
    seconds = time.perf_counter() - started
    merged = run_tallies.merge_tallies([tallies[first] for first in sorted(tallies)])
    return (
        seconds,
        sum(cpu),
        min(began) - epoch,
        json.dumps(to_jsonable(run_tallies.run_summary(merged))),
    )


def spin(seconds: float) -> int:
    """Count loop iterations for ``seconds`` of wall-clock time (a CPU-bound probe)."""
    end, count = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        count += 1
    return count


def free_cores(seconds: float = 3.0) -> float:
    """Work done by two spinning processes at once relative to one alone (2.0: 2 free cores)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        list(pool.map(spin, [0.2, 0.2]))  # both workers up
        alone = pool.submit(spin, seconds).result()
        together = sum(pool.map(spin, [seconds, seconds]))
    return together / alone


def peak_rss() -> int:
    """This process's peak resident set, in bytes.

    ``VmHWM`` from ``/proc/self/status`` where there is one: ``getrusage``'s
    ``ru_maxrss`` survives ``exec``, so a spawned worker would report the
    resident set of the parent it was forked from if that were larger.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # reported in kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def peak_rss_after_chunk(plan, trials) -> int:
    """Run one chunk in this (fresh) process as a worker does; return its peak resident set."""
    keep_freed_memory()
    run_chunk(plan, trials)
    return peak_rss()


def worker_peak(plan, repeats: int = 2) -> int:
    """Peak resident set of a spawned worker after ``repeats`` chunks of MAX_CHUNK trials."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        chunks = [list(range(k * MAX_CHUNK, (k + 1) * MAX_CHUNK)) for k in range(repeats)]
        peaks = [pool.submit(peak_rss_after_chunk, plan, chunk).result() for chunk in chunks]
    return max(peaks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--scenario", default="scenarios/default.toml")
    args = parser.parse_args()
    size = SIZES[args.size]
    scenario = with_changes(load_scenario(args.scenario), {"market.scale": size["scale"]})
    trials = args.trials or size["trials"] or scenario.trials
    plan = plan_for(scenario, load_published(), strategies=False)
    keep_freed_memory()  # "1 worker" runs in this process: keep freed memory, as workers do
    from distributed import Client, LocalCluster

    scratch = Path(tempfile.mkdtemp(prefix="bench_scale-"))
    ceiling = [free_cores()]
    best, cpu, start_up, summaries, tables = {}, {}, {}, {}, {}
    with LocalCluster(  # on loopback only, the dashboard too
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as cluster:
        modes = {
            "1 worker": Execution(executor="local", workers=1),
            "2 workers": Execution(executor="local", workers=2),
            "LocalCluster, 2 workers": Execution(
                executor="dask", workers=2, scheduler=cluster.scheduler_address
            ),
        }
        for repeat in range(args.repeats):
            for name, executor in modes.items():
                folder = scratch / f"{repeat}-{name.split(',')[0].replace(' ', '-')}"
                seconds, cpu_seconds, waited, summary = one_run(plan, trials, folder, executor)
                if seconds < best.get(name, float("inf")):
                    best[name], start_up[name] = seconds, waited
                cpu[name] = min(cpu.get(name, float("inf")), cpu_seconds / trials)
                summaries.setdefault(name, summary)
                if repeat == 0:
                    tables[name] = folder / "applicants.parquet"
                print(
                    f"  run {repeat + 1}: {name:24s} {seconds:7.1f} s, load average "
                    f"{os.getloadavg()[0]:.2f}",
                    flush=True,
                )
        with Client(cluster.scheduler_address) as client:
            dask_peaks = client.run(peak_rss)

    reference = next(iter(modes))
    assert all(s == summaries[reference] for s in summaries.values()), "summaries differ"
    first = pd.read_parquet(tables[reference])
    for name, path in tables.items():
        pd.testing.assert_frame_equal(pd.read_parquet(path), first)
    worker = worker_peak(plan)
    shutil.rmtree(scratch)
    ceiling.append(free_cores())

    load = os.getloadavg()
    print(
        f"\n{trials} trials at scale {size['scale']:g} ({first.shape[0] // trials:,} applicants "
        f"per trial), best of {args.repeats}; {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end"
    )
    print(
        f"| {'executor':24s} | trials/s | speed-up | parallel efficiency | worker CPU s/trial "
        f"| first chunk began after |"
    )
    print(
        f"|{'-' * 26}|---------:|---------:|--------------------:|-------------------:"
        f"|------------------------:|"
    )
    base = trials / best[reference]
    for name, seconds in best.items():
        rate = trials / seconds
        workers = 1 if name == reference else 2
        print(
            f"| {name:24s} | {rate:8.2f} | {rate / base:7.2f}x | {rate / base / workers:19.0%} "
            f"| {cpu[name]:18.2f} | {start_up[name]:21.2f} s |"
        )
    print("every executor gave the same summary and the same applicants table")
    print(
        f"free cores (two busy loops vs one; 2.00 if idle): {ceiling[0]:.2f} before the runs, "
        f"{ceiling[1]:.2f} after"
    )
    print(
        f"peak memory of a worker process running chunks of {MAX_CHUNK} trials: "
        f"{worker / 2**20:,.0f} MiB (Dask workers: "
        f"{', '.join(f'{v / 2**20:,.0f}' for v in dask_peaks.values())} MiB; this process: "
        f"{peak_rss() / 2**20:,.0f} MiB)"
    )


if __name__ == "__main__":
    main()
