"""The IMG's own hurdles: exam attempts, Step 3 for an H-1B, and where to apply (issue 18)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import simulator as ms
from simulator.errors import ScenarioError
from simulator.market import draw_focal, draw_focal_noise, draw_market, market_inputs, trial_streams
from simulator.market.applications import SCREENS, sponsored
from simulator.market.codes import H1B, TYPE_INDEX
from simulator.market.focal import FUNNEL_COUNTS
from simulator.market.published import load_published
from simulator.scenario import load_scenario
from simulator.vocabulary import APPLICANT_TYPES

SHIPPED = "scenarios/img-internal-medicine.toml"
NOT_READ = [FUNNEL_COUNTS.index(f"not_read_{reason}") for reason in SCREENS]
VISA, INVITED = FUNNEL_COUNTS.index("not_read_visa"), FUNNEL_COUNTS.index("invited")


@pytest.fixture(scope="module")
def shipped():
    return load_scenario(SHIPPED)


@pytest.fixture(scope="module")
def market(shipped):
    inputs = market_inputs(load_published(), 0.25)
    streams = trial_streams(11, 0)
    drawn = draw_market(inputs, shipped.params, streams)
    noise = draw_focal_noise(64, drawn.programs.size, streams["focal"])
    return inputs, drawn, noise


def entries(market, scenario, **you):
    inputs, drawn, noise = market
    focal = dataclasses.replace(scenario.you, **you)
    return draw_focal(drawn, focal, noise, scenario.params, inputs.specialties)


@pytest.mark.parametrize("visa", ["j1", "h1b"])
def test_visa_sponsoring_sends_no_application_where_your_visa_is_not_sponsored(
    market, shipped, visa
):
    got = entries(market, shipped, visa=visa, step3=True, application_policy="visa_sponsoring")
    assert (got.funnel[:, VISA] == 0).all()
    # Still as many applications, elsewhere: all there are if fewer programs sponsor you.
    inputs, drawn, _ = market
    s = inputs.specialties.index(shipped.you.specialty)
    own = np.arange(drawn.programs.specialty_indptr[s], drawn.programs.specialty_indptr[s + 1])
    can = sponsored(got.applicants, np.zeros(own.size, dtype=np.int64), drawn.programs, own)
    assert (got.sent == min(shipped.you.applications, int(can.sum()))).all()
    broad = entries(market, shipped, visa=visa, step3=True)
    assert (broad.funnel[:, VISA] > 0).any()  # the broad policy does send some there


def test_img_friendly_applies_only_where_every_screen_is_met(market, shipped):
    got = entries(market, shipped, application_policy="img_friendly", step2ck_attempts=2)
    assert (got.funnel[:, NOT_READ] == 0).all()
    programs = market[1].programs
    applied = got.interview_program
    assert programs.step2ck_cutoff[applied].max() <= shipped.you.step2ck
    assert not programs.attempts_screen[applied].any()


def test_an_h1b_without_step3_is_read_nowhere(market, shipped):
    got = entries(market, shipped, visa="h1b", step3=False)
    assert (got.funnel[:, VISA] == got.sent).all()
    assert got.interview_program.size == 0


def test_sponsorship_needs_step3_for_an_h1b_only(market, shipped):
    programs = market[1].programs
    where = np.arange(programs.size)
    for visa, step3 in [("j1", False), ("h1b", False), ("h1b", True)]:
        copies = entries(market, shipped, visa=visa, step3=step3).applicants
        who = np.zeros(programs.size, dtype=np.int64)
        can = sponsored(copies, who, programs, where)
        if visa == "h1b" and not step3:
            assert not can.any()
        else:
            assert can.any() and not can.all()


def test_a_failed_attempt_takes_invitations_away(market, shipped):
    """Same noise, lower evaluation and more screens: invitations fall, by a wide margin.

    Not copy by copy: a lower known merit also moves a copy's applications
    towards less desirable programs, where it may be invited more.
    """
    first = entries(market, shipped)
    for attempts in ({"step2ck_attempts": 2}, {"step1_attempts": 2}, {"step2ck_attempts": 3}):
        later = entries(market, shipped, **attempts)
        assert later.funnel[:, INVITED].sum() < 0.9 * first.funnel[:, INVITED].sum()
        assert np.mean(later.funnel[:, INVITED] <= first.funnel[:, INVITED]) > 0.9


def shipped_with(tmp_path, name: str, strategies: str, replace=("", "")) -> ms.Scenario:
    """The shipped IMG's scenario with ``strategies`` appended (and one text replaced)."""
    body = open(SHIPPED, encoding="utf-8").read().replace(*replace) + "\n" + strategies
    (tmp_path / name).write_text(body, encoding="utf-8")
    return load_scenario(tmp_path / name, overrides=["trials=3", "market.focal_copies=256"])


def test_a_step2ck_retake_lowers_the_shipped_imgs_chance_clearly(tmp_path):
    scenario = shipped_with(
        tmp_path,
        "retake.toml",
        '[[strategies]]\nname = "first time"\n\n'
        '[[strategies]]\nname = "second try"\nyou.step2ck_attempts = 2\n\n'
        '[[strategies]]\nname = "third try"\nyou.step2ck_attempts = 3\n',
    )
    result = ms.compare(scenario, workers=1, out=tmp_path / "out")
    first, second, third = result.record["strategies"]
    assert third["p_match"] <= second["p_match"] <= first["p_match"]
    assert second["diff_ci_high"] < 0  # clearly lower, paired on the same markets
    assert "selection.failed_attempt_weight" in result.assumptions["second try"]


