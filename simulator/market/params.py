"""Every behavioural parameter of the market model: name, default, range and rationale.

Each field's metadata carries ``doc`` (a one-line rationale: a published figure,
or "assumption chosen to reproduce X") and ``range`` (inclusive bounds checked
when a scenario sets it).  ``docs/scenarios.md`` is checked against these, so a
parameter cannot exist without documentation.  Values marked *calibrated* are
fitted by ``matchsim calibrate`` and read from the calibration file.
"""

from __future__ import annotations

from simulator.market.advanced_params import AdvancedParams
from simulator.market.couple_params import CoupleParams
from simulator.market.fields import PerType, param, per_type, table
from simulator.market.fields import frozen as _frozen
from simulator.market.signal_params import GeographyParams, SignalParams
from simulator.market.soap_params import SoapParams


@_frozen
class ApplicantParams:
    """How the synthetic applicants are drawn."""

    step2ck_mean: PerType = table(
        per_type(us_md=250, us_do=247, us_img=236, non_us_img=240, other=236),
        "Mean Step 2 CK by type. US MD: 250, USMLE Score Interpretation Guidelines 2024-25 "
        "(LCME first-takers). Others: assumption, below the LCME mean as the NRMP Charting "
        "Outcomes tables show. Where Charting Outcomes publishes the scores of a type's "
        "applicants preferring a specialty (US MD seniors: 17 specialties; non-US IMGs: 9, and "
        "Internal Medicine from data/step2ck_norms.csv), those are used instead.",
    )
    step2ck_sd: PerType = table(
        per_type(us_md=15, us_do=15, us_img=15, non_us_img=14, other=15),
        "Standard deviation of Step 2 CK by type. US MD: 15 (USMLE guidelines); non-US IMG: 14 "
        "(Charting Outcomes, IM); others: assumption.",
    )
    step2ck_shift: PerType = table(
        per_type(),
        "Points added to every Step 2 CK of a type, to explore 'what if IMGs scored higher' "
        "(scenario lever; 0 reproduces the published distributions).",
    )
    score_self_selection: float = param(
        1.0,
        "Applicants choose specialties by their scores: where no Step 2 CK is published for a "
        "type and specialty, the type's mean moves by this times how far US MD seniors "
        "preferring the specialty score above their average (Charting Outcomes 2024: -5.7 "
        "points in Family Medicine to +5.6 in Otolaryngology). 1: as US MD seniors; 0: no "
        "self-selection. Assumption.",
        0,
        2,
    )
    passing_score: int = param(
        218, "Step 2 CK passing score from 1 July 2025 (USMLE); scores are drawn above it.", 1, 300
    )
    usce_hands_on_share: PerType = table(
        per_type(us_img=0.85, non_us_img=0.5, other=0.6),
        "Share of IMGs whose US clinical experience is hands-on (electives, externships). "
        "Assumption: US-citizen IMGs mostly trained in US clerkships (Caribbean schools).",
    )
    usce_none_share: PerType = table(
        per_type(us_img=0.05, non_us_img=0.2, other=0.2),
        "Share of IMGs with no US clinical experience at all. Assumption.",
    )
    usce_mean_months: PerType = table(
        per_type(us_img=10, non_us_img=3, other=4),
        "Mean months of US clinical experience among IMGs who have some. Assumption.",
    )
    ysg_mean: PerType = table(
        per_type(us_img=1.0, non_us_img=3.5, other=2.0),
        "Mean years since graduation (US seniors: 0). Assumption; 'old graduate' beyond about "
        "2-5 years is a red flag (domain notes).",
    )
    step1_failure_share: PerType = table(
        per_type(us_md=0.03, us_do=0.03, us_img=0.15, non_us_img=0.15, other=0.15),
        "Share of applicants who failed Step 1 once before passing (two attempts). Assumption "
        "from the published first-attempt pass rates (USMLE performance data): IMG examinees "
        "68-78% (2019-2023), US MD students 95-98%; about half of those who fail are assumed to "
        "pass later and apply.",
    )
    step2ck_failure_share: PerType = table(
        per_type(us_md=0.02, us_do=0.02, us_img=0.1, non_us_img=0.1, other=0.1),
        "Share of applicants who failed Step 2 CK once before passing. Assumption from the "
        "published first-attempt pass rates: IMG examinees 76-87% (2016-2020), US MD 96-98%; "
        "about half of those who fail are assumed to pass later and apply.",
    )
    visa_j1_share: float = param(0.55, "Share of non-US IMGs needing a J-1 visa. Assumption.", 0, 1)
    visa_h1b_share: float = param(
        0.2,
        "Share of non-US IMGs needing an H-1B visa (the rest need none). Assumption: all of them "
        "have passed Step 3, which H-1B sponsorship requires (one who had not would apply on a "
        "J-1 instead).",
        0,
        1,
    )
    registered_per_active: PerType = table(
        per_type(us_md=1.0, us_do=1.01, us_img=1.21, non_us_img=1.47, other=1.61),
        "Registered applicants drawn per published active applicant of each type. A registrant "
        "who ends the season with no interview certifies no rank-order list: not active, in no "
        "published rate. Calibrated so that the simulated active applicants of each type meet "
        "the published counts; their total is checked against the 52,498 registered of 2025.",
    )
    applications_mean: PerType = table(
        per_type(us_md=68, us_do=92, us_img=139, non_us_img=139, other=100),
        "Mean applications per applicant: US MD 68, DO 92, IMG 139 (AAMC ERAS 2022, as quoted); "
        "other: assumption.",
    )
    applications_cv: float = param(
        0.5, "Coefficient of variation of applications per applicant. Assumption.", 0, 3
    )
    backup_application_share: float = param(
        0.35,
        "Share of an applicant's applications sent to their backup specialty, if they have one. "
        "Assumption. Whether they have one follows the published counts of applicants ranking "
        "each specialty (about 1.5 specialties per applicant).",
        0,
        1,
    )
    size_weight: float = param(
        0.5,
        "How strongly bigger programs draw more applications: weight grows as positions to this "
        "power. Assumption.",
        0,
        5,
    )
    visa_mismatch_weight: float = param(
        0.15,
        "Relative chance of applying to a program that does not sponsor the visa one needs. "
        "Assumption.",
        0,
        1,
    )
    friendliness_weight: float = param(
        2.0,
        "How strongly IMGs steer applications towards IMG-friendly programs (log-weight per unit "
        "of friendliness). Assumption.",
        0,
        20,
    )
    friendly_policy_weight: float = param(
        2.0,
        "With you.application_policy = 'img_friendly': extra log-weight per unit of "
        "IMG-friendliness, on top of friendliness_weight. Assumption.",
        0,
        20,
    )
    reach_weight: float = param(
        0.5,
        "How strongly applicants avoid programs more desirable than their merit (log-weight per "
        "SD). Assumption.",
        0,
        20,
    )
    interview_cap: int = param(18, "Most interviews one applicant accepts. Assumption.", 1, 200)
    rank_list_cap: int = param(
        0, "Cap on everyone's rank-list length (0: no cap, rank every interview).", 0, 200
    )
    taste_sd: float = param(
        0.7,
        "Spread of applicants' personal taste around a program's common desirability (SD 1). "
        "Assumption.",
        0,
        10,
    )
    specialty_loyalty: float = param(
        3.0,
        "How much more an applicant wants any program of the preferred specialty than one of the "
        "backup (desirability units): backups are ranked below, as the NRMP's contiguous-ranks "
        "measure shows for most applicants. Assumption.",
        0,
        100,
    )


