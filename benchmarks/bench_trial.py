"""Time one synthetic Match year end to end, stage by stage, as ``matchsim run`` plays it.

    python benchmarks/bench_trial.py              # full national scale
    python benchmarks/bench_trial.py --scale 0.1  # a tenth

Prints the median seconds of each stage over several trials (after a warm-up trial, as a
worker's later trials run: its first pages its memory in), in the order of
:func:`simulator.study.trials.simulate_trial`: the market draw (programs, applicants,
applications with signals, interviews), the population's rank-order lists and Match,
the population's SOAP, then your copies (their noise, their applications and
interviews, their outcomes alone in the matched market and in SOAP), and the whole
trial; then, on the population's lists with every couple member ranking alone, the
singles' Match by the engine and by the plain sequential reference, which must agree.
The machine's yardstick closes the report: the whole trial as a multiple of one
``numpy.sort`` of 4.5 million random int64 keys, timed after each trial (the median of
the trials' ratios: a noisy machine slows both alike; target: 5x or less).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulator.engine.kernel import deferred_acceptance
from simulator.engine.packed_sort import run_sort_seconds, whole_sort_is_faster
from simulator.engine.reference import deferred_acceptance_reference
from simulator.market import (
    draw_focal,
    draw_focal_noise,
    draw_market,
    market_inputs,
    match_population,
    place_copies,
    place_in_soap,
    run_soap,
    specialty_blocks,
    trial_streams,
)
from simulator.market.published import load_published
from simulator.scenario import load_scenario
from simulator.study.memory import keep_freed_memory


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="trials run first and left out of the median: a worker's first trial pages its "
        "memory in, which later trials reuse (simulator.study.memory)",
    )
    parser.add_argument("--scenario", default="scenarios/img-internal-medicine.toml")
    args = parser.parse_args()
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be at least 1 and --warmup at least 0")

    keep_freed_memory()  # as matchsim's workers do (simulator.study.executors)
    scenario = load_scenario(args.scenario)
    params, copies = scenario.params, scenario.market.focal_copies
    inputs = market_inputs(load_published(), args.scale)
    keys = yardstick_keys()
    rows = []
    for trial in range(args.warmup + args.repeats):
        timings = {}
        started = time.perf_counter()
        streams = trial_streams(scenario.seed, trial)
        market = draw_market(inputs, params, streams, timings=timings)
        clock = time.perf_counter()
        blocks = specialty_blocks(market.programs, inputs.specialties, scenario.you.sought)
        noise = draw_focal_noise(copies, market.programs.size, streams["focal"], blocks=blocks)
        timings["your copies' noise"] = time.perf_counter() - clock
        population = match_population(market, params, timings=timings)
        clock = time.perf_counter()
        soap = run_soap(market, population.match, population.pgy1, params, streams["soap"], copies)
        timings["SOAP, population"] = time.perf_counter() - clock
        clock = time.perf_counter()
        focal = draw_focal(market, scenario.you, noise, params, inputs.specialties)
        outcome = place_copies(population, focal, params)
        place_in_soap(outcome, soap, focal.applicants, scenario.you, params)
        timings["your copies' outcomes"] = time.perf_counter() - clock
        timings["whole trial"] = time.perf_counter() - started
        timings["sort"] = sort_seconds(keys, repeats=1)  # beside each trial: paired
        rows.append(timings)
    warmup, rows = rows[: args.warmup], rows[args.warmup :]

    # The singles' Match of the same lists (couple members ranking alone): the engine
    # against the plain sequential reference, which must agree.
    lists = population.lists
    arrays = (lists.rol_indptr, lists.rol_programs, lists.program_ranks, market.programs.positions)
    clock = time.perf_counter()
    singles = deferred_acceptance(*arrays, check_input=False)
    engine_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    reference = deferred_acceptance_reference(*arrays)
    reference_seconds = time.perf_counter() - clock
    assert np.array_equal(reference, singles), "engine and reference disagree"

    n = outcome.applicants.size
    print(
        f"one trial at scale {args.scale:g}: {n:,} applicants ({copies} focal copies), "
        f"{market.programs.size:,} programs, {market.programs.positions.sum():,} positions, "
        f"{int(outcome.sent.sum()):,} applications, {lists.rol_programs.size:,} rank-list entries; "
        f"median of {args.repeats} trials after {args.warmup} left out"
    )
    if warmup:
        print(
            f"  {'the first trial (memory paged in)':36s} {warmup[0]['whole trial'] * 1e3:8.0f} ms"
        )
    for stage in (stage for stage in rows[0] if stage != "sort"):  # the sort: last, below
        seconds = float(np.median([r[stage] for r in rows]))
        print(f"  {stage:36s} {seconds * 1e3:8.0f} ms")
    print(
        f"  {'singles-only match, engine':36s} {engine_seconds * 1e3:8.0f} ms "
        f"(the same lists without couples)"
    )
    print(
        f"  {'  pure-Python reference':36s} {reference_seconds * 1e3:8.0f} ms "
        f"({reference_seconds / engine_seconds:.0f}x the engine; same matching)"
    )

    whole, by_rows = run_sort_seconds(2**20, repeats=5)
    print(
        f"  {'sorts of runs, 2**20 keys':36s} {whole * 1e3:8.1f} ms as one sort, "
        f"{by_rows * 1e3:.1f} ms run by run as rows (this machine's choice: "
        f"{'one sort' if whole_sort_is_faster() else 'rows'}; engine.packed_sort)"
    )
    sort_ms = float(np.median([r["sort"] for r in rows])) * 1e3
    ratio = float(np.median([r["whole trial"] / r["sort"] for r in rows]))
    print(
        f"  {'one sort of 4.5M int64 keys':36s} {sort_ms:8.0f} ms "
        f"(the trial takes {ratio:.1f}x that, median of the trials' ratios to the sort timed "
        "after each; target 5x or less)"
    )


def yardstick_keys(size=4_500_000) -> np.ndarray:
    """The yardstick's keys: ``size`` random int64 keys."""
    return np.random.default_rng(0).integers(0, 2**62, size)


def sort_seconds(keys=None, repeats=5) -> float:
    """Best time of one ``numpy.sort`` of the yardstick's keys: the machine's yardstick."""
    keys = yardstick_keys() if keys is None else keys
    best = np.inf
    for _ in range(repeats):
        clock = time.perf_counter()
        np.sort(keys)
        best = min(best, time.perf_counter() - clock)
    return best


if __name__ == "__main__":
    main()
