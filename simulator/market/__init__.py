"""Drawing one synthetic Match year, and the published figures it is drawn from.

A trial is split in two so that strategies can share it:

* :func:`draw_market` (:mod:`.year`) draws everything about the national
  market that does not depend on the focal applicant (the user): programs
  (:mod:`.programs`), the applicant population (:mod:`.applicants`), their
  applications and screening (:mod:`.applications`), the programs'
  evaluations (:mod:`.evaluation`) and the interviews (:mod:`.interviews`).
* :func:`draw_focal` (:mod:`.focal`) adds independent copies of the focal
  applicant to that market, from noise drawn first by :func:`draw_focal_noise`.
* :func:`match_solo_copies` (:mod:`.match`) builds everybody's rank-order
  lists (:mod:`.lists`), runs the engine (applicant-proposing, as the NRMP
  does) on the population, and gives each copy its outcome alone in that
  market; :func:`match_market` runs one Match of the population and copies.
* :func:`run_soap` (:mod:`.soap`) runs SOAP after the population's Match, and
  :func:`place_in_soap` gives each unmatched copy its SOAP alone in it, from
  noise drawn first by :func:`draw_soap_noise`.

All random numbers come from the per-stage generators of :func:`trial_streams`
(:mod:`.streams`); :func:`market_inputs` (:mod:`.inputs`) turns the published
tables of :mod:`.published` into the arrays a trial draws from, and
:mod:`.params` holds every behavioural parameter.  Model assumptions are
documented in ``docs/model.md``.  This package exports the steps of one trial;
everything else is imported from its module.
"""

from simulator.market.focal import draw_focal, draw_focal_noise, specialty_blocks
from simulator.market.inputs import MarketInputs, market_inputs
from simulator.market.match import (
    TrialOutcome,
    match_market,
    match_population,
    match_solo_copies,
    place_copies,
)
from simulator.market.soap import draw_soap_noise, place_in_soap, run_soap
from simulator.market.streams import trial_streams
from simulator.market.year import Market, draw_market

__all__ = [
    "Market",
    "MarketInputs",
    "TrialOutcome",
    "draw_focal",
    "draw_focal_noise",
    "draw_market",
    "draw_soap_noise",
    "market_inputs",
    "match_market",
    "match_population",
    "match_solo_copies",
    "place_copies",
    "place_in_soap",
    "run_soap",
    "specialty_blocks",
    "trial_streams",
]
