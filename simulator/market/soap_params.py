"""SOAP's parameters (the ``[soap]`` section): the offer rounds after the Main Match.

Each is documented, with its range, as every parameter of
:mod:`simulator.market.params` is; ``MarketParams.soap`` holds them and
:mod:`simulator.market.soap` uses them.  docs/model.md (SOAP) says how the
fitted ones were chosen.
"""

from __future__ import annotations

from simulator.market.fields import frozen, param

__all__ = ["SOAP_APPLICATION_LIMIT", "SoapParams"]

#: The most SOAP applications an applicant may send: the NRMP's limit (domain notes).
SOAP_APPLICATION_LIMIT = 45


@frozen
class SoapParams:
    """SOAP, the Supplemental Offer and Acceptance Program after the Main Match."""

    rounds: int = param(
        4, "Offer rounds in Match Week. Assumption: recent SOAP schedules had four.", 1, 20
    )
    applications: int = param(
        SOAP_APPLICATION_LIMIT,
        "Most SOAP applications one applicant sends: the NRMP's limit (domain notes).",
        1,
        SOAP_APPLICATION_LIMIT,
    )
    offers_per_position: float = param(
        1.0,
        "Offers a program makes in a round per position still open, rounded up; at most one, "
        "so acceptances never exceed positions. Assumption (the NRMP's rule).",
        0.01,
        1,
    )
    participation: float = param(
        0.6,
        "Share of unmatched registered applicants who take part in SOAP (the rest withdrew, "
        "lack ECFMG certification or do not apply). Assumption; the bars are fitted given it.",
        0,
        1,
    )
    acceptability_bar: float = param(
        7.5,
        "In round 1 programs offer SOAP positions only to applicants evaluated at or above "
        "it, leaving positions open rather than go lower. Calibrated by hand to the fill share.",
        -20,
        20,
    )
    bar_drop: float = param(
        1.8,
        "How far programs lower that floor each round after the first, as Match Week goes on. "
        "Calibrated by hand to the rounds (60% filled in round 1, 80% by round 2).",
        0,
        20,
    )
    evaluation_noise_sd: float = param(
        5.75,
        "What one program alone sees in a SOAP application (SD): how little programs' offers "
        "collide. Calibrated by hand to the rounds (60% filled in round 1, 80% by round 2).",
        0,
        10,
    )
