"""The ``matchsim`` command line: a thin click layer over the library.

Each command lives in its own module under ``simulator/commands``; this file
only assembles the group.  Library errors that describe bad input
(``ValueError`` subclasses such as ``ScenarioError``) become one ``Error:``
line and exit status 2, never a traceback.
"""

from __future__ import annotations

import click

from simulator import __version__
from simulator.commands import COMMANDS

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="matchsim")
def main():
    """Simulate the US residency Match (NRMP) and estimate match probabilities.

    Start with `matchsim match scenarios/nrmp-example.toml` to solve the NRMP's
    own worked example.
    """


for command in COMMANDS:
    main.add_command(command)
