"""Drawing one synthetic Match year, and the published figures it is drawn from.

A trial is split in two so that strategies can share it:

* :func:`draw_market` (:mod:`.year`) draws everything about the national
  market that does not depend on the focal applicant (the user): programs
  (:mod:`.programs`), the applicant population (:mod:`.applicants`), their
  applications and screening (:mod:`.applications`), the programs'
  evaluations (:mod:`.evaluation`) and the interviews (:mod:`.interviews`).
* :func:`draw_focal` (:mod:`.focal`) adds independent copies of the focal
  applicant to that market, from noise drawn first by :func:`draw_focal_noise`.
* :func:`match_in_groups` and :func:`match_market` (:mod:`.match`) build
  everybody's rank-order lists (:mod:`.lists`) and run the engine
  (applicant-proposing, as the NRMP does).

All random numbers come from the per-stage generators of :func:`trial_streams`
(:mod:`.streams`); :func:`market_inputs` (:mod:`.inputs`) turns the published
tables of :mod:`.published` into the arrays a trial draws from, and
:mod:`.params` holds every behavioural parameter.  Model assumptions are
documented in ``docs/model.md``.  This package exports the steps of one trial;
everything else is imported from its module.
"""

from simulator.market.focal import copies_per_match, draw_focal, draw_focal_noise
from simulator.market.inputs import MarketInputs, market_inputs
from simulator.market.match import TrialOutcome, match_in_groups, match_market
from simulator.market.streams import trial_streams
from simulator.market.year import Market, draw_market

__all__ = [
    "Market",
    "MarketInputs",
    "TrialOutcome",
    "copies_per_match",
    "draw_focal",
    "draw_focal_noise",
    "draw_market",
    "market_inputs",
    "match_in_groups",
    "match_market",
    "trial_streams",
]
