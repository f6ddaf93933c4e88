"""SOAP, the Supplemental Offer and Acceptance Program: the positions the Main Match left.

After the Main Match every unfilled position is offered in SOAP (:func:`run_soap`):

1. **Who takes part.** Each unmatched registered applicant of the population
   (active or not) with probability ``soap.participation``, and so each
   partially matched one (an advanced position without a PGY-1 year), who
   applies only to its one-year track; a focal copy when the Main Match left it
   unmatched or partially matched and ``you.soap`` is true.
2. **Applications.** Each draws ``soap.applications`` programs (a copy
   ``you.soap_applications``) among those with open positions, weighted as in
   the season (:func:`~simulator.market.applications.application_weights`);
   a program drawn twice is one application.  Programs read them through the
   season's screens (:func:`~simulator.market.applications.screened_in`).
3. **Programs' lists.** A program evaluates each application it read afresh:
   merit less the type penalty plus ``soap.evaluation_noise_sd`` noise.  In
   round 1 it offers positions only to applicants at or above
   ``soap.acceptability_bar``, a bar it lowers by ``soap.bar_drop`` each round.
4. **Rounds** (:func:`soap_rounds`).  In each of ``soap.rounds`` rounds every
   program with open positions offers them down its list to applicants not yet
   placed (``offers_per_position`` offers per open position, rounded up); each
   applicant holding offers accepts the one they prefer
   (:func:`~simulator.market.evaluation.program_preference`, fresh taste) and
   declines the rest; an acceptance is final, and a declined offer leaves its
   position open for the next round.

A focal copy's SOAP is exact (:func:`place_in_soap`): until a program's offers
reach it, the copy sits below every program's last offer and changes nobody's
offers, so the rounds run as for the population alone; in the first round in
which some offers would reach it (its evaluation above the round's bar and
the program's last offer, or the program ran out of applicants above the
bar), it gets them and accepts its favourite.  That is its outcome in a SOAP
of the population and it alone.
Copies' random numbers come in fixed shapes (:func:`draw_soap_noise`), so
strategies share them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from simulator.engine.csr import place_in_group
from simulator.market.applicants import Applicants
from simulator.market.applications import application_weights, screened_in
from simulator.market.codes import IS_IMG_TYPE
from simulator.market.evaluation import known_merit, merit, program_preference
from simulator.market.focal_params import Focal
from simulator.market.interviews import sort_by_group_desc
from simulator.market.params import MarketParams
from simulator.market.soap_applications import (
    ANYWHERE,
    applied,
    only_their_track,
    population_weights,
)
from simulator.market.soap_params import SOAP_APPLICATION_LIMIT, SoapParams
from simulator.market.year import application_evaluation


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SoapOutcome:
    """What SOAP did for each applicant."""

    program: np.ndarray  # the program accepted in SOAP; the number of programs if none
    round: np.ndarray  # the round of that acceptance, from 1; 0 if none
    sent: np.ndarray  # SOAP applications sent; 0 for those who took no part

    @property
    def placed(self) -> np.ndarray:
        return self.round > 0


def no_soap(n_applicants: int, n_programs: int) -> SoapOutcome:
    """Nobody placed, nothing sent: the SOAP of an outcome that had none (calibration
    matches the population alone, without SOAP)."""
    none = np.zeros(n_applicants, dtype=np.int64)
    return SoapOutcome(program=np.full(n_applicants, n_programs), round=none, sent=none)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SoapLists:
    """The SOAP applications a program may act on: read, and at or above its bar; one row each."""

    program: np.ndarray  # index among the programs with open positions
    applicant: np.ndarray
    evaluation: np.ndarray  # the program's evaluation of the applicant
    preference: np.ndarray  # how much the applicant wants the program


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SoapRounds:
    """The rounds of one SOAP, and what a newcomer would face in each.

    ``cutoff[r, p]`` is the evaluation of the last applicant program ``p``
    offered a position in round ``r`` when it made all the offers its open
    positions allowed, ``-inf`` when it ran out of applicants first (or had no
    position open: see ``open``).  ``offers``, when recorded, holds for each
    round with offers the ``(applicant, program, accepted)`` of every offer.
    """

    placed: np.ndarray  # per applicant: the program (open index) accepted; n_open if none
    round: np.ndarray  # per applicant: the round of acceptance, from 1; 0 if none
    open: np.ndarray  # (rounds, n_open): positions open at the start of each round
    cutoff: np.ndarray  # (rounds, n_open)
    offers: tuple = ()


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SoapMarket:
    """The population's SOAP: its outcome, and the rounds a focal copy is placed into."""

    open_programs: np.ndarray  # the programs with positions left after the Main Match
    rounds: SoapRounds
    outcome: SoapOutcome  # one row per population applicant
    filled: np.ndarray  # per program: positions filled in SOAP
    noise: SoapNoise  # the focal copies'


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SoapNoise:
    """The focal copies' SOAP random numbers, of fixed shapes whatever your choices."""

    draws: np.ndarray  # (copies, SOAP_APPLICATION_LIMIT): uniforms choosing where to apply
    evaluation: np.ndarray  # (copies, open programs): what each program alone sees
    taste: np.ndarray  # (copies, open programs): the copy's taste for each program


