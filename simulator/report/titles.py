"""The first line of every report: which version ran what, with how many trials and copies.

Also :func:`run_size`, the size of a study as plot titles show it.
"""

from __future__ import annotations

from simulator import __version__

__all__ = ["comparison_title", "run_size", "run_title", "sweep_title"]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def run_title(scenario) -> str:
    """The first line ``matchsim run`` prints: version, scenario, trials, copies, scale, seed."""
    return (
        f"matchsim {__version__} run of {scenario.name}: {_plural(scenario.trials, 'trial')} x "
        f"{_plural(scenario.market.focal_copies, 'copy', 'copies')} of you, "
        f"scale {scenario.market.scale:g}, seed {scenario.seed}"
    )


def comparison_title(scenario) -> str:
    """The first line ``matchsim compare`` prints."""
    return (
        f"matchsim {__version__} compare of {scenario.name}: {scenario.trials} trials x "
        f"{scenario.market.focal_copies} copies of you, scale {scenario.market.scale:g}, "
        f"seed {scenario.seed}"
    )


def sweep_title(scenario, key: str, values) -> str:
    """The first line ``matchsim sweep`` prints."""
    return (
        f"matchsim {__version__} sweep of {key} in {scenario.name}: {len(values)} values, "
        f"{scenario.trials} trials x {scenario.market.focal_copies} copies of you, scale "
        f"{scenario.market.scale:g}, seed {scenario.seed}"
    )


def run_size(scenario, *, scale: bool = True) -> str:
    """``100 trials x 64 copies, scale 1``: how much a study simulated, for plot titles."""
    size = f"{scenario.trials} trials x {scenario.market.focal_copies} copies"
    return f"{size}, scale {scenario.market.scale:g}" if scale else size
