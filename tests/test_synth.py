"""One synthetic Match year (the modules of ``simulator.market``) on small seeded markets.

Every check here is a structural invariant (counts, ranges, who may interview
where, stability of the matching) or an equality between two draws with the
same seed; none pins a simulated float.  Markets are 3-5% of the nation, so a
trial takes a few hundredths of a second.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine.csr import segment_ids
from simulator.engine.nrmp import roth_peranson
from simulator.engine.stability import blocking_pairs, is_feasible
from simulator.market import (
    Market,
    TrialOutcome,
    codes,
    draw_focal,
    draw_focal_noise,
    draw_market,
    market_inputs,
    match_market,
    specialty_blocks,
    trial_streams,
)
from simulator.market.applicants import Applicants, draw_applicants, registered_counts
from simulator.market.applications import draw_applications, screened_in
from simulator.market.couples import couple_lists
from simulator.market.distributions import truncated_normal_ppf
from simulator.market.evaluation import known_merit, merit
from simulator.market.focal import FocalEntries, FocalNoise
from simulator.market.lists import RankOrderLists, rank_order_lists
from simulator.market.published import load_published
from simulator.market.signals import signal_budget
from simulator.market.streams import STAGES
from simulator.market.year import PopulationSignals
from simulator.scenario import Strategy, load_scenario, with_changes
from simulator.study.trials import Plan, simulate_trial
from simulator.vocabulary import APPLICANT_TYPES, IMG_TYPES

FIXTURE = Path(__file__).parent / "fixtures" / "small_market_run.toml"
SCALE = 0.04
CASES = [(2025, 0), (31, 5)]  # (seed, trial)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURE)


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), SCALE)


@dataclasses.dataclass
class Case:
    seed: int
    trial: int
    params: object
    you: object
    market: Market
    noise: FocalNoise
    focal: FocalEntries
    lists: RankOrderLists
    outcome: TrialOutcome


def make_case(inputs, params, you, seed, trial, copies=4) -> Case:
    streams = trial_streams(seed, trial)
    market = draw_market(inputs, params, streams)
    noise = draw_focal_noise(copies, market.programs.size, streams["focal"])
    focal = draw_focal(market, you, noise, params, inputs.specialties)
    lists = rank_order_lists(market, focal, params)
    outcome = match_market(market, focal, params)
    return Case(seed, trial, params, you, market, noise, focal, lists, outcome)


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"seed{c[0]}-trial{c[1]}")
def case(request, scenario, inputs):
    seed, trial = request.param
    return make_case(inputs, scenario.params, scenario.you, seed, trial)


def interview_pairs(case):
    """(applicant, program) of every interview, population then focal copies (offset)."""
    m, f = case.market, case.focal
    who = np.r_[m.interview_applicant, f.interview_applicant + m.applicants.size]
    where = np.r_[m.interview_program, f.interview_program]
    return who, where


def fields_equal(a, b) -> None:
    """Assert two slotted result dataclasses hold equal arrays, recursively."""
    assert type(a) is type(b)
    for name in type(a).__slots__:
        x, y = getattr(a, name), getattr(b, name)
        if dataclasses.is_dataclass(x):
            fields_equal(x, y)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=name)
        elif isinstance(x, tuple):  # e.g. RankOrderLists.program_lists: arrays
            assert isinstance(y, tuple) and len(x) == len(y), name
            for u, v in zip(x, y, strict=True):
                np.testing.assert_array_equal(u, v, err_msg=name)
        else:
            assert x == y, name


# --------------------------------------------------------------------------- population


def test_applicant_counts_per_type_are_the_registered_counts(case, inputs):
    counts = np.bincount(case.market.applicants.type, minlength=len(APPLICANT_TYPES))
    np.testing.assert_array_equal(counts, registered_counts(inputs, case.params))
    assert np.all(counts >= inputs.applicants)  # at least the published active applicants
    assert inputs.applicants.min() > 0  # every type present at this scale


def test_positions_per_specialty_sum_to_inputs(case, inputs):
    p = case.market.programs
    n_specialties = len(inputs.specialties)
    per_specialty = np.bincount(p.specialty, weights=p.positions, minlength=n_specialties)
    np.testing.assert_array_equal(per_specialty, inputs.positions)
    np.testing.assert_array_equal(
        np.bincount(p.specialty, minlength=n_specialties), inputs.programs
    )
    assert p.positions.min() >= 1
    assert np.all(np.diff(p.specialty) >= 0)  # sorted by specialty, as indptr says
    np.testing.assert_array_equal(p.specialty_indptr, np.r_[0, np.cumsum(inputs.programs)])


def test_no_backup_is_coded_as_the_number_of_specialties(case, inputs):
    """Never -1, which would silently index the last specialty."""
    a, n_specialties = case.market.applicants, len(inputs.specialties)
    none = a.backup == n_specialties
    assert none.any() and (~none).any()
    assert np.all((a.backup >= 0) & (a.backup <= n_specialties))
    assert np.all(a.backup[~none] != a.specialty[~none])
    no_backup = dataclasses.replace(case.you, backup_specialty="")
    alone = draw_focal(case.market, no_backup, case.noise, case.params, inputs.specialties)
    np.testing.assert_array_equal(alone.applicants.backup, n_specialties)


def test_step2ck_within_passing_score_and_300(case):
    score = case.market.applicants.step2ck
    assert score.min() >= case.params.applicants.passing_score
    assert score.max() <= 300


@pytest.mark.parametrize(
    "changes",
    [
        {"applicants.step2ck_mean.us_md": 50},
        {"applicants.step2ck_mean.us_md": 200, "applicants.step2ck_sd.us_md": 0},
        {
            "applicants.step2ck_mean.us_md": 218,
            "applicants.step2ck_sd.us_md": 0,
            "applicants.score_self_selection": 0,
        },
    ],
    ids=["mean-50", "mean-200-sd-0", "mean-218-sd-0"],
)
def test_step2ck_stays_at_the_floor_when_the_mean_is_far_below_it(scenario, inputs, changes):
    """Bug: with a mean far below the passing score (allowed: 1 to 300) every score came out
    300, and with sd 0 (allowed: 0 to 100) at or below it, -2**63.

    Scores are drawn from a normal truncated to [passing score, 300]: a mean far below the
    floor puts them all within a few points of the floor.
    """
    params = with_changes(scenario.params, changes)
    streams = trial_streams(1, 0)
    applicants = draw_applicants(inputs, params, streams["applicants"], streams["geography"])
    # The type's mean applies where Charting Outcomes publishes no score for the specialty.
    unpublished = np.isnan(inputs.preferred_step2ck_mean[codes.US_MD, applicants.specialty])
    scores = applicants.step2ck[(applicants.type == codes.US_MD) & unpublished]
    assert scores.size > 30
    floor = params.applicants.passing_score
    assert scores.min() >= floor, (scores.min(), scores.max())
    assert scores.max() <= floor + 12, (scores.min(), scores.max())


@settings(max_examples=300, deadline=None)
@given(
    u=st.floats(0.0, 1.0 - 1e-6),  # nearer 1, u itself is too coarse for any answer to be exact
    a=st.floats(-40.0, 40.0),
    width=st.one_of(st.floats(1e-3, 80.0), st.just(np.inf)),
)
def test_truncated_normal_quantile_agrees_with_scipy(u, a, width):
    """The log-space quantile matches ``scipy.stats.truncnorm.ppf`` everywhere, far tails too."""
    from scipy.stats import truncnorm

    b = a + width
    ours = truncated_normal_ppf(u, a, b)
    assert a <= ours <= b
    np.testing.assert_allclose(ours, truncnorm.ppf(u, a, b), rtol=1e-9, atol=1e-9)


def test_us_seniors_have_no_visa_and_nan_usce(case):
    a = case.market.applicants
    seniors = np.isin(a.type, [codes.US_MD, codes.US_DO])
    assert seniors.any()
    assert np.all(a.visa[seniors] == codes.NO_VISA)
    assert np.all(np.isnan(a.usce_months[seniors]))
    img = codes.IS_IMG_TYPE[a.type]
    assert np.all(np.isfinite(a.usce_months[img])) and a.usce_months[img].min() >= 0
    # IMGs with no US clinical experience have 0 months of it.
    assert np.all(a.usce_months[img & (a.usce_kind == codes.NONE)] == 0)


def test_only_non_us_imgs_need_visas(case):
    a = case.market.applicants
    needs = a.visa != codes.NO_VISA
    assert np.all(a.type[needs] == codes.NON_US_IMG)
    assert needs.any()  # the shares are positive: some do need one
    assert np.all(np.isin(a.visa, [codes.NO_VISA, codes.J1, codes.H1B]))


# --------------------------------------------------------------------------- interviews


def test_interviews_only_where_applied_and_screened_in(case, inputs):
    m, p, a = case.market, case.market.programs, case.market.applicants
    i_who, i_where = m.interview_applicant, m.interview_program
    held = i_who * p.size + i_where
    assert np.unique(held).size == held.size
    # Only at programs of a specialty the applicant applies to, and no more than they sent.
    specialty = p.specialty[i_where]
    in_sought = (
        (specialty == a.specialty[i_who])
        | (specialty == a.backup[i_who])
        | (specialty == a.pgy1_track[i_who])  # an advanced seeker's one-year track
    )
    assert in_sought.all()
    assert np.all(np.bincount(i_who, minlength=a.size) <= m.sent)

    # The applications themselves are not kept on the Market: redraw them from fresh copies
    # of the trial's "applications" and "signals" streams, which nothing else draws from
    # (who applied where, whether the program reads it).
    streams = trial_streams(case.seed, case.trial)
    signaller = PopulationSignals(
        p, a, signal_budget(inputs, case.params), case.params, streams["signals"]
    )
    drawn = draw_applications(
        p, a, known_merit(a, case.params), inputs, case.params, streams["applications"], signaller
    )
    who, where = drawn[0][drawn[2]], drawn[1][drawn[2]]
    applied = who * p.size + where
    assert np.unique(applied).size == applied.size  # nobody applies twice to one program
    assert np.all(np.bincount(who, minlength=a.size) <= m.sent)
    assert np.isin(held, applied).all()

    # Visa: J-1 needs a sponsoring program, H-1B one that sponsors H-1B (written out here
    # rather than through applications.SPONSORS).
    visa, policy = a.visa[i_who], p.visa_policy[i_where]
    assert np.all(policy[visa == codes.J1] != codes.POLICY_NONE)
    assert np.all(policy[visa == codes.H1B] == codes.POLICY_J1_H1B)
    # IMG screens: Step 2 CK cut-off and graduation-year limit.
    img = codes.IS_IMG_TYPE[a.type[i_who]]
    assert np.all(a.step2ck[i_who[img]] >= p.step2ck_cutoff[i_where[img]])
    assert np.all(a.ysg[i_who[img]] <= p.ysg_limit[i_where[img]])
    assert screened_in(a, i_who, p, i_where).all()


def test_focal_interviews_only_where_screened_in_and_in_its_specialties(case, inputs):
    f, p = case.focal, case.market.programs
    specialties = [inputs.specialties.index(case.you.specialty)]
    if case.you.backup_specialty:
        specialties.append(inputs.specialties.index(case.you.backup_specialty))
    assert np.isin(p.specialty[f.interview_program], specialties).all()
    assert screened_in(f.applicants, f.interview_applicant, p, f.interview_program).all()
    pairs = f.interview_applicant * p.size + f.interview_program
    assert np.unique(pairs).size == pairs.size


def test_a_subset_of_focal_copies_keeps_their_interviews_renumbered(case):
    f = case.focal
    assert f.sent.size == 4 and np.unique(f.interview_applicant).size > 1
    chosen = np.array([2, 0])
    part = f.subset(chosen)
    np.testing.assert_array_equal(part.sent, f.sent[chosen])
    for new, old in enumerate(chosen):
        np.testing.assert_array_equal(
            part.interview_program[part.interview_applicant == new],
            f.interview_program[f.interview_applicant == old],
        )
    assert part.interview_applicant.size == np.isin(f.interview_applicant, chosen).sum()


def test_nobody_exceeds_the_interview_cap(case):
    cap = case.params.applicants.interview_cap
    m = case.market
    assert np.bincount(m.interview_applicant, minlength=m.applicants.size).max() <= cap
    copies = case.noise.choice.shape[0]
    assert np.bincount(case.focal.interview_applicant, minlength=copies).max() <= cap
    assert case.outcome.interviews.max() <= cap
    # Programs never interview more of the population than they have slots.
    per_program = np.bincount(m.interview_program, minlength=m.programs.size)
    assert np.all(per_program <= m.programs.interview_slots)


# --------------------------------------------------------------------------- rank-order lists


def check_lists(case) -> None:
    """Lists hold interviewed programs only, no repeats, cut to each applicant's cap."""
    lists, programs = case.lists, case.market.programs
    n, n_programs = lists.applicants.size, programs.size
    who = segment_ids(lists.rol_indptr)
    pgy1_who = segment_ids(lists.pgy1_indptr)  # advanced seekers' supplemental lists
    primary = who * n_programs + lists.rol_programs
    entries = np.r_[primary, pgy1_who * n_programs + lists.pgy1_programs]
    assert np.unique(entries).size == entries.size  # no program twice on one list
    i_who, i_where = interview_pairs(case)
    assert np.isin(entries, i_who * n_programs + i_where).all()
    assert (programs.specialty[lists.pgy1_programs] == lists.applicants.pgy1_track[pgy1_who]).all()
    interviews = np.bincount(i_who, minlength=n)
    np.testing.assert_array_equal(lists.interviews, interviews)
    cap = lists.applicants.rank_list_cap
    expected = np.where(cap > 0, np.minimum(interviews, cap), interviews)
    np.testing.assert_array_equal(np.diff(lists.rol_indptr) + np.diff(lists.pgy1_indptr), expected)
    np.testing.assert_array_equal(lists.position, np.arange(primary.size) - lists.rol_indptr[who])
    # Programs' ranks: n (not ranked) or 0, 1, 2 ... distinct within each program.
    all_ranks = np.r_[lists.program_ranks, lists.pgy1_ranks]
    ranked = all_ranks < n
    program = np.r_[lists.rol_programs, lists.pgy1_programs][ranked]
    rank = all_ranks[ranked]
    order = np.lexsort((rank, program))
    program, rank = program[order], rank[order]
    starts = np.r_[0, np.flatnonzero(np.diff(program)) + 1]
    expected_rank = np.arange(program.size) - np.repeat(
        starts, np.diff(np.r_[starts, program.size])
    )
    np.testing.assert_array_equal(rank, expected_rank)
    assert np.all(all_ranks[~ranked] == n)


