"""Advanced (PGY-2) positions in the synthetic market: who seeks them, their supplemental
PGY-1 lists, and how the Match and the copies treat them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from copies import drawn_copies, placed_and_alone

from simulator.engine.csr import segment_ids
from simulator.market import (
    draw_market,
    market_inputs,
    match_population,
    match_solo_copies,
    trial_streams,
)
from simulator.market.applicants import ONE_YEAR_TRACKS, one_year_tracks
from simulator.market.focal_params import Focal
from simulator.market.params import MarketParams
from simulator.market.published import load_published

SCALE = 0.1


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), SCALE)


@pytest.fixture(scope="module")
def solved(inputs):
    params = _with(MarketParams(), couples=dataclasses.replace(MarketParams().couples, share=0))
    market = draw_market(inputs, params, trial_streams(5, 0))
    return market, match_population(market, params), params


def _with(params: MarketParams, **tables) -> MarketParams:
    return dataclasses.replace(params, **tables)


def test_advanced_specialties_follow_the_pgy1_ones_with_the_published_total():
    published = load_published()
    inputs = market_inputs(published, 1.0)
    n_pgy1 = len(published.specialty_names)
    assert inputs.specialties[:n_pgy1] == published.specialty_names
    assert inputs.is_advanced.tolist() == [False] * n_pgy1 + [True] * (
        len(inputs.specialties) - n_pgy1
    )
    advanced = inputs.positions[inputs.is_advanced].sum()
    offered = published.market("positions_offered") - published.market("pgy1_positions_offered")
    assert advanced == offered == 3196
    # Seekers: the published US MD seniors (and non-US IMGs) preferring it where Charting
    # Outcomes counts them, the other types in proportion; else positions split by type.
    by_type, seekers = inputs.advanced_positions_by_type, inputs.advanced_seekers_by_type
    counted = seekers.sum(axis=0) > 0
    assert [inputs.specialties[k] for k in np.flatnonzero(counted)] == [
        "Dermatology (PGY-2)",
        "Physical Medicine & Rehab (PGY-2)",
        "Radiology-Diagnostic (PGY-2)",
    ]
    us_md = published.charting_outcomes_us_md.set_index("model_specialty")
    for k in np.flatnonzero(counted):
        row = us_md.loc[inputs.specialties[k]]
        assert seekers[0, k] == row["matched_preferred"] + row["not_matched"]
    uncounted = inputs.is_advanced & ~counted
    assert by_type[:, uncounted].sum(axis=0) == pytest.approx(inputs.positions[uncounted])
    assert (by_type[:, ~uncounted] == 0).all() and (seekers[:, ~counted] == 0).all()
    assert (inputs.ranking_counts[:, inputs.is_advanced] == 0).all()  # never a backup


def test_seekers_come_in_the_assumed_number_each_with_a_one_year_track(inputs, solved):
    market, _, params = solved
    a = market.applicants
    seeking = inputs.is_advanced[a.specialty]
    expected = inputs.advanced_seekers_by_type.sum() + (
        params.advanced.applicants_per_position * inputs.advanced_positions_by_type.sum()
    )
    assert abs(seeking.sum() - expected) < 4 * np.sqrt(expected)
    tracks = one_year_tracks(inputs)
    assert [inputs.specialties[t] for t in tracks] == list(ONE_YEAR_TRACKS)
    assert np.isin(a.pgy1_track[seeking], tracks).all()
    assert (a.pgy1_track[~seeking] == len(inputs.specialties)).all()
    assert not np.isin(a.backup[seeking], tracks).any()  # the track is not also a backup


def test_supplemental_lists_hold_the_seekers_one_year_interviews_at_advanced_entries(solved):
    market, population, _ = solved
    lists, programs = population.lists, market.programs
    a = lists.applicants
    who = segment_ids(lists.pgy1_indptr)
    assert (programs.specialty[lists.pgy1_programs] == a.pgy1_track[who]).all()
    # No seeker keeps an entry at its one-year track on its primary list.
    primary = segment_ids(lists.rol_indptr)
    assert not (programs.specialty[lists.rol_programs] == a.pgy1_track[primary]).any()
    supplemental = lists.supplemental(programs.advanced)
    count = np.diff(supplemental["supplemental_indptr"])
    assert (count[~programs.advanced[lists.rol_programs]] == 0).all()
    at_advanced = np.flatnonzero(programs.advanced[lists.rol_programs])
    assert (count[at_advanced] == np.diff(lists.pgy1_indptr)[primary[at_advanced]]).all()
    assert supplemental["supplemental_programs"].size == count.sum() > 0


def test_pgy1_years_go_only_with_advanced_matches_and_no_position_is_over_filled(solved):
    market, population, _ = solved
    programs, outcome = market.programs, population.outcome
    p = programs.size
    holds_pgy1 = outcome.pgy1_program < p
    assert holds_pgy1.sum() > 0
    assert programs.advanced[outcome.matched_program[holds_pgy1]].all()
    a = outcome.applicants
    year = programs.specialty[outcome.pgy1_program[holds_pgy1]]
    assert (year == a.pgy1_track[holds_pgy1]).all()
    filled = np.bincount(outcome.matched_program, minlength=p + 1)[:p]
    filled += np.bincount(outcome.pgy1_program, minlength=p + 1)[:p]
    assert (filled <= programs.positions).all()
    assert (outcome.filled_by_type.sum(axis=1) == filled).all()
    # Most advanced matches find their PGY-1 year (docs/model.md, advanced positions).
    advanced = outcome.matched & programs.advanced[np.minimum(outcome.matched_program, p - 1)]
    assert holds_pgy1.sum() >= 0.8 * advanced.sum()


def test_no_seekers_no_supplemental_lists_when_nobody_seeks_an_advanced_position(inputs):
    params = MarketParams()
    params = _with(
        params,
        advanced=dataclasses.replace(params.advanced, share=0.0),
        couples=dataclasses.replace(params.couples, share=0.0),
    )
    market = draw_market(inputs, params, trial_streams(5, 0))
    assert not inputs.is_advanced[market.applicants.specialty].any()
    population = match_population(market, params)
    assert population.lists.pgy1_programs.size == 0
    assert (population.pgy1 == market.programs.size).all()


def test_a_copy_with_a_preliminary_backup_gets_by_insertion_what_a_match_with_it_gives(inputs):
    """A copy's rejection chain may turn away the holder of a PGY-1 seat taken from a
    supplemental list: it goes on down that list, as in the NRMP's procedure.  Insertion
    does not hand back the PGY-1 seat of an advanced holder a chain turns away from its
    advanced program, so agreement is measured, not assumed (docs/model.md, §7)."""
    params = MarketParams()
    params = _with(params, couples=dataclasses.replace(params.couples, share=0.0))
    you = Focal(backup_specialty="Medicine-Preliminary (PGY-1 Only)", step2ck=225)
    copies, agree, total, preliminary = 12, 0, 0, 0
    for trial in range(2):
        market, focal = drawn_copies(inputs, params, you, seed=31, trial=trial, copies=copies)
        together, alone = placed_and_alone(market, focal, params)
        n = market.applicants.size
        for copy in range(copies):
            got = together.matched_program[n + copy]
            agree += got == alone[copy].matched_program[n]
            total += 1
            preliminary += got < market.programs.size and market.programs.specialty[
                got
            ] == inputs.specialties.index(you.backup_specialty)
    assert agree / total >= 0.9
    assert preliminary > 0  # some copies did take a preliminary year: the case is tested


def test_you_may_seek_an_advanced_position_with_a_supplemental_list(inputs):
    """you.advanced: copies apply to the advanced row and their one-year track; an advanced
    match may come with a PGY-1 year of that track, never without the advanced one."""
    params = MarketParams()
    you = Focal(
        type="us_md",
        specialty="Anesthesiology",
        advanced=True,
        pgy1_track="Medicine-Preliminary (PGY-1 Only)",
        step2ck=250,
        applications=60,
    )
    assert you.sought == (
        "Anesthesiology (PGY-2)",
        "Medicine-Preliminary (PGY-1 Only)",
    )
    market, focal = drawn_copies(inputs, params, you, seed=41, trial=0, copies=24)
    programs, names = market.programs, inputs.specialties
    row, track = names.index("Anesthesiology (PGY-2)"), names.index(you.pgy1_track)
    applied_to = programs.specialty[focal.interview_program]
    assert set(applied_to.tolist()) <= {row, track}
    assert (applied_to == track).any() and (applied_to == row).any()
    outcome = match_solo_copies(market, focal, params)
    n, p = market.applicants.size, programs.size
    got, year = outcome.matched_program[n:], outcome.pgy1_program[n:]
    assert (programs.specialty[got[got < p]] == row).all()  # never a one-year track alone
    assert (year[got == p] == p).all()
    assert (programs.specialty[year[year < p]] == track).all()
    assert (year < p).sum() > 0
