"""The ``matchsim`` command line: a thin click layer over the library.

Each command lives in its own module under ``simulator/commands``; this file
only assembles the group.  Every error a user can cause (a
:class:`~simulator.errors.MatchsimError` from the library, or a bad option
that click itself rejects) is one ``Error:`` line and exit status 2, never a
traceback or a usage block.
"""

from __future__ import annotations

import sys

import click
from click.exceptions import NoArgsIsHelpError

from simulator import __version__
from simulator.commands import COMMANDS
from simulator.commands._common import one_line

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class MatchsimGroup(click.Group):
    """A click group that prints click's own usage errors as one line, like matchsim's."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as error:  # a bare command group: its help, as click shows it
            error.show()
            sys.exit(error.exit_code)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx is not None else "matchsim"
            click.echo(f"Error: {one_line(error.format_message())} (see {command} -h)", err=True)
            sys.exit(2)
        except click.ClickException as error:
            click.echo(f"Error: {one_line(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(0)


@click.group(cls=MatchsimGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="matchsim")
def main():
    """Simulate the US residency Match (NRMP) and estimate match probabilities.

    Start with `matchsim match scenarios/nrmp-example.toml` to solve the NRMP's
    own worked example.
    """


for command in COMMANDS:
    main.add_command(command)