def test_rank_order_lists_hold_interviewed_programs_only(case):
    check_lists(case)
    assert case.lists.n_population == case.market.applicants.size


@pytest.fixture(scope="module")
def capped(scenario, inputs):
    """The same trial with everyone's lists capped at 5 and the focal applicant's at 3."""
    params = with_changes(scenario.params, {"applicants.rank_list_cap": 5})
    you = with_changes(scenario.you, {"you.rank_list_length": 3})
    seed, trial = CASES[0]
    return make_case(inputs, params, you, seed, trial)


def test_rank_order_lists_respect_rank_list_caps(capped, scenario, inputs):
    check_lists(capped)
    lengths = np.diff(capped.lists.rol_indptr)
    focal = capped.outcome.is_focal
    assert lengths[~focal].max() == 5
    assert lengths[focal].max() <= 3
    assert (capped.lists.interviews > 5).any()  # the cap did cut something

    # Cutting a list keeps its top: each capped list is a prefix of the uncapped one.
    seed, trial = CASES[0]
    free = make_case(inputs, scenario.params, scenario.you, seed, trial)
    fields_equal(free.market.programs, capped.market.programs)
    for a in np.flatnonzero(capped.lists.interviews > 0):
        short = capped.lists.rol_programs[
            capped.lists.rol_indptr[a] : capped.lists.rol_indptr[a + 1]
        ]
        full = free.lists.rol_programs[free.lists.rol_indptr[a] : free.lists.rol_indptr[a + 1]]
        np.testing.assert_array_equal(short, full[: short.size])


