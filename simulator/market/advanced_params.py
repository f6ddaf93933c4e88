"""Advanced positions' parameters (the ``[advanced]`` section): who seeks a PGY-2 position.

Each is documented, with its range, as every parameter of
:mod:`simulator.market.params` is; ``MarketParams.advanced`` holds them and
:mod:`simulator.market.applicants` and :mod:`simulator.market.applications` use
them.  The advanced positions themselves are in ``data/advanced_positions_2025.csv``
(their total is published; their split among specialties is an assumption).
"""

from __future__ import annotations

from simulator.market.fields import frozen, param

__all__ = ["AdvancedParams"]


@frozen
class AdvancedParams:
    """Applicants seeking an advanced (PGY-2) position, with a supplemental PGY-1 list."""

    share: float = param(
        1.0,
        "Applicants seeking an advanced (PGY-2) position per one the model's figures give "
        "(below). 0: nobody seeks one, and there are no supplemental lists.",
        0,
        3,
    )
    applicants_per_position: float = param(
        1.25,
        "Registered applicants whose main choice is an advanced (PGY-2) specialty, per "
        "advanced position, where Charting Outcomes publishes no count of the US MD seniors "
        "preferring it (Anesthesiology, Neurology, Radiation Oncology and the pooled rest; "
        "Dermatology, Diagnostic Radiology and Physical Medicine & Rehab use theirs); each "
        "type in the proportions of the specialty's published PGY-1 applicants "
        "(data/advanced_positions_2025.csv, column pgy1_specialty). Assumption: the NRMP's "
        "PGY-2 applicant counts are not in data/.",
        0,
        5,
    )
    pgy1_application_share: float = param(
        0.35,
        "Share of an advanced seeker's applications sent to their one-year PGY-1 track "
        "(preliminary medicine or surgery, transitional year, drawn in the proportions of the "
        "type's published applicants ranking each), whose interviews make the supplemental "
        "list of every advanced program they rank. Assumption.",
        0.05,
        0.9,
    )
