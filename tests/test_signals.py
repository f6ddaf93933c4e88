"""Preference signals and geography (issue 16): placement policies, the interview bonus,
the reduction to the model without them, and the published-contrast measurement."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.errors import ScenarioError
from simulator.market import draw_focal, draw_focal_noise, draw_market, market_inputs, trial_streams
from simulator.market.evaluation import merit
from simulator.market.focal_params import Focal
from simulator.market.geography import FIRST_STATE, NO_DIVISION, NO_STATE, draw_places
from simulator.market.interviews import draw_interviews
from simulator.market.params import MarketParams
from simulator.market.published import load_published
from simulator.market.signals import (
    GOLD,
    NONE,
    SIGNAL_COUNTS,
    SILVER,
    interview_bonus,
    most_preferred_in_runs,
    place_signals,
    signal_budget,
    signal_counts,
    tier_of,
)
from simulator.market.year import application_evaluation
from simulator.scenario import load_scenario, with_changes
from simulator.study.signal_targets import odds_ratio, signal_rates, signal_tally
from simulator.vocabulary import DIVISIONS, STATES_PER_DIVISION

OFF = {
    "signals.budget_scale": 0.0,
    "signals.geographic_bonus": 0.0,
    "signals.in_state_bonus": 0.0,
}


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), 0.05)


# -- placement policies ---------------------------------------------------------------------


def test_most_preferred_signals_the_most_wanted_and_gold_the_very_most():
    group = np.array([0, 0, 0, 0, 0, 1, 1])
    preference = np.array([0.1, 0.9, 0.5, 0.7, 0.3, 2.0, 1.0])
    tier = place_signals(group, preference, None, 1, 3, "most_preferred")
    np.testing.assert_array_equal(tier, [NONE, GOLD, SILVER, SILVER, NONE, GOLD, SILVER])


def test_best_chance_signals_the_safest_and_gold_the_most_wanted_of_those():
    group = np.zeros(5, dtype=np.int64)
    preference = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    margin = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    tier = place_signals(group, preference, margin, 1, 2, "best_chance")
    np.testing.assert_array_equal(tier, [NONE, NONE, NONE, GOLD, SILVER])


def test_spread_signals_evenly_down_the_preference_order():
    group = np.zeros(9, dtype=np.int64)
    preference = -np.arange(9.0)  # row i is the (i+1)-th most wanted
    tier = place_signals(group, preference, None, 0, 3, "spread")
    np.testing.assert_array_equal(np.flatnonzero(tier), [1, 4, 7])


def test_shares_fill_each_third_and_top_up_from_the_most_wanted():
    group = np.zeros(9, dtype=np.int64)
    preference = np.arange(9.0)[::-1].copy()  # row 0 most wanted
    margin = np.arange(9.0)  # rows 0-2 reach, 3-5 target, 6-8 safer
    tier = place_signals(
        group, preference, margin, 0, 3, "shares", reach_share=1 / 3, safer_share=1 / 3
    )
    np.testing.assert_array_equal(np.flatnonzero(tier), [0, 3, 6])
    # Everything to reach, but reach has three programs: two more from the most wanted.
    tier = place_signals(group, preference, margin, 0, 5, "shares", reach_share=1.0)
    np.testing.assert_array_equal(np.flatnonzero(tier), [0, 1, 2, 3, 4])


@settings(max_examples=200)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=6),
    gold=st.integers(0, 4),
    silver=st.integers(0, 8),
    policy=st.sampled_from(["most_preferred", "best_chance", "spread", "shares"]),
    reach=st.floats(0, 1),
    seed=st.integers(0, 10_000),
)
def test_every_policy_sends_its_budget_and_gold_to_the_most_wanted_signalled(
    sizes, gold, silver, policy, reach, seed
):
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(len(sizes)), sizes)
    preference, margin = rng.standard_normal(group.size), rng.standard_normal(group.size)
    tier = place_signals(
        group,
        preference,
        margin,
        gold,
        gold + silver,
        policy,
        reach_share=reach,
        safer_share=(1 - reach) / 2,
    )
    for g, size in enumerate(sizes):
        mine = tier[group == g]
        assert np.count_nonzero(mine) == min(gold + silver, size)
        assert np.count_nonzero(mine == GOLD) == min(gold, size, gold + silver)
        signalled = preference[group == g][mine > NONE]
        golds = preference[group == g][mine == GOLD]
        if golds.size:
            assert golds.min() >= np.sort(signalled)[::-1][golds.size - 1]


@settings(max_examples=100)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=6),
    budgets=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 8)), min_size=6, max_size=6),
    seed=st.integers(0, 10_000),
)
def test_most_preferred_ranks_each_group_as_a_plain_sort_would(sizes, budgets, seed):
    """Rows in any order, budgets one per row: the ``gold`` most wanted of each group are
    gold, the next up to ``gold + silver`` silver (as sorting each group on its own)."""
    rng = np.random.default_rng(seed)
    group = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    preference = rng.standard_normal(group.size)
    gold, silver = (np.array([budgets[g][k] for g in group]) for k in (0, 1))
    tier = place_signals(group, preference, None, gold, gold + silver, "most_preferred")
    for g in range(len(sizes)):
        rows = np.flatnonzero(group == g)
        place = np.empty(rows.size, dtype=int)
        place[np.argsort(-preference[rows], kind="stable")] = np.arange(rows.size)
        first_gold, first_total = budgets[g][0], sum(budgets[g])
        want = np.where(place < first_gold, GOLD, np.where(place < first_total, SILVER, NONE))
        assert tier[rows].tolist() == want.tolist()


@settings(max_examples=200)
@given(
    sizes=st.lists(st.integers(1, 60), min_size=0, max_size=40),
    gold=st.integers(0, 4),
    silver=st.integers(0, 12),
    levels=st.sampled_from([0, 2, 5, 1000]),
    seed=st.integers(0, 10_000),
)
def test_most_preferred_in_runs_equals_a_plain_sort(sizes, gold, silver, levels, seed):
    """The population's groups given by their first rows, float32 preferences (the bar's
    guess in float32): each group's tiers are those of sorting it on its own, ties (few
    distinct values) going to the earlier row."""
    rng = np.random.default_rng(seed)
    size = np.array(sizes, dtype=np.int64)
    first = np.cumsum(size) - size
    group = np.repeat(np.arange(len(sizes)), sizes)
    preference = rng.standard_normal(group.size) + rng.uniform(-2, 2, len(sizes))[group]
    if levels:
        preference = np.round(preference * levels / 4) / levels
    preference = preference.astype(np.float32)
    tier = most_preferred_in_runs(first, preference, gold, gold + silver)
    assert tier.dtype == np.int8 and tier.size == group.size
    for g in range(len(sizes)):
        rows = np.flatnonzero(group == g)
        place = np.empty(rows.size, dtype=int)
        place[np.argsort(-preference[rows], kind="stable")] = np.arange(rows.size)
        want = np.where(place < gold, GOLD, np.where(place < gold + silver, SILVER, NONE))
        assert tier[rows].tolist() == want.tolist()


@settings(max_examples=200)
@given(
    sizes=st.lists(st.integers(0, 60), min_size=1, max_size=40),
    gold=st.integers(0, 4),
    silver=st.integers(0, 12),
    levels=st.sampled_from([0, 2, 5, 1000]),
    seed=st.integers(0, 10_000),
)
def test_most_preferred_of_groups_in_turn_equals_a_plain_sort(sizes, gold, silver, levels, seed):
    """Rows that arrive group by group take the bar's short cut; the tiers are still those of
    sorting each group on its own, ties (few distinct values) going to the earlier row."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(len(sizes)), sizes)
    preference = rng.standard_normal(group.size) + rng.uniform(-2, 2, len(sizes))[group]
    if levels:
        preference = np.round(preference * levels / 4) / levels
    tier = place_signals(group, preference, None, gold, gold + silver, "most_preferred")
    for g in range(len(sizes)):
        rows = np.flatnonzero(group == g)
        place = np.empty(rows.size, dtype=int)
        place[np.argsort(-preference[rows], kind="stable")] = np.arange(rows.size)
        want = np.where(place < gold, GOLD, np.where(place < gold + silver, SILVER, NONE))
        assert tier[rows].tolist() == want.tolist()