@_frozen
class ProgramParams:
    """How the synthetic programs are drawn and how they screen and interview."""

    university_share: float = param(
        0.4,
        "Share of programs that are university-like (the rest community-like). Assumption.",
        0,
        1,
    )
    size_sd: float = param(
        0.6,
        "Spread (log-scale SD) of program sizes within a specialty; every program has at least one "
        "position. Assumption.",
        0,
        5,
    )
    university_desirability: float = param(
        0.8,
        "How much more desirable a university-like program is than a community-like one, before "
        "desirability is standardised (SD units). Assumption.",
        -5,
        5,
    )
    friendliness_concentration: float = param(
        6.0,
        "Concentration of the Beta distribution of IMG-friendliness around its mean (higher: "
        "programs of a kind are more alike). Assumption.",
        0.1,
        1000,
    )
    sponsorship_noise: float = param(
        0.15,
        "Noise added to IMG-friendliness when ranking programs by visa sponsorship (0: the "
        "friendliest programs always sponsor most). Assumption.",
        0,
        10,
    )
    img_friendliness_community: float = param(
        0.6,
        "Mean IMG-friendliness (0-1) of community programs; APDIM surveys (JGIM 2021): IMGs fill "
        "55-70% of community IM positions.",
        0,
        1,
    )
    img_friendliness_university: float = param(
        0.25,
        "Mean IMG-friendliness (0-1) of university programs; APDIM surveys: IMGs fill 22-30% of "
        "university IM positions.",
        0,
        1,
    )
    img_share_friendliness: float = param(
        0.0,
        "How far a specialty's programs' IMG-friendliness follows the IMGs' share of its "
        "applicants (Main Match 2025 data tables): the mean friendliness's log-odds move by this "
        "times ln(the share / Internal Medicine's share), Internal Medicine being where the "
        "APDIM surveys measured it. 0: every specialty as open as Internal Medicine. Assumption: "
        "0.5 brings the non-US IMGs' rates by specialty closer and the US MD seniors' further "
        "(docs/model.md, section 12), so it is off by default.",
        -5,
        5,
    )
    visa_none_share: float = param(
        0.363,
        "Share of programs sponsoring no visa: 36.3% of IM programs (Nguemeni Tiako et al., JGME "
        "2022); assumed the same elsewhere.",
        0,
        1,
    )
    visa_j1_h1b_share: float = param(
        0.22,
        "Share sponsoring J-1 and H-1B: 22.0% of IM programs (JGME 2022); the rest J-1 only.",
        0,
        1,
    )
    step2ck_screen_mean: float = param(
        222,
        "Mean Step 2 CK cut-off (IMGs'; US MD and DO seniors' is step2ck_screen_us_offset "
        "lower). Assumption ('above 240 is good', 245+ competitive; cut-offs are informal).",
        1,
        300,
    )
    step2ck_screen_sd: float = param(
        8, "Spread of Step 2 CK cut-offs between programs. Assumption.", 0, 100
    )
    step2ck_screen_us_offset: float = param(
        0,
        "Points below a program's Step 2 CK cut-off at which it screens US MD and DO seniors: "
        "0 screens everyone at the same cut-off, 100 screens only IMGs. Assumption: score "
        "filters in ERAS apply to every applicant, and the "
        "unmatched US MD seniors' low mean scores (Charting Outcomes 2024) need them "
        "(docs/model.md, section 6).",
        0,
        100,
    )
    step2ck_screen_per_desirability: float = param(
        6, "Points a cut-off rises per SD of program desirability. Assumption.", 0, 100
    )
    attempts_screen_share: float = param(
        0.3,
        "Share of programs that do not read an application showing a failed attempt at Step 1 or "
        "Step 2 CK: 30% of program directors would not consider an applicant with a first-attempt "
        "Step 1 failure (NRMP Program Director Survey 2018).",
        0,
        1,
    )
    ysg_limit_share: float = param(
        0.6, "Share of programs with a years-since-graduation limit for IMGs. Assumption.", 0, 1
    )
    ysg_limit_mean: float = param(
        5, "Mean limit, in years since graduation, where a program has one. Assumption.", 0, 50
    )
    ysg_limit_sd: float = param(
        2, "Spread of those limits between programs (at least one year). Assumption.", 0, 50
    )
    interviews_per_position: float = param(
        12.5,
        "Interview slots per position where data/applicants_ranked_per_position.csv has no "
        "figure; elsewhere that figure (NRMP 2020) divided by interview_rank_share.",
        1,
        100,
    )
    interview_rank_share: float = param(
        0.92,
        "Chance that a program ranks an interviewee at all (the rest it rules out at interview, "
        "whatever their evaluation); interview slots per position are the published ranked per "
        "position divided by it. Assumption.",
        0.01,
        1,
    )
    interview_rounds: int = param(
        6,
        "Rounds of invitations: later rounds fill slots that applicants declined. Assumption.",
        1,
        10,
    )


