"""The fast interviews and focal copies equal plain full-sort and dense references, exactly.

The references below are the straightforward versions (every screened
application sorted per program; dense copies x programs arrays) that the fast
code replaced; the same seed must give the same arrays, bit for bit.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine.csr import place_in_group, segment_aranges
from simulator.engine.packed_sort import (
    packed_lexsort,
    sort_by_runs,
    sort_runs,
    sort_within_runs,
)
from simulator.market import (
    draw_focal,
    draw_focal_noise,
    draw_market,
    market_inputs,
    match_population,
)
from simulator.market import interviews as fast
from simulator.market import lists as lists_module
from simulator.market.applicants import draw_applicants
from simulator.market.applications import (
    draw_applications,
    screened_in,
    screening_reasons,
)
from simulator.market.distributions import categorical_rows, truncated_normal_scores
from simulator.market.evaluation import known_merit, merit, penalty_table, program_preference
from simulator.market.focal import FocalEntries, _applied, focal_applicants
from simulator.market.focal_params import Focal
from simulator.market.lists import rank_order_lists
from simulator.market.params import MarketParams
from simulator.market.programs import draw_programs
from simulator.market.published import load_published
from simulator.market.signals import SIGNAL_COUNTS, signal_budget
from simulator.market.streams import trial_streams
from simulator.market.year import PopulationSignals, application_evaluation
from simulator.scenario import with_changes
from simulator.vocabulary import APPLICANT_TYPES

PROFILES = {
    "non-US IMG, Internal Medicine": Focal(),
    "US MD, Anesthesiology": Focal(
        type="us_md", specialty="Anesthesiology", step2ck=250, applications=40
    ),
    "US IMG, Family Medicine with a backup": Focal(
        type="us_img",
        specialty="Family Medicine",
        backup_specialty="Psychiatry",
        step2ck=226,
        usce_kind="hands_on",
        usce_months=6,
        applications=60,
    ),
}


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), 0.05)


def applications(inputs, params, trial):
    """What :func:`draw_interviews` is given in a trial."""
    streams = trial_streams(3, trial)
    programs = draw_programs(inputs, params, streams["programs"], streams["geography"])
    applicants = draw_applicants(inputs, params, streams["applicants"], streams["geography"])
    level = merit(applicants, params)
    signaller = PopulationSignals(
        programs, applicants, signal_budget(inputs, params), params, streams["signals"]
    )
    who, where, read, _, _ = draw_applications(
        programs, applicants, level, inputs, params, streams["applications"], signaller
    )
    who, where, taste = who[read], where[read], signaller.taste()[read]
    rng = streams["interviews"]
    cell = applicants.type[who].astype(np.int64) * programs.size + where
    evaluation = (
        level[who]
        - penalty_table(programs, params)[cell]
        + params.selection.application_noise_sd * rng.standard_normal(who.size, dtype=np.float32)
    )
    return programs, applicants, who, where, evaluation, taste


def interviews_by_full_sort(programs, applicants, who, where, evaluation, taste, params):
    """Reference: every screened application sorted per program, then the rounds."""
    order = sort_by_group_desc_reference(where, evaluation, programs.size)
    screened = np.bincount(where, minlength=programs.size)
    group_start = np.cumsum(screened) - screened
    invited_until = np.zeros(programs.size, dtype=np.int64)
    invite_until = np.minimum(programs.interview_slots, screened)
    accepted = np.zeros(who.size, dtype=bool)
    preference = np.zeros(who.size, dtype=np.float64)
    room = np.full(applicants.size, params.applicants.interview_cap, dtype=np.int64)
    for _ in range(params.programs.interview_rounds):
        new = order[segment_aranges(group_start + invited_until, invite_until - invited_until)]
        if not new.size:
            break
        invited_until = invite_until
        preference[new] = program_preference(
            programs, applicants, who[new], where[new], params, taste[new]
        )
        by_applicant = new[sort_by_group_desc_reference(who[new], preference[new], applicants.size)]
        rank = place_in_group(who[by_applicant])
        yes = rank < room[who[by_applicant]]
        accepted[by_applicant[yes]] = True
        room -= np.bincount(who[by_applicant[yes]], minlength=applicants.size)
        declined = np.bincount(where[by_applicant[~yes]], minlength=programs.size)
        invite_until = np.minimum(invited_until + declined, screened)
    last_invited = order[np.maximum(group_start + invited_until - 1, 0)]
    invite_bar = np.where(invited_until >= screened, -np.inf, evaluation[last_invited])
    held = np.flatnonzero(accepted)
    return held, preference[held], invite_bar


def assert_same_interviews(case, params):
    got = fast.draw_interviews(*case, params)
    want = interviews_by_full_sort(*case, params)
    for name, g, w in zip(("held", "preference", "invite_bar"), got[:3], want, strict=True):
        assert g.dtype == w.dtype and np.array_equal(g, w), name


def test_application_evaluation_equals_the_plain_formula(inputs):
    params = MarketParams()
    programs, applicants, who, where, evaluation, _ = applications(inputs, params, 0)
    streams = trial_streams(3, 0)
    level = merit(applicants, params)
    got = application_evaluation(programs, applicants, level, who, where, params)
    got += params.selection.application_noise_sd * streams["interviews"].standard_normal(
        who.size, dtype=np.float32
    )
    assert got.dtype == evaluation.dtype and np.array_equal(got, evaluation)


@pytest.mark.parametrize("trial", [0, 1, 2])
def test_interviews_equal_the_full_sort(inputs, trial):
    params = MarketParams()
    assert_same_interviews(applications(inputs, params, trial), params)


@pytest.mark.parametrize("first", [0, 1])
def test_interviews_equal_the_full_sort_when_prefixes_run_out(inputs, monkeypatch, first):
    """Tiny first prefixes: most programs need theirs completed in later rounds."""
    monkeypatch.setattr(fast, "FIRST_ORDERED_PER_SLOT", first)
    params = MarketParams()
    assert_same_interviews(applications(inputs, params, 0), params)


def test_interviews_equal_the_full_sort_with_programs_without_slots(inputs):
    params = MarketParams()
    programs, *rest = applications(inputs, params, 1)
    slots = programs.interview_slots.copy()
    slots[::7] = 0
    programs = dataclasses.replace(programs, interview_slots=slots)
    assert_same_interviews((programs, *rest), params)


def sort_by_group_desc_reference(group, value, n_groups):
    """Group ascending, value descending, ties by index: a plain lexsort (random values
    have no two closer than the quantisation step, where the fast sort calls a tie)."""
    return np.lexsort((np.arange(value.size), -np.asarray(value), group))


@pytest.mark.parametrize("size", [1, 2, 26, 300, 5_000])
@pytest.mark.parametrize("n_groups", [1, 8, 1_000, 2**41])
def test_sort_by_group_desc_equals_the_reference(size, n_groups):
    """Including tiny inputs, where 53 bits are left for the values, and so many groups that
    too few are left (a lexsort then); given ``rows``, the full order of those rows alone."""
    rng = np.random.default_rng(size * n_groups % 2**32)
    for _ in range(20):
        group = np.sort(rng.integers(0, n_groups, size))
        value = rng.normal(size=size)
        full = sort_by_group_desc_reference(group, value, n_groups)
        np.testing.assert_array_equal(fast.sort_by_group_desc(group, value, n_groups), full)
        rows = np.flatnonzero(rng.random(size) < 0.3)
        np.testing.assert_array_equal(
            fast.sort_by_group_desc(group, value, n_groups, rows), full[np.isin(full, rows)]
        )


@settings(max_examples=60, deadline=None)
@given(
    runs=st.lists(st.tuples(st.integers(0, 9), st.integers(1, 300)), min_size=1, max_size=40),
    seed=st.integers(0, 2**32 - 1),
)
def test_sort_by_group_desc_in_runs_equals_the_reference(runs, seed):
    """Rows that come in runs of one group, a group's runs apart (an applicant's applications
    to two specialties), with exact ties: sorted group by group, the full order."""
    group = np.repeat([g for g, _ in runs], [n for _, n in runs])
    value = np.round(np.random.default_rng(seed).normal(size=group.size), 1)
    np.testing.assert_array_equal(
        fast.sort_by_group_desc(group, value, 10), sort_by_group_desc_reference(group, value, 10)
    )


@pytest.mark.parametrize("seed", range(3))
def test_sort_runs_equals_one_sort(seed, both_sort_paths):
    """Runs of every width class and their edges (1, 16, 17, 64, 65, 256, 257, longer), and
    empty runs, sorted in place as one sort of the whole array sorts them."""
    rng = np.random.default_rng(seed)
    size = rng.permutation(np.r_[[0, 1, 2, 15, 16, 17, 63, 64, 65, 255, 256, 257, 1_000], 0])
    size = np.r_[size, rng.integers(0, 40, 300)]
    first = np.cumsum(size) - size
    keys = np.repeat(np.arange(size.size), size) << 20
    keys |= rng.integers(0, 8, keys.size)  # ties too
    want = np.sort(keys)
    sort_runs(keys, first)
    np.testing.assert_array_equal(keys, want)


@pytest.mark.parametrize("seed", range(3))
def test_sort_within_runs_sorts_each_run_alone(seed, both_sort_paths):
    """Keys that do not number their run (the NRMP's seats, applicant by applicant): each
    run sorted in place as sorting it alone does; runs of every width class, empty ones."""
    rng = np.random.default_rng(seed)
    size = rng.permutation(
        np.r_[[0, 1, 2, 16, 17, 64, 65, 256, 257, 1_000], rng.integers(0, 40, 200)]
    )
    first = np.cumsum(size) - size
    keys = rng.integers(0, rng.choice([8, 2**40]), int(size.sum()))
    want = np.concatenate([np.sort(keys[f : f + s]) for f, s in zip(first, size)])
    sort_within_runs(keys, first)
    np.testing.assert_array_equal(keys, want)


def test_sort_by_runs_sorts_long_runs_and_leaves_short_ones(both_sort_paths):
    """Runs of one group, a group's runs apart: the same as one sort; short runs (an average
    under ROWS_PER_RUN), empty input, and any input where one whole sort is the faster:
    None, nothing done."""
    rng = np.random.default_rng(5)
    group = np.repeat(rng.integers(0, 50, 400), rng.integers(1, 30, 400))
    key = (group << 30) | rng.integers(0, 2**30, group.size)
    if both_sort_paths:
        assert sort_by_runs(key, group) is None
    else:
        np.testing.assert_array_equal(sort_by_runs(key, group), np.sort(key))
    shuffled = rng.permutation(group)
    assert sort_by_runs((shuffled << 30).astype(np.int64), shuffled) is None
    assert sort_by_runs(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)) is None


def test_whole_sort_is_measured_once():
    """The machine's choice is measured on first use, then kept: a bool either way."""
    from simulator.engine import packed_sort

    saved, packed_sort.WHOLE_SORT = packed_sort.WHOLE_SORT, None
    try:
        choice = packed_sort.whole_sort_is_faster()
        assert isinstance(choice, bool) and packed_sort.WHOLE_SORT is choice
        assert packed_sort.whole_sort_is_faster() is choice
    finally:
        packed_sort.WHOLE_SORT = saved