def test_signal_counts_and_bonus_read_the_application_code():
    rng = np.random.default_rng(4)
    m, n = 5000, 40
    who = rng.integers(0, n, m)
    tier = rng.integers(0, 3, m)
    geographic, same_state, invited = rng.random((3, m)) < [[0.4], [0.2], [0.3]]
    code = (tier << 2 | geographic << 1 | same_state).astype(np.uint8)
    np.testing.assert_array_equal(tier_of(code), tier)
    signalled, gold = tier > NONE, tier == GOLD
    flags = (
        signalled,
        gold,
        invited,
        invited & signalled,
        invited & gold,
        geographic,
        invited & geographic,
        same_state,
        invited & same_state,
    )
    expected = np.stack([np.bincount(who[f], minlength=n) for f in flags], axis=1)
    np.testing.assert_array_equal(signal_counts(who, n, code, invited), expected)
    assert len(SIGNAL_COUNTS) == expected.shape[1]
    p = MarketParams().signals
    bonus = interview_bonus(code, MarketParams())
    expected_bonus = (
        np.array([0, p.silver_bonus, p.gold_bonus])[tier]
        + p.geographic_bonus * geographic
        + p.in_state_bonus * same_state
    )
    np.testing.assert_allclose(bonus, expected_bonus, rtol=1e-6)