def draw_soap_noise(copies: int, n_open: int, rng) -> SoapNoise:
    """The copies' SOAP noise; ``you.soap_applications`` uses the first columns of ``draws``."""
    return SoapNoise(
        draws=rng.random((copies, SOAP_APPLICATION_LIMIT)),
        evaluation=rng.standard_normal((copies, n_open)),
        taste=rng.standard_normal((copies, n_open)),
    )


def run_soap(
    market, matched_program, pgy1_program, params: MarketParams, rng, copies: int
) -> SoapMarket:
    """The population's SOAP after its Main Match ``matched_program`` (one per applicant,
    and ``pgy1_program``, the PGY-1 seats advanced matches hold from supplemental lists),
    and the noise of ``copies`` focal copies.  SOAP offers the PGY-1 positions left, not
    advanced ones (an assumption: the NRMP's SOAP offers some).

    ``rng`` (the trial's ``soap`` stream) is split in two: the population's
    draws, whose number depends on the market and ``soap.*``, and the copies'
    (:func:`draw_soap_noise`), which depend only on the market's open programs.
    """
    rng, copies_rng = rng.spawn(2)
    n_programs, n = market.programs.size, market.applicants.size
    left = market.programs.positions - sum(
        np.bincount(seat[seat < n_programs], minlength=n_programs)
        for seat in (matched_program, pgy1_program)
    )
    open_programs = np.flatnonzero((left > 0) & ~market.programs.advanced)
    track = partial_track(market.programs, market.applicants, matched_program, pgy1_program)
    lists, sent = population_lists(market, matched_program, open_programs, params, rng, track)
    rounds = soap_rounds(lists, left[open_programs], n, params.soap)
    program = np.r_[open_programs, n_programs][rounds.placed]
    outcome = SoapOutcome(program=program, round=rounds.round, sent=sent)
    return SoapMarket(
        open_programs=open_programs,
        rounds=rounds,
        outcome=outcome,
        filled=np.bincount(program[outcome.placed], minlength=n_programs),
        noise=draw_soap_noise(copies, open_programs.size, copies_rng),
    )


def partial_track(programs, applicants, matched_program, pgy1_program) -> np.ndarray:
    """Each applicant's one-year track if the Main Match left them partially matched (an
    advanced position without a PGY-1 year: they seek one in SOAP), else -1."""
    at = np.minimum(matched_program, programs.size - 1)
    partial = (matched_program < programs.size) & programs.advanced[at]
    partial &= pgy1_program == programs.size
    return np.where(partial, applicants.pgy1_track, -1)


def population_lists(market, matched_program, open_programs, params, rng, track):
    """The population's SOAP lists (:class:`SoapLists`) and the applications each sent.

    The unmatched, and the partially matched (``track``, :func:`partial_track`) for a
    PGY-1 year of their track, take part.  Draws, in this order: who takes part, where
    each applies, each application's evaluation noise, then the taste noise of those
    above the bar.
    """
    programs, applicants, s = market.programs, market.applicants, params.soap
    n = applicants.size
    seeking = (matched_program == programs.size) | (track >= 0)
    taking_part = np.flatnonzero(seeking & (rng.random(n) < s.participation))
    kind, weights = population_weights(programs, applicants, params, open_programs)
    kind, weights, room = only_their_track(
        kind[taking_part], weights, track[taking_part], programs.specialty[open_programs]
    )
    taking_part, kind = taking_part[room], kind[room]
    row, col = applied(weights, kind, rng.random((taking_part.size, s.applications)))
    who = taking_part[row]
    evaluation = rng.standard_normal(who.size, dtype=np.float32)
    lists = soap_lists(
        programs,
        applicants,
        who,
        col,
        open_programs,
        params,
        evaluation,
        lambda kept: rng.standard_normal(kept.size, dtype=np.float32),
    )
    return lists, np.bincount(who, minlength=n)


