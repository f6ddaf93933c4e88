"""Time the vectorised engine against the plain reference on an NRMP-scale market.

    python benchmarks/bench_engine.py            # full size: ~45,000 applicants
    python benchmarks/bench_engine.py --size small

Prints milliseconds per solve (median of several), proposals per second and
rounds for the engine (both proposing sides) and the reference, on the same
arrays in the same process, and the speed-up; and, if a C compiler is on the
PATH, a compiled single-thread heap-based deferred acceptance
(``benchmarks/heap_da.c``, with and without its input checks) as the yardstick
of issue 13: the engine with its default checks within 3x of it checked, timed in
interleaved pairs (the ratio is the median of the pairs').
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from simulator.engine.checks import deferred_acceptance_iv, rank_clash
from simulator.engine.kernel import solve
from simulator.engine.packed_sort import runs_repeat
from simulator.engine.reference import deferred_acceptance_reference

SIZES = {
    "small": dict(n_applicants=4_500, n_programs=600, n_positions=4_000, mean_ranks=11),
    "full": dict(n_applicants=45_000, n_programs=6_000, n_positions=40_000, mean_ranks=11),
}


def random_market(*, n_applicants, n_programs, n_positions, mean_ranks, rng):
    """A seeded market whose program preferences share a common applicant score.

    Applicants rank about ``mean_ranks`` programs, chosen with probability rising
    with program desirability and ordered by desirability plus personal taste;
    programs rank the applicants who ranked them by a common score plus noise,
    and leave about one in ten unranked.
    """
    size = rng.lognormal(0.0, 0.6, n_programs)
    capacities = 1 + rng.multinomial(n_positions - n_programs, size / size.sum())
    desirability = rng.normal(0.0, 1.0, n_programs)
    popularity = np.exp(0.7 * desirability) * capacities
    cdf = np.cumsum(popularity) / popularity.sum()

    wanted = np.clip(rng.poisson(mean_ranks, n_applicants), 1, n_programs)
    applicant = np.repeat(np.arange(n_applicants), wanted)
    program = np.minimum(np.searchsorted(cdf, rng.random(applicant.size)), n_programs - 1)
    pairs = np.unique(applicant * n_programs + program)  # drop repeated draws
    applicant, program = np.divmod(pairs, n_programs)

    taste = desirability[program] + rng.normal(0.0, 1.0, program.size)
    order = np.lexsort((-taste, applicant))
    applicant, program = applicant[order], program[order]
    rol_indptr = np.r_[0, np.cumsum(np.bincount(applicant, minlength=n_applicants))]

    score = rng.normal(0.0, 1.0, n_applicants)
    evaluation = score[applicant] + rng.normal(0.0, 0.5, program.size)
    by_program = np.lexsort((-evaluation, program))
    group_start = np.searchsorted(program[by_program], program[by_program], side="left")
    program_ranks = np.empty(program.size, dtype=np.int64)
    program_ranks[by_program] = np.arange(program.size) - group_start
    unranked = rng.random(program.size) < 0.1
    program_ranks[unranked] = n_applicants
    return rol_indptr, program, program_ranks, capacities


def chain_market(n: int):
    """The worst case for rounds: n applicants, n - 1 programs of one position, cyclic lists,
    so that each round turns away a single applicant (about n^2 proposals, one per round)."""
    m = n - 1
    lists = (np.arange(n)[:, None] + np.arange(m)[None, :]) % m
    ranks_of = (np.arange(n)[None, :] - np.arange(m)[:, None] - 1) % n  # program j: j+1, j+2 ...
    programs = lists.ravel()
    ranks = ranks_of[programs, np.repeat(np.arange(n), m)]
    return np.arange(0, n * m + 1, m), programs, ranks, np.ones(m, dtype=np.int64)


def compiled_heap_da():
    """``benchmarks/heap_da.c`` built with the system's C compiler, as a function of the
    engine's four arrays and ``check``; ``None`` if there is no compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    library = Path(tempfile.mkdtemp()) / "heap_da.so"
    source = Path(__file__).with_name("heap_da.c")
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", library, source], check=True)
    heap_da = ctypes.CDLL(str(library)).heap_da
    heap_da.restype = ctypes.c_int

    def solve_compiled(indptr, programs, ranks, caps, *, check=True):
        arrays = [np.ascontiguousarray(x, dtype=np.int64) for x in (indptr, programs, ranks, caps)]
        match = np.empty(arrays[0].size - 1, dtype=np.int64)
        pointer = ctypes.POINTER(ctypes.c_int64)
        indptr, programs, ranks, caps = (a.ctypes.data_as(pointer) for a in arrays)
        status = heap_da(
            ctypes.c_int64(match.size), indptr, programs, ranks,
            ctypes.c_int64(arrays[3].size), caps, ctypes.c_int(int(check)),
            match.ctypes.data_as(pointer),
        )  # fmt: skip
        if status:
            raise ValueError(f"heap_da: input check {status} failed")
        return match

    return solve_compiled


