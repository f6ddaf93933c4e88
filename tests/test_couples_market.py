"""Couples in the synthetic market: who they are, what they rank, how they are matched."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from copies import drawn_copies, placed_and_alone

from simulator.engine import deferred_acceptance, roth_peranson
from simulator.engine.csr import segment_ids
from simulator.market import (
    draw_market,
    market_inputs,
    match_population,
    trial_streams,
)
from simulator.market.couples import couple_lists
from simulator.market.focal_params import Focal
from simulator.market.lists import rank_order_lists
from simulator.market.params import MarketParams
from simulator.market.published import load_published
from simulator.report.outcomes import type_lines
from simulator.stats import proportion
from simulator.study.tallies import couples_summary
from simulator.vocabulary import APPLICANT_TYPES

SCALE = 0.1


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), SCALE)


@pytest.fixture(scope="module")
def market(inputs):
    return draw_market(inputs, MarketParams(), trial_streams(11, 0))


def _with(params: MarketParams, **couples) -> MarketParams:
    return dataclasses.replace(params, couples=dataclasses.replace(params.couples, **couples))


def test_the_published_number_of_couples_scaled_each_applicant_in_one_at_most(inputs, market):
    published = load_published().market("couples")
    assert inputs.couples == round(published * SCALE)
    couples = market.couples
    assert couples.shape == (inputs.couples, 2)
    assert np.unique(couples).size == couples.size  # nobody in two couples, or twice in one
    assert couples.min() >= 0 and couples.max() < market.applicants.size


def test_couples_are_drawn_by_type_weight_and_share_a_home_division(inputs):
    params = MarketParams()
    market = draw_market(inputs, params, trial_streams(3, 1))
    kind = market.applicants.type[market.couples.ravel()]
    # Members per applicant of each type follow the weights (US seniors far more often).
    per_applicant = np.bincount(kind, minlength=len(APPLICANT_TYPES)) / np.bincount(
        market.applicants.type, minlength=len(APPLICANT_TYPES)
    )
    us_md, non_us = APPLICANT_TYPES.index("us_md"), APPLICANT_TYPES.index("non_us_img")
    assert per_applicant[us_md] > 3 * per_applicant[non_us]  # the weights are 1 and 0.1
    home = market.applicants.home_division[market.couples]
    # Paired in order of home division: at most one couple per division boundary is split.
    assert (home[:, 0] != home[:, 1]).sum() <= 8


def test_no_couples_when_share_is_zero_and_the_match_is_plain_deferred_acceptance(inputs):
    """Without couples (and without advanced seekers' supplemental lists)."""
    params = _with(MarketParams(), share=0.0)
    params = dataclasses.replace(params, advanced=dataclasses.replace(params.advanced, share=0.0))
    market = draw_market(inputs, params, trial_streams(11, 0))
    assert market.couples.shape == (0, 2)
    lists = rank_order_lists(market, None, params)
    outcome = match_population(market, params).outcome
    expected = deferred_acceptance(
        lists.rol_indptr, lists.rol_programs, lists.program_ranks, market.programs.positions
    )
    np.testing.assert_array_equal(outcome.matched_program, expected)
    assert not outcome.in_couple.any() and outcome.stable


def test_couple_lists_are_valid_engine_input_built_from_the_members_own_lists(market):
    params = MarketParams()
    lists = rank_order_lists(market, None, params)
    pairs = couple_lists(lists, market.couples, market.programs, params)
    p, n = market.programs.size, market.applicants.size
    # The engine's own input checks accept them (ranks agree, no pair twice, ...).
    roth_peranson(**pairs.engine_arguments(market.programs.positions))
    assert np.diff(pairs.couple_indptr).max() <= params.couples.max_pairs
    couple = segment_ids(pairs.couple_indptr)
    for side in (0, 1):
        member = market.couples[couple, side]
        named = pairs.pair_programs[:, side] < p
        own = set(zip(segment_ids(lists.rol_indptr).tolist(), lists.rol_programs.tolist()))
        assert all((m, q) in own for m, q in zip(member[named], pairs.pair_programs[named, side]))
    # Each couple's pairs in order of places: the two members' places on their own lists,
    # plus apart_penalty for two divisions; a lone pair at its member's place plus
    # alone_penalty (checked pair by pair, in plain Python).
    who = segment_ids(lists.rol_indptr)
    place = {
        (a, q): e - lists.rol_indptr[a] for e, (a, q) in enumerate(zip(who, lists.rol_programs))
    }
    division = market.programs.division
    c = params.couples
    for k in range(len(market.couples)):
        first, second = market.couples[k].tolist()
        keys = []
        for a, b in pairs.pair_programs[pairs.couple_indptr[k] : pairs.couple_indptr[k + 1]]:
            if a < p and b < p:
                keys.append(
                    place[first, a]
                    + place[second, b]
                    + c.apart_penalty * (division[a] != division[b])
                )
            else:
                keys.append((place[first, a] if a < p else place[second, b]) + c.alone_penalty)
        assert keys == sorted(keys), k
        both_listed = min(np.diff(lists.rol_indptr)[[first, second]]) > 0
        if both_listed and keys:
            assert (pairs.pair_programs[pairs.couple_indptr[k]] < p).all()  # both matched first
    # The singles' lists hand the engine no entry of a couple member.
    assert not np.isin(segment_ids(pairs.rol_indptr), market.couples.ravel()).any()
    assert pairs.rol_indptr.size == n + 1


@pytest.mark.parametrize(("share", "trial", "stable"), [(3.0, 0, False), (1.0, 2, True)])
def test_couples_match_to_a_pair_on_their_list_and_the_matching_is_feasible(
    inputs, share, trial, stable
):
    """Whether or not the procedure reaches a stable matching (with three times the couples,
    trial 0's make it cycle: a stable matching need not exist; trial 2 of the shipped
    market reaches one), each couple holds a pair of its list or nothing and no program
    is over-filled."""
    params = _with(MarketParams(), share=share)
    market = draw_market(inputs, params, trial_streams(11, trial))
    outcome = match_population(market, params).outcome
    assert outcome.stable == stable
    lists = rank_order_lists(market, None, params)
    pairs = couple_lists(lists, market.couples, market.programs, params)
    p = market.programs.size
    got = outcome.matched_program[market.couples]
    couple = segment_ids(pairs.couple_indptr)
    listed = set(zip(couple.tolist(), map(tuple, pairs.pair_programs.tolist())))
    for c, (a, b) in enumerate(got.tolist()):
        assert (a, b) == (p, p) or (c, (a, b)) in listed
    assert outcome.in_couple[market.couples.ravel()].all()
    assert outcome.in_couple.sum() == market.couples.size
    # Positions are never over-filled.
    filled = np.bincount(outcome.matched_program, minlength=p + 1)[:p]
    assert (filled <= market.programs.positions).all()


def test_couples_match_less_often_than_the_same_applicants_as_singles(inputs):
    """Joint lists constrain: members match less often than they would alone, but not
    much less (the published couples' rate, 93.2%, is close to US seniors')."""
    rates = {}
    for share in (0.0, 1.0):
        params = _with(MarketParams(), share=share)
        streams = trial_streams(11, 0)
        market = draw_market(inputs, params, streams)
        members = draw_market(inputs, MarketParams(), trial_streams(11, 0)).couples.ravel()
        outcome = match_population(market, params).outcome
        active = outcome.rol_length[members] > 0
        rates[share] = outcome.matched[members][active].mean()
    assert rates[1.0] <= rates[0.0]
    assert rates[1.0] > rates[0.0] - 0.12


def test_most_markets_reach_a_stable_matching():
    """Couples can make a stable matching impossible; the model's couples should rarely
    do so: at a tenth of the nation, most of eight trials end stable (6 of 8, seed 11)."""
    inputs = market_inputs(load_published(), SCALE)
    params = MarketParams()
    stable = [
        match_population(draw_market(inputs, params, trial_streams(11, t)), params).outcome.stable
        for t in range(8)
    ]
    assert sum(stable) >= 6


def test_a_copy_placed_by_insertion_gets_what_a_match_with_it_alone_gives_nearly_always(inputs):
    """Insertion is exact for singles; a couple member a copy's chain turns away goes on down
    its own list instead of withdrawing its partner, so agreement with the NRMP procedure
    run on the population and the copy is measured, not assumed (docs/model.md, §7)."""
    params, copies = MarketParams(), 16
    agree = total = 0
    for trial in range(2):
        market, focal = drawn_copies(inputs, params, Focal(), seed=21, trial=trial, copies=copies)
        together, alone = placed_and_alone(market, focal, params)
        n = market.applicants.size
        for copy, single in enumerate(alone):
            agree += together.matched_program[n + copy] == single.matched_program[n]
            total += 1
    assert agree / total >= 0.9


def test_the_summary_counts_couple_members_and_trials_without_a_stable_matching():
    couples = pd.DataFrame(
        {"strategy": ["you"] * 3, "trial": [0, 1, 2], "n": [100, 90, 110], "matched": [92, 81, 99]}
    )
    fill = pd.DataFrame({"trial": [0, 1, 2], "match_stable": [True, False, True]})
    summary = couples_summary(couples, fill)
    assert summary["members_matched"].k == 272 and summary["members_matched"].n == 300
    assert summary["trials_without_stable_matching"] == 1 and summary["trials"] == 3
    assert couples_summary(couples.iloc[:0], fill) is None
    text = "\n".join(type_lines(_run_summary(summary)))
    assert "couples" in text and "90.7%" in text  # 272 / 300
    assert "In 1 of 3 trials the NRMP's procedure stopped without a stable matching" in text


def _run_summary(couples: dict) -> dict:
    """A run summary with one type, the fill rate, SOAP and the couples: what type_lines reads."""
    one = proportion(50, 100)
    return {
        "by_type": {},
        "fill_rate": one,
        "soap": {
            "positions_offered": 0,
            "positions_filled": 0,
            "fill_share": one,
            "filled_by_round": {},
        },
        "signals_by_specialty": {},
        "couples": couples,
    }