def place_in_soap(outcome, soap: SoapMarket, copies: Applicants, you: Focal, params):
    """``outcome`` (a :class:`~simulator.market.match.TrialOutcome`: the population, then the
    copies) with SOAP added: the population's, and each copy's alone in it (unmatched, or
    partially matched: then for a PGY-1 year of its track)."""
    n_population = soap.outcome.round.size
    mine = slice(n_population, None)
    track = partial_track(
        outcome.programs, copies, outcome.matched_program[mine], outcome.pgy1_program[mine]
    )
    taking_part = (~outcome.matched[mine] | (track >= 0)) & you.soap
    placed = place_copies_in_soap(
        soap, outcome.programs, copies, taking_part, track, you.soap_applications, params
    )
    both = SoapOutcome(
        **{f: np.concatenate([getattr(soap.outcome, f), getattr(placed, f)]) for f in _FIELDS}
    )
    return dataclasses.replace(outcome, soap=both, filled_soap=soap.filled)


_FIELDS = SoapOutcome.__slots__


def place_copies_in_soap(
    soap: SoapMarket, programs, copies: Applicants, taking_part, track, applications, params
) -> SoapOutcome:
    """Each copy ``taking_part`` alone in the population's SOAP (exact, see the module);
    ``track`` as :func:`partial_track`."""
    n, n_open = copies.size, soap.open_programs.size
    lists, sent = copy_lists(soap, programs, copies, taking_part, track, applications, params)
    placed = np.full(n, n_open, dtype=np.int64)
    round_of = np.zeros(n, dtype=np.int64)
    rounds, bars = soap.rounds, round_bars(params.soap)
    for r in range(rounds.open.shape[0]):
        reached = (
            (placed[lists.applicant] == n_open)
            & (rounds.open[r, lists.program] > 0)
            & (lists.evaluation >= bars[r])
            & (lists.evaluation > rounds.cutoff[r, lists.program])
        )
        offered = np.flatnonzero(reached)
        accepted = offered[favourites(lists.applicant[offered], lists.preference[offered])]
        placed[lists.applicant[accepted]] = lists.program[accepted]
        round_of[lists.applicant[accepted]] = r + 1
    return SoapOutcome(
        program=np.r_[soap.open_programs, programs.size][placed], round=round_of, sent=sent
    )


def copy_lists(
    soap: SoapMarket, programs, copies: Applicants, taking_part, track, applications, params
):
    """The copies' SOAP lists and applications sent, from their noise (``soap.noise``).

    Every copy has your known merit, so one row of application weights serves
    them all (a partially matched one: its track's programs only); each uses the
    first ``applications`` of its draws.
    """
    part = np.flatnonzero(taking_part)
    weights = application_weights(
        programs,
        IS_IMG_TYPE[copies.type[:1]],
        copies.visa[:1],
        known_merit(copies, params)[:1],
        [ANYWHERE],
        params,
    )[:, soap.open_programs]
    noise = soap.noise
    kind, weights, room = only_their_track(
        np.zeros(part.size, dtype=np.int64),
        weights,
        track[part],
        programs.specialty[soap.open_programs],
    )
    part, kind = part[room], kind[room]
    row, col = applied(weights, kind, noise.draws[part, :applications])
    who = part[row]
    lists = soap_lists(
        programs,
        copies,
        who,
        col,
        soap.open_programs,
        params,
        noise.evaluation[who, col],
        lambda kept: noise.taste[who[kept], col[kept]],
    )
    return lists, np.bincount(who, minlength=copies.size)