# --------------------------------------------------------------------------- the Match


def check_match(case) -> None:
    lists, outcome = case.lists, case.outcome
    programs, couples = case.market.programs, case.market.couples
    arrays = (lists.rol_indptr, lists.rol_programs, lists.program_ranks, programs.positions)
    # The engine accepts the arrays with its input checks on, and agrees with match_market.
    pairs = couple_lists(lists, couples, programs, case.params)
    result = roth_peranson(
        **pairs.engine_arguments(programs.positions), check_input=True, in_batches=True
    )
    match = result.match
    np.testing.assert_array_equal(match, outcome.matched_program)
    assert result.stable and outcome.stable
    np.testing.assert_array_equal(result.pgy1, outcome.pgy1_program)
    # No single blocks (couple members' own lists hold their pairs' ranks, so every
    # holder counts; members themselves match as couples, tests/test_engine_nrmp.py) at a
    # program holding no PGY-1 year of an advanced match (those seats are not in ``match``;
    # the engine's tests check supplemental lists).
    blocking = blocking_pairs(*arrays, match)
    pgy1 = result.pgy1[result.pgy1 < programs.size]
    blocking = blocking[~np.isin(lists.rol_programs[blocking], pgy1)]
    assert not np.isin(segment_ids(lists.rol_indptr)[blocking], couples.ravel(), invert=True).any()
    assert is_feasible(*arrays, match)
    population = np.arange(match.size) < lists.n_population
    fill = np.zeros(programs.size, dtype=np.int64)
    filled = np.zeros(programs.size, dtype=np.int64)
    by_type = np.zeros(len(APPLICANT_TYPES), dtype=np.int64)
    for seat in (match, result.pgy1):
        fill += np.bincount(seat[seat < programs.size], minlength=programs.size)
        # The fill counts only the population: focal copies are observers, not the market.
        held = (seat < programs.size) & population
        filled += np.bincount(seat[held], minlength=programs.size)
        by_type += np.bincount(lists.applicants.type[held], minlength=len(APPLICANT_TYPES))
    assert np.all(fill <= programs.positions)
    np.testing.assert_array_equal(outcome.filled_by_type.sum(axis=1), filled)
    np.testing.assert_array_equal(outcome.filled_by_type.sum(axis=0), by_type)


