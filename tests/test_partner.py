"""You and your partner as a couple (``[you.partner]``, issue 14): the scenario table, the
pairs your copies rank, their outcome against the NRMP's procedure run with the couple, and
``p_match_partner`` / ``p_match_both`` in the summary."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.engine.csr import segment_ids
from simulator.market import draw_focal, draw_focal_noise, draw_market, trial_streams
from simulator.market.couples import pair_lists
from simulator.market.focal_params import Focal, Partner
from simulator.market.inputs import market_inputs
from simulator.market.lists import solo_lists
from simulator.market.match import match_couple_copy, match_population, place_copies
from simulator.market.params import MarketParams
from simulator.market.published import load_published

SCENARIO = """\
description = "A US IMG in Internal Medicine, with a US MD partner in Pediatrics"
seed = 3
trials = 2

[market]
scale = 0.1
focal_copies = 48

[you]
type = "us_img"
specialty = "Internal Medicine (Categorical)"
step2ck = 238
"""
PARTNER = """
[you.partner]
specialty = "Pediatrics (Categorical)"
type = "us_md"
step2ck = 245
"""
YOU = Focal(
    type="non_us_img",
    specialty="Internal Medicine (Categorical)",
    step2ck=238,
    visa="j1",
    partner=Partner(specialty="Internal Medicine (Categorical)", step2ck=242, visa="j1"),
)


def _run(tmp_path, text: str, *args):
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(tmp_path / "s.toml"), "--out", str(out), *args])
    return result, out


@pytest.fixture(scope="module")
def couple_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("partner")
    result, out = _run(root, SCENARIO + PARTNER)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_a_partner_adds_their_chance_and_both_of_yours_to_the_summary(couple_run):
    out, printed = couple_run
    focal = json.loads((out / "summary.json").read_text(encoding="utf-8"))["focal"]
    you, partner, both = focal["p_match"], focal["p_match_partner"], focal["p_match_both"]
    assert you["n"] == partner["n"] == both["n"] == 96
    assert both["k"] <= min(you["k"], partner["k"])
    assert 0 < partner["k"] and both["ci_low"] <= both["p"] <= both["ci_high"]
    assert "your partner matched (any specialty)" in printed
    assert "both of you matched" in printed


def test_the_tables_mark_copies_as_couple_members_with_their_partners_outcome(couple_run):
    out, _ = couple_run
    applicants = pd.read_parquet(out / "applicants.parquet")
    copies, population = applicants[applicants["is_focal"]], applicants[~applicants["is_focal"]]
    assert copies["in_couple"].all()
    assert copies["partner_matched"].notna().all() and population["partner_matched"].isna().all()
    matched = copies["partner_matched"].astype(bool)
    assert (copies["partner_matched_specialty"].notna() == matched).all()
    assert set(copies.loc[matched, "partner_matched_specialty"]) <= {"Pediatrics (Categorical)"}


def test_without_a_partner_nothing_changes_but_empty_columns(tmp_path):
    result, out = _run(tmp_path, SCENARIO)
    assert result.exit_code == 0, result.output
    focal = json.loads((out / "summary.json").read_text(encoding="utf-8"))["focal"]
    assert "p_match_partner" not in focal and "p_match_both" not in focal
    applicants = pd.read_parquet(out / "applicants.parquet")
    assert applicants["partner_matched"].isna().all()
    assert not applicants.loc[applicants["is_focal"], "in_couple"].any()


@pytest.mark.parametrize(
    "table, key, found",
    [
        ('[you.partner]\ntype = "us_md"\n', "you.partner.specialty", "''"),
        ('[you.partner]\nspecialty = "Pediatrcs (Categorical)"\n', "you.partner.specialty", None),
        (
            '[you.partner]\nspecialty = "Pediatrics (Categorical)"\ntype = "us_md"\nvisa = "j1"\n',
            "you.partner.visa",
            "'j1'",
        ),
        (
            '[you.partner]\nspecialty = "Surgery-Preliminary (PGY-1 Only)"\n',
            "you.partner.specialty",
            None,
        ),
        (
            '[you.partner]\nspecialty = "Pediatrics (Categorical)"\nusce_months = 3\n',
            "you.partner.usce_months",
            "3",
        ),
    ],
)
def test_a_bad_partner_is_one_error_line_naming_the_key(tmp_path, table, key, found):
    result, out = _run(tmp_path, SCENARIO + table)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and key in lines[0]
    assert found is None or f"found {found}" in lines[0]
    assert not out.exists()


def test_a_partner_with_advanced_positions_is_refused(tmp_path):
    text = SCENARIO.replace(
        'specialty = "Internal Medicine (Categorical)"',
        'specialty = "Anesthesiology"\nadvanced = true',
    )
    result, _ = _run(tmp_path, text + PARTNER)
    assert result.exit_code == 2 and "you.advanced" in result.output
    assert "Traceback" not in result.output


# -- the couple's outcome ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def placed():
    """Two trials at scale 0.1: the market, the copies of you and your partner, and the
    outcome of placing them as couples."""
    inputs = market_inputs(load_published(), 0.1)
    params, copies, trials = MarketParams(), 12, []
    for trial in range(2):
        streams = trial_streams(17, trial)
        market = draw_market(inputs, params, streams)
        noise = draw_focal_noise(copies, market.programs.size, streams["focal"])
        partner_noise = draw_focal_noise(copies, market.programs.size, streams["partner"])
        partner_noise = dataclasses.replace(partner_noise, home=noise.home)
        you = draw_focal(market, YOU, noise, params, inputs.specialties)
        partner = draw_focal(
            market, YOU.partner.as_focal(YOU), partner_noise, params, inputs.specialties
        )
        population = match_population(market, params)
        outcome = place_copies(population, you, params, partner)
        trials.append((market, you, partner, population, outcome))
    return params, trials


def test_each_couple_gets_a_pair_on_its_own_list_or_none(placed):
    params, trials = placed
    for market, you, partner, population, outcome in trials:
        p, n = market.programs.size, market.applicants.size
        lists = population.lists
        mine = solo_lists(lists, you, params, market.programs.specialty)
        theirs = solo_lists(lists, partner, params, market.programs.specialty)
        copies = you.sent.size
        indptr = np.r_[mine.rol_indptr, mine.rol_indptr[-1] + theirs.rol_indptr[1:]]
        couple_indptr, pairs, _ = pair_lists(
            indptr,
            np.r_[mine.rol_programs, theirs.rol_programs],
            np.r_[mine.program_ranks, theirs.program_ranks],
            np.column_stack((np.arange(copies), copies + np.arange(copies))),
            market.programs.division,
            n + 1,
            params,
        )
        listed = set(zip(segment_ids(couple_indptr).tolist(), map(tuple, pairs.tolist())))
        got = zip(outcome.matched_program[n:].tolist(), outcome.partner_program[n:].tolist())
        for copy, pair in enumerate(got):
            assert pair == (p, p) or (copy, pair) in listed
        assert outcome.in_couple[n:].all()  # copies of you: in a couple
        assert outcome.in_couple[:n].sum() == market.couples.size  # the population's as before


def test_a_couple_gets_what_the_nrmp_procedure_with_it_alone_gives_nearly_always(placed):
    """The first pair that takes both against the solved matching, chains not followed, is
    measured against the NRMP's procedure run on the population and that one couple
    (docs/model.md)."""
    params, trials = placed
    agree = total = 0
    for market, you, partner, _, outcome in trials:
        n = market.applicants.size
        for copy in range(you.sent.size):
            full = match_couple_copy(market, you, partner, copy, params)
            agree += full == (outcome.matched_program[n + copy], outcome.partner_program[n + copy])
            total += 1
    assert agree / total >= 0.9


def _compare(tmp_path, text, *args):
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    command = ["compare", str(tmp_path / "c.toml"), "--out", str(out), *args]
    return CliRunner().invoke(main, command), out


def test_compare_reports_the_partners_chance_and_both_for_a_couple_strategy(tmp_path):
    couple = 'you.partner.specialty = "Pediatrics (Categorical)"\nyou.partner.type = "us_md"'
    strategies = f'[[strategies]]\nname = "alone"\n[[strategies]]\nname = "as a couple"\n{couple}\n'
    result, out = _compare(tmp_path, SCENARIO + strategies)
    assert result.exit_code == 0, result.output
    rows = json.loads((out / "comparison.json").read_text(encoding="utf-8"))["strategies"]
    alone, couple = rows
    assert "p_match_partner" not in alone
    assert couple["partner_ci_low"] <= couple["p_match_partner"] <= couple["partner_ci_high"]
    assert couple["both_ci_low"] <= couple["p_match_both"] <= couple["both_ci_high"]
    assert couple["p_match_both"] <= min(couple["p_match"], couple["p_match_partner"])
    assert "as a couple: your partner matched" in result.output


def test_a_sweep_over_a_partner_key_reports_the_couples_chances(tmp_path):
    (tmp_path / "s.toml").write_text(SCENARIO + PARTNER, encoding="utf-8")
    out = tmp_path / "out"
    args = ["sweep", str(tmp_path / "s.toml"), "--param", "you.partner.step2ck"]
    result = CliRunner().invoke(main, [*args, "--values", "230,250", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["value"]) == [230, 250]
    assert (table["p_match_both"] <= table[["p_match", "p_match_partner"]].min(axis=1)).all()
    assert "250: your partner matched" in result.output


COUPLE_STRATEGIES = """
[[strategies]]
name = "partner in Pediatrics"

