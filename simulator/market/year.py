"""One Match year without the focal applicant: every stage drawn from its own stream.

:func:`draw_market` draws programs, the applicant population, their
applications, the programs' evaluations and the interviews, in that order,
each stage from its stream of :func:`simulator.market.streams.trial_streams`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from simulator.market.applicants import Applicants, draw_applicants
from simulator.market.applications import draw_applications
from simulator.market.evaluation import known_merit, merit, penalty_table
from simulator.market.inputs import MarketInputs
from simulator.market.interviews import draw_interviews
from simulator.market.params import MarketParams
from simulator.market.programs import Programs, draw_programs


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Market:
    """A drawn Match year without the focal applicant.

    ``interview_*`` arrays hold one row per interview held, sorted by applicant.
    ``invite_bar`` is the evaluation of each program's last invitee (``-inf``
    if it invited everyone it screened in): the bar a focal copy must clear.
    """

    programs: Programs
    applicants: Applicants
    sent: np.ndarray  # applications actually sent per applicant
    interview_applicant: np.ndarray
    interview_program: np.ndarray
    interview_preference: np.ndarray
    interview_evaluation: np.ndarray
    interview_unranked: np.ndarray  # the program saw a reason not to rank this interviewee
    invite_bar: np.ndarray


def draw_market(inputs: MarketInputs, params: MarketParams, streams, *, timings=None) -> Market:
    """Programs, applicants, applications, interviews and evaluations of one Match year.

    ``timings``, if a dict, receives the seconds each stage took (for benchmarks).
    """
    clock = Stopwatch(timings)
    programs = draw_programs(inputs, params, streams["programs"])
    clock.lap("programs")
    applicants = draw_applicants(inputs, params, streams["applicants"])
    clock.lap("applicants")
    who, where, sent = draw_applications(
        programs,
        applicants,
        known_merit(applicants, params),
        inputs,
        params,
        streams["applications"],
    )
    clock.lap("applications and screening")
    rng = streams["interviews"]
    evaluation = application_evaluation(
        programs, applicants, merit(applicants, params), who, where, params
    )
    evaluation += params.selection.application_noise_sd * rng.standard_normal(
        who.size, dtype=np.float32
    )
    held, preference, invite_bar = draw_interviews(
        programs, applicants, who, where, evaluation, params, rng
    )
    interview_noise = streams["lists"].standard_normal(held.size, dtype=np.float32)
    unranked = streams["lists"].random(held.size) >= params.programs.interview_rank_share
    clock.lap("interviews")
    return Market(
        programs=programs,
        applicants=applicants,
        sent=sent,
        interview_applicant=who[held],
        interview_program=where[held],
        interview_preference=preference,
        interview_evaluation=evaluation[held]
        + params.selection.interview_noise_sd * interview_noise,
        interview_unranked=unranked,
        invite_bar=invite_bar,
    )


def application_evaluation(programs, applicants, applicant_merit, who, where, params):
    """Each application's evaluation before noise: the applicant's merit less the type penalty."""
    penalty_row = applicants.type.astype(np.int64) * programs.size
    cell = penalty_row[who]
    cell += where
    evaluation = applicant_merit[who]
    evaluation -= penalty_table(programs, params)[cell]
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
