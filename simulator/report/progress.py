"""How far a study has got: trials done of the total, for a terminal or a web page.

:class:`TrialProgress` counts the trials as the study reports them (its
figures may be read from another thread, as the local web app does) and, given
a stream, draws a progress bar there: redrawn in place on a terminal, the label
once otherwise.  When a run stops short it says what was kept and how to
finish it.
"""

from __future__ import annotations

import time

from simulator.study.simulate import Progress
from simulator.study.stopping import stopped_words

__all__ = ["TrialProgress"]

_BAR = 36


class TrialProgress(Progress):
    """Trials done of ``total``, ``state`` (waiting, running, finished, stopped) and, once
    stopped, ``message``; drawn on ``stream`` if given.  ``hint`` is the command that
    finishes a stopped run."""

    def __init__(self, label: str = "", hint: str = "", stream=None):
        self.label, self.hint, self.stream = label, hint, stream
        self.total = self.done = 0
        self.state, self.message = "waiting", ""
        self._started = self._first = None

    def begin(self, total: int, done: int) -> None:
        self.total, self.done, self._first = total, done, done
        self._started, self.state = time.monotonic(), "running"
        self._draw()

    def advance(self, trials: int) -> None:
        self.done += trials
        self._draw()

    def end(self) -> None:
        self.state = "finished"
        self._draw(last=True)

    def stopped(self, error, done, total, folder) -> None:
        self.done, self.total, self.state = done, total, "stopped"
        self.message = stopped_words(error, done, total, folder)
        if self.stream is not None:
            self._draw(last=True)
            self.stream.write(f"\n{self.message}\nto finish it: {self.hint}\n")
            self.stream.flush()

    def seconds_left(self) -> float | None:
        """The time the trials left should take at the pace so far, or None before one is done."""
        ran = self.done - (self._first or 0)
        if self._started is None or ran <= 0:
            return None
        return (time.monotonic() - self._started) / ran * (self.total - self.done)

    def line(self) -> str:
        """``label: trials  [#####-----]  12/40  00:00:20``."""
        filled = int(_BAR * self.done / self.total) if self.total else 0
        left = self.seconds_left()
        eta = "" if left is None else "  " + time.strftime("%H:%M:%S", time.gmtime(left))
        bar = "#" * filled + "-" * (_BAR - filled)
        name = f"{self.label}: " if self.label else ""
        return f"{name}trials  [{bar}]  {self.done}/{self.total}{eta}"

    def _draw(self, last: bool = False) -> None:
        if self.stream is None:
            return
        if self.stream.isatty():
            self.stream.write("\r" + self.line() + ("\n" if last else ""))
        elif self.state == "running" and self.done == self._first:  # a log: one line
            kept = f" ({self.done} kept from before)" if self.done else ""
            name = f"{self.label}: " if self.label else ""
            self.stream.write(f"{name}{self.total - self.done} trials to run{kept}\n")
        self.stream.flush()