[[strategies]]
name = "partner in Internal Medicine"
you.partner.specialty = "Internal Medicine (Categorical)"
"""


def test_outcome_both_pairs_the_chance_that_both_of_you_match(tmp_path):
    result, out = _compare(tmp_path, SCENARIO + PARTNER + COUPLE_STRATEGIES, "--outcome", "both")
    assert result.exit_code == 0, result.output
    assert "P(both)" in result.output
    assert "Your chance of both of you matching against the baseline" in result.output
    record = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert record["outcome"] == "both"
    second = record["strategies"][1]
    assert second["diff"] == pytest.approx(
        second["p_match_both"] - record["strategies"][0]["p_match_both"], abs=1e-12
    )


def test_a_strategy_may_drop_the_partner_but_outcome_both_then_refuses(tmp_path):
    alone = '\n[[strategies]]\nname = "alone"\nyou.partner.specialty = ""\n'
    text = SCENARIO + PARTNER + COUPLE_STRATEGIES + alone
    result, out = _compare(tmp_path, text)
    assert result.exit_code == 0, result.output  # clearing the specialty alone: no partner
    rows = json.loads((out / "comparison.json").read_text(encoding="utf-8"))["strategies"]
    assert "p_match_partner" in rows[0] and "p_match_partner" not in rows[2]
    (tmp_path / "again").mkdir()
    result, out = _compare(tmp_path / "again", text, "--outcome", "both")
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and not out.exists()
    assert lines[0].startswith("Error: --outcome: both") and "'alone' has no partner" in lines[0]
