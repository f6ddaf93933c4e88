"""Copies of a focal applicant in a synthetic market, as the insertion tests draw them: placed
together by insertion, and each in a full Match of the population and it alone (the reference
insertion is checked against)."""

from __future__ import annotations

import numpy as np

from simulator.market import (
    draw_focal,
    draw_focal_noise,
    draw_market,
    match_market,
    match_solo_copies,
    trial_streams,
)


def drawn_copies(inputs, params, you, *, seed: int, trial: int, copies: int):
    """Trial ``trial``'s market of ``seed`` and ``copies`` copies of ``you`` put through it:
    ``(market, focal entries)``."""
    streams = trial_streams(seed, trial)
    market = draw_market(inputs, params, streams)
    noise = draw_focal_noise(copies, market.programs.size, streams["focal"])
    return market, draw_focal(market, you, noise, params, inputs.specialties)


def placed_and_alone(market, focal, params):
    """The copies placed by insertion (one outcome, the population's rows first) and each
    copy's outcome in a full Match with it alone (one per copy, its row last)."""
    together = match_solo_copies(market, focal, params)
    alone = [
        match_market(market, focal.subset(np.array([copy])), params)
        for copy in range(focal.sent.size)
    ]
    return together, alone
