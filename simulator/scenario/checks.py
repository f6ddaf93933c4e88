"""Rules between values: checks of a whole ``Focal``, ``MarketParams`` or ``MarketSettings``.

Each value passed its own check already; these rules involve several keys
(``you.usce_kind`` and ``you.usce_months``, shares of one whole) or the
published data (``market.scale`` must leave every applicant type someone).  A
``Blame`` names the layer to blame for the keys involved: the latest layer
(calibration file, scenario file, ``--set``) that set any of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from simulator.market.applicants import ONE_YEAR_TRACKS, advanced_specialty
from simulator.market.focal_params import Focal, Partner
from simulator.market.params import MarketParams
from simulator.scenario.model import MarketSettings
from simulator.scenario.values import error, num, show
from simulator.vocabulary import APPLICANT_TYPES, DIVISIONS

__all__ = ["Blame", "blame_by_layer", "check_focal", "check_market", "check_params"]

#: ``blame(keys)``: the file (or ``--set``) to name for a rule broken by ``keys``.
Blame = Callable[[tuple[str, ...]], object]

_SUM_TOLERANCE = 1e-9


def blame_by_layer(origins: Mapping[str, int], labels: list, fallback) -> Blame:
    """Blame the latest layer that set any of the keys (``fallback`` if none did).

    ``origins`` maps each dotted key set by some layer to that layer's index
    in ``labels`` (later layers have higher indices).
    """

    def blame(keys):
        layers = [origins[k] for k in keys if k in origins]
        return labels[max(layers)] if layers else fallback

    return blame


def check_focal(you: Focal, blame: Blame, shown: str = "") -> None:
    """Rules between fields of the focal applicant (and of their partner, if any)."""
    rules = (
        (
            you.usce_kind == "none" and you.usce_months != 0,
            ("usce_kind", "usce_months"),
            "usce_months",
            "0 when you.usce_kind is 'none'",
        ),
        (
            you.usce_kind == "observership" and you.observership_months != 0,
            ("usce_kind", "observership_months"),
            "observership_months",
            "0 when you.usce_kind is 'observership' (give all observership months as "
            "you.usce_months)",
        ),
        (
            you.specialty in ONE_YEAR_TRACKS,
            ("specialty",),
            "specialty",
            "a specialty that leads on to a career: a one-year preliminary or transitional "
            "year is ranked beside one, so give it as you.backup_specialty (and your main "
            "specialty as you.specialty)",
        ),
        (
            you.advanced and not _has_advanced_positions(you.specialty),
            ("specialty", "advanced"),
            "advanced",
            "false: you.specialty has no advanced (PGY-2) positions in the model (those that do: "
            "Anesthesiology, Dermatology, Neurology, Physical Medicine & Rehab, Radiation "
            "Oncology, Radiology-Diagnostic)",
        ),
        (
            you.advanced and you.backup_specialty == you.pgy1_track,
            ("backup_specialty", "pgy1_track"),
            "backup_specialty",
            "a specialty other than you.pgy1_track (your supplemental lists already go "
            "there), or '' for none",
        ),
        (
            bool(you.backup_specialty) and you.backup_specialty == you.specialty,
            ("specialty", "backup_specialty"),
            "backup_specialty",
            "a specialty other than you.specialty, or '' for none",
        ),
        (
            you.type != "non_us_img" and you.visa != "none",
            ("type", "visa"),
            "visa",
            f"'none' (only non-US IMGs need a visa; you.type is '{you.type}')",
        ),
    )
    _raise_first_broken(rules, you, "you.", blame, shown)
    _check_share_sum(
        "you.signal_reach_share",
        "you.signal_safer_share",
        you.signal_reach_share,
        you.signal_safer_share,
        blame,
        shown,
    )
    _check_partner(you, blame, shown)


def _raise_first_broken(rules, obj, prefix: str, blame: Blame, shown: str) -> None:
    """Raise the error of the first broken rule: ``(broken, the fields involved, the field
    to name, what was expected)``, fields of ``obj`` under the dotted ``prefix``."""
    for broken, fields, name, wanted in rules:
        if broken:
            raise error(
                blame(tuple(prefix + field for field in fields)),
                shown + prefix + name,
                wanted,
                show(getattr(obj, name)),
            )


def _check_partner(you: Focal, blame: Blame, shown: str) -> None:
    """Rules of ``[you.partner]``: a partner needs a specialty, and is described as you are."""
    partner, key = you.partner, "you.partner."
    if not partner.specialty:
        # A strategy may drop the scenario's partner by clearing the specialty alone.
        if partner != Partner() and not shown:
            raise error(
                blame(tuple(key + name for name in Partner.__dataclass_fields__)),
                shown + key + "specialty",
                "your partner's preferred specialty (a [you.partner] table describes a partner "
                "you rank with as a couple; remove it to rank alone)",
                show(partner.specialty),
            )
        return
    if you.advanced:
        raise error(
            blame(("you.advanced", key + "specialty")),
            shown + "you.advanced",
            "false with a partner: matchsim's couples rank pairs of PGY-1 and categorical "
            "programs, not advanced positions with supplemental lists",
            show(you.advanced),
        )
    rules = (
        (
            partner.specialty in ONE_YEAR_TRACKS,
            ("specialty",),
            "specialty",
            "a specialty that leads on to a career, not a one-year track",
        ),
        (
            partner.backup_specialty == partner.specialty,
            ("specialty", "backup_specialty"),
            "backup_specialty",
            "a specialty other than you.partner.specialty, or '' for none",
        ),
        (
            partner.type != "non_us_img" and partner.visa != "none",
            ("type", "visa"),
            "visa",
            f"'none' (only non-US IMGs need a visa; you.partner.type is '{partner.type}')",
        ),
        (
            partner.usce_kind == "none" and partner.usce_months != 0,
            ("usce_kind", "usce_months"),
            "usce_months",
            "0 when you.partner.usce_kind is 'none'",
        ),
    )
    _raise_first_broken(rules, partner, key, blame, shown)


def _check_share_sum(first: str, second: str, a: float, b: float, blame: Blame, shown: str):
    if a + b > 1 + _SUM_TOLERANCE:
        raise error(
            blame((first, second)),
            shown + second,
            f"at most {num(1 - a)} (1 - {first}; the two shares add up to at most 1)",
            show(b),
        )


def _has_advanced_positions(specialty: str) -> bool:
    from simulator.market import published  # lazy: the tables are read only when needed

    names = tuple(published.load_published().advanced_positions["specialty"])
    return advanced_specialty(names, specialty) is not None


def check_params(p: MarketParams, blame: Blame, shown: str = "") -> None:
    """Rules between population parameters: shares of one whole add up to at most 1."""
    _check_share_sum(
        "applicants.visa_j1_share",
        "applicants.visa_h1b_share",
        p.applicants.visa_j1_share,
        p.applicants.visa_h1b_share,
        blame,
        shown,
    )
    _check_share_sum(
        "programs.visa_none_share",
        "programs.visa_j1_h1b_share",
        p.programs.visa_none_share,
        p.programs.visa_j1_h1b_share,
        blame,
        shown,
    )
    for t in APPLICANT_TYPES:
        _check_share_sum(
            f"applicants.usce_hands_on_share.{t}",
            f"applicants.usce_none_share.{t}",
            getattr(p.applicants.usce_hands_on_share, t),
            getattr(p.applicants.usce_none_share, t),
            blame,
            shown,
        )
    if sum(p.geography.division_shares.values()) <= 0:
        keys = tuple(f"geography.division_shares.{d}" for d in DIVISIONS)
        raise error(
            blame(keys),
            shown + "geography.division_shares",
            "shares adding up to more than 0 (programs and applicants are placed in proportion "
            "to them)",
            "all 0",
        )


def check_market(market: MarketSettings, blame: Blame) -> None:
    """``market.scale`` must leave every applicant type at least one applicant.

    Counts are rounded as :func:`simulator.market.synth.market_inputs` rounds
    them (half to even), so a scale passing here draws a market there.
    """
    from simulator.market import published  # lazy: the tables are read only when needed

    counts = published.load_published().applicants_by_type.to_numpy(float)
    if np.round(counts * market.scale).min() < 1:
        enough = math.ceil(0.5 / counts.min() * 1e6) / 1e6  # the bound, rounded up
        raise error(
            blame(("market.scale",)),
            "market.scale",
            f"at least {enough:.6f} (one applicant of each type)",
            show(market.scale),
        )