# -- geography -------------------------------------------------------------------------------


def test_places_are_states_of_their_division():
    u = np.linspace(0, 1, 1001)
    division, state = draw_places(u.size, MarketParams(), u, u[::-1])
    assert set(np.unique(division)) == set(range(len(DIVISIONS)))
    first = FIRST_STATE[division]
    assert np.all((state >= first) & (state < first + np.array(STATES_PER_DIVISION)[division]))


def test_non_us_imgs_have_no_state_and_preferences_are_home_divisions(inputs):
    market = draw_market(inputs, MarketParams(), trial_streams(3, 0))
    a = market.applicants
    assert np.all(a.home_state[a.type == 3] == NO_STATE)
    assert np.all(a.home_state[a.type != 3] != NO_STATE)
    stated = a.preferred_division != NO_DIVISION
    np.testing.assert_array_equal(a.preferred_division[stated], a.home_division[stated])
    assert 0.5 < stated.mean() < 0.9  # geography.stated_preference_share 0.7


# -- the interview model with and without signals -------------------------------------------


def test_with_signals_and_geography_off_interviews_follow_the_evaluation_alone(inputs):
    """``signals = 0`` (and no geographic bonus) reduces to the interview model without them:
    the interviews are those of the applications' evaluations alone, from the same numbers."""
    params = with_changes(MarketParams(), OFF)
    streams = trial_streams(5, 1)
    market = draw_market(inputs, params, streams)
    assert market.signal_counts[:, :2].sum() == 0
    programs, applicants = market.programs, market.applicants
    who, where, taste = _read_applications(inputs, params)
    rng = trial_streams(5, 1)["interviews"]
    evaluation = application_evaluation(
        programs, applicants, merit(applicants, params), who, where, params
    )
    evaluation += params.selection.application_noise_sd * rng.standard_normal(
        who.size, dtype=np.float32
    )
    held, _, bar, _ = draw_interviews(programs, applicants, who, where, evaluation, taste, params)
    np.testing.assert_array_equal(who[held], market.interview_applicant)
    np.testing.assert_array_equal(where[held], market.interview_program)
    np.testing.assert_array_equal(bar, market.invite_bar)


def _read_applications(inputs, params):
    from simulator.market.applicants import draw_applicants
    from simulator.market.applications import draw_applications
    from simulator.market.evaluation import known_merit
    from simulator.market.programs import draw_programs
    from simulator.market.year import PopulationSignals

    s = trial_streams(5, 1)
    programs = draw_programs(inputs, params, s["programs"], s["geography"])
    applicants = draw_applicants(inputs, params, s["applicants"], s["geography"])
    signaller = PopulationSignals(
        programs, applicants, signal_budget(inputs, params), params, s["signals"]
    )
    who, where, read, code, _ = draw_applications(
        programs,
        applicants,
        known_merit(applicants, params),
        inputs,
        params,
        s["applications"],
        signaller,
    )
    assert np.all(tier_of(code) == NONE)
    return who[read], where[read], signaller.taste()[read]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_signal_never_costs_you_an_interview(inputs, seed):
    """Your copies with signals are invited everywhere the same copies without them are."""
    params = with_changes(MarketParams(), {"applicants.interview_cap": 200})
    streams = trial_streams(seed, 0)
    market = draw_market(inputs, params, streams)
    noise = draw_focal_noise(64, market.programs.size, streams["focal"])
    you = Focal(applications=40)
    without = draw_focal(
        market,
        dataclasses.replace(you, signals=0, geographic_preference="none"),
        noise,
        params,
        inputs.specialties,
    )
    for policy in ("most_preferred", "best_chance", "spread", "shares"):
        with_signals = draw_focal(
            market,
            dataclasses.replace(you, signal_policy=policy),
            noise,
            params,
            inputs.specialties,
        )
        before = set(zip(without.interview_applicant, without.interview_program))
        after = set(zip(with_signals.interview_applicant, with_signals.interview_program))
        assert before <= after
        assert with_signals.signal_counts[:, 0].max() > 0


def _signalled_rank_first(applicant, program, signalled, preference, programs) -> None:
    """Within each applicant's interviews in one specialty, every signalled program is
    preferred to every program not signalled (up to float32 rounding of the signals' key)."""
    frame = pd.DataFrame(
        {
            "group": applicant.astype(np.int64) * programs.n_specialties
            + programs.specialty[program],
            "signalled": signalled,
            "preference": preference,
        }
    )
    low = frame[frame["signalled"]].groupby("group")["preference"].min()
    high = frame[~frame["signalled"]].groupby("group")["preference"].max()
    both = low.index.intersection(high.index)
    assert both.size > 0
    assert (low[both] >= high[both] - 1e-5).all()


