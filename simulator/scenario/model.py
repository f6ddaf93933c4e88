"""The resolved scenario: frozen dataclasses holding every checked value.

:class:`Scenario` holds who you are (:class:`~simulator.market.focal_params.Focal`),
how the market is drawn (:class:`~simulator.market.params.MarketParams`), which
market is simulated (:class:`MarketSettings`), how many trials to run and the
:class:`Strategy` alternatives to compare.  The ``doc`` and ``range`` metadata
of each field (:func:`~simulator.market.params.param`) is the schema that
files are checked against and the key reference is generated from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams, param

__all__ = [
    "AVAILABLE_YEARS",
    "MAX_SEED",
    "POPULATION_SECTIONS",
    "MarketSettings",
    "Scenario",
    "Strategy",
]

#: Match years whose published data ship with the package.
AVAILABLE_YEARS = (2025,)
#: Sections of a scenario holding population parameters (fields of ``MarketParams``).
POPULATION_SECTIONS = tuple(f.name for f in fields(MarketParams))
#: The largest seed: one that fits a signed 64-bit integer, so every output can store it.
MAX_SEED = 2**63 - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketSettings:
    """Which market is simulated, and how much of it."""

    year: int = param(
        2025, "Match year whose published data and calibration are used; only 2025 ships now."
    )
    scale: float = param(
        1.0,
        "Fraction of the national market simulated (0 < scale <= 1): every count of applicants, "
        "programs and positions is multiplied by it. Smaller runs faster, with coarser small "
        "specialties.",
        0,
        1,
    )
    focal_copies: int = param(
        512,
        "Independent copies of the focal applicant placed in each simulated market; each copy "
        "is one more observation of your outcome per trial, at about 0.25 ms of CPU (each gets "
        "its outcome alone in the market: copies never compete).",
        1,
        4096,
    )
    calibration: str = param(
        "",
        "Calibration file, relative to the scenario file (relative to the current directory "
        "when given with --set); empty for the shipped data/calibration_<year>.toml. Once "
        "loaded this holds the path of the file actually read.",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Strategy:
    """One alternative to compare: the scenario with some keys changed.

    ``changes`` lists the ``(dotted_key, value)`` pairs the strategy sets, in
    file order (``you.rank_list_length``, ``applicants.step2ck_shift.us_img``);
    ``you`` and ``params`` are the scenario's with those changes applied.
    """

    name: str
    you: Focal
    params: MarketParams
    changes: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A fully resolved, validated scenario.

    ``source`` is the scenario file as given, ``name`` its stem; ``overrides``
    are the ``--set`` strings applied on top of the file (kept for reports).
    """

    source: str = ""
    name: str = ""
    description: str = param("", "Free text saying what the scenario shows; printed in reports.")
    seed: int = param(
        2025,
        "Root of the seed tree: trial i draws from SeedSequence(seed, spawn_key=(i,)), so the "
        "same seed reproduces a run exactly, whatever the chunking or number of workers.",
        0,
        MAX_SEED,
    )
    trials: int = param(
        40,
        "Simulated Match years (independent markets). Each gives focal_copies observations of "
        "your outcome; more trials narrow the confidence intervals. 40 trials of 512 copies "
        "give about +-1 point near 50% in a large specialty; markets vary more in small "
        "specialties, which need more trials (docs/model.md, section 8).",
        1,
        100_000,
    )
    market: MarketSettings = field(default_factory=MarketSettings)
    you: Focal = field(default_factory=Focal)
    params: MarketParams = field(default_factory=MarketParams)
    strategies: tuple[Strategy, ...] = ()
    overrides: tuple[str, ...] = ()
