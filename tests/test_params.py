"""Parameter defaults that copy a published figure must agree with data/, and every
parameter is documented with a rationale and a range."""

from dataclasses import fields

import pytest

from simulator.market.focal_params import Focal
from simulator.market.params import (
    ApplicantParams,
    MarketParams,
    ProgramParams,
    SelectionParams,
)
from simulator.market.published import load_published
from simulator.market.signal_params import GeographyParams, SignalParams

PUBLISHED = load_published()
DEFAULTS = MarketParams()


def applications(kind: str) -> float:
    table = PUBLISHED.applications_per_applicant.set_index("applicant_type")["applications"]
    return float(table[kind])


@pytest.mark.parametrize(
    ("default", "published"),
    [
        (DEFAULTS.applicants.applications_mean.us_md, applications("us_md")),
        (DEFAULTS.applicants.applications_mean.us_do, applications("us_do")),
        (DEFAULTS.applicants.applications_mean.us_img, applications("img")),
        (DEFAULTS.applicants.applications_mean.non_us_img, applications("img")),
        (DEFAULTS.applicants.passing_score, PUBLISHED.step2ck_passing_score),
        (DEFAULTS.applicants.step2ck_mean.us_md, PUBLISHED.step2ck("lcme_first_takers", "mean")),
        (DEFAULTS.applicants.step2ck_sd.us_md, PUBLISHED.step2ck("lcme_first_takers", "sd")),
        (
            DEFAULTS.applicants.step2ck_sd.non_us_img,
            PUBLISHED.step2ck("non_us_img_internal_medicine", "sd"),
        ),
        (DEFAULTS.programs.visa_none_share, PUBLISHED.visa_shares()["none"]),
        (DEFAULTS.programs.visa_j1_h1b_share, PUBLISHED.visa_shares()["j1_h1b"]),
    ],
    ids=[
        "applications us_md",
        "applications us_do",
        "applications us_img",
        "applications non_us_img",
        "passing score",
        "step2ck mean us_md",
        "step2ck sd us_md",
        "step2ck sd non_us_img",
        "visa none share",
        "visa j1_h1b share",
    ],
)
def test_defaults_copy_the_published_figures(default, published):
    assert default == pytest.approx(published)


@pytest.mark.parametrize(
    "cls",
    [ApplicantParams, ProgramParams, SelectionParams, GeographyParams, SignalParams, Focal],
)
def test_every_parameter_has_a_rationale_and_a_range(cls):
    for f in fields(cls):
        doc = f.metadata.get("doc", "")
        assert doc, f"{cls.__name__}.{f.name} is undocumented"
        if cls is not Focal:  # behavioural parameters say where their default comes from
            assert "Assumption" in doc or "Calibrated" in doc or "(" in doc, (
                f"{cls.__name__}.{f.name}: no source or 'Assumption' in its rationale"
            )
        low, high = f.metadata.get("range", (None, None))
        if isinstance(f.default, (int, float)) and not isinstance(f.default, bool):
            assert low is not None and high is not None, f"{cls.__name__}.{f.name} has no range"
            assert low <= f.default <= high
