"""SOAP after the Main Match (issue 15): offers in rounds for the positions the Match left.

SOAP never fills a position twice or places anyone a program's screens keep
out; an accepted offer is final; a copy's SOAP is exactly its outcome in a SOAP
of the population and it alone; SOAP changes nothing of the Main Match; and the
same trial gives the same SOAP however trials are chunked (``test_scale_out``
compares whole runs on one worker, two workers and a Dask cluster, SOAP's
columns included).  Small markets (3 to 5% of the nation) keep this fast.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulator import api
from simulator.cli import main
from simulator.errors import ScenarioError
from simulator.market import (
    draw_focal,
    draw_focal_noise,
    draw_market,
    market_inputs,
    match_population,
    place_copies,
    place_in_soap,
    run_soap,
    specialty_blocks,
    trial_streams,
)
from simulator.market.applications import screened_in
from simulator.market.published import load_published
from simulator.market.soap import (
    SoapLists,
    copy_lists,
    partial_track,
    population_lists,
    round_bars,
    soap_rounds,
)
from simulator.market.streams import STAGES
from simulator.scenario import load_scenario
from simulator.study.tallies import run_summary, tallies
from simulator.study.trials import plan_for, run_chunk, simulate_trial
from simulator.teaching import explain_market, format_lesson, load_market
from simulator.teaching.smallmarket import parse_market

ROOT = Path(__file__).parents[1]
IMG = ROOT / "scenarios" / "img-internal-medicine.toml"
LESSON = ROOT / "scenarios" / "lesson-soap.toml"
SCALE, COPIES = 0.05, 96


@dataclasses.dataclass(frozen=True)
class Trial:
    """One small trial, its SOAP, and what the tests rebuild from the same streams."""

    scenario: object
    market: object
    population: object
    soap: object
    focal: object
    outcome: object
    seed: int
    trial: int


def one_trial(you_changes=None, trial=0) -> Trial:
    overrides = {"market.scale": SCALE, "market.focal_copies": COPIES, **(you_changes or {})}
    scenario = load_scenario(IMG, overrides=overrides)
    params, inputs = scenario.params, market_inputs(load_published(), SCALE)
    streams = trial_streams(scenario.seed, trial)
    market = draw_market(inputs, params, streams)
    population = match_population(market, params)
    soap = run_soap(market, population.match, population.pgy1, params, streams["soap"], COPIES)
    sought = (scenario.you.specialty, scenario.you.backup_specialty)
    blocks = specialty_blocks(market.programs, inputs.specialties, sought)  # as trials draw
    noise = draw_focal_noise(COPIES, market.programs.size, streams["focal"], blocks=blocks)
    focal = draw_focal(market, scenario.you, noise, params, inputs.specialties)
    outcome = place_in_soap(
        place_copies(population, focal, params), soap, focal.applicants, scenario.you, params
    )
    return Trial(scenario, market, population, soap, focal, outcome, scenario.seed, trial)


@pytest.fixture(scope="module")
def small():
    return one_trial()


def left_after_the_match(t: Trial) -> np.ndarray:
    """Positions each program has open after the population's Main Match."""
    programs, p = t.market.programs, t.market.programs.size
    seats = np.r_[t.population.match, t.population.pgy1]  # advanced matches' PGY-1 years too
    return programs.positions - np.bincount(seats[seats < p], minlength=p)


def population_soap_lists(t: Trial) -> SoapLists:
    """The population's SOAP lists, drawn again from the trial's ``soap`` stream."""
    rng, _ = trial_streams(t.seed, t.trial)["soap"].spawn(2)
    params = t.scenario.params
    track = partial_track(
        t.market.programs, t.market.applicants, t.population.match, t.population.pgy1
    )
    lists, _ = population_lists(
        t.market, t.population.match, t.soap.open_programs, params, rng, track
    )
    return lists


def copies_taking_part(t: Trial) -> np.ndarray:
    n = t.market.applicants.size
    return ~t.outcome.matched[n:] & t.scenario.you.soap


# --------------------------------------------------------------------------- never a full position


