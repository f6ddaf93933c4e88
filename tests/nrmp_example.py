"""The NRMP's worked example (``scenarios/nrmp-example.toml``) and its published answer.

One place for what several test modules pin: the engine on the raw lists, the
small-market parser and printer, and ``matchsim match`` end to end.
"""

from pathlib import Path

FILE = Path(__file__).parents[1] / "scenarios" / "nrmp-example.toml"

#: The rank-order lists, most preferred first (every program has 2 positions).
APPLICANT_LISTS = {
    "Anderson": ["City"],
    "Brown": ["City", "Mercy"],
    "Chen": ["City", "Mercy"],
    "Davis": ["Mercy", "City", "General", "State"],
    "Eastman": ["City", "Mercy", "State", "General"],
    "Ford": ["City", "General", "Mercy", "State"],
    "Garcia": ["City", "Mercy", "State", "General"],
    "Hassan": ["State", "City", "Mercy", "General"],
}
PROGRAM_LISTS = {
    "Mercy": ["Chen", "Garcia"],
    "City": ["Garcia", "Hassan", "Eastman", "Anderson", "Brown", "Chen", "Davis", "Ford"],
    "General": ["Brown", "Eastman", "Hassan", "Anderson", "Chen", "Davis", "Garcia"],
    "State": ["Brown", "Eastman", "Anderson", "Chen", "Hassan", "Ford", "Davis", "Garcia"],
}

#: The published matching: each applicant's program (None: unmatched), in file order.
MATCHED = {
    "Anderson": None,  # ranked only City, which filled with applicants it ranked higher
    "Brown": None,  # ranked only City and Mercy; Mercy did not rank Brown
    "Chen": "Mercy",
    "Davis": "General",
    "Eastman": "City",
    "Ford": "State",
    "Garcia": "City",
    "Hassan": "State",
}
#: Each program's matched applicants, in the program's rank order.
PROGRAMS_MATCHED = {
    "Mercy": ["Chen"],
    "City": ["Garcia", "Eastman"],
    "General": ["Davis"],
    "State": ["Hassan", "Ford"],
}
#: The readable table (without the final newline ``matchsim match`` prints).
TABLE = """\
The NRMP's worked example: 8 applicants, 4 programs with 2 positions each

Program  Positions  Matched          Unfilled
Mercy    2          Chen             1
City     2          Garcia, Eastman  0
General  2          Davis            1
State    2          Hassan, Ford     0

Unmatched applicants: Anderson, Brown"""
