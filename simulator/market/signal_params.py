"""Geography and preference signals: the ``[geography]`` and ``[signals]`` sections.

Each parameter is documented, with its range, as every parameter of
:mod:`simulator.market.params` is; :mod:`simulator.market.geography` and
:mod:`simulator.market.signals` use them.  docs/model.md (signals and
geography) says how the calibrated ones were fitted.
"""

from __future__ import annotations

from simulator.market.fields import frozen, param, table
from simulator.vocabulary import DIVISIONS

__all__ = ["GeographyParams", "PerDivision", "SignalParams"]


def _share(value: float, division: str) -> float:
    return param(value, f"Share of programs in the {division} division.", 0, 1)


@frozen
class PerDivision:
    """One share per US Census division, adding up to 1."""

    new_england: float = _share(0.06, "New England")
    middle_atlantic: float = _share(0.17, "Middle Atlantic")
    east_north_central: float = _share(0.16, "East North Central")
    west_north_central: float = _share(0.06, "West North Central")
    south_atlantic: float = _share(0.20, "South Atlantic")
    east_south_central: float = _share(0.05, "East South Central")
    west_south_central: float = _share(0.11, "West South Central")
    mountain: float = _share(0.05, "Mountain")
    pacific: float = _share(0.14, "Pacific")

    def values(self) -> tuple[float, ...]:
        """The shares in the order of ``DIVISIONS``."""
        return tuple(getattr(self, name) for name in DIVISIONS)


@frozen
class GeographyParams:
    """Where programs are and where applicants want to be."""

    division_shares: PerDivision = table(
        PerDivision,
        "Share of programs (and of applicants' home divisions) in each US Census division. "
        "Assumption: no table of positions by division is in data/; these lean to the Middle "
        "Atlantic and the Northeast more than the population does, as residency positions do. "
        "A program's state is drawn evenly among its division's states (assumption).",
    )
    stated_preference_share: float = param(
        0.7,
        "Share of applicants who state a geographic preference (for their home division) on "
        "ERAS. Assumption: most applicants state one; no published share is in the domain notes.",
        0,
        1,
    )
    home_application_weight: float = param(
        0.7,
        "How much more applicants favour programs in their home division when applying (log "
        "weight: 0.7 is about twice as likely). Assumption.",
        0,
        5,
    )
    home_preference: float = param(
        0.3,
        "How much applicants prefer programs in their home division when signalling and ranking "
        "(desirability units, where programs' desirability has SD 1). Assumption.",
        0,
        5,
    )


@frozen
class SignalParams:
    """ERAS preference signals, and what programs make of signals and geography."""

    budget_scale: float = param(
        1.0,
        "Multiplies every specialty's signal counts (data/signal_counts.csv and the assumed "
        "counts below), rounded: 0 switches signals off for everyone.",
        0,
        10,
    )
    assumed_gold: int = param(
        3,
        "Gold signals per applicant in specialties without a published count. Assumption: "
        "recent ERAS cycles mostly use 3-5 gold signals where there are two tiers.",
        0,
        100,
    )
    assumed_silver: int = param(
        10,
        "Silver (or single-tier) signals per applicant in specialties without a published "
        "count. Assumption.",
        0,
        100,
    )
    policy: str = param(
        "most_preferred",
        "Where the population sends its signals: most_preferred (the programs it most wants "
        "among those it applies to, so many go to reach programs), best_chance (the least "
        "desirable, where an invitation is likelier) or spread (evenly down its preference "
        "order). Assumption.",
    )
    silver_bonus: float = param(
        2.46,
        "What a silver (or single-tier) signal adds to a program's evaluation when it chooses "
        "whom to interview (evaluation points; not when ranking). Calibrated to the published "
        "odds ratio of an interview with a signal, 2.71 to 9.07 (Romanoski et al. 2025).",
        0,
        20,
        calibrated=True,
    )
    gold_bonus: float = param(
        4.73,
        "What a gold signal adds when choosing whom to interview. Calibrated to Anesthesiology's "
        "interview rates with a gold (57%) and a silver (31%) signal.",
        0,
        20,
        calibrated=True,
    )
    geographic_bonus: float = param(
        1.13,
        "What a stated geographic preference for the program's division adds when choosing "
        "whom to interview. Calibrated to the published odds ratio 1.83 to 2.75.",
        0,
        20,
        calibrated=True,
    )
    in_state_bonus: float = param(
        1.91,
        "What an applicant from the program's state (a US senior's school state; a US IMG's or "
        "other applicant's home state; non-US IMGs have none) adds when choosing whom to "
        "interview. Calibrated to the published odds "
        "ratio 2.45 to 5.14.",
        0,
        20,
        calibrated=True,
    )