def test_a_trial_is_the_same_whichever_sort_is_faster():
    """Each market stage and the Match give identical arrays with the runs sorted as rows
    and with one whole sort: the machine's choice changes times only."""
    from simulator.engine import packed_sort

    inputs = market_inputs(load_published(), 0.05)
    params, saved = MarketParams(), packed_sort.WHOLE_SORT
    results = []
    try:
        for whole in (False, True):
            packed_sort.WHOLE_SORT = whole
            market = draw_market(inputs, params, trial_streams(11, 0))
            outcome = match_population(market, params).outcome
            results.append(
                [market.interview_applicant, market.interview_program, market.signal_counts]
                + [outcome.matched_program, outcome.pgy1_program, outcome.rol_length]
            )
    finally:
        packed_sort.WHOLE_SORT = saved
    for rows, whole in zip(*results):
        np.testing.assert_array_equal(rows, whole)


def test_sort_by_group_desc_keeps_the_smallest_value_in_its_group():
    """Bug: with 20 values in 12 groups (53 bits left for values) the smallest value's level
    rounded up to 2**53 and moved it to the front of its group (a focal copy ranked its least
    preferred program first)."""
    group = np.repeat(np.arange(5), 4)
    value = np.tile([3.47410666, 1.3851675511067478, 3.21822452, 2.13667151], 5)
    value[-1] = 5.089171306893476
    order = fast.sort_by_group_desc(group, value, 12)
    np.testing.assert_array_equal(order, sort_by_group_desc_reference(group, value, 12))
    assert value[order[3]] == value[:4].min()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("size", [26, 2_000])
