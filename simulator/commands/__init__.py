"""The ``matchsim`` commands, one module each (``start``: three small ones), in ``COMMANDS``."""

from __future__ import annotations

from simulator.commands.calibrate import calibrate_command
from simulator.commands.compare import compare_command
from simulator.commands.explain import explain
from simulator.commands.match import match
from simulator.commands.run import run
from simulator.commands.start import new, serve, specialties
from simulator.commands.sweep import sweep_command
from simulator.commands.validate import validate

COMMANDS = [run, compare_command, sweep_command, match, explain, calibrate_command, validate]
COMMANDS += [specialties, new, serve]