def median_ms(func, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times)), result


def paired_ms(yardstick, func, repeats):
    """Both timed in turn ``repeats`` times (a noisy machine slows both alike): the median
    milliseconds of each, the median of the per-pair ratios ``func / yardstick``, and the
    yardstick's result."""
    pairs = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = yardstick()
        middle = time.perf_counter()
        func()
        pairs.append((middle - start, time.perf_counter() - middle))
    first, second = np.array(pairs).T
    return 1e3 * np.median(first), 1e3 * np.median(second), float(np.median(second / first)), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=20250321)
    args = parser.parse_args()

    market = random_market(**SIZES[args.size], rng=np.random.default_rng(args.seed))
    indptr, programs, ranks, caps = market
    print(
        f"market ({args.size}): {indptr.size - 1:,} applicants, {caps.size:,} programs, "
        f"{caps.sum():,} positions, {programs.size:,} rank-list entries, seed {args.seed}"
    )
    rows = []
    for side in ("applicants", "programs"):
        for checked in (True, False):
            ms, stats = median_ms(lambda: solve(*market, side, check_input=checked), args.repeats)
            label = f"engine, {side} propose" + ("" if checked else ", no input check")
            rows.append((label, ms, stats.proposals, stats.rounds, stats.match))
    ms_ref, ref = median_ms(
        lambda: deferred_acceptance_reference(*market), 3 if args.size == "small" else 1
    )
    engine_match = rows[0][4]
    assert np.array_equal(engine_match, ref), "engine and reference disagree"
    ref_proposals = rows[0][2]
    print(
        f"{'implementation':45s} {'ms/solve':>10s} {'proposals/s':>14s} "
        f"{'rounds':>7s} {'speed-up':>9s}"
    )
    for label, ms, proposals, n_rounds, _ in rows:
        print(
            f"{label:45s} {ms:10.1f} {proposals / ms * 1e3:14,.0f} "
            f"{n_rounds:7d} {ms_ref / ms:8.0f}x"
        )
    print(
        f"{'reference (pure Python), applicants propose':45s} {ms_ref:10.1f} "
        f"{ref_proposals / ms_ref * 1e3:14,.0f} {'':>7s} {1:8.0f}x"
    )
    print(
        f"matched: {(engine_match < caps.size).sum():,} of {indptr.size - 1:,}; "
        "engine equals reference: yes"
    )
    ms_checks, _ = median_ms(lambda: deferred_acceptance_iv(*market), args.repeats)
    ms_lists, _ = median_ms(lambda: runs_repeat(programs.astype(np.int32), indptr[:-1]), 5)
    ms_ranks, _ = median_ms(lambda: rank_clash(programs, caps.size, ranks, indptr.size - 1), 5)
    print(
        f"input checks alone: {ms_checks:.1f} ms (an applicant's repeated program "
        f"{ms_lists:.1f} ms, a rank given twice by a program {ms_ranks:.1f} ms)"
    )
    compiled = compiled_heap_da()
    if compiled is None:
        print("compiled heap-based deferred acceptance: no C compiler on the PATH, skipped")
    else:
        for checked in (True, False):
            ms_c, engine_ms, ratio, match_c = paired_ms(
                lambda: compiled(*market, check=checked),
                lambda: solve(*market, "applicants", check_input=checked),
                args.repeats,
            )
            assert np.array_equal(match_c, ref), "compiled heap and reference disagree"
            checks = "with" if checked else "without"
            print(
                f"compiled heap (C, -O2), {checks} input checks: {ms_c:.1f} ms; the engine "
                f"{checks} its checks ({engine_ms:.1f} ms) takes {ratio:.1f}x that (median of "
                f"{args.repeats} interleaved pairs; target: 3x or less with checks); same matching"
            )
    n = 100 if args.size == "small" else 300
    chain = chain_market(n)
    ms_chain, stats = median_ms(lambda: solve(*chain), 3)
    ms_chain_ref, ref = median_ms(lambda: deferred_acceptance_reference(*chain), 1)
    assert np.array_equal(stats.match, ref), "engine and reference disagree on the chain"
    print(
        f"worst case for rounds ({n} applicants, {n - 1} single positions, "
        f"{stats.proposals:,} proposals): engine {ms_chain:.1f} ms, reference "
        f"{ms_chain_ref:.1f} ms ({ms_chain_ref / ms_chain:.1f}x)"
    )


if __name__ == "__main__":
    main()