def test_engine_matching_is_stable_and_feasible(case):
    check_match(case)


def test_engine_matching_is_stable_with_capped_lists(capped):
    check_match(capped)


def test_matched_rank_and_contiguous_ranks_are_consistent(case, inputs):
    o, lists = case.outcome, case.lists
    rol_length = np.diff(lists.rol_indptr)
    np.testing.assert_array_equal(o.rol_length, rol_length)
    assert np.all((o.matched_rank == 0) == ~o.matched)
    assert np.all(o.matched_rank[o.matched] >= 1)
    assert np.all(o.matched_rank <= o.rol_length)
    matched = np.flatnonzero(o.matched)
    entry = lists.rol_indptr[matched] + o.matched_rank[matched] - 1
    np.testing.assert_array_equal(lists.rol_programs[entry], o.matched_program[matched])
    assert np.all((o.contiguous_ranks >= 0) & (o.contiguous_ranks <= o.rol_length))
    # contiguous_ranks: how many programs of the preferred specialty head the list.
    specialty = case.market.programs.specialty
    for a in range(o.applicants.size):
        ranked = specialty[lists.rol_programs[lists.rol_indptr[a] : lists.rol_indptr[a + 1]]]
        other = np.flatnonzero(ranked != o.applicants.specialty[a])
        assert o.contiguous_ranks[a] == (other[0] if other.size else ranked.size)
    np.testing.assert_array_equal(o.matched_specialty[~o.matched], len(inputs.specialties))
    np.testing.assert_array_equal(
        o.matched_specialty[o.matched], specialty[o.matched_program[o.matched]]
    )