@_frozen
class SelectionParams:
    """How programs evaluate applicants (in standard-deviation units of merit)."""

    step2ck_weight: float = param(
        1.0, "Evaluation points per 15 Step 2 CK points (one LCME SD). Assumption.", 0, 10
    )
    usce_hands_on_weight: float = param(
        0.12,
        "Evaluation points per month of hands-on USCE, up to usce_months_cap. Assumption.",
        0,
        10,
    )
    usce_observership_weight: float = param(
        0.04, "Evaluation points per month of observership. Assumption.", 0, 10
    )
    usce_months_cap: float = param(
        6, "Months beyond which more USCE adds nothing. Assumption.", 0, 60
    )
    failed_attempt_weight: float = param(
        0.5,
        "Evaluation points lost per failed attempt (Step 1 or Step 2 CK) at programs that read "
        "the application anyway: a red flag short of a screen. Assumption (0.5 is about 7.5 "
        "Step 2 CK points).",
        0,
        10,
    )
    ysg_weight: float = param(
        0.12,
        "Evaluation points lost per year since graduation beyond the first. Assumption.",
        0,
        10,
    )
    type_penalty: PerType = table(
        per_type(us_md=0.0, us_do=1.09, us_img=4.32, non_us_img=4.53, other=5.85),
        "Evaluation points a program subtracts for the applicant's type (for IMG types, scaled by "
        "the program's unfriendliness 2(1 - friendliness)). Calibrated to the 2025 match rates by "
        "type.",
    )
    other_merit_sd: float = param(
        1.43,
        "Spread (SD, evaluation points) of what programs value beyond Step 2 CK, USCE and "
        "graduation year: letters, school, research, fit. Common to every program and unseen by "
        "the applicant when choosing where to apply; for you it is drawn afresh for each copy, "
        "so your chance averages over it. Calibrated: it sets how decisive Step 2 CK is (the "
        "published gaps between matched and unmatched applicants' scores).",
        0,
        10,
        calibrated=True,
    )
    application_noise_sd: float = param(
        2.5,
        "What one program alone sees in an application (its own needs, fit, connections), "
        "independent between programs (SD, evaluation points). Assumption, chosen so that "
        "interviews spread over IMGs as published: about 25-30% of registered non-US IMGs end "
        "with no interview, and the median unmatched IMG ranked 1-2 programs (Charting Outcomes "
        "2026); with 1.0, half of them had none and the active ones matched at 80%+.",
        0,
        10,
    )
    interview_noise_sd: float = param(
        1.5,
        "What the interview adds to a program's evaluation (SD, evaluation points): a single "
        "interview rarely leads to a match. Assumption; with the contiguous-ranks medians of "
        "Charting Outcomes 2026 it sets how many interviews an IMG needs.",
        0,
        10,
    )
    acceptability_bar: float = param(
        -1.0,
        "Programs leave unranked interviewees evaluated below this quality floor, even if it "
        "leaves positions unfilled (beside those ruled out at interview, see "
        "programs.interview_rank_share). Calibrated: it sets how many positions are filled "
        "(37,667 PGY-1 positions in 2025).",
        -20,
        20,
        calibrated=True,
    )


@_frozen
class MarketParams:
    """All the population parameters of one synthetic Match year."""

    applicants: ApplicantParams = table(ApplicantParams, "Applicant population.")
    programs: ProgramParams = table(ProgramParams, "Programs and their screening.")
    selection: SelectionParams = table(SelectionParams, "Programs' evaluation of applicants.")
    soap: SoapParams = table(SoapParams, "SOAP after the Main Match.")
    geography: GeographyParams = table(GeographyParams, "Where programs and applicants are.")
    signals: SignalParams = table(SignalParams, "Preference signals and geographic preference.")
    couples: CoupleParams = table(CoupleParams, "Couples matching jointly.")
    advanced: AdvancedParams = table(
        AdvancedParams, "Advanced (PGY-2) positions and supplemental PGY-1 lists."
    )