@pytest.mark.parametrize("spread", [1, 2**16])
def test_ranked_prefixes_are_prefixes_of_the_full_sort(seed, size, spread):
    """``spread``: 30 programs among 30 x spread, too many for the sample's uint32 keys."""
    rng = np.random.default_rng(seed)
    n_programs = 30 * spread
    where = rng.integers(0, 30, size) * spread
    value = np.round(rng.normal(size=where.size), 2)  # many exact ties
    screened = np.bincount(where, minlength=n_programs)
    wanted = np.minimum(rng.integers(0, 40, n_programs), screened)
    ranked = fast.RankedPrefixes.of(where, value, screened, wanted)
    until = np.minimum(rng.integers(0, 80, n_programs), screened)
    ranked = ranked.covering(until)
    full = sort_by_group_desc_reference(where, value, n_programs)
    starts = np.cumsum(screened) - screened  # positions as the full sort's users take them
    assert np.all(ranked.count >= until)
    assert not ranked.count[screened == 0].any()
    for p in np.flatnonzero(screened):
        prefix = ranked.order[ranked.start[p] : ranked.start[p] + ranked.count[p]]
        np.testing.assert_array_equal(prefix, full[starts[p] : starts[p] + ranked.count[p]])


@settings(max_examples=200)
@given(
    keys=st.lists(
        st.one_of(st.integers(0, 2**62 - 1), st.integers(0, 2**53), st.sampled_from([0, 1])),
        max_size=300,
    )
)
def test_sort_packed_equals_the_integer_sort(keys):
    """Small keys (subnormal doubles unshifted), large ones and repeats sort as integers."""
    keys = np.array(keys, dtype=np.int64)
    want = np.sort(keys)
    fast.sort_packed(keys)
    np.testing.assert_array_equal(keys, want)


