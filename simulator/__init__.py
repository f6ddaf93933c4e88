"""matchsim: a probabilistic simulator of the US residency Match (NRMP).

The public Python API (``docs/api.md``)::

    import simulator as ms
    sc = ms.load_scenario("scenarios/img-internal-medicine.toml", overrides={"trials": 4})
    res = ms.run(sc, workers=1)        # res.you, res.by_type, res.applicants, res.programs
    cmp = ms.compare(sc, workers=1)    # cmp.table: one row per [[strategies]] entry
    sw = ms.sweep(sc, "you.step2ck", [230, 250], workers=1)   # the table of sweep.csv
    ms.deferred_acceptance(...)        # the matching engine

Names other than the engine's are imported when first used, so that worker
processes, which import the package to run trials, start quickly.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from simulator.engine import blocking_pairs, deferred_acceptance
from simulator.errors import DataError, MatchsimError, RunError, ScenarioError

try:
    __version__ = version("matchsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

#: Public names imported on first use, and the module that defines each.
_LAZY = {
    "load_scenario": "simulator.scenario",
    "with_changes": "simulator.scenario",
    "Scenario": "simulator.scenario",
    "run": "simulator.api",
    "compare": "simulator.api",
    "sweep": "simulator.api",
    "RunResult": "simulator.report.results",
    "ComparisonResult": "simulator.report.results",
    "Proportion": "simulator.stats",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])


__all__ = [
    "ComparisonResult",
    "DataError",
    "MatchsimError",
    "Proportion",
    "RunError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "blocking_pairs",
    "compare",
    "deferred_acceptance",
    "load_scenario",
    "run",
    "sweep",
    "with_changes",
]
