"""Stopping a study from outside: SIGTERM stops a run as Ctrl-C does, keeping what finished.

A stopped run leaves its finished chunks in its folder; the command line
exits with the status a shell expects (130 for Ctrl-C, 143 for SIGTERM) and
says how to finish the run with ``--resume``.
"""

from __future__ import annotations

import shlex
import signal
from contextlib import contextmanager

__all__ = ["Terminated", "exit_status", "resume_command", "sigterm_stops", "stopped_words"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, stopping a run as Ctrl-C does: what finished is kept."""


def _terminate(signum, frame):
    raise Terminated


@contextmanager
def sigterm_stops():
    """While inside, SIGTERM raises :class:`Terminated` (main thread only, as signals are)."""
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_status(error: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM: 128 plus the signal's number, as shells report them."""
    return 143 if isinstance(error, Terminated) else 130


def stopped_words(error: BaseException, done: int, total: int, folder) -> str:
    """``interrupted: 12 of 40 trials kept in DIR/chunks`` (or terminated, stopped by an error)."""
    what = "stopped by an error"
    if isinstance(error, KeyboardInterrupt):
        what = "terminated" if isinstance(error, Terminated) else "interrupted"
    return f"{what}: {done} of {total} trials kept in {folder.chunks}"


def resume_command(command: str, scenario_file, options, folder) -> str:
    """``matchsim run FILE [OPTIONS] --resume DIR``: the command that finishes the run."""
    words = ["matchsim", command, str(scenario_file), *map(str, options), "--resume"]
    return shlex.join([*words, str(folder)])
