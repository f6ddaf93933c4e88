"""Checks of a matching against the rank-order lists: blocking pairs and capacity."""

from __future__ import annotations

import numpy as np


def blocking_pairs(rol_indptr, rol_programs, program_ranks, capacities, match) -> np.ndarray:
    """Return the entries ``e`` whose (applicant, program) pair blocks ``match``.

    A pair blocks when both would rather be together: the applicant ranks the
    program above their match (or is unmatched) and the program ranked the
    applicant and has a free position or holds someone it ranked lower.  A
    stable matching has none.  Arrays follow the engine's contract; ``match``
    is the engine's output (``n_programs`` for unmatched).  Vectorised: one
    pass over the entries.
    """
    indptr, programs, ranks, caps, match = _arrays(
        rol_indptr, rol_programs, program_ranks, capacities, match
    )
    n_applicants, n_programs = indptr.size - 1, caps.size
    applicant = np.repeat(np.arange(n_applicants), np.diff(indptr))
    position = np.arange(programs.size) - indptr[applicant]

    is_match = programs == match[applicant]
    # Where each applicant's match stands on their list; ``n_programs`` (beyond every
    # position) for the unmatched, who would rather have anything they ranked.
    matched_position = np.full(n_applicants, n_programs, dtype=np.int64)
    matched_position[applicant[is_match]] = position[is_match]
    # The rank an applicant must beat to be wanted: anyone ranked while a program has
    # room, better than its worst match once full (nobody at all with no positions).
    fill = np.bincount(match[match < n_programs], minlength=n_programs + 1)[:n_programs]
    worst_held = np.zeros(n_programs, dtype=np.int64)
    np.maximum.at(worst_held, programs[is_match], ranks[is_match])
    cutoff = np.where(fill < caps, n_applicants, worst_held)

    applicant_wants = position < matched_position[applicant]
    program_wants = (ranks < n_applicants) & (ranks < cutoff[programs])
    return np.flatnonzero(applicant_wants & program_wants)


def is_feasible(rol_indptr, rol_programs, program_ranks, capacities, match) -> bool:
    """Whether every match is a mutually ranked pair and no program is over capacity."""
    indptr, programs, ranks, caps, match = _arrays(
        rol_indptr, rol_programs, program_ranks, capacities, match
    )
    n_applicants, n_programs = indptr.size - 1, caps.size
    applicant = np.repeat(np.arange(n_applicants), np.diff(indptr))
    mutual = (programs == match[applicant]) & (ranks < n_applicants)
    matched = match < n_programs
    each_matched_pair_ranked = np.bincount(applicant[mutual], minlength=n_applicants) == matched
    fill = np.bincount(match[matched], minlength=n_programs)
    return bool(np.all(each_matched_pair_ranked) and np.all(fill <= caps))


def _arrays(*arrays):
    """The engine's arrays and a matching, as int64 NumPy arrays."""
    return tuple(np.asarray(a, dtype=np.int64) for a in arrays)
