"""Focal copies by insertion: each copy's outcome equals a Match of the population and it alone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from copies import drawn_copies, placed_and_alone

from simulator.market import (
    draw_focal,
    draw_focal_noise,
    draw_market,
    market_inputs,
    match_market,
    match_solo_copies,
    trial_streams,
)
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams
from simulator.market.published import load_published

PROFILES = {
    "non-US IMG, Internal Medicine": Focal(),
    "US MD, Anesthesiology, short list": Focal(
        type="us_md",
        specialty="Anesthesiology",
        step2ck=238,
        visa="none",
        usce_kind="none",
        usce_months=0,
        applications=40,
        rank_list_length=4,
    ),
    "US IMG, Family Medicine with a backup": Focal(
        type="us_img",
        specialty="Family Medicine",
        backup_specialty="Psychiatry",
        step2ck=226,
        visa="none",
        applications=60,
    ),
}


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), 0.05)


@pytest.mark.parametrize("profile", PROFILES, ids=list(PROFILES))
@pytest.mark.parametrize("trial", [0, 1])
def test_each_copy_gets_what_a_match_with_it_alone_gives(inputs, profile, trial):
    params, you = MarketParams(), PROFILES[profile]
    market, focal = drawn_copies(inputs, params, you, seed=5, trial=trial, copies=12)
    together, alone = placed_and_alone(market, focal, params)
    n = market.applicants.size
    population = match_market(market, None, params)
    np.testing.assert_array_equal(together.matched_program[:n], population.matched_program)
    np.testing.assert_array_equal(together.filled_by_type, population.filled_by_type)
    for copy, single in enumerate(alone):
        for name in ("matched_program", "matched_rank", "rol_length", "contiguous_ranks"):
            assert getattr(together, name)[n + copy] == getattr(single, name)[n], (copy, name)


def test_copies_do_not_compete(inputs):
    """A copy's outcome does not depend on how many other copies there are."""
    params, streams = MarketParams(), trial_streams(9, 0)
    market = draw_market(inputs, params, streams)
    noise = draw_focal_noise(20, market.programs.size, streams["focal"])
    per_copy = [f.name for f in dataclasses.fields(noise) if f.name != "column"]
    few = dataclasses.replace(noise, **{name: getattr(noise, name)[:5] for name in per_copy})
    many_out = match_solo_copies(market, draw_focal(market, Focal(), noise, params,
                                                    inputs.specialties), params)  # fmt: skip
    few_out = match_solo_copies(market, draw_focal(market, Focal(), few, params,
                                                   inputs.specialties), params)  # fmt: skip
    n = market.applicants.size
    np.testing.assert_array_equal(many_out.matched_program[n : n + 5], few_out.matched_program[n:])
