"""Which answers rest on assumed parameters rather than on published data.

A strategy that changes your USCE, your years since graduation, your score,
your exam attempts, your applications or where they go moves your chance
through parameters the model assumes
(docs/model.md section 11 marks each parameter published, calibrated or
assumed); a visa (or Step 3, which an H-1B needs) changes it through
programs' sponsorship, published for Internal Medicine only.  Reports name
those parameters beside the effect, so that nobody mistakes an assumption for
a measured fact.
"""

from __future__ import annotations

from collections.abc import Iterable

from simulator.vocabulary import IMG_TYPES

_SOAP_ASSUMED = ("soap.participation", "soap.rounds", "soap.offers_per_position")
#: The assumed parameters through which a change of each ``you.*`` key moves your chance.
ASSUMED_VIA = {
    "you.usce_months": (
        "selection.usce_hands_on_weight",
        "selection.usce_observership_weight",
        "selection.usce_months_cap",
    ),
    "you.observership_months": (
        "selection.usce_observership_weight",
        "selection.usce_months_cap",
    ),
    "you.usce_kind": (
        "selection.usce_hands_on_weight",
        "selection.usce_observership_weight",
    ),
    "you.years_since_graduation": (
        "selection.ysg_weight",
        "programs.ysg_limit_share",
        "programs.ysg_limit_mean",
        "programs.ysg_limit_sd",
    ),
    "you.step2ck": (
        "selection.step2ck_weight",
        "programs.step2ck_screen_mean",
        "programs.step2ck_screen_sd",
    ),
    "you.applications": ("applicants.interview_cap", "programs.interviews_per_position"),
    # The share of programs screening attempts is published (30%); the penalty is not.
    "you.step1_attempts": ("selection.failed_attempt_weight",),
    "you.step2ck_attempts": ("selection.failed_attempt_weight",),
    "you.application_policy": ("applicants.friendly_policy_weight",),
    # SOAP's bars and noise are fitted to its published fill; these are not.
    "you.soap": _SOAP_ASSUMED,
    "you.soap_applications": _SOAP_ASSUMED,
    # A signal's bonus is fitted to published odds ratios; how many go where is your choice,
    # and the population's own policy and the tier counts outside Internal Medicine are not.
    "you.signals": ("signals.policy", "signals.assumed_gold", "signals.assumed_silver"),
    "you.signal_policy": ("signals.policy", "applicants.taste_sd"),
    "you.signal_reach_share": ("signals.policy", "applicants.taste_sd"),
    "you.signal_safer_share": ("signals.policy", "applicants.taste_sd"),
    "you.home_region": ("geography.division_shares", "geography.home_application_weight"),
    "you.geographic_preference": ("geography.stated_preference_share",),
}
#: A US senior's score meets cut-offs lowered by this assumed offset (an IMG's, the cut-offs).
US_SENIOR_SCREEN = "programs.step2ck_screen_us_offset"
#: Sponsorship shares are published for this specialty and assumed for every other.
SPONSORSHIP_PUBLISHED_FOR = "Internal Medicine (Categorical)"
SPONSORSHIP = ("programs.visa_none_share", "programs.visa_j1_h1b_share")
#: Sections whose keys are the model's own parameters: changing one is a "what if" of the model.
MODEL_SECTIONS = ("applicants.", "programs.", "selection.", "soap.", "geography.", "signals.")


def assumed_parameters(
    keys: Iterable[str],
    specialties: Iterable[str],
    values: dict | None = None,
    applicant_type: str | None = None,
) -> tuple[str, ...]:
    """The assumed parameters an effect of changing ``keys`` rests on, in a stable order.

    ``specialties`` are the specialties you seek (a visa's effect outside
    Internal Medicine rests on assumed sponsorship shares); ``values``, if
    given, holds the values each key takes (an application policy other than
    ``img_friendly`` does not use ``applicants.friendly_policy_weight``);
    ``applicant_type``, yours: a US senior's score also meets cut-offs lowered by
    :data:`US_SENIOR_SCREEN`.
    """
    found: list[str] = []
    for key in keys:
        if key.startswith(MODEL_SECTIONS):
            found.append(key)
        taken = (values or {}).get(key)
        if key == "you.application_policy" and taken and "img_friendly" not in taken:
            continue
        found.extend(ASSUMED_VIA.get(key, ()))
        if key == "you.step2ck" and applicant_type is not None and applicant_type not in IMG_TYPES:
            found.append(US_SENIOR_SCREEN)
        visa_keys = ("you.visa", "you.step3")
        if key in visa_keys and any(s != SPONSORSHIP_PUBLISHED_FOR for s in specialties if s):
            found.extend(SPONSORSHIP)
    return tuple(dict.fromkeys(found))


def strategy_assumptions(scenario) -> dict[str, tuple[str, ...]]:
    """For each strategy after the first: the assumed parameters its difference rests on."""
    strategies = scenario.strategies
    if not strategies:
        return {}
    baseline = dict(strategies[0].changes)
    out = {}
    for strategy in strategies[1:]:
        own = dict(strategy.changes)
        keys = [k for k in {**baseline, **own} if baseline.get(k, None) != own.get(k, None)]
        you = strategy.you
        taken = {
            k: {getattr(s.you, k.removeprefix("you."), None) for s in (strategies[0], strategy)}
            for k in keys
            if k.startswith("you.")
        }
        out[strategy.name] = assumed_parameters(
            keys, (you.specialty, you.backup_specialty), taken, you.type
        )
    return out