def test_step3_raises_an_h1b_applicants_chance(tmp_path):
    scenario = shipped_with(
        tmp_path,
        "step3.toml",
        '[[strategies]]\nname = "no Step 3"\nyou.step3 = false\n\n'
        '[[strategies]]\nname = "Step 3 passed"\nyou.step3 = true\n',
        replace=('visa = "j1"', 'visa = "h1b"'),
    )
    result = ms.compare(scenario, workers=1, out=tmp_path / "out")
    without, with_step3 = result.record["strategies"]
    assert without["p_match"] == 0
    assert with_step3["diff_ci_low"] > 0


def test_the_population_carries_attempts_and_programs_screen_them(market, shipped):
    _, drawn, _ = market
    a, p = drawn.applicants, drawn.programs
    params = shipped.params
    for kind in APPLICANT_TYPES:
        rows = a.type == TYPE_INDEX[kind]
        want = getattr(params.applicants.step1_failure_share, kind)
        got = np.mean(a.step1_attempts[rows] > 1)
        assert abs(got - want) < 4 * np.sqrt(want * (1 - want) / rows.sum()) + 1e-9, kind
    assert set(np.unique(a.step2ck_attempts)) <= {1, 2}
    share = params.programs.attempts_screen_share
    assert abs(p.attempts_screen.mean() - share) < 4 * np.sqrt(share * (1 - share) / p.size)
    assert (a.step3 == (a.visa == H1B)).all()  # every population H-1B applicant has Step 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("step3 = 1", "you.step3: expected true or false, found 1"),
        ("step1_attempts = 0", "you.step1_attempts: expected an integer from 1 to 6, found 0"),
        (
            'application_policy = "friendly"',
            "you.application_policy: expected one of broad, visa_sponsoring, img_friendly, "
            "found 'friendly'",
        ),
    ],
)
def test_the_new_keys_are_checked(tmp_path, line, message):
    path = tmp_path / "s.toml"
    path.write_text(f"[you]\n{line}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value).startswith(f"{path}: {message}")


def test_the_policy_accepts_its_common_spellings(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[you]\napplication_policy = "IMG-friendly"\nstep3 = true\n')
    you = load_scenario(path).you
    assert (you.application_policy, you.step3) == ("img_friendly", True)


def test_the_shipped_comparison_names_only_the_assumptions_each_effect_rests_on():
    from simulator.study.assumptions import strategy_assumptions

    found = strategy_assumptions(load_scenario("scenarios/compare-img-hurdles.toml"))
    assert found == {
        "Step 2 CK on the 2nd try": ("selection.failed_attempt_weight",),
        "no Step 3 yet": (),  # sponsorship in Internal Medicine is published
        "visa-sponsoring only": (),
        "IMG-friendly only": ("applicants.friendly_policy_weight",),
    }


def test_observership_months_beside_hands_on_count_under_the_cap(market, shipped):
    """Two kinds of USCE: observerships add only in the months left under the cap."""
    from simulator.market.evaluation import known_merit

    cap = shipped.params.selection.usce_months_cap
    base = entries(market, shipped, usce_kind="hands_on", usce_months=3).applicants
    both = entries(
        market, shipped, usce_kind="hands_on", usce_months=3, observership_months=10
    ).applicants
    gain = known_merit(both, shipped.params)[0] - known_merit(base, shipped.params)[0]
    weight = shipped.params.selection.usce_observership_weight
    assert gain == pytest.approx(weight * (cap - 3))
    full = entries(
        market, shipped, usce_kind="hands_on", usce_months=cap, observership_months=4
    ).applicants
    at_cap = entries(market, shipped, usce_kind="hands_on", usce_months=cap).applicants
    assert known_merit(full, shipped.params)[0] == known_merit(at_cap, shipped.params)[0]


def test_observership_months_beside_observership_are_refused(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[you]\ntype = "non_us_img"\nusce_kind = "observership"\nusce_months = 2\n'
        "observership_months = 3\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value).startswith(
        f"{path}: you.observership_months: expected 0 when you.usce_kind is 'observership'"
    )


def test_a_sweep_over_step3_names_its_values_as_toml_does():
    from simulator.study.variants import sweep_variants

    variants = sweep_variants(load_scenario(SHIPPED), "you.step3", [False, True])
    assert [v.name for v in variants] == ["false", "true"]
    assert [v.you.step3 for v in variants] == [False, True]


def test_a_run_says_why_an_h1b_without_step3_is_read_nowhere(tmp_path):
    from simulator.report.text import NO_STEP3

    scenario = load_scenario(
        SHIPPED,
        overrides=[
            "trials=1",
            "market.scale=0.1",
            "market.focal_copies=8",
            "you.visa=h1b",
            "you.step3=false",
        ],
    )
    result = ms.run(scenario, workers=1, out=tmp_path / "out")
    assert NO_STEP3 in result.summary["notes"]
    assert result.summary["focal"]["p_match"].p == 0
    # Matched nowhere: no line about where (it once printed "matched at: ; ").
    assert "the programs you matched at" not in result.to_text()


def test_a_policy_that_leaves_few_programs_is_named_not_the_market(tmp_path):
    scenario = load_scenario(
        SHIPPED,
        overrides=[
            "trials=1",
            "market.focal_copies=8",
            "you.applications=700",
            "you.application_policy=img_friendly",
        ],
    )
    result = ms.run(scenario, workers=1, out=tmp_path / "out")
    (note,) = [n for n in result.summary["notes"] if n.startswith("you asked to send 700")]
    assert "pass you.application_policy = 'img_friendly'" in note