def test_soap_fills_only_open_positions_with_unmatched_applicants_it_may_read(small):
    """The unmatched, or the partially matched (an advanced position without a PGY-1 year)
    for a PGY-1 year of their one-year track."""
    t, n = small, small.market.applicants.size
    programs, soap = t.market.programs, t.outcome.soap
    left = left_after_the_match(t)
    assert np.all(t.outcome.filled_soap <= left)
    assert t.outcome.filled_soap.sum() > 0
    placed = np.flatnonzero(soap.placed[:n])
    track = partial_track(programs, t.market.applicants, t.population.match, t.population.pgy1)
    partial = placed[track[placed] >= 0]
    assert not t.outcome.matched[np.setdiff1d(placed, partial)].any()
    assert (programs.specialty[soap.program[partial]] == track[partial]).all()
    assert not programs.advanced[soap.program[placed]].any()
    assert np.all(left[soap.program[placed]] > 0)
    assert screened_in(t.market.applicants, placed, programs, soap.program[placed]).all()
    assert np.all(soap.sent[placed] > 0)
    assert np.array_equal(soap.program[:n] < programs.size, soap.round[:n] > 0)
    assert set(np.unique(soap.round[placed])) <= set(range(1, t.scenario.params.soap.rounds + 1))


def test_a_copy_placed_in_soap_took_a_position_still_open_that_it_may_have(small):
    t, n = small, small.market.applicants.size
    soap, copies = t.outcome.soap, t.focal.applicants
    mine = np.flatnonzero(soap.placed[n:])
    assert mine.size > 0, "no copy placed: the test would prove nothing"
    assert not t.outcome.matched[n + mine].any()
    program, rounds = soap.program[n + mine], soap.round[n + mine]
    column = np.searchsorted(t.soap.open_programs, program)
    assert np.all(t.soap.rounds.open[rounds - 1, column] > 0)
    assert screened_in(copies, mine, t.market.programs, program).all()


def test_soap_never_places_anyone_below_the_rounds_bar_or_against_a_screen(small):
    lists = population_soap_lists(small)
    bars = round_bars(small.scenario.params.soap)
    assert np.all(lists.evaluation >= bars[-1])
    where = small.soap.open_programs[lists.program]
    assert screened_in(small.market.applicants, lists.applicant, small.market.programs, where).all()
    rounds = small.soap.rounds
    for applicant in np.flatnonzero(rounds.round > 0)[:50]:
        row = (lists.applicant == applicant) & (lists.program == rounds.placed[applicant])
        assert lists.evaluation[row].item() >= bars[rounds.round[applicant] - 1]


# --------------------------------------------------------------------------- acceptance is final


def test_an_accepted_offer_is_never_undone(small):
    lists = population_soap_lists(small)
    s = small.scenario.params.soap
    left = left_after_the_match(small)[small.soap.open_programs]
    played = soap_rounds(lists, left, small.market.applicants.size, s, record=True)
    assert len(played.offers) >= 2
    accepted_in = {}
    for number, (applicant, program, accepted) in enumerate(played.offers, start=1):
        # Nobody who accepted before is offered anything again.
        assert not any(a in accepted_in for a in applicant.tolist())
        # Everyone offered a position accepts exactly one: their favourite, for good.
        assert set(applicant[accepted].tolist()) == set(applicant.tolist())
        assert np.unique(applicant[accepted]).size == np.count_nonzero(accepted)
        # No program has more acceptances in a round than positions open.
        taken = np.bincount(program[accepted], minlength=left.size)
        assert np.all(taken <= played.open[number - 1])
        for a, p in zip(applicant[accepted].tolist(), program[accepted].tolist()):
            accepted_in[a] = (number, p)
    for a, (number, p) in accepted_in.items():
        assert played.round[a] == number and played.placed[a] == p
    assert np.count_nonzero(played.round) == len(accepted_in)
    assert np.array_equal(played.placed, small.soap.rounds.placed)


# --------------------------------------------------------------------------- a copy alone