@pytest.mark.parametrize("size", [0, 5, 64, 65, 511, 512, 513, 5_000])
def test_sample_takes_the_first_run_of_every_block(size):
    array = np.arange(size) * 3
    rows = np.arange(size)
    block = fast.SAMPLE_EVERY * fast.SAMPLE_RUN
    want = array[rows % block < fast.SAMPLE_RUN]
    np.testing.assert_array_equal(fast._sample(array), want)


def focal_dense(market, focal, noise, params, specialties):
    """Reference: the focal copies on dense (copies x programs) arrays."""
    programs = market.programs
    copies = noise.choice.shape[0]
    applicants = focal_applicants(focal, noise, specialties, params)
    known = known_merit(applicants, params)[:1]
    applied = _applied(applicants, known, noise, focal, programs, params, specialties, None)
    everywhere = np.arange(programs.size)
    screen = screened_in(applicants, np.zeros(programs.size, dtype=np.int64), programs, everywhere)
    evaluation = (
        merit(applicants, params)[:, None]
        - penalty_table(programs, params).reshape(len(APPLICANT_TYPES), -1)[applicants.type[:1]]
        + params.selection.application_noise_sd * noise.application
    )
    invited = applied & screen[None, :] & (evaluation >= market.invite_bar[None, :])
    copy_index = np.repeat(np.arange(copies), programs.size).reshape(copies, programs.size)
    preference = program_preference(
        programs, applicants, copy_index, everywhere[None, :], params, noise.taste
    )
    order = np.argsort(-np.where(invited, preference, -np.inf), axis=1, kind="stable")
    accepted_order = (
        np.arange(programs.size)[None, :]
        < np.minimum(invited.sum(axis=1), params.applicants.interview_cap)[:, None]
    )
    held = np.zeros_like(invited)
    np.put_along_axis(held, order, accepted_order, axis=1)
    row, col = np.nonzero(held)
    interview = evaluation + params.selection.interview_noise_sd * noise.interview
    reasons = screening_reasons(
        applicants, np.zeros(programs.size, dtype=np.int64), programs, everywhere
    )
    unread = [(applied & reason[None, :]).sum(axis=1) for reason in reasons]
    read = (applied & screen[None, :]).sum(axis=1)
    return FocalEntries(
        applicants=applicants,
        sent=applied.sum(axis=1),
        funnel=np.stack([*unread, read, invited.sum(axis=1)], axis=1),
        interview_applicant=row,
        interview_program=col,
        interview_preference=preference[row, col],
        interview_evaluation=interview[row, col],
        interview_unranked=noise.ranking[row, col] >= params.programs.interview_rank_share,
        interview_signalled=np.zeros(row.size, dtype=bool),
        signal_counts=np.zeros((copies, len(SIGNAL_COUNTS)), dtype=np.int32),
    )


