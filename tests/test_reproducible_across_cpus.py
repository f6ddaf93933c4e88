"""Same scenario and seed, same numbers on every CPU: NumPy's code paths for the CPU's
instruction sets (AVX2, AVX-512, ...) must not change a trial.

NumPy picks a sort, partition or math kernel by what the CPU offers; a result that
depends on an order those kernels leave unspecified (``argpartition``'s, or a sort's among
ties) would differ between machines.  A trial is hashed here with every dispatched code
path allowed and with all of them disabled (``NPY_DISABLE_CPU_FEATURES``), in fresh
interpreters.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from simulator.market import couples as couples_module
from simulator.market import market_inputs, trial_streams
from simulator.market.applicants import draw_applicants
from simulator.market.published import load_published
from simulator.scenario import load_scenario

TRIAL_HASH = """
import hashlib, dataclasses
import numpy as np
from simulator.market import (draw_market, market_inputs, match_population, run_soap,
    trial_streams)
from simulator.market.published import load_published
from simulator.scenario import load_scenario

def feed(digest, obj, depth=0):
    if isinstance(obj, np.ndarray):
        digest.update(np.ascontiguousarray(obj).tobytes())
    elif dataclasses.is_dataclass(obj) and depth < 3:
        for f in dataclasses.fields(obj):
            feed(digest, getattr(obj, f.name), depth + 1)

scenario = load_scenario("scenarios/default.toml")
inputs = market_inputs(load_published(), 0.05)
digest = hashlib.sha256()
for trial in range(2):
    streams = trial_streams(scenario.seed, trial)
    market = draw_market(inputs, scenario.params, streams)
    population = match_population(market, scenario.params)
    soap = run_soap(market, population.match, population.pgy1, scenario.params,
                    streams["soap"], 0)
    for part in (market, population.outcome, soap):
        feed(digest, part)
print(digest.hexdigest())
"""


def _trial_hash(env) -> str:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run(
        [sys.executable, "-c", TRIAL_HASH],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_trial_is_the_same_with_numpys_cpu_specific_code_paths_disabled():
    from numpy._core._multiarray_umath import __cpu_dispatch__

    env = {k: v for k, v in os.environ.items() if not k.startswith("NPY_")}
    plain = _trial_hash(env)
    disabled = _trial_hash(env | {"NPY_DISABLE_CPU_FEATURES": " ".join(__cpu_dispatch__)})
    assert len(plain) == 64
    assert plain == disabled


def test_couples_do_not_depend_on_the_order_argpartition_returns(monkeypatch):
    """argpartition leaves the order of what it selects unspecified: reversing it must not
    change the couples."""
    scenario = load_scenario("scenarios/default.toml")
    inputs = market_inputs(load_published(), 0.05)
    streams = trial_streams(scenario.seed, 0)
    applicants = draw_applicants(
        inputs, scenario.params, streams["applicants"], streams["geography"]
    )

    def couples():
        rng = np.random.default_rng(3)
        return couples_module.draw_couples(applicants, inputs, scenario.params, rng)

    before = couples()
    assert before.shape[0] > 0
    real = np.argpartition

    def reversed_head(a, k):  # still a partition at k: the same first k + 1, reversed
        order = real(a, k)
        return np.concatenate([order[: k + 1][::-1], order[k + 1 :]])

    monkeypatch.setattr(couples_module.np, "argpartition", reversed_head)
    np.testing.assert_array_equal(couples(), before)