def soap_lists(programs, applicants, who, col, open_programs, params, evaluation_noise, taste):
    """The applications of ``who`` to open program ``col`` that a program may act on.

    Evaluated as merit less the type penalty plus ``soap.evaluation_noise_sd``
    x ``evaluation_noise``; kept at or above the last round's bar
    (:func:`round_bars`) and through the season's screens.  ``taste(kept)``
    gives the applicants' taste noise for the kept applications (indices into
    ``who``): most applications fall below the bar, and need none.
    """
    s = params.soap
    where, level = open_programs[col], merit(applicants, params)
    evaluation = application_evaluation(programs, applicants, level, who, where, params)
    evaluation += s.evaluation_noise_sd * evaluation_noise
    kept = np.flatnonzero(evaluation >= round_bars(s)[-1])
    kept = kept[screened_in(applicants, who[kept], programs, where[kept])]
    preference = program_preference(
        programs, applicants, who[kept], where[kept], params, taste(kept)
    )
    return SoapLists(
        program=col[kept], applicant=who[kept], evaluation=evaluation[kept], preference=preference
    )


def round_bars(s: SoapParams) -> np.ndarray:
    """The lowest evaluation a program offers a position to in each round: it starts at
    ``soap.acceptability_bar`` and falls by ``soap.bar_drop`` a round."""
    return s.acceptability_bar - s.bar_drop * np.arange(s.rounds)


def soap_rounds(
    lists: SoapLists, open_positions, n_applicants: int, s: SoapParams, *, record: bool = False
) -> SoapRounds:
    """SOAP's rounds on ``lists``, programs starting with ``open_positions`` (see the module).

    Vectorised within a round: the live applications, sorted by program and
    evaluation, give each program's offers by their place in its group (those
    above the round's bar come first); each applicant's favourite offer is
    accepted.  ``record`` keeps every offer.
    """
    n_open = open_positions.size
    order = sort_by_group_desc(lists.program, lists.evaluation, n_open)
    program, applicant, evaluation, preference = (
        x[order] for x in (lists.program, lists.applicant, lists.evaluation, lists.preference)
    )
    placed = np.full(n_applicants, n_open, dtype=np.int64)
    round_of = np.zeros(n_applicants, dtype=np.int64)
    open_now = np.asarray(open_positions, dtype=np.int64).copy()
    opens = np.zeros((s.rounds, n_open), dtype=np.int64)
    cutoffs = np.full((s.rounds, n_open), -np.inf)
    offers = []
    for r, bar in enumerate(round_bars(s)):
        opens[r] = open_now
        live = (placed[applicant] == n_open) & (open_now[program] > 0)
        program, applicant, evaluation, preference = (
            x[live] for x in (program, applicant, evaluation, preference)
        )
        # 1e-9: 0.3 x 10 open positions is 3 offers, not ceil(3.0000000000000004).
        quota = np.ceil(s.offers_per_position * open_now - 1e-9).astype(np.int64)
        offered = np.flatnonzero((place_in_group(program) < quota[program]) & (evaluation >= bar))
        cutoffs[r] = _cutoffs(program[offered], evaluation[offered], quota)
        accepted = offered[favourites(applicant[offered], preference[offered])]
        placed[applicant[accepted]] = program[accepted]
        round_of[applicant[accepted]] = r + 1
        open_now -= np.bincount(program[accepted], minlength=n_open)
        if record and offered.size:
            offers.append((applicant[offered], program[offered], np.isin(offered, accepted)))
    return SoapRounds(
        placed=placed, round=round_of, open=opens, cutoff=cutoffs, offers=tuple(offers)
    )


def _cutoffs(program, evaluation, quota) -> np.ndarray:
    """Per program, the evaluation of its last offer (``program`` sorted, best first) if it
    made its whole ``quota`` of offers, else ``-inf``."""
    cutoff = np.full(quota.size, -np.inf)
    if program.size:
        last = np.r_[program[1:] != program[:-1], True]
        made = np.bincount(program, minlength=quota.size)
        full = last & (made[program] == quota[program])
        cutoff[program[full]] = evaluation[full]
    return cutoff


def favourites(applicant, preference) -> np.ndarray:
    """The position of each applicant's most preferred offer among ``applicant``'s rows."""
    by_applicant = np.lexsort((-preference, applicant))
    ordered = applicant[by_applicant]
    return by_applicant[np.r_[True, ordered[1:] != ordered[:-1]][: ordered.size]]
