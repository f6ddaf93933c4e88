"""Trials as tidy tables (``study.trials``) and chunked, multi-process runs (``study.executors``).

Trial ``i`` depends on the seed and ``i`` alone, so the tables must not depend
on how trials are split into chunks, on how many workers run them, or on
whether they are run twice.  A 3%-scale market with two strategies keeps this
fast.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from contract import CONTRACT_COLUMNS
from pandas.api import types as ptypes

from simulator.market.applicants import registered_counts
from simulator.market.published import load_published
from simulator.scenario import load_scenario
from simulator.study.executors import Execution, execute
from simulator.study.simulate import chunk_ranges
from simulator.study.trials import plan_for, run_chunk
from simulator.vocabulary import APPLICANT_TYPES, VISAS

FIXTURE = Path(__file__).parent / "fixtures" / "small_market_run.toml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURE)


@pytest.fixture(scope="module")
def plan(scenario):
    plan = plan_for(scenario, load_published())
    assert [v.name for v in plan.variants] == ["as is", "rank only 3"]
    return plan


@pytest.fixture(scope="module")
def three(plan):
    return run_chunk(plan, [0, 1, 2])


def concat(frames) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def test_chunks_add_up_to_the_whole_run(plan, three):
    head, tail = run_chunk(plan, [0, 1]), run_chunk(plan, [2])
    assert three.trials == (0, 1, 2)
    assert head.trials + tail.trials == three.trials
    for table in ("applicants", "programs"):
        joined = concat([head.tables[table], tail.tables[table]])
        pd.testing.assert_frame_equal(joined, three.tables[table])


def test_one_trial_alone_equals_that_trial_in_a_chunk(plan, three):
    alone = run_chunk(plan, [1])
    for table in ("applicants", "programs"):
        whole = three.tables[table]
        pd.testing.assert_frame_equal(
            whole[whole["trial"] == 1].reset_index(drop=True), alone.tables[table]
        )


def test_two_runs_are_identical(plan, three):
    again = run_chunk(plan, [0, 1, 2])
    pd.testing.assert_frame_equal(again.tables["applicants"], three.tables["applicants"])
    pd.testing.assert_frame_equal(again.tables["programs"], three.tables["programs"])


def test_trials_differ_from_each_other(three):
    a = three.tables["applicants"]
    first, second = a[a["trial"] == 0], a[a["trial"] == 1]
    assert not np.array_equal(first["step2ck"].to_numpy()[:200], second["step2ck"].to_numpy()[:200])


def collect(plan, chunks, workers):
    results = []
    execute(run_chunk, plan, chunks, Execution(workers=workers), results.append)
    results.sort(key=lambda r: r.trials)
    assert [list(r.trials) for r in results] == chunks
    return {t: concat([r.tables[t] for r in results]) for t in ("applicants", "programs")}


def test_two_workers_give_the_same_tables_as_one(plan, three):
    chunks = chunk_ranges(range(3), 2)
    assert len(chunks) > 1  # really split, so two processes share the work
    one = collect(plan, chunks, workers=1)
    two = collect(plan, chunks, workers=2)
    for table in ("applicants", "programs"):
        pd.testing.assert_frame_equal(two[table], one[table])
        pd.testing.assert_frame_equal(one[table], three.tables[table])


def test_chunk_ranges_cover_every_trial_once():
    for n, workers in ((1, 1), (3, 2), (17, 1), (100, 4), (1000, 2)):
        chunks = chunk_ranges(range(n), workers)
        assert [t for chunk in chunks for t in chunk] == list(range(n))
        assert max(len(c) for c in chunks) <= 8
    assert chunk_ranges(range(0), 2) == []


# --------------------------------------------------------------------------- the applicant table


def test_applicant_table_has_the_contract_columns_with_sensible_dtypes(three, plan):
    a = three.tables["applicants"]
    missing = [c for c in CONTRACT_COLUMNS if c not in a.columns]
    assert not missing
    counts = (
        "trial",
        "step2ck",
        "n_applications",
        "n_interviews",
        "rol_length",
        "contiguous_ranks",
        "n_signals",
        "n_interviews_signalled",
    )
    for column in counts:
        assert ptypes.is_integer_dtype(a[column]), column
        assert not a[column].isna().any(), column
    for column in ("usce_months", "years_since_graduation"):
        assert ptypes.is_float_dtype(a[column]), column
    for column in ("matched", "is_focal"):
        assert ptypes.is_bool_dtype(a[column]), column
    categories = {
        "applicant_type": list(APPLICANT_TYPES),
        "specialty": list(plan.inputs.specialties),
        "matched_specialty": list(plan.inputs.specialties),
        "visa": list(VISAS),
    }
    for column, expected in categories.items():
        assert isinstance(a[column].dtype, pd.CategoricalDtype), column
        assert list(a[column].cat.categories) == expected, column
    assert not a["applicant_type"].isna().any() and not a["specialty"].isna().any()
    # matched_rank: a nullable integer, so that "unmatched" is NA rather than a number.
    assert ptypes.is_integer_dtype(a["matched_rank"]) and a["matched_rank"].dtype.kind != "f"
    assert isinstance(a["matched_rank"].dtype, pd.api.extensions.ExtensionDtype)
    # Issue 16: signals sent and the interviews held at signalled programs, per applicant.
    assert (a["n_interviews_signalled"] <= a["n_interviews"]).all()
    assert (a["n_interviews_signalled"] <= a["n_signals"]).all()
    assert (a["n_signals"] <= a["n_applications"]).all() and a["n_signals"].sum() > 0


def test_matched_rank_is_one_based_and_na_exactly_when_unmatched(three):
    a = three.tables["applicants"]
    assert a["matched"].any() and (~a["matched"]).any()
    np.testing.assert_array_equal(a["matched_rank"].isna().to_numpy(), ~a["matched"].to_numpy())
    np.testing.assert_array_equal(
        a["matched_specialty"].isna().to_numpy(), ~a["matched"].to_numpy()
    )
    ranks = a.loc[a["matched"], "matched_rank"].astype(int)
    rol = a.loc[a["matched"], "rol_length"]
    assert ranks.min() == 1
    assert (ranks <= rol).all()
    assert (a["rol_length"] <= a["n_interviews"]).all()
    assert (a["contiguous_ranks"] <= a["rol_length"]).all() and (a["contiguous_ranks"] >= 0).all()
    assert (a["n_interviews"] <= a["n_applications"]).all()


def test_applicant_table_has_the_focal_copies_of_each_strategy(three, plan, scenario):
    a = three.tables["applicants"]
    focal = a[a["is_focal"]]
    per = focal.groupby(["trial", "strategy"], observed=True).size()
    assert (per == plan.copies).all() and len(per) == 3 * len(plan.variants)
    assert (focal["step2ck"] == scenario.you.step2ck).all()
    assert (focal["applicant_type"] == scenario.you.type).all()
    short = focal[focal["strategy"] == "rank only 3"]
    assert (short["rol_length"] <= 3).all()
    # The population is the same for both strategies (common random numbers).
    population = a[~a["is_focal"]]
    drawn = ["trial", "applicant_type", "specialty", "step2ck", "visa"]
    left, right = (
        population.loc[population["strategy"] == name, drawn].reset_index(drop=True)
        for name in ("as is", "rank only 3")
    )
    pd.testing.assert_frame_equal(left, right)
    assert (
        population["applicant_type"].value_counts().reindex(list(APPLICANT_TYPES)).to_numpy()
        == 3 * len(plan.variants) * registered_counts(plan.inputs, plan.variants[0].params)
    ).all()


# --------------------------------------------------------------------------- the program table


def test_program_table_filled_is_the_sum_by_type_and_at_most_positions(three, plan):
    p = three.tables["programs"]
    for column in ("trial", "specialty", "positions", "filled"):
        assert column in p.columns
    by_type = [f"filled_{name}" for name in APPLICANT_TYPES]
    assert set(by_type) <= set(p.columns)
    np.testing.assert_array_equal(p[by_type].sum(axis=1).to_numpy(), p["filled"].to_numpy())
    assert (p["filled"] <= p["positions"]).all()
    assert (p["positions"] >= 1).all()
    assert (p[by_type] >= 0).all().all()
    positions = p.groupby(["strategy", "trial"], observed=True)["positions"].sum()
    assert (positions == plan.inputs.positions.sum()).all()


def test_program_fills_agree_with_applicant_matches(three):
    a, p = three.tables["applicants"], three.tables["programs"]
    a = a[~a["is_focal"]]  # programs' fills count the population only, not the focal copies
    # An advanced match with a PGY-1 year from its supplemental list fills two positions.
    seats = pd.concat([a[a["matched"]], a[a["pgy1_specialty"].notna()]])
    matched = seats.groupby(["strategy", "trial", "applicant_type"], observed=True).size()
    filled = (
        p.melt(
            id_vars=["strategy", "trial"],
            value_vars=[f"filled_{t}" for t in APPLICANT_TYPES],
            var_name="applicant_type",
            value_name="n",
        )
        .assign(applicant_type=lambda d: d["applicant_type"].str.removeprefix("filled_"))
        .groupby(["strategy", "trial", "applicant_type"], observed=True)["n"]
        .sum()
    )
    filled = filled[filled > 0]
    pairs = {(str(s), int(t), str(k)): int(v) for (s, t, k), v in matched.items()}
    assert pairs == {(str(s), int(t), str(k)): int(v) for (s, t, k), v in filled.items()}
    keys = ["strategy", "trial", "matched_specialty"]
    pgy1 = a[a["pgy1_specialty"].notna()].assign(matched_specialty=lambda d: d["pgy1_specialty"])
    by_specialty = pd.concat([a[a["matched"]], pgy1]).groupby(keys, observed=True).size()
    by_program = p.groupby(["strategy", "trial", "specialty"], observed=True)["filled"].sum()
    by_program = by_program[by_program > 0]
    assert {k: int(v) for k, v in by_specialty.items()} == {
        k: int(v) for k, v in by_program.items()
    }
