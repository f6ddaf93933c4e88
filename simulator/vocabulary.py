"""The words of the model, defined once: applicant types, visas, visa policies, USCE kinds, sides.

Codes in arrays are positions in these tuples (``type == 3`` is
``APPLICANT_TYPES[3]``, ``"non_us_img"``); tables and files use the names.
"""

from __future__ import annotations

from simulator.engine.kernel import PROPOSING_SIDES  # the engine imports nothing of ours

#: Applicant types of the NRMP's tables: US MD and DO seniors, US-citizen and non-US IMGs,
#: and everyone else (previous graduates of US schools, Fifth Pathway, Canadian).
APPLICANT_TYPES = ("us_md", "us_do", "us_img", "non_us_img", "other")
#: The types a focal applicant ("you") may have; ``other`` is a population type only.
FOCAL_TYPES = APPLICANT_TYPES[:4]
#: The international medical graduates among the applicant types.
IMG_TYPES = ("us_img", "non_us_img", "other")
#: The visa an applicant needs to train in the US.
VISAS = ("none", "j1", "h1b")
#: What a program sponsors: no visa, J-1 only, or J-1 and H-1B.
VISA_POLICIES = ("none", "j1", "j1_h1b")
#: Kinds of US clinical experience; US seniors have clerkships, IMGs one of the others.
USCE_KINDS = ("none", "observership", "hands_on", "us_clerkships")
#: The kinds of USCE a focal applicant may state.
FOCAL_USCE_KINDS = USCE_KINDS[:3]
#: Where a focal applicant sends applications (``you.application_policy``).
APPLICATION_POLICIES = ("broad", "visa_sponsoring", "img_friendly")
#: Kinds of program.
PROGRAM_KINDS = ("community", "university")
#: A position's track (a program's ``track`` in a small market; ``matched_track``): one
#: leading on to a career (categorical), an advanced one (starts at PGY-2 and needs a PGY-1
#: year; not in the synthetic market yet), or a one-year preliminary or transitional year.
TRACKS = ("categorical", "advanced", "preliminary")
#: The one-year PGY-1 tracks (preliminary medicine or surgery, transitional year): an
#: advanced seeker's supplemental lists, and anyone's backup, never a career on their own.
ONE_YEAR_TRACKS = (
    "Medicine-Preliminary (PGY-1 Only)",
    "Surgery-Preliminary (PGY-1 Only)",
    "Transitional (PGY-1 Only)",
)


def advanced_row_name(specialty: str) -> str:
    """The name of ``specialty``'s advanced (PGY-2) row: its parenthesis replaced by
    ``(PGY-2)`` (``Dermatology (PGY-1 only)``: ``Dermatology (PGY-2)``)."""
    return f"{specialty.split(' (', 1)[0]} (PGY-2)"


#: The US Census divisions: the regions ERAS applicants state a geographic preference for.
DIVISIONS = (
    "new_england",
    "middle_atlantic",
    "east_north_central",
    "west_north_central",
    "south_atlantic",
    "east_south_central",
    "west_south_central",
    "mountain",
    "pacific",
)
#: States (with DC) in each division, in the order of ``DIVISIONS``.
STATES_PER_DIVISION = (6, 3, 5, 7, 9, 4, 4, 8, 5)
#: Where a focal applicant sends their preference signals (``you.signal_policy``).
SIGNAL_POLICIES = ("most_preferred", "best_chance", "spread", "shares")

__all__ = [
    "APPLICANT_TYPES",
    "APPLICATION_POLICIES",
    "DIVISIONS",
    "FOCAL_TYPES",
    "FOCAL_USCE_KINDS",
    "IMG_TYPES",
    "PROGRAM_KINDS",
    "PROPOSING_SIDES",
    "SIGNAL_POLICIES",
    "STATES_PER_DIVISION",
    "TRACKS",
    "USCE_KINDS",
    "VISAS",
    "VISA_POLICIES",
]