def test_focal_copies_come_last(case):
    o = case.outcome
    copies = case.noise.choice.shape[0]
    population = case.market.applicants.size
    np.testing.assert_array_equal(o.is_focal, np.arange(o.applicants.size) >= population)
    assert o.is_focal.sum() == copies
    assert np.all(o.applicants.step2ck[o.is_focal] == case.you.step2ck)


# --------------------------------------------------------------------------- comparisons


def test_raising_the_non_us_img_type_penalty_lowers_their_match_rate(scenario):
    """Paired: the same seeds and trials, only selection.type_penalty.non_us_img raised."""
    inputs = market_inputs(load_published(), 0.03)
    base = scenario.params
    raised = base.selection.type_penalty.non_us_img + 2.0
    harsh = with_changes(base, {"selection.type_penalty.non_us_img": raised})
    rates = {}
    for name, params in (("base", base), ("harsh", harsh)):
        matched = total = 0
        for trial in range(2):
            streams = trial_streams(99, trial)
            outcome = match_market(draw_market(inputs, params, streams), None, params)
            chosen = outcome.applicants.type == codes.NON_US_IMG
            matched += outcome.matched[chosen].sum()
            total += chosen.sum()
        rates[name] = matched / total
    assert rates["harsh"] < rates["base"] - 0.05, rates


