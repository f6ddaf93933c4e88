"""One module per ``matchsim`` command; ``COMMANDS`` lists them for :mod:`simulator.cli`."""

from __future__ import annotations

COMMANDS = []