@pytest.mark.parametrize("profile", PROFILES, ids=list(PROFILES))
@pytest.mark.parametrize("trial", [0, 1])
def test_focal_entries_equal_the_dense_reference(inputs, profile, trial):
    """Without your signals, geographic preference or in-state bonus (their bonus is tested in
    tests/test_signals.py), the copies' interviews are those of the dense formula."""
    params = with_changes(MarketParams(), {"signals.in_state_bonus": 0.0})
    you = dataclasses.replace(PROFILES[profile], signals=0, geographic_preference="none")
    streams = trial_streams(11, trial)
    market = draw_market(inputs, params, streams)
    noise = draw_focal_noise(40, market.programs.size, streams["focal"])
    got = draw_focal(market, you, noise, params, inputs.specialties)
    want = focal_dense(market, you, noise, params, inputs.specialties)
    for field in ("sent", "funnel") + tuple(
        f for f in FocalEntries.__slots__ if f.startswith("interview")
    ):
        g, w = getattr(got, field), getattr(want, field)
        assert g.dtype == w.dtype and np.array_equal(g, w), field
    assert got.interview_applicant.size > 0


@pytest.mark.parametrize("seed", range(3))
def test_categorical_rows_equals_the_dense_draw(seed):
    """Shared rows searched once draw what the dense (draws x categories) matrix draws."""
    rng = np.random.default_rng(seed)
    table = rng.random((40, 25)) * (rng.random((40, 25)) < 0.7)  # zeros, and a zero row
    table[3] = 0.0
    row = rng.integers(0, 40, 5_000)
    got = categorical_rows(table, row, np.random.default_rng(seed))
    dense = table[row]  # the plain draw: one uniform per row against its cumulative sums
    cumulative = np.cumsum(dense, axis=1)
    u = np.random.default_rng(seed).random(row.size)[:, None] * cumulative[:, -1:]
    want = np.minimum((cumulative <= u).sum(axis=1), table.shape[1] - 1)
    np.testing.assert_array_equal(got, want)


