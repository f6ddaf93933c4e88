"""The applications' draw: the shipped dense Bernoulli blocks against a linear-time sampler.

    python benchmarks/bench_applications.py                   # scales 0.5, 1, 2 and 4
    python benchmarks/bench_applications.py --scales 1 --repeats 5

Issue 13 asked for applications drawn in linear time (the dense draw's cells grow with the
square of ``market.scale``).  This times, on the same applicants, programs and inclusion
probabilities ``min(1, c_a w_p)`` (:func:`simulator.market.applications.draw_applications`):

- ``dense``: the shipped draw, one uniform per (applicant, program) cell of the specialties
  sought, with the programs' screens (signals left out: a no-op signaller);
- ``linear``: Poisson sampling by sequential thinning, without screens or signals (less
  work than the shipped stage does): per applicant, the programs of a specialty in
  descending weight; the certain ones taken, then from position ``j`` a geometric jump with
  the probability ``q`` of position ``j`` (the largest left), the program landed on kept
  with probability ``pi / q``; all applicants advance together, one NumPy pass per jump.

Both send the same number of applications on average (printed beside the expected
number), which a fair comparison needs.  Prints milliseconds (best of ``--repeats``) and
the ratio at each scale: where ``linear`` is slower, the dense draw is kept.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulator.engine.csr import segment_aranges
from simulator.market import market_inputs, trial_streams
from simulator.market.applicants import draw_applicants
from simulator.market.applications import (
    _inclusion_scale,
    _sought,
    draw_applications,
    kind_weights,
)
from simulator.market.evaluation import known_merit
from simulator.market.programs import draw_programs
from simulator.market.published import load_published
from simulator.scenario import load_scenario
from simulator.study.memory import keep_freed_memory


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.5,1,2,4")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="scenarios/default.toml")
    args = parser.parse_args()
    keep_freed_memory()
    params = load_scenario(args.scenario).params
    print(f"{'scale':>6} {'dense ms':>9} {'linear ms':>10} {'linear/dense':>13}  applications")
    for scale in (float(s) for s in args.scales.split(",")):
        market = Market(market_inputs(load_published(), scale), params)
        dense, sent = market.best_ms(market.dense, args.repeats)
        linear, drawn = market.best_ms(market.linear, args.repeats)
        print(
            f"{scale:6g} {dense:9.0f} {linear:10.0f} {linear / dense:12.1f}x  "
            f"dense {sent:,} (of {int(market.size.sum()):,} cells), linear {drawn:,}, "
            f"expected {market.expected:,.0f}"
        )


class Market:
    """One trial's programs and applicants, and the inclusion probabilities of their cells."""

    def __init__(self, inputs, params):
        streams = trial_streams(2025, 0)
        self.inputs, self.params = inputs, params
        self.programs = draw_programs(inputs, params, streams["programs"], streams["geography"])
        self.applicants = draw_applicants(
            inputs, params, streams["applicants"], streams["geography"]
        )
        self.merit = known_merit(self.applicants, params)
        self._tables()

    def _tables(self):
        """Per (specialty, kind present) the weights in descending order and their programs,
        laid end to end; per seeker its table's start, its number of programs and its scale
        (as :func:`draw_applications` computes them)."""
        programs, applicants, params = self.programs, self.applicants, self.params
        _, kind_of, weights = kind_weights(programs, applicants, self.merit, params)
        n_specialties = len(self.inputs.specialties)
        seekers, sought, wanted = _sought(applicants, n_specialties, params)
        order = np.argsort(sought, kind="stable")
        seekers, sought, wanted = seekers[order], sought[order], wanted[order]
        bounds = np.searchsorted(sought, np.arange(n_specialties + 1))
        sorted_weights, sorted_programs, scales = [], [], []
        self.start = np.empty(seekers.size, dtype=np.int64)
        self.size = np.empty(seekers.size, dtype=np.int64)
        offset = 0
        for s in range(n_specialties):
            first, last = programs.specialty_indptr[s], programs.specialty_indptr[s + 1]
            rows = slice(bounds[s], bounds[s + 1])
            block = weights[:, first:last]
            block = block / block.sum(axis=1, keepdims=True)
            kind = kind_of[seekers[rows]]
            scales.append(_inclusion_scale(block, kind, wanted[rows]))
            present = np.unique(kind)
            descending = np.argsort(-block[present], axis=1, kind="stable")
            sorted_weights.append(np.take_along_axis(block[present], descending, 1).ravel())
            sorted_programs.append((descending + first).ravel())
            table = offset + np.arange(present.size) * (last - first)
            self.start[rows] = table[np.searchsorted(present, kind)]
            self.size[rows] = last - first
            offset += present.size * (last - first)
        self.weights = np.concatenate(sorted_weights)
        self.program_of = np.concatenate(sorted_programs)
        self.scale = np.concatenate(scales).astype(np.float64)
        self.expected = float(np.minimum(wanted, self.size).sum())

    def best_ms(self, draw, repeats):
        best, count = np.inf, 0
        for repeat in range(repeats):
            rng = np.random.default_rng(repeat)
            started = time.perf_counter()
            count = draw(rng)
            best = min(best, time.perf_counter() - started)
        return best * 1e3, count

    def dense(self, rng) -> int:
        """The shipped draw (with screens; a no-op signaller): applications sent."""

        def no_signals(part, count, hits, specialty):
            return np.zeros(hits.size, dtype=np.uint8)

        who, *_ = draw_applications(
            self.programs, self.applicants, self.merit, self.inputs, self.params, rng, no_signals
        )
        return who.size

    def linear(self, rng) -> int:
        """Sequential thinning (see the module docstring): applications drawn, as programs."""
        rows, places = self.linear_places(rng)
        return np.take(self.program_of, self.start[rows] + places).size

    def linear_places(self, rng):
        """Sequential thinning: each application drawn as (seeker, its program's place in the
        seeker's descending weights)."""
        scale, weights, start, size = self.scale, self.weights, self.start, self.size
        everywhere = ~np.isfinite(scale)  # wanted at least every program: all of them
        rows = np.flatnonzero(everywhere)
        drawn = [np.repeat(rows, size[rows])], [segment_aranges(np.zeros_like(rows), size[rows])]
        position = np.zeros(scale.size, dtype=np.int64)
        live = np.flatnonzero(~everywhere & (scale > 0))
        while live.size:  # the certain programs, heaviest first
            sure = scale[live] * weights[start[live] + position[live]] >= 1.0
            if not sure.any():
                break
            live = live[sure]
            drawn[0].append(live)
            drawn[1].append(position[live].copy())
            position[live] += 1
            live = live[position[live] < size[live]]
        live = np.flatnonzero(~everywhere & (scale > 0) & (position < size))
        # Each live applicant's state, kept compact (filtered, not gathered, each jump).
        c, base, at, end = scale[live], start[live], position[live], size[live]
        q = c * weights[base + at]
        while live.size:
            at += np.floor(rng.standard_exponential(live.size) / -np.log1p(-q)).astype(np.int64)
            inside = at < end
            live, c, base, at, end, q = (x[inside] for x in (live, c, base, at, end, q))
            kept = rng.random(live.size) * q < c * weights[base + at]
            drawn[0].append(live[kept])
            drawn[1].append(at[kept])
            at += 1
            going = at < end
            q = np.zeros(live.size)
            q[going] = c[going] * weights[base[going] + at[going]]
            going &= q > 0
            live, c, base, at, end, q = (x[going] for x in (live, c, base, at, end, q))
        return np.concatenate(drawn[0]), np.concatenate(drawn[1])


if __name__ == "__main__":
    main()
