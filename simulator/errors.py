"""matchsim's errors: one hierarchy for everything a user can get wrong.

:class:`MatchsimError` (a ``ValueError``) is the root: the command line turns
any of them into one ``Error:`` line with exit status 2.  Beneath it,
:class:`ScenarioError` for scenario, market and command-line values,
:class:`DataError` for the published tables and :class:`RunError` for run
folders and executors.  The library never imports click.
"""

from __future__ import annotations

import difflib
import re


class MatchsimError(ValueError):
    """Bad input a user can fix: printed by the command line as one ``Error:`` line.

    Carries the file, the dotted key path, what was expected and what was
    found, so the command line can print one line that says exactly what to
    fix.  A plain ``ValueError`` subclass: the library never imports click.
    """

    def __init__(self, file=None, key=None, expected=None, found=None, *, message=None):
        self.file = None if file is None else str(file)
        self.key = key
        self.expected = expected
        self.found = found
        self.message = message
        super().__init__(escape_breaks(self._describe()))

    def _describe(self) -> str:
        """``file: key: what was expected, what was found``, on one line."""
        parts = [p for p in (self.file, self.key) if p]
        if self.message is not None:
            detail = self.message
        else:
            detail = f"expected {self.expected}" if self.expected else "invalid value"
            if self.found is not None:
                detail += f", found {self.found}"
        return ": ".join([*parts, detail])


#: Line breaks (as ``str.splitlines`` counts them) and other control characters.
_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_breaks(text: str) -> str:
    """``text`` with line breaks and control characters written as escapes (``\\n``), so a
    message is always one line, however odd the value it quotes."""
    return _BREAKS_AND_CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)


class ScenarioError(MatchsimError):
    """A scenario or market file, or a command-line value, that cannot be used."""


class DataError(MatchsimError):
    """A published data table that fails its checks."""


class RunError(MatchsimError):
    """A run folder that cannot be started, resumed or written, or an executor that cannot run."""


def closest(word: str, choices, *, prefix: str = "") -> str:
    """A ``" (did you mean 'x'?)"`` suffix naming the closest choice, or ``""``."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{prefix}{match[0]}'?)" if match else ""


#: The most characters of a user's text :func:`quoted` keeps.
QUOTED_LENGTH = 60


def quoted(text, limit: int = QUOTED_LENGTH) -> str:
    """``text`` fit to quote in a message: cut to ``limit`` characters (``...`` if longer),
    line breaks and control characters escaped."""
    text = str(text)
    shown = escape_breaks(text[:limit])
    return shown + "..." if len(text) > limit else shown
