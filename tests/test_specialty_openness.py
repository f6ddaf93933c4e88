"""Specialties differ in how open their programs are to IMGs (``programs.img_share_friendliness``).

The IMGs' share of a specialty's published applicants, against Internal Medicine's (where the
APDIM surveys measured IMG-friendliness), moves the mean friendliness of its programs on the
log-odds scale; advanced rows take their PGY-1 specialty's share.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

from simulator.market import market_inputs, trial_streams
from simulator.market.inputs import FRIENDLINESS_REFERENCE
from simulator.market.params import MarketParams
from simulator.market.programs import draw_programs
from simulator.market.published import load_published
from simulator.scenario import with_changes


@pytest.fixture(scope="module")
def published():
    return load_published()


@pytest.fixture(scope="module")
def inputs(published):
    return market_inputs(published, 1.0)


def test_the_reference_specialty_has_ratio_zero_and_the_others_their_share(published, inputs):
    ratio = dict(zip(inputs.specialties, inputs.img_share_log_ratio, strict=True))
    assert ratio[FRIENDLINESS_REFERENCE] == 0.0
    wide = published.specialty_applicants_wide

    def share(name):
        row = wide.loc[name]
        return (row["us_img"] + row["non_us_img"] + 0.5) / (row.sum() + 1.0)

    for name in ("Emergency Medicine", "Pediatrics (Categorical)", "Dermatology (PGY-1 only)"):
        assert ratio[name] == pytest.approx(np.log(share(name) / share(FRIENDLINESS_REFERENCE)))
    # The shares order the specialties as the published applicants do.
    assert ratio["Dermatology (PGY-1 only)"] < ratio["Emergency Medicine"] < ratio["Pathology"] < 0


def test_an_advanced_row_takes_its_pgy1_specialtys_ratio(published, inputs):
    ratio = dict(zip(inputs.specialties, inputs.img_share_log_ratio, strict=True))
    advanced = published.advanced_positions
    assert len(advanced) > 0
    for name, pgy1 in zip(advanced["specialty"], advanced["pgy1_specialty"], strict=True):
        assert ratio[name] == ratio[pgy1]


def _community_means(inputs, beta):
    params = with_changes(MarketParams(), {"programs.img_share_friendliness": beta})
    streams = trial_streams(11, 0)
    programs = draw_programs(inputs, params, streams["programs"], streams["geography"])
    community = ~programs.university
    means = {}
    for s, name in enumerate(inputs.specialties):
        rows = community & (programs.specialty == s)
        if rows.sum() >= 150:
            means[name] = (programs.friendliness[rows].mean(), int(rows.sum()))
    return params, means


@pytest.mark.parametrize("beta", [0.0, 0.8])
def test_community_programs_are_as_open_as_the_formula_says(inputs, beta):
    """Each large specialty's community programs average expit(logit(0.6) + beta ln r), within
    four standard errors of a Beta of concentration 6 (SD at most 0.19)."""
    params, means = _community_means(inputs, beta)
    base = logit(params.programs.img_friendliness_community)
    assert len(means) >= 5
    for name, (mean, count) in means.items():
        ratio = inputs.img_share_log_ratio[inputs.specialties.index(name)]
        expected = expit(base + beta * ratio)
        assert abs(mean - expected) < 4 * 0.19 / np.sqrt(count), name


def test_a_larger_elasticity_closes_the_specialties_few_imgs_rank(inputs):
    _, flat = _community_means(inputs, 0.0)
    _, steep = _community_means(inputs, 1.0)
    assert steep["Emergency Medicine"][0] < flat["Emergency Medicine"][0] - 0.1
    reference = FRIENDLINESS_REFERENCE
    assert steep[reference][0] == pytest.approx(flat[reference][0], abs=0.03)