def test_a_copy_gets_exactly_its_outcome_in_a_soap_of_the_population_and_it_alone(small):
    t, n = small, small.market.applicants.size
    params, s = t.scenario.params, t.scenario.params.soap
    population = population_soap_lists(t)
    left = left_after_the_match(t)[t.soap.open_programs]
    taking_part = copies_taking_part(t)
    mine, _ = copy_lists(
        t.soap,
        t.market.programs,
        t.focal.applicants,
        taking_part,
        np.full(taking_part.size, -1),  # the copies seek no advanced position
        t.scenario.you.soap_applications,
        params,
    )
    soap = t.outcome.soap
    checked = placed = 0
    for copy in np.flatnonzero(taking_part)[:40]:
        row = mine.applicant == copy
        joint = SoapLists(
            program=np.r_[population.program, mine.program[row]],
            applicant=np.r_[population.applicant, np.full(np.count_nonzero(row), n)],
            evaluation=np.r_[population.evaluation, mine.evaluation[row]],
            preference=np.r_[population.preference, mine.preference[row]],
        )
        together = soap_rounds(joint, left, n + 1, s)
        expected = t.soap.open_programs[together.placed[n]] if together.round[n] else None
        got = soap.program[n + copy] if soap.round[n + copy] else None
        assert (together.round[n], expected) == (soap.round[n + copy], got), copy
        checked += 1
        placed += bool(together.round[n])
    assert checked >= 20 and placed >= 2


def test_a_copy_that_matched_or_stays_out_of_soap_takes_no_part(small):
    n = small.market.applicants.size
    soap, matched = small.outcome.soap, small.outcome.matched[n:]
    assert not soap.placed[n:][matched].any()
    assert np.all(soap.sent[n:][matched] == 0)
    out = one_trial({"you.soap": False})
    assert np.array_equal(out.outcome.matched, small.outcome.matched)
    assert not out.outcome.soap.placed[n:].any() and not out.outcome.soap.sent[n:].any()
    assert np.array_equal(out.outcome.soap.program[:n], soap.program[:n])


def test_fewer_soap_applications_use_the_first_of_the_same_draws(small):
    t = small
    taking_part = copies_taking_part(t)

    def applied(count):
        lists, sent = copy_lists(
            t.soap,
            t.market.programs,
            t.focal.applicants,
            taking_part,
            np.full(taking_part.size, -1),
            count,
            t.scenario.params,
        )
        return sent, set(zip(lists.applicant.tolist(), lists.program.tolist()))

    few, many = applied(10), applied(45)
    assert np.all(few[0] <= many[0]) and np.all(few[0][taking_part] > 0)
    assert np.all(many[0] <= 45) and few[1] <= many[1]


# --------------------------------------------------------------------------- the Main Match stays


def test_the_soap_stream_was_appended_and_moves_no_earlier_stream():
    assert STAGES[6] == "soap"  # then geography and signals, appended after it (issue 16)
    before = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(3,))).spawn(6)
    now = trial_streams(7, 3)
    for stage, old in zip(STAGES[:6], before):
        assert np.array_equal(now[stage].random(8), old.random(8)), stage


def test_soap_leaves_the_main_match_bit_for_bit_unchanged(small):
    t = small
    plain = place_copies(t.population, t.focal, t.scenario.params)
    for name in ("matched_program", "matched_rank", "rol_length", "filled_by_type", "ranked"):
        assert np.array_equal(getattr(plain, name), getattr(t.outcome, name)), name
    scenario = load_scenario(IMG, overrides={"market.scale": SCALE, "market.focal_copies": COPIES})
    (through_trials,) = simulate_trial(plan_for(scenario, load_published()), 0)
    assert np.array_equal(through_trials.matched_program, plain.matched_program)
    assert np.array_equal(through_trials.soap.program, t.outcome.soap.program)


# --------------------------------------------------------------------------- tables and tallies


@pytest.fixture(scope="module")
def chunk():
    scenario = load_scenario(
        IMG, overrides={"market.scale": 0.03, "market.focal_copies": 16, "trials": 2}
    )
    plan = plan_for(scenario, load_published())
    return plan, run_chunk(plan, [0, 1])


def test_the_same_trial_gives_the_same_soap_in_any_chunk(chunk):
    plan, both = chunk
    alone = run_chunk(plan, [1]).tables["applicants"]
    whole = both.tables["applicants"]
    columns = ["n_soap_applications", "soap_placed", "soap_round", "soap_specialty", "placed"]
    pd.testing.assert_frame_equal(
        whole.loc[whole["trial"] == 1, columns].reset_index(drop=True), alone[columns]
    )