def test_a_programs_focal_noise_does_not_depend_on_the_other_specialties_drawn(scenario, inputs):
    """Strategies in different specialties share noise: each specialty has its own stream."""
    streams = trial_streams(*CASES[0])
    programs = draw_market(inputs, scenario.params, streams).programs
    names = inputs.specialties
    one = specialty_blocks(programs, names, [names[3]])
    both = specialty_blocks(programs, names, [names[7], names[3], ""])
    assert len(both) == 2 and one[0] in both
    n = programs.size
    alone = draw_focal_noise(5, n, trial_streams(*CASES[0])["focal"], blocks=one)
    together = draw_focal_noise(5, n, trial_streams(*CASES[0])["focal"], blocks=both)
    first, last = one[0]
    for name in ("choice", "application", "taste", "interview", "ranking"):
        a, b = getattr(alone, name), getattr(together, name)
        at_a, at_b = alone.columns(first, last), together.columns(first, last)
        assert np.array_equal(a[:, at_a], b[:, at_b]), name
        assert not np.isnan(a).any() and a.shape == (5, last - first), name
    assert np.array_equal(alone.column[first:last], np.arange(last - first))
    assert (np.delete(alone.column, np.arange(first, last)) == -1).all()  # the others: none
    with pytest.raises(ValueError, match="no focal noise was drawn for programs"):
        alone.columns(*both[0] if both[0] != one[0] else both[1])
    assert np.array_equal(alone.other_merit, together.other_merit)
    assert np.array_equal(alone.home, together.home)


def test_focal_noise_is_common_to_every_focal_applicant(scenario, inputs):
    """Common random numbers: two different applicants see the same noise at each program."""
    seed, trial = CASES[0]
    streams = trial_streams(seed, trial)
    market = draw_market(inputs, scenario.params, streams)
    noise = draw_focal_noise(4, market.programs.size, streams["focal"])
    again = draw_focal_noise(4, market.programs.size, trial_streams(seed, trial)["focal"])
    fields_equal(noise, again)

    low = scenario.you
    high = dataclasses.replace(low, step2ck=low.step2ck + 15)
    entries = {
        name: draw_focal(market, you, noise, scenario.params, inputs.specialties)
        for name, you in (("low", low), ("high", high))
    }
    keyed = {
        name: {
            (c, p): (pref, ev)
            for c, p, pref, ev in zip(
                e.interview_applicant,
                e.interview_program,
                e.interview_preference,
                e.interview_evaluation,
            )
        }
        for name, e in entries.items()
    }
    common = keyed["low"].keys() & keyed["high"].keys()
    assert len(common) >= 4
    merit_gap = (
        merit(entries["high"].applicants, scenario.params)[0]
        - merit(entries["low"].applicants, scenario.params)[0]
    )
    assert merit_gap > 0
    for pair in common:
        (pref_low, eval_low), (pref_high, eval_high) = keyed["low"][pair], keyed["high"][pair]
        assert pref_low == pref_high  # the same taste noise
        assert eval_high - eval_low == pytest.approx(
            merit_gap, abs=1e-9
        )  # the same evaluation noise
    # Both send as many applications (which programs may differ: weights depend on merit).
    assert entries["high"].sent.tolist() == entries["low"].sent.tolist()


def test_identical_variants_give_identical_outcomes(scenario, inputs):
    you, params = scenario.you, scenario.params
    twin = Plan(
        seed=7,
        copies=3,
        inputs=inputs,
        variants=(
            Strategy(name="a", you=you, params=params),
            Strategy(name="b", you=dataclasses.replace(you), params=dataclasses.replace(params)),
        ),
    )
    first, second = simulate_trial(twin, 1)
    fields_equal(first, second)
    alone = Plan(
        seed=7, copies=3, inputs=inputs, variants=(Strategy(name="b", you=you, params=params),)
    )
    (only,) = simulate_trial(alone, 1)
    fields_equal(first, only)  # a variant's outcome does not depend on the others run with it
    fields_equal(first, simulate_trial(twin, 1)[0])  # and two runs are identical

    # A different strategy sees the same population and programs.
    other = Plan(
        seed=7,
        copies=3,
        inputs=inputs,
        variants=(
            Strategy(name="a", you=you, params=params),
            Strategy(name="short", you=dataclasses.replace(you, rank_list_length=2), params=params),
        ),
    )
    a, short = simulate_trial(other, 1)
    fields_equal(a.programs, short.programs)
    population = ~a.is_focal
    for name in Applicants.__slots__:
        np.testing.assert_array_equal(
            getattr(a.applicants, name)[population], getattr(short.applicants, name)[population]
        )
    assert short.rol_length[short.is_focal].max() <= 2


