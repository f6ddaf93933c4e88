"""One Match year without the focal applicant: every stage drawn from its own stream.

:func:`draw_market` draws programs, the applicant population, their
applications, the programs' evaluations, the interviews and the couples, in that order,
each stage from its stream of :func:`simulator.market.streams.trial_streams`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from simulator.market.applicants import Applicants, draw_applicants
from simulator.market.applications import draw_applications
from simulator.market.couples import draw_couples
from simulator.market.evaluation import known_merit, merit, penalty_table
from simulator.market.inputs import MarketInputs
from simulator.market.interviews import draw_interviews
from simulator.market.params import MarketParams
from simulator.market.programs import Programs, draw_programs
from simulator.market.signals import (
    NONE,
    application_code,
    code_counts,
    interview_bonus,
    most_preferred_in_runs,
    place_signals,
    signal_budget,
    tier_of,
)
from simulator.vocabulary import DIVISIONS


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Market:
    """A drawn Match year without the focal applicant.

    ``interview_*`` arrays hold one row per interview held, in the order the applications
    were drawn: specialty by specialty, and by applicant within a specialty (an applicant
    with a backup has rows in two places).
    ``invite_bar`` is the invitation value (evaluation plus signal and
    geography bonuses) of each program's last invitee (``-inf`` if it invited
    everyone it screened in): the bar a focal copy must clear.
    """

    programs: Programs
    applicants: Applicants
    sent: np.ndarray  # applications actually sent per applicant
    interview_applicant: np.ndarray
    interview_program: np.ndarray
    interview_preference: np.ndarray
    interview_evaluation: np.ndarray
    interview_unranked: np.ndarray  # the program saw a reason not to rank this interviewee
    interview_signalled: np.ndarray  # the applicant had signalled the program
    invite_bar: np.ndarray
    #: (applicants, len(SIGNAL_COUNTS)): signals and invitations per applicant.
    signal_counts: np.ndarray
    signal_budget: np.ndarray  # (specialties, 2): gold and silver signals per applicant
    couples: np.ndarray  # (couples, 2): the members of each couple (market.couples)


def draw_market(inputs: MarketInputs, params: MarketParams, streams, *, timings=None) -> Market:
    """Programs, applicants, applications, interviews and evaluations of one Match year.

    ``timings``, if a dict, receives the seconds each stage took (for benchmarks).
    """
    clock = Stopwatch(timings)
    programs = draw_programs(inputs, params, streams["programs"], streams["geography"])
    clock.lap("programs")
    applicants = draw_applicants(inputs, params, streams["applicants"], streams["geography"])
    clock.lap("applicants")
    known = known_merit(applicants, params)
    budget = signal_budget(inputs, params)
    signaller = PopulationSignals(programs, applicants, budget, params, streams["signals"])
    who, where, read, code, sent = draw_applications(
        programs, applicants, known, inputs, params, streams["applications"], signaller
    )
    clock.lap("applications, screening and signals")
    read_rows = np.flatnonzero(read)
    # np.take: faster than indexing.
    all_who, who, where = who, np.take(who, read_rows), np.take(where, read_rows)
    read_code = np.take(code, read_rows)
    taste = np.take(signaller.taste(), read_rows)
    rng = streams["interviews"]
    evaluation = application_evaluation(
        programs, applicants, merit(applicants, params), who, where, params
    )
    evaluation += params.selection.application_noise_sd * rng.standard_normal(
        who.size, dtype=np.float32
    )
    invitation = evaluation + interview_bonus(read_code, params)
    held, preference, invite_bar, invited = draw_interviews(
        programs, applicants, who, where, invitation, taste, params
    )
    interview_noise = streams["lists"].standard_normal(held.size, dtype=np.float32)
    unranked = streams["lists"].random(held.size) >= params.programs.interview_rank_share
    invited_rows = np.flatnonzero(invited)
    clock.lap("interviews")
    market = Market(
        programs=programs,
        applicants=applicants,
        sent=sent,
        interview_applicant=who[held],
        interview_program=where[held],
        interview_preference=preference,
        interview_evaluation=evaluation[held]
        + params.selection.interview_noise_sd * interview_noise,
        interview_unranked=unranked,
        interview_signalled=tier_of(read_code[held]) > NONE,
        invite_bar=invite_bar,
        signal_counts=code_counts(all_who, applicants.size, code, invited=False)
        + code_counts(who[invited_rows], applicants.size, read_code[invited_rows], invited=True),
        signal_budget=budget,
        couples=draw_couples(applicants, inputs, params, streams["couples"]),
    )
    clock.lap("signal counts and couples")
    return market


class PopulationSignals:
    """Places the population's signals as applications are sent, by ``signals.policy``;
    returns each application's :func:`~simulator.market.signals.application_code`.

    An applicant wants a program for its desirability, their home division and
    their own taste (drawn here, one N(0, 1) per application; the same taste later
    orders their interviews and list: :meth:`taste`); a program looks safer the
    less desirable it is.  Called once per block of applicants and specialty,
    in a fixed order, so the draws do not depend on anything else.

    Applicants of one place (home division and state, stated preference) see a program
    alike but for their taste: per place and program, a table holds the preference before
    taste and the application code's geography, read once per application.
    """

    def __init__(self, programs: Programs, applicants: Applicants, budget, params, rng):
        self.programs, self.applicants, self.budget, self.params, self.rng = (
            programs,
            applicants,
            budget,
            params,
            rng,
        )
        self._tastes: list[np.ndarray] = []
        divisions = len(DIVISIONS)  # divisions and states are -1 (none) or more
        place = (applicants.home_state.astype(np.int64) + 1) * (divisions + 1)
        place += applicants.preferred_division + 1
        place *= divisions
        place += applicants.home_division
        present = np.bincount(place)
        self.place = (np.cumsum(present > 0) - 1)[place]  # each applicant's, numbered
        example = np.empty(np.count_nonzero(present), dtype=np.int64)
        example[self.place] = np.arange(applicants.size)  # an applicant of each place
        example, every = example[:, None], np.arange(programs.size)[None, :]
        no_tier = np.zeros((example.size, programs.size), dtype=np.int8)
        self.geography = application_code(no_tier, applicants, example, programs, every).ravel()
        home = programs.division[every] == applicants.home_division[example]
        wanted = programs.desirability.astype(np.float32)[every]
        self.wanted = (wanted + np.float32(params.geography.home_preference) * home).ravel()

    def __call__(self, part, count, hits, specialty: int) -> np.ndarray:
        """The codes of the applications of applicants ``part`` (``count`` each, grouped by
        applicant) to ``specialty``: ``hits`` are their cells in the dense block of
        ``part`` by the specialty's programs (row by row), in order."""
        programs, params = self.programs, self.params
        first, last = programs.specialty_indptr[specialty], programs.specialty_indptr[specialty + 1]
        # Each application's (place, program) cell: its block cell, shifted row by row.
        shift = self.place[part] * programs.size - np.arange(part.size) * (last - first) + first
        cell = np.repeat(shift, count)
        cell += hits
        # An applicant's applications are a group; applicants sending none have none.
        sending = np.flatnonzero(count)
        starts = (np.cumsum(count) - count)[sending]
        same = part[sending[1:]] == part[sending[:-1]]  # a row continuing the last group
        starts = starts[np.r_[True, ~same]] if sending.size else starts
        preference = np.take(self.wanted, cell)
        taste = self.rng.standard_normal(cell.size, dtype=np.float32)
        self._tastes.append(taste)
        preference += np.float32(params.applicants.taste_sd) * taste
        policy = params.signals.policy
        gold, silver = self.budget[specialty]
        if policy == "most_preferred":
            tier = most_preferred_in_runs(starts, preference, gold, gold + silver)
        else:
            group = np.repeat(np.arange(starts.size), np.diff(starts, append=cell.size))
            margin = -np.take(programs.desirability, cell % programs.size)
            tier = place_signals(group, preference, margin, gold, gold + silver, policy)
        code = np.take(self.geography, cell)
        code |= np.asarray(tier, dtype=np.uint8) << 2
        return code

    def taste(self) -> np.ndarray:
        """The taste (N(0, 1), float32) of every application coded so far, in the order the
        calls coded them: the applications' order in :func:`draw_applications`."""
        return np.concatenate(self._tastes) if self._tastes else np.zeros(0, dtype=np.float32)


def application_evaluation(programs, applicants, applicant_merit, who, where, params):
    """Each application's evaluation before noise: the applicant's merit less the type penalty."""
    penalty_row = applicants.type.astype(np.int64) * programs.size
    cell = np.take(penalty_row, who)  # np.take: faster than indexing
    cell += where
    evaluation = np.take(applicant_merit, who)
    evaluation -= np.take(penalty_table(programs, params), cell)
    return evaluation


class Stopwatch:
    """Records the seconds between laps into a dict, if one is given; otherwise does nothing."""

    def __init__(self, timings):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
            self.last = now
