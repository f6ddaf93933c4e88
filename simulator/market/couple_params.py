"""Couples' parameters (the ``[couples]`` section): who pairs up and how a couple ranks.

Each is documented, with its range, as every parameter of
:mod:`simulator.market.params` is; ``MarketParams.couples`` holds them and
:mod:`simulator.market.couples` uses them.  The number of couples is published
(1,259 in 2025, ``data/market_totals_2025.csv``); who they are and how they
rank pairs of programs is not: those are assumptions, named here.
"""

from __future__ import annotations

from simulator.market.fields import PerType, frozen, param, per_type, table

__all__ = ["CoupleParams"]


@frozen
class CoupleParams:
    """Couples: two applicants matching jointly, ranking pairs of programs."""

    share: float = param(
        1.0,
        "Couples drawn per published couple (NRMP 2025: 1,259 couples in the Match), times "
        "market.scale. 0: no couples, the singles-only Match.",
        0,
        3,
    )
    type_weight: PerType = table(
        per_type(us_md=1.0, us_do=1.0, us_img=0.02, non_us_img=0.02, other=0.02),
        "Relative chance that an applicant of a type is one of a couple. Assumption: the NRMP "
        "publishes the number of couples, not their types. Couples match a little less often "
        "than their members would alone, so the published 93.2%, close to US seniors' 93.5% "
        "and 92.6%, leaves room for few IMG couples (docs/model.md, couples).",
    )
    apart_penalty: float = param(
        8.0,
        "How many places further down a couple ranks a pair of programs in two different US "
        "Census divisions than a pair in one, at the same list places. Assumption: couples "
        "rank being together first.",
        0,
        100,
    )
    alone_penalty: float = param(
        16.0,
        "How many places further down a couple ranks a pair in which one of them goes "
        'unmatched ("-") than a pair in one division at the same list place. Assumption: '
        "the last resort of a couple's list.",
        0,
        100,
    )
    max_pairs: int = param(
        150,
        "Most pairs of programs on one couple's list. Assumption (the NRMP allows up to 300 "
        "ranks per list).",
        1,
        300,
    )
