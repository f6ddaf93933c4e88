"""Running trials: strategies sharing one market, tidy tables, chunks of trials.

Trial ``i`` depends on the scenario seed and ``i`` alone (see
:func:`simulator.market.streams.trial_streams`), so a chunk of trials gives the same
numbers whichever process runs it and however the trials are split.  Within a
trial, every strategy (variant) sees the same market and the same focal noise:
markets are drawn once per distinct set of population parameters.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.market import (
    MarketInputs,
    TrialOutcome,
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
from simulator.market.applicants import ONE_YEAR_TRACKS
from simulator.market.focal import FUNNEL_COUNTS
from simulator.market.signals import SIGNAL_COUNTS
from simulator.market.soap import no_soap
from simulator.scenario import Strategy
from simulator.vocabulary import (
    APPLICANT_TYPES,
    DIVISIONS,
    PROGRAM_KINDS,
    TRACKS,
    USCE_KINDS,
    VISA_POLICIES,
    VISAS,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """Everything a worker needs to run any trial of a study."""

    seed: int
    copies: int
    inputs: MarketInputs
    variants: tuple[Strategy, ...]
    #: False: :func:`run_chunk` keeps only the focal copies' rows, as the table ``focal``
    #: (compare and sweep, whose population tables would be huge), and the population's
    #: counts by type and preferred specialty, as ``population_counts``.
    population: bool = True

    @property
    def sought(self) -> set[str]:
        """Every specialty a variant's copies may apply to (``you.sought``)."""
        return {s for v in self.variants for s in v.you.sought}

    @property
    def partner_sought(self) -> set[str]:
        """Every specialty a variant's copies of your partner may apply to (none without one)."""
        return {s for v in self.variants for s in v.you.partner_sought}

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables :func:`run_chunk` returns for this plan."""
        return ("applicants", "programs") if self.population else ("focal", "population_counts")


def plan_for(scenario, published, *, strategies: bool = True) -> Plan:
    """The plan of a loaded :class:`simulator.scenario.Scenario`.

    With ``strategies`` (and a scenario that has some), one variant per
    strategy; otherwise the single variant "you".
    """
    if strategies and scenario.strategies:
        variants = scenario.strategies
    else:
        variants = (Strategy(name="you", you=scenario.you, params=scenario.params),)
    return Plan(
        seed=scenario.seed,
        copies=scenario.market.focal_copies,
        inputs=market_inputs(published, scenario.market.scale),
        variants=variants,
    )


def simulate_trial(plan: Plan, trial: int) -> list[TrialOutcome]:
    """Every variant's outcome in trial ``trial``, on common random numbers.

    Markets (and the population's Match and SOAP) are drawn once per distinct
    set of population parameters; each variant places its own copies into them.
    """
    markets = {}
    outcomes = []
    for variant in plan.variants:
        if variant.params not in markets:
            streams = trial_streams(plan.seed, trial)
            market = draw_market(plan.inputs, variant.params, streams)
            noise = draw_focal_noise(
                plan.copies,
                market.programs.size,
                streams["focal"],
                blocks=specialty_blocks(market.programs, plan.inputs.specialties, plan.sought),
            )
            partner_noise = _partner_noise(plan, market, noise, streams["partner"])
            population = match_population(market, variant.params)
            soap = run_soap(
                market,
                population.match,
                population.pgy1,
                variant.params,
                streams["soap"],
                plan.copies,
            )
            markets[variant.params] = market, noise, partner_noise, population, soap
        market, noise, partner_noise, population, soap = markets[variant.params]
        you, specialties = variant.you, plan.inputs.specialties
        focal = draw_focal(market, you, noise, variant.params, specialties)
        partner = None
        if you.has_partner:
            partner = draw_focal(
                market, you.partner.as_focal(you), partner_noise, variant.params, specialties
            )
        outcome = place_copies(population, focal, variant.params, partner)
        outcomes.append(place_in_soap(outcome, soap, focal.applicants, variant.you, variant.params))
    return outcomes


def _partner_noise(plan: Plan, market, noise, rng):
    """The noise of your partner's copies (its own stream), each from the home of its copy
    of you; None if no variant has a partner."""
    if not plan.partner_sought:
        return None
    blocks = specialty_blocks(market.programs, plan.inputs.specialties, plan.partner_sought)
    partner = draw_focal_noise(plan.copies, market.programs.size, rng, blocks=blocks)
    return dataclasses.replace(partner, home=noise.home)


def applicant_table(
    outcome: TrialOutcome, *, trial: int, strategy, specialties, population: bool = True
) -> pd.DataFrame:
    """One row per applicant (population, then focal copies) of one trial.

    With ``population=False``, only the focal copies' rows (same columns).
    The funnel counts (``n_not_read_visa``, ``n_not_read_score``,
    ``n_not_read_graduation``, ``n_read``, ``n_invited``) are kept for the focal
    copies only: missing (NA) in the population's rows.
    """
    a = outcome.applicants
    names = list(specialties)
    n_population = int(np.count_nonzero(~outcome.is_focal))
    rows = slice(None) if population else slice(n_population, None)  # the population comes first
    is_focal = outcome.is_focal[rows]
    matched = outcome.matched[rows]
    matched_specialty = outcome.matched_specialty[rows]
    specialty = a.specialty[rows]
    size = is_focal.size
    copy = np.where(is_focal, np.arange(a.size)[rows] - n_population, -1)
    soap = no_soap(a.size, outcome.programs.size) if outcome.soap is None else outcome.soap
    soap_placed = soap.placed[rows]
    soap_specialty = np.r_[outcome.programs.specialty, len(names)][soap.program[rows]]
    return pd.DataFrame(
        {
            "trial": np.full(size, trial, dtype=np.int32),
            "strategy": _repeat(strategy, size),
            "applicant_type": pd.Categorical.from_codes(a.type[rows], APPLICANT_TYPES),
            "specialty": pd.Categorical.from_codes(specialty, names),
            "backup_specialty": _specialty_column(a.backup[rows], names),
            "step2ck": a.step2ck[rows].astype(np.int16),
            "usce_months": a.usce_months[rows].astype(np.float32),
            "usce_kind": pd.Categorical.from_codes(a.usce_kind[rows], USCE_KINDS),
            "years_since_graduation": a.ysg[rows].astype(np.float32),
            "visa": pd.Categorical.from_codes(a.visa[rows], VISAS),
            # What programs value beyond the numbers, in SDs (selection.other_merit_sd scales it).
            "other_merit": a.other_merit[rows].astype(np.float32),
            "n_applications": outcome.sent[rows].astype(np.int16),
            "n_interviews": outcome.interviews[rows].astype(np.int16),
            "rol_length": outcome.rol_length[rows].astype(np.int16),
            "contiguous_ranks": outcome.contiguous_ranks[rows].astype(np.int16),
            "matched": matched,
            "matched_specialty": _specialty_column(matched_specialty, names),
            "matched_preferred": matched_specialty == specialty,
            # Where the Main Match placed the applicant: kind and visa policy of the program.
            **_matched_program_columns(outcome, rows, names),
            "matched_rank": pd.Series(outcome.matched_rank[rows], dtype="Int16").mask(~matched),
            "is_focal": is_focal,
            # One of a couple matching jointly (the population's; market.couples).
            "in_couple": outcome.in_couple[rows],
            # With [you.partner], the copies' partners: whether and in which specialty they
            # matched (missing in the population's rows and without a partner).
            **_partner_columns(outcome, rows, names),
            # Certified a rank-order list (ranked at least one program): the NRMP's "active".
            "active": outcome.rol_length[rows] > 0,
            "copy": copy.astype(np.int16),
            # SOAP after the Main Match (docs/model.md): applications sent (0: took no part),
            # whether and in which round and specialty a position was accepted.
            "n_soap_applications": soap.sent[rows].astype(np.int16),
            "soap_placed": soap_placed,
            "soap_round": pd.Series(soap.round[rows], dtype="Int8").mask(~soap_placed),
            "soap_specialty": _specialty_column(soap_specialty, names),
            "placed": matched | soap_placed,
            # Geography and preference signals (docs/model.md): where the applicant comes from
            # and the division of their stated geographic preference (empty if none).
            "home_division": pd.Categorical.from_codes(a.home_division[rows], DIVISIONS),
            "geographic_preference": pd.Categorical.from_codes(
                a.preferred_division[rows], DIVISIONS
            ),
            **{
                name: outcome.signal_counts[rows, i].astype(np.int16)
                for i, name in enumerate(SIGNAL_COUNTS)
            },
            "n_interviews_signalled": outcome.interviews_signalled[rows].astype(np.int16),
            **_funnel_columns(outcome.focal_funnel, a.size, rows),
        }
    )


def _funnel_columns(focal_funnel, n, rows) -> dict[str, pd.arrays.IntegerArray]:
    """The focal copies' funnel counts (the last rows) as nullable columns, NA elsewhere."""
    first = n - focal_funnel.shape[0]
    values = np.zeros((n, len(FUNNEL_COUNTS)), dtype=np.int16)
    values[first:] = focal_funnel
    missing = (np.arange(n) < first)[rows]
    return {
        f"n_{name}": pd.arrays.IntegerArray(values[rows, k], mask=missing)
        for k, name in enumerate(FUNNEL_COUNTS)
    }


def program_table(outcome: TrialOutcome, *, trial: int, strategy, specialties) -> pd.DataFrame:
    """One row per program of one trial: positions, who filled them in the Main Match, and
    how many SOAP filled after it (``filled_soap``)."""
    p = outcome.programs
    table = {
        "trial": np.full(p.size, trial, dtype=np.int32),
        "strategy": _repeat(strategy, p.size),
        "program": np.arange(p.size, dtype=np.int32),
        "specialty": pd.Categorical.from_codes(p.specialty, list(specialties)),
        "university": p.university,
        "visa_policy": pd.Categorical.from_codes(p.visa_policy, VISA_POLICIES),
        "positions": p.positions.astype(np.int16),
        # An advanced (PGY-2) program: not in the PGY-1 fill, not offered in SOAP.
        "advanced": p.advanced,
        "filled": outcome.filled_by_type.sum(axis=1).astype(np.int16),
        "ranked": outcome.ranked.astype(np.int16),
        "filled_soap": (
            np.zeros(p.size, dtype=np.int16)
            if outcome.filled_soap is None
            else outcome.filled_soap.astype(np.int16)
        ),
        # Whether the trial's Match (the NRMP's procedure) ended in a stable matching.
        "match_stable": np.full(p.size, outcome.stable),
    }
    for k, name in enumerate(APPLICANT_TYPES):
        table[f"filled_{name}"] = outcome.filled_by_type[:, k].astype(np.int16)
    return pd.DataFrame(table)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ChunkResult:
    """The tables of a run of consecutive trials, by name (see :attr:`Plan.tables`)."""

    trials: tuple[int, ...]
    tables: dict[str, pd.DataFrame]


def run_chunk(plan: Plan, trials) -> ChunkResult:
    """Simulate ``trials`` and return their tables (rows in trial order).

    ``applicants`` and ``programs``; when ``plan.population`` is False, only
    ``focal``: the focal copies' rows of the applicants table.
    """
    applicants, programs, counts = [], [], []
    names = [variant.name for variant in plan.variants]
    for trial in trials:  # a loop over trials, each fully vectorised
        for k, outcome in enumerate(simulate_trial(plan, trial)):
            keys = dict(trial=trial, strategy=(k, names), specialties=plan.inputs.specialties)
            applicants.append(applicant_table(outcome, **keys, population=plan.population))
            if plan.population:
                programs.append(program_table(outcome, **keys))
            else:
                counts.append(population_counts(outcome, **keys))
    applicants = pd.concat(applicants, ignore_index=True)
    if not plan.population:
        tables = {
            "focal": applicants.drop(columns="is_focal"),
            "population_counts": pd.concat(counts, ignore_index=True),
        }
        return ChunkResult(trials=tuple(trials), tables=tables)
    tables = {"applicants": applicants, "programs": pd.concat(programs, ignore_index=True)}
    return ChunkResult(trials=tuple(trials), tables=tables)


def population_counts(outcome: TrialOutcome, *, trial: int, strategy, specialties) -> pd.DataFrame:
    """Active population applicants of each type and preferred specialty in one trial (``n``),
    how many matched (``matched``) and how many matched in that specialty
    (``matched_preferred``): the columns of the run's ``by_preferred`` tallies, for compare
    and sweep, which keep no population rows."""
    a, n_specialties = outcome.applicants, len(specialties)
    active = ~outcome.is_focal & (outcome.rol_length > 0)
    key = a.type[active].astype(np.int64) * n_specialties + a.specialty[active]
    cells = len(APPLICANT_TYPES) * n_specialties
    n = np.bincount(key, minlength=cells)
    matched = np.bincount(key, weights=outcome.matched[active], minlength=cells)
    preferred = outcome.matched_specialty[active] == a.specialty[active]
    matched_preferred = np.bincount(key, weights=preferred, minlength=cells)
    present = np.flatnonzero(n)
    kind, specialty = np.divmod(present, n_specialties)
    return pd.DataFrame(
        {
            "strategy": _repeat(strategy, present.size),
            "trial": np.full(present.size, trial, dtype=np.int32),
            "applicant_type": pd.Categorical.from_codes(kind, APPLICANT_TYPES),
            "specialty": pd.Categorical.from_codes(specialty, list(specialties)),
            "n": n[present],
            "matched": matched[present].astype(np.int64),
            "matched_preferred": matched_preferred[present].astype(np.int64),
        }
    )


def _matched_program_columns(outcome: TrialOutcome, rows, names) -> dict[str, pd.Categorical]:
    """``matched_program_kind``, ``matched_visa_policy``, ``matched_track`` (categorical,
    advanced (PGY-2), or a one-year preliminary or transitional position) and
    ``pgy1_specialty`` (an advanced match's PGY-1 year): missing when none."""
    p = outcome.programs
    program = outcome.matched_program[rows]
    matched = program < p.size
    at = np.minimum(program, p.size - 1)
    one_year = np.isin(p.specialty[at], [names.index(n) for n in ONE_YEAR_TRACKS if n in names])
    track = np.where(one_year, TRACKS.index("preliminary"), TRACKS.index("categorical"))
    track = np.where(p.advanced[at], TRACKS.index("advanced"), track)
    pgy1_specialty = np.r_[p.specialty, len(names)][outcome.pgy1_program[rows]]
    return {
        "matched_track": pd.Categorical.from_codes(np.where(matched, track, -1), TRACKS),
        # An advanced match's PGY-1 year, from its supplemental list (empty if none).
        "pgy1_specialty": _specialty_column(pgy1_specialty, names),
        "matched_program_kind": pd.Categorical.from_codes(
            np.where(matched, p.university[at].astype(np.int8), -1), PROGRAM_KINDS
        ),
        "matched_visa_policy": pd.Categorical.from_codes(
            np.where(matched, p.visa_policy[at], -1), VISA_POLICIES
        ),
    }


def _partner_columns(outcome: TrialOutcome, rows, names) -> dict:
    """``partner_matched`` (nullable boolean) and ``partner_matched_specialty`` of the rows."""
    n_programs = outcome.programs.size
    partner = outcome.partner_program
    if partner is None:
        partner = np.full(outcome.is_focal.size, n_programs)
    partner, has_partner = (
        partner[rows],
        outcome.is_focal[rows] & (outcome.partner_program is not None),
    )
    specialty = np.r_[outcome.programs.specialty, len(names)][partner]
    return {
        "partner_matched": pd.Series(partner < n_programs, dtype="boolean").mask(~has_partner),
        "partner_matched_specialty": _specialty_column(
            np.where(has_partner, specialty, len(names)), names
        ),
    }


def _specialty_column(codes, names) -> pd.Categorical:
    """Specialty codes as a categorical column: ``len(names)`` (none, unmatched) becomes missing.

    The market marks "none" with the number of specialties; pandas wants -1.
    """
    return pd.Categorical.from_codes(np.where(codes < len(names), codes, -1), names)


def _repeat(code_and_names, n) -> pd.Categorical:
    """A categorical column holding one category ``n`` times."""
    code, names = code_and_names
    return pd.Categorical.from_codes(np.full(n, code), names)
