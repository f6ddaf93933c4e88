"""One module per ``matchsim`` command; ``COMMANDS`` lists them for :mod:`simulator.cli`."""

from __future__ import annotations

from simulator.commands.match import match

COMMANDS = [match]
