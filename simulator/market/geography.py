"""Where programs are and where applicants come from: US Census divisions and states.

Programs sit in a division (drawn by ``geography.division_shares``) and a
state of it (evenly among its states); applicants have a home division drawn
the same way and, for everyone but non-US IMGs, a home state in it (a US
graduate's school state, a US IMG's state of residence).  A share of
applicants states a geographic preference for their home division.  Every
draw comes from the trial's ``geography`` stream, so the other stages' numbers
do not move.
"""

from __future__ import annotations

import numpy as np

from simulator.market.codes import NON_US_IMG
from simulator.market.params import MarketParams
from simulator.vocabulary import STATES_PER_DIVISION

#: ``FIRST_STATE[d]`` is the code of division ``d``'s first state; states are numbered
#: division by division.
FIRST_STATE = np.cumsum((0,) + STATES_PER_DIVISION[:-1])
#: Applicants with no US state (non-US IMGs): never in-state.
NO_STATE = -1
#: Applicants who state no geographic preference.
NO_DIVISION = -1


def draw_places(n: int, params: MarketParams, u_division, u_state) -> tuple[np.ndarray, ...]:
    """Division and state codes for ``n`` places from two uniform draws each.

    Division by inverse CDF of ``geography.division_shares`` (normalised);
    a state evenly among the division's states.
    """
    shares = np.array(params.geography.division_shares.values(), dtype=float)
    cumulative = np.cumsum(shares / shares.sum())
    division = np.minimum(np.searchsorted(cumulative, u_division, side="right"), shares.size - 1)
    per_division = np.array(STATES_PER_DIVISION)[division]
    state = FIRST_STATE[division] + np.minimum(
        (u_state * per_division).astype(np.int64), per_division - 1
    )
    return division.astype(np.int8), state.astype(np.int16)


def program_places(n: int, params: MarketParams, rng) -> tuple[np.ndarray, np.ndarray]:
    """Each program's division and state."""
    return draw_places(n, params, rng.random(n), rng.random(n))


def applicant_places(kind, params: MarketParams, rng) -> tuple[np.ndarray, ...]:
    """Each applicant's home division, home state (``NO_STATE`` for non-US IMGs) and
    the division of their stated geographic preference (their home division, for
    ``geography.stated_preference_share`` of them; else ``NO_DIVISION``)."""
    n = kind.size
    division, state = draw_places(n, params, rng.random(n), rng.random(n))
    states_preference = rng.random(n) < params.geography.stated_preference_share
    state = np.where(kind == NON_US_IMG, NO_STATE, state).astype(np.int16)
    return division, state, np.where(states_preference, division, NO_DIVISION).astype(np.int8)