def test_truncated_normal_scores_at_equal_the_gathered_arrays():
    rng = np.random.default_rng(5)
    mean, sd = rng.normal(230, 30, 50), rng.choice([0.0, 5.0, 15.0], 50)
    at = rng.integers(0, 50, 4_000)
    got = truncated_normal_scores(mean, sd, low=196, high=300, rng=np.random.default_rng(1), at=at)
    want = truncated_normal_scores(
        mean[at], sd[at], low=196, high=300, rng=np.random.default_rng(1)
    )
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(3))
def test_packed_lexsort_equals_lexsort(seed):
    """Ties (by index) included, given sizes or not, and through lexsort itself when the
    packed keys would not fit in 63 bits."""
    rng = np.random.default_rng(seed)
    keys = [rng.integers(0, n, 3_000) for n in (50, 7, 12)]
    want = np.lexsort(keys[::-1])
    np.testing.assert_array_equal(packed_lexsort(keys, (None, 7, 12)), want)
    np.testing.assert_array_equal(packed_lexsort(keys), want)
    np.testing.assert_array_equal(packed_lexsort(keys, (None, 7, 2**60)), want)
    assert packed_lexsort([np.zeros(0, dtype=np.int64)]).size == 0


def test_program_lists_equal_the_full_sort(inputs):
    """Programs' ranked evaluations placed by rank, as solo copies read them, are those of
    the full sort: on a market's lists (supplemental entries included), and on a tie of a
    primary and a supplemental entry, which the ranks order otherwise (then sorted)."""

    def full_sort(lists, n_programs):
        ranks = np.r_[lists.program_ranks, lists.pgy1_ranks]
        ranked = np.flatnonzero(ranks < lists.applicants.size)
        where = np.r_[lists.rol_programs, lists.pgy1_programs][ranked]
        values = np.r_[lists.evaluation, lists.pgy1_evaluation][ranked]
        return values[fast.sort_by_group_desc(where, values, n_programs)]

    params = MarketParams()
    market = draw_market(inputs, params, trial_streams(4, 0))
    lists = rank_order_lists(market, None, params)
    assert (lists.pgy1_ranks < lists.applicants.size).any()
    values, _ = lists_module._program_lists(lists, market.programs.size)
    np.testing.assert_array_equal(values, full_sort(lists, market.programs.size))
    # Program 0: a supplemental entry ranked above a primary one, within a quantisation step.
    tied = SimpleNamespace(
        applicants=SimpleNamespace(size=3),
        rol_programs=np.array([0, 1, 1]),
        program_ranks=np.array([1, 0, 1]),
        evaluation=np.array([1.0, 1e6, 0.0]),
        pgy1_programs=np.array([0]),
        pgy1_ranks=np.array([0]),
        pgy1_evaluation=np.array([1.0 + 1e-11]),
        program_lists=None,
    )
    values, starts = lists_module._program_lists(tied, 2)
    np.testing.assert_array_equal(values, full_sort(tied, 2))
    assert values.tolist() == [1.0, 1.0 + 1e-11, 1e6, 0.0] and starts.tolist() == [0, 2, 4]
    # The lists built keep theirs, but not across such a tie (the same entries, kinds apart).
    assert lists.program_lists is not None
    evaluation, pgy1 = np.array([1.0, 1e6, 0.0, 1.0 + 1e-11]), np.array([0, 0, 0, 1], dtype=bool)
    by_program, per_program = np.array([0, 3, 1, 2]), np.array([2, 2])
    assert lists_module._ranked_in_order(evaluation, pgy1, by_program, per_program) is None
    pgy1[3] = False  # one kind: the order stands
    values, starts = lists_module._ranked_in_order(evaluation, pgy1, by_program, per_program)
    assert values.tolist() == [1.0, 1.0 + 1e-11, 1e6, 0.0] and starts.tolist() == [0, 2, 4]