def test_the_tables_carry_soap_and_placed_is_the_match_or_soap(chunk):
    _, result = chunk
    a, p = result.tables["applicants"], result.tables["programs"]
    assert a["soap_placed"].dtype == bool and a["placed"].dtype == bool
    assert (a["placed"] == (a["matched"] | a["soap_placed"])).all()
    # Only the partially matched (advanced, no PGY-1 year) can be matched and placed in SOAP.
    both = a[a["matched"] & a["soap_placed"]]
    assert (both["matched_track"] == "advanced").all() and both["pgy1_specialty"].isna().all()
    assert a["soap_round"].isna().eq(~a["soap_placed"]).all()
    assert a["soap_specialty"].isna().eq(~a["soap_placed"]).all()
    assert (p["filled"] + p["filled_soap"] <= p["positions"]).all()
    population = a[~a["is_focal"]]
    assert population["soap_placed"].sum() == p["filled_soap"].sum()


def test_p_placed_is_p_match_plus_p_soap_for_you_and_every_type(chunk):
    """Less those counted twice: the partially matched who found their PGY-1 year in SOAP."""
    _, result = chunk
    a = result.tables["applicants"]
    summary = run_summary(tallies(a, result.tables["programs"]))
    twice = a[a["matched"] & a["soap_placed"]]
    population = twice[~twice["is_focal"] & twice["active"]]
    counted_twice = [
        int(twice["is_focal"].sum()),
        *(int((population["applicant_type"] == t).sum()) for t in summary["by_type"]),
    ]
    chances = [summary["focal"], *summary["by_type"].values()]
    for figures, both in zip(chances, counted_twice):
        match, soap, placed = (figures[k] for k in ("p_match", "p_soap", "p_placed"))
        # Your p_match leaves a one-year position alone aside (issue 14); the types' do not.
        one_year = (
            figures["p_match_preliminary_only"].k if "p_match_preliminary_only" in figures else 0
        )
        assert placed.k == match.k + one_year + soap.k - both and placed.n == match.n
        assert placed.p >= match.p and placed.ci_low <= placed.p <= placed.ci_high
    scale = summary["soap"]
    assert 0 < scale["positions_filled"] <= scale["positions_offered"]
    shares = list(scale["filled_by_round"].values())
    assert shares == sorted(shares) and shares[-1] == pytest.approx(1.0)


# --------------------------------------------------------------------------- the commands


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")


SMALL = ["--set", "market.scale=0.03", "--set", "market.focal_copies=8", "--trials", 2]