def test_the_population_ranks_the_programs_it_signalled_first(inputs):
    """One taste per application: the programs an applicant signals (the most wanted, by
    ``most_preferred``) are the ones it then prefers among its interviews in that specialty.
    With a taste drawn apart for the signals, most applicants would rank some unsignalled
    interview above a signalled one."""
    market = draw_market(inputs, MarketParams(), trial_streams(11, 0))
    _signalled_rank_first(
        market.interview_applicant,
        market.interview_program,
        market.interview_signalled,
        market.interview_preference,
        market.programs,
    )


def test_your_copies_rank_the_programs_they_signalled_first(inputs):
    """The same for your copies: their ``taste`` noise places their signals and orders
    their interviews."""
    params = with_changes(MarketParams(), {"applicants.interview_cap": 200})
    streams = trial_streams(11, 0)
    market = draw_market(inputs, params, streams)
    noise = draw_focal_noise(64, market.programs.size, streams["focal"])
    entries = draw_focal(market, Focal(applications=40), noise, params, inputs.specialties)
    _signalled_rank_first(
        entries.interview_applicant,
        entries.interview_program,
        entries.interview_signalled,
        entries.interview_preference,
        market.programs,
    )


def test_signalled_applications_are_invited_more_often_by_the_population(inputs):
    market = draw_market(inputs, MarketParams(), trial_streams(11, 0))
    counts = pd.DataFrame(market.signal_counts, columns=list(SIGNAL_COUNTS))
    counts["n_applications"] = market.sent
    assert odds_ratio(counts, "signal") > 1.5
    assert odds_ratio(counts, "geographic") > 1.0
    assert odds_ratio(counts, "in_state") > 1.0


def test_odds_ratio_is_the_mantel_haenszel_estimate_within_applicant():
    # One applicant: 10 signalled, 6 invited; 40 not, 8 invited: OR = (6*32)/(4*8) = 6.
    one = pd.DataFrame(
        {
            "n_signals": [10],
            "n_gold_signals": [0],
            "n_invitations": [14],
            "n_invited_signalled": [6],
            "n_invited_gold": [0],
            "n_geographic": [0],
            "n_invited_geographic": [0],
            "n_in_state": [0],
            "n_invited_in_state": [0],
            "n_applications": [50],
        }
    )
    assert odds_ratio(one, "signal") == pytest.approx(6.0)
    two = pd.concat([one, one], ignore_index=True)
    assert odds_ratio(two, "signal") == pytest.approx(6.0)  # identical strata: the same
    assert np.isnan(odds_ratio(one, "geographic"))  # nobody exposed
    tally = signal_tally(two.assign(specialty=["A", "A"], trial=[0, 1]), ["trial", "specialty"])
    rates = signal_rates(tally)["A"]
    assert rates["signalled"] == 20 and rates["not_signalled"] == 80
    assert rates["invited_signalled_pct"] == pytest.approx(60.0)
    assert rates["invited_not_signalled_pct"] == pytest.approx(20.0)
    assert rates["odds_ratio"] == pytest.approx(6.0)  # additive over trials


# -- the budget and the settings -------------------------------------------------------------


def test_budget_is_published_where_known_assumed_elsewhere_and_scaled(inputs):
    names = inputs.specialties
    budget = signal_budget(inputs, MarketParams())
    np.testing.assert_array_equal(budget[names.index("Internal Medicine (Categorical)")], [3, 12])
    np.testing.assert_array_equal(budget[names.index("Otolaryngology")], [0, 25])
    np.testing.assert_array_equal(budget[names.index("Anesthesiology")], [3, 10])
    off = signal_budget(inputs, with_changes(MarketParams(), {"signals.budget_scale": 0.0}))
    assert off.sum() == 0


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("you.signal_policy", "random", "most_preferred"),
        ("you.home_region", "south", "south_atlantic"),
        ("you.geographic_preference", "texas", "home"),
        ("signals.policy", "shares", "most_preferred"),
        ("you.signals", 101, "100"),
        ("you.signal_safer_share", 0.8, "at most 0.7 (1 - you.signal_reach_share"),
    ],
)
def test_bad_signal_settings_name_the_key_and_the_choices(key, value, words):
    scenario = load_scenario("scenarios/img-internal-medicine.toml")
    with pytest.raises(ScenarioError) as error:
        with_changes(scenario, {key: value})
    assert key in str(error.value) and words in str(error.value)


def test_division_shares_adding_up_to_nothing_are_one_clear_error():
    scenario = load_scenario("scenarios/img-internal-medicine.toml")
    nowhere = {f"geography.division_shares.{d}": 0.0 for d in DIVISIONS}
    with pytest.raises(ScenarioError) as error:
        with_changes(scenario, nowhere)
    assert "geography.division_shares" in str(error.value)
    assert "adding up to more than 0" in str(error.value)