def test_more_applications_apply_to_a_superset(scenario, inputs):
    """Gumbel top-k: applying to more programs keeps every program of the shorter list."""
    params = with_changes(scenario.params, {"applicants.interview_cap": 200})
    seed, trial = CASES[0]
    streams = trial_streams(seed, trial)
    market = draw_market(inputs, params, streams)
    noise = draw_focal_noise(6, market.programs.size, streams["focal"])
    # Make every application an interview: a US MD senior (no visa, a score above every
    # cut-off) whom every program reads as excellent, with room for 200 interviews.  Then the
    # interviews are exactly the applications.
    sure = dataclasses.replace(noise, application=np.full_like(noise.application, 1e6))
    senior = dataclasses.replace(
        scenario.you, type="us_md", visa="none", usce_kind="none", usce_months=0, step2ck=300
    )
    p = market.programs
    available = {}
    for name in (senior.specialty, senior.backup_specialty):
        s = inputs.specialties.index(name)
        available[name] = p.specialty_indptr[s + 1] - p.specialty_indptr[s]
    previous = None
    for n in (5, 12, 30, 80):
        you = dataclasses.replace(senior, applications=n)
        entries = draw_focal(market, you, sure, params, inputs.specialties)
        applied = np.zeros(noise.choice.shape, dtype=bool)
        applied[entries.interview_applicant, entries.interview_program] = True
        to_backup = round(n * params.applicants.backup_application_share)
        expected = min(n - to_backup, available[senior.specialty]) + min(
            to_backup, available[senior.backup_specialty]
        )
        np.testing.assert_array_equal(entries.sent, expected)
        np.testing.assert_array_equal(applied.sum(axis=1), expected)
        if previous is not None:
            assert np.all(applied | ~previous), (
                f"{n} applications dropped a program of the shorter list"
            )
        previous = applied


def test_more_applications_never_give_fewer_interviews(scenario, inputs):
    seed, trial = CASES[1]
    streams = trial_streams(seed, trial)
    market = draw_market(inputs, scenario.params, streams)
    noise = draw_focal_noise(8, market.programs.size, streams["focal"])
    previous = None
    for n in (5, 15, 40, 120):
        # Without signals: with them, more programs can move a signal off one that needed it.
        you = dataclasses.replace(scenario.you, applications=n, signals=0)
        entries = draw_focal(market, you, noise, scenario.params, inputs.specialties)
        per_copy = np.bincount(entries.interview_applicant, minlength=8)
        if previous is not None:
            assert per_copy.mean() >= previous.mean()
            assert np.all(per_copy >= previous)  # the coupling is monotone copy by copy
        previous = per_copy
    assert previous.sum() > 0


# --------------------------------------------------------------------------- seeds


def test_trial_streams_depend_only_on_seed_and_trial():
    first = {k: g.random(4) for k, g in trial_streams(123, 4).items()}
    for other in ((123, 0), (124, 4), (123, 5)):  # drawing from other trials changes nothing
        trial_streams(*other)["applicants"].random(1000)
    again = {k: g.random(4) for k, g in trial_streams(123, 4).items()}
    assert list(first) == list(STAGES)
    for stage in STAGES:
        np.testing.assert_array_equal(first[stage], again[stage])
    # Different trials, seeds and stages draw different numbers.
    assert not np.array_equal(first["programs"], trial_streams(123, 5)["programs"].random(4))
    assert not np.array_equal(first["programs"], trial_streams(124, 4)["programs"].random(4))
    assert len({tuple(v) for v in first.values()}) == len(STAGES)


def test_two_draws_of_one_trial_are_identical(scenario, inputs):
    seed, trial = CASES[1]
    one = make_case(inputs, scenario.params, scenario.you, seed, trial)
    two = make_case(inputs, scenario.params, scenario.you, seed, trial)
    for name in ("market", "noise", "focal", "lists", "outcome"):
        fields_equal(getattr(one, name), getattr(two, name))


def test_img_types_are_the_img_types():
    assert list(np.array(APPLICANT_TYPES)[codes.IS_IMG_TYPE]) == list(IMG_TYPES)