def test_run_reports_soap_in_summary_json_and_the_printed_table(tmp_path):
    result = run("run", IMG, *SMALL, "--workers", 1, "--all-types", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    for key in ("p_match", "p_soap", "p_placed"):
        assert {"p", "ci_low", "ci_high", "n"} <= set(summary["focal"][key]), key
        for figures in summary["by_type"].values():
            assert {"p", "ci_low", "ci_high"} <= set(figures[key])
    assert {"positions_offered", "positions_filled", "fill_share", "filled_by_round"} <= set(
        summary["soap"]
    )
    assert "placed through SOAP after the Match" in result.output
    assert "a position at all (the Match or SOAP)" in result.output
    assert "\nSOAP: " in result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 88


COMPARE_SOAP = """\
description = "SOAP or not"
seed = 5
trials = 2

[market]
scale = 0.03
focal_copies = 16

[you]
type = "us_img"
specialty = "Family Medicine"
step2ck = 228

[[strategies]]
name = "no SOAP"
you.soap = false

[[strategies]]
name = "SOAP"
you.soap = true
"""


def test_compare_reads_its_verdict_on_p_placed_with_outcome_placed(tmp_path):
    path = tmp_path / "soap.toml"
    path.write_text(COMPARE_SOAP, encoding="utf-8")
    out = tmp_path / "out"
    result = run("compare", path, "--workers", 1, "--outcome", "placed", "--out", out)
    assert result.exit_code == 0, result.output
    assert "P(placed)" in result.output
    assert "Your chance of a position (the Match or SOAP) against the baseline" in result.output
    record = json.loads((out / "comparison.json").read_text())
    assert record["outcome"] == "placed"
    base, soap = record["strategies"]
    assert base["p_soap"] == 0 and base["p_placed"] == base["p_match"]
    assert soap["p_match"] == base["p_match"]
    assert soap["diff"] == pytest.approx(soap["p_placed"] - base["p_placed"])
    assert "of a position (the Match or SOAP)" in soap["verdict"] or "no clear" in soap["verdict"]
    # Read on the Main Match (the default), taking part in SOAP changes nothing.
    matched = run("compare", path, "--workers", 1, "--out", tmp_path / "match")
    assert matched.exit_code == 0, matched.output
    record = json.loads((tmp_path / "match" / "comparison.json").read_text())
    assert record["outcome"] == "match" and record["strategies"][1]["diff"] == 0.0


def test_sweep_takes_outcome_placed_and_a_boolean_key(tmp_path):
    out = tmp_path / "out"
    result = run(
        "sweep", IMG, *SMALL, "--workers", 1, "--param", "you.soap", "--values", "false,true",
        "--outcome", "placed", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    assert {"p_soap", "soap_ci_low", "p_placed", "placed_ci_high"} <= set(table.columns)
    assert table["p_soap"].iloc[0] == 0 and (table["p_placed"] >= table["p_match"]).all()
    assert json.loads((out / "sweep.json").read_text())["outcome"] == "placed"


def test_an_unknown_outcome_is_refused(tmp_path):
    result = run("compare", IMG, "--outcome", "hired", "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert "'hired' is not one of 'match', 'placed'" in result.output
    assert not (tmp_path / "x").exists()


def test_the_api_refuses_an_unknown_outcome_before_simulating():
    scenario = load_scenario(ROOT / "scenarios" / "compare-usce.toml")
    with pytest.raises(ScenarioError) as excinfo:
        api.compare(scenario, outcome="hired")
    assert str(excinfo.value) == "outcome: expected one of match, placed, both, found 'hired'"


# --------------------------------------------------------------------------- the lesson


def test_the_lesson_shows_an_acceptance_that_cannot_be_undone():
    lesson = explain_market(load_market(LESSON), soap=True)
    soap = lesson.soap
    assert soap.open_positions == {"Summit": 1, "Valley": 1, "Rural": 1}
    assert soap.unmatched == ("Patel", "Quinn", "Reyes")
    assert soap.placed == {"Patel": "Rural", "Quinn": "Summit", "Reyes": "Valley"}
    assert [r.accepted for r in soap.rounds] == [
        (("Quinn", "Summit"), ("Patel", "Rural")),
        (("Reyes", "Valley"),),
    ]
    assert soap.rounds[0].declined == (("Quinn", "Valley"),)
    assert soap.unstable == (("Patel", "Valley"),)
    text = format_lesson(lesson)
    assert "SOAP round 2" in text and "Patel and Valley would both rather have each other" in text
    assert lesson.to_json()["soap"]["placed"]["Reyes"] == "Valley"


def test_soap_lists_are_checked_like_rank_lists():
    text = LESSON.read_text(encoding="utf-8").replace(
        'soap_ranks = ["Quinn", "Reyes"]', 'soap_ranks = ["Quinn", "Nobody"]'
    )
    with pytest.raises(ScenarioError) as excinfo:
        parse_market(text, source="m.toml")
    assert str(excinfo.value).startswith("m.toml: programs.Summit.soap_ranks[1]: unknown applicant")


def test_explain_soap_on_the_command_line_and_a_market_without_soap_lists():
    result = run("explain", LESSON, "--soap", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["soap"]["unstable"] == [
        {"applicant": "Patel", "program": "Valley"}
    ]
    nrmp = ROOT / "scenarios" / "nrmp-example.toml"
    refused = run("explain", nrmp, "--soap")
    assert refused.exit_code == 2
    assert refused.output.startswith("Error: --soap: ") and "soap_ranks" in refused.output
    with pytest.raises(ScenarioError):
        explain_market(load_market(nrmp), soap=True)


def test_a_track_with_no_open_program_gives_its_kind_no_picks_and_no_warning():
    """only_their_track masks every column of a track no open program belongs to; such a
    kind's row has no weight: its applicants have no room, and the draw neither warns
    (0/0) nor picks for the kinds that have weight."""
    import warnings

    from simulator.market.soap_applications import applied, only_their_track

    weights = np.array([[1.0, 2.0, 3.0]])
    open_specialty = np.array([0, 0, 1])
    track = np.array([-1, 0, 5])  # free, track 0 (open), track 5 (no open program)
    kind, masked, room = only_their_track(
        np.zeros(3, dtype=np.int64), weights, track, open_specialty
    )
    assert room.tolist() == [True, True, False]
    draws = np.random.default_rng(0).random((int(room.sum()), 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row, col = applied(masked, kind[room], draws)
    assert set(row.tolist()) <= {0, 1}
    assert set(col[row == 1].tolist()) <= {0, 1}  # track 0's open programs only
