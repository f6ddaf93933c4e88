"""Applicants choose specialties by their scores: Step 2 CK by type and preferred specialty."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.market import market_inputs, trial_streams
from simulator.market.applicants import draw_applicants, step2ck_distribution
from simulator.market.codes import NON_US_IMG, US_DO, US_MD
from simulator.market.params import MarketParams
from simulator.market.published import load_published
from simulator.scenario import with_changes

FAMILY, ORTHO = "Family Medicine", "Orthopaedic Surgery"


@pytest.fixture(scope="module")
def inputs():
    return market_inputs(load_published(), 0.5)


@pytest.fixture(scope="module")
def applicants(inputs):
    streams = trial_streams(4, 0)
    return draw_applicants(inputs, MarketParams(), streams["applicants"], streams["geography"])


def assert_mean_score(applicants, inputs, kind, name, want) -> None:
    """The drawn applicants' mean score is ``want`` within three standard errors."""
    chosen = (applicants.type == kind) & (applicants.specialty == inputs.specialties.index(name))
    scores = applicants.step2ck[chosen]
    assert scores.size > 100
    error = scores.std() / np.sqrt(scores.size)
    assert float(scores.mean()) == pytest.approx(want, abs=3 * error)


def test_the_published_preferrers_scores_are_drawn_where_charting_outcomes_has_them(
    applicants, inputs
):
    """US MD seniors preferring Orthopaedics: 587 matched at 257 and 203 not at 246 (2024)."""
    published = load_published().preferred_step2ck.set_index(["applicant_type", "specialty"])
    for kind, code, name in (("us_md", US_MD, ORTHO), ("us_md", US_MD, FAMILY)):
        want = published.loc[(kind, name), "mean"]
        # Drawn above the passing score with the published mean: the mean before truncation
        # lies lower (mean_before_truncation).
        assert_mean_score(applicants, inputs, code, name, want)
    assert published.loc[("us_md", ORTHO), "mean"] == pytest.approx((587 * 257 + 203 * 246) / 790)
    # Non-US IMGs preferring Family Medicine: 231 (SD 12) matched, 232 (SD 13) not (2026).
    assert published.loc[("non_us_img", FAMILY), "sd"] == pytest.approx(12.5, abs=0.1)
    assert_mean_score(applicants, inputs, NON_US_IMG, FAMILY, 231.5)


def test_types_without_figures_follow_us_md_seniors_as_far_as_self_selection_says(inputs):
    """DO seniors in Orthopaedics score above those in Family Medicine by US MD seniors' gap
    times ``applicants.score_self_selection``; at 0 the specialty makes no difference."""
    ortho, family = inputs.specialties.index(ORTHO), inputs.specialties.index(FAMILY)
    kind = np.array([US_DO, US_DO])
    where = np.array([ortho, family])
    us_md_gap = (
        inputs.preferred_step2ck_mean[US_MD, ortho] - inputs.preferred_step2ck_mean[US_MD, family]
    )
    assert us_md_gap == pytest.approx(10.3, abs=0.2)
    for strength in (0.0, 0.5, 1.0):
        params = with_changes(MarketParams(), {"applicants.score_self_selection": strength})
        mean, sd = step2ck_distribution(kind, where, inputs, params)
        assert mean[0] - mean[1] == pytest.approx(strength * us_md_gap)
        assert sd.tolist() == [params.applicants.step2ck_sd.us_do] * 2


def test_the_score_shift_lever_still_moves_every_score_of_a_type(inputs):
    ortho = inputs.specialties.index(ORTHO)
    kind, where = np.array([US_MD, NON_US_IMG]), np.array([ortho, ortho])
    base, _ = step2ck_distribution(kind, where, inputs, MarketParams())
    params = with_changes(MarketParams(), {"applicants.step2ck_shift.us_md": 5})
    shifted, _ = step2ck_distribution(kind, where, inputs, params)
    assert shifted.tolist() == pytest.approx([base[0] + 5, base[1]])


def test_the_mean_before_truncation_gives_the_published_mean_after_it():
    from scipy.stats import truncnorm

    from simulator.market.applicants import mean_before_truncation

    published, sd = np.array([231.5, 243.9, 257.0]), np.array([12.5, 15.0, 15.0])
    before = mean_before_truncation(published, sd, 218)
    assert np.all(before < published)
    after = [truncnorm.mean((218 - m) / s, np.inf, loc=m, scale=s) for m, s in zip(before, sd)]
    np.testing.assert_allclose(after, published, atol=1e-6)
    assert np.isnan(mean_before_truncation(np.array([np.nan]), np.array([15.0]), 218)).all()
