"""A plain, sequential deferred-acceptance: the oracle for the engine and the source of traces.

Written for obviousness, not speed: Python lists and dicts, one proposal at a
time, in rounds as the NRMP describes the algorithm.  Every proposal, hold and
rejection can be recorded as an event, which is what ``matchsim explain``
shows to people learning how the Match works.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Event:
    """One step of the algorithm.

    ``kind`` is ``"propose"`` (proposer tries target), ``"hold"`` (target
    tentatively holds proposer) or ``"reject"`` (target turns proposer away;
    ``displaced`` is true when the proposer had been held until a better one came).
    ``proposer`` and ``target`` are indices on the proposing and receiving side.
    """

    kind: str
    proposer: int
    target: int
    displaced: bool = False


@dataclass(frozen=True, slots=True)
class Round:
    """The events of one round, in the order they happened."""

    number: int
    events: tuple[Event, ...] = field(default_factory=tuple)


def deferred_acceptance_reference(
    rol_indptr, rol_programs, program_ranks, capacities, proposing: str = "applicants"
) -> list[int]:
    """Same contract as :func:`simulator.engine.kernel.deferred_acceptance`, as a list."""
    match, _ = traced_deferred_acceptance(
        rol_indptr, rol_programs, program_ranks, capacities, proposing
    )
    return match


def traced_deferred_acceptance(
    rol_indptr, rol_programs, program_ranks, capacities, proposing: str = "applicants"
) -> tuple[list[int], list[Round]]:
    """Solve the market and return ``(match, rounds)``.

    ``match[a]`` is applicant ``a``'s program, ``len(capacities)`` if unmatched.
    With ``proposing="applicants"`` the proposers are applicants and the
    targets programs; with ``"programs"`` it is the other way round.
    """
    indptr = [int(x) for x in rol_indptr]
    programs = [int(x) for x in rol_programs]
    ranks = [int(x) for x in program_ranks]
    caps = [int(x) for x in capacities]
    n_applicants, n_programs = len(indptr) - 1, len(caps)

    # Applicants' lists, and each program's rank of each applicant (None: not ranked).
    applicant_lists = [programs[indptr[a] : indptr[a + 1]] for a in range(n_applicants)]
    program_rank_of = [dict() for _ in range(n_programs)]
    for a in range(n_applicants):
        for e in range(indptr[a], indptr[a + 1]):
            if ranks[e] < n_applicants:
                program_rank_of[programs[e]][a] = ranks[e]

    if proposing == "applicants":
        proposer_lists = applicant_lists
        proposer_caps = [1] * n_applicants
        target_caps = caps
        target_rank = program_rank_of
    elif proposing == "programs":
        proposer_lists = [
            sorted(program_rank_of[p], key=program_rank_of[p].get) for p in range(n_programs)
        ]
        proposer_caps = caps
        target_caps = [1] * n_applicants
        target_rank = [
            {p: i for i, p in enumerate(applicant_lists[a])} for a in range(n_applicants)
        ]
    else:
        raise ValueError(f"proposing must be 'applicants' or 'programs', got {proposing!r}")

    holders, rounds = _run_rounds(proposer_lists, proposer_caps, target_rank, target_caps)
    result = [n_programs] * n_applicants
    for target, held in enumerate(holders):
        for proposer in held:
            applicant, program = (
                (proposer, target) if proposing == "applicants" else (target, proposer)
            )
            result[applicant] = program
    return result, rounds


def _run_rounds(proposer_lists, proposer_caps, target_rank, target_caps):
    """Deferred acceptance in rounds; returns each target's holders and the trace."""
    next_choice = [0] * len(proposer_lists)
    open_positions = list(proposer_caps)  # a proposer's positions not yet held anywhere
    holders = [[] for _ in target_caps]  # each target's held proposers, best first
    waiting = [p for p in range(len(proposer_lists)) if open_positions[p] > 0]
    rounds = []
    while True:
        # Every proposer with an open position tries its next choices.
        proposals_to = {}
        events = []
        for proposer in sorted(waiting):
            choices = proposer_lists[proposer]
            for _ in range(open_positions[proposer]):
                if next_choice[proposer] == len(choices):
                    break
                target = choices[next_choice[proposer]]
                next_choice[proposer] += 1
                proposals_to.setdefault(target, []).append(proposer)
                events.append(Event("propose", proposer, target))
        if not proposals_to:
            return holders, rounds
        # Every target holds its best proposers so far, up to capacity, and rejects the rest.
        waiting = set()
        for target in sorted(proposals_to):
            newcomers = proposals_to[target]
            ranked = [p for p in newcomers if p in target_rank[target]]
            for proposer in newcomers:
                if proposer not in target_rank[target]:
                    events.append(Event("reject", proposer, target))
                    waiting.add(proposer)
            pool = sorted(holders[target] + ranked, key=target_rank[target].__getitem__)
            kept, turned_away = pool[: target_caps[target]], pool[target_caps[target] :]
            for proposer in turned_away:
                was_held = proposer in holders[target]
                if was_held:
                    open_positions[proposer] += 1
                events.append(Event("reject", proposer, target, displaced=was_held))
                waiting.add(proposer)
            for proposer in kept:
                if proposer not in holders[target]:
                    open_positions[proposer] -= 1
                    events.append(Event("hold", proposer, target))
            holders[target] = kept
        # Proposers that made proposals but still have open positions go on too.
        for proposers in proposals_to.values():
            waiting.update(p for p in proposers if open_positions[p] > 0)
        rounds.append(Round(number=len(rounds) + 1, events=tuple(events)))
