"""The fast application draw equals its plain references: screens, counts and growth."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.market import applications as applications_module
from simulator.market import market_inputs
from simulator.market.applicants import draw_applicants
from simulator.market.applications import (
    draw_applications,
    screened_in,
    searchsorted_right,
    sponsored,
)
from simulator.market.codes import IS_IMG_TYPE
from simulator.market.evaluation import known_merit
from simulator.market.params import MarketParams
from simulator.market.programs import draw_programs
from simulator.market.published import load_published
from simulator.market.signals import NONE, application_code, place_signals, signal_budget
from simulator.market.streams import trial_streams
from simulator.market.year import PopulationSignals
from simulator.vocabulary import APPLICANT_TYPES


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), 0.05)


def drawn(inputs, seed=3):
    """Every application of trial 0 (who, where, read, signal code, sent per applicant)."""
    params = MarketParams()
    streams = trial_streams(seed, 0)
    programs = draw_programs(inputs, params, streams["programs"], streams["geography"])
    applicants = draw_applicants(inputs, params, streams["applicants"], streams["geography"])
    signaller = PopulationSignals(
        programs, applicants, signal_budget(inputs, params), params, streams["signals"]
    )
    level = known_merit(applicants, params)
    return draw_applications(
        programs, applicants, level, inputs, params, streams["applications"], signaller
    )


def test_applications_are_the_same_when_their_arrays_must_grow(inputs, monkeypatch):
    """The applications are written in place into arrays sized for the expected count; sized
    for almost none, they grow, and every row and count comes out the same."""
    expected = drawn(inputs)
    original = applications_module._Applications.__init__
    monkeypatch.setattr(
        applications_module._Applications,
        "__init__",
        lambda self, expected: original(self, expected=0.0),  # room for 1,024 rows at first
    )
    grown = drawn(inputs)
    assert expected[0].size > 50 * 1024
    for want, got in zip(expected, grown, strict=True):
        assert np.array_equal(want, got)


@pytest.mark.parametrize("cells", [1, 997, 50_000])
def test_applications_are_the_same_whatever_the_size_of_the_pieces(inputs, cells, monkeypatch):
    """The dense blocks are drawn in pieces (applications._CELLS_PER_BLOCK) only to stay in
    cache: a row at a time, odd sizes and few pieces send the same applications, with the
    same screens and signals."""
    default = drawn(inputs, seed=5)
    monkeypatch.setattr(applications_module, "_CELLS_PER_BLOCK", cells)
    for want, got in zip(default, drawn(inputs, seed=5), strict=True):
        np.testing.assert_array_equal(got, want)


@settings(max_examples=100)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), q=st.integers(1, 30))
def test_integer_screens_equal_screening_reasons(seed, n, q):
    """The int16 ranks of the dense blocks screen as :func:`screened_in`, scores and years
    equal to cut-offs and limits (or beyond every one) included, whatever the US graduates'
    offset (a score plus the offset landing on a cut-off included)."""
    rng = np.random.default_rng(seed)
    cutoff = rng.choice([-np.inf, 200.0, 210.0, 215.5, 230.0], q)
    limit = rng.choice([1.0, 3.0, 5.0, np.inf], q)
    programs = SimpleNamespace(
        size=q,
        visa_policy=rng.integers(0, 3, q).astype(np.int8),
        step2ck_cutoff=cutoff,
        step2ck_us_offset=float(rng.choice([0.0, 5.5, 10.0, 100.0])),
        ysg_limit=limit,
        attempts_screen=rng.random(q) < 0.5,
    )
    applicants = SimpleNamespace(
        size=n,
        type=rng.integers(0, len(APPLICANT_TYPES), n).astype(np.int8),
        visa=rng.integers(0, 3, n).astype(np.int8),
        step3=rng.random(n) < 0.5,
        step2ck=rng.choice([190, 200, 210, 216, 230, 260], n),
        ysg=rng.choice([0.0, 1.0, 3.0, 4.0, 5.0, 9.0], n),
        failed_attempts=rng.integers(0, 3, n),
    )
    part = rng.permutation(n)[: rng.integers(1, n + 1)]
    first = rng.integers(0, q)
    last = rng.integers(first + 1, q + 1)
    who = np.repeat(part, last - first)
    where = np.tile(np.arange(first, last), part.size)
    reads = sponsored(applicants, who, programs, where).reshape(part.size, -1)
    screens = applications_module._IntegerScreens(
        applicants, programs, IS_IMG_TYPE[applicants.type]
    )
    screens.apply(reads, part, first, last)
    np.testing.assert_array_equal(reads.ravel(), screened_in(applicants, who, programs, where))


def test_every_application_is_read_as_screened_in(inputs):
    """The drawn applications' ``read`` is :func:`screened_in` of each, and ``sent`` counts
    them per applicant."""
    params = MarketParams()
    streams = trial_streams(4, 0)
    programs = draw_programs(inputs, params, streams["programs"], streams["geography"])
    applicants = draw_applicants(inputs, params, streams["applicants"], streams["geography"])
    signaller = PopulationSignals(
        programs, applicants, signal_budget(inputs, params), params, streams["signals"]
    )
    level = known_merit(applicants, params)
    who, where, read, _, sent = draw_applications(
        programs, applicants, level, inputs, params, streams["applications"], signaller
    )
    assert not read.all() and read.any()
    np.testing.assert_array_equal(read, screened_in(applicants, who, programs, where))
    np.testing.assert_array_equal(sent, np.bincount(who, minlength=applicants.size))


@pytest.mark.parametrize("policy", ["most_preferred", "best_chance"])
def test_population_codes_equal_their_plain_reference(inputs, policy):
    """The population's codes, read from its per-place tables, equal
    :func:`application_code` of :func:`place_signals` over each applicant's applications to
    a specialty, preferences written out (desirability, home division, taste in turn)."""
    params = MarketParams()
    params = dataclasses.replace(params, signals=dataclasses.replace(params.signals, policy=policy))
    streams = trial_streams(6, 1)
    programs = draw_programs(inputs, params, streams["programs"], streams["geography"])
    applicants = draw_applicants(inputs, params, streams["applicants"], streams["geography"])
    budget = signal_budget(inputs, params)
    signaller = PopulationSignals(programs, applicants, budget, params, streams["signals"])
    level = known_merit(applicants, params)
    who, where, _, code, _ = draw_applications(
        programs, applicants, level, inputs, params, streams["applications"], signaller
    )
    taste = trial_streams(6, 1)["signals"].standard_normal(who.size, dtype=np.float32)
    preference = programs.desirability.astype(np.float32)[where]
    home = programs.division[where] == applicants.home_division[who]
    preference += np.float32(params.geography.home_preference) * home
    preference += taste * np.float32(params.applicants.taste_sd)
    specialty = np.searchsorted(programs.specialty_indptr, where, side="right") - 1
    starts = np.r_[True, (who[1:] != who[:-1]) | (specialty[1:] != specialty[:-1])]
    group = np.cumsum(starts) - 1
    gold, silver = budget[specialty].T
    tier = place_signals(
        group, preference, -programs.desirability[where], gold, gold + silver, policy
    )
    assert (tier > NONE).any()
    np.testing.assert_array_equal(code, application_code(tier, applicants, who, programs, where))


@settings(max_examples=300)
@given(
    values=st.lists(
        st.sampled_from([-np.inf, 0.0, 1.0, 1.5, 2.0, 3.0, np.inf, np.nan]), max_size=30
    ),
    needles=st.lists(st.sampled_from([-1.0, 0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 9.0]), max_size=20),
    ordered=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_searchsorted_right_answers_as_numpy(values, needles, ordered, seed):
    """:func:`searchsorted_right` equals ``np.searchsorted(side="right")`` needle for needle,
    values in order or not (ties, infinities, NaNs), whatever the guesses."""
    values = np.sort(values) if ordered else np.array(values, dtype=np.float64)
    needle = np.array(needles, dtype=np.float64)
    rng = np.random.default_rng(seed)
    exact = np.searchsorted(values, needle, side="right")
    guess = np.where(rng.random(needle.size) < 0.5, exact, rng.integers(0, values.size + 1))
    np.testing.assert_array_equal(searchsorted_right(values, needle, guess), exact)
