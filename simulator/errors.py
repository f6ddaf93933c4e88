"""The one exception for bad user input, with everything needed to fix it."""

from __future__ import annotations

import difflib
from pathlib import Path


class ScenarioError(ValueError):
    """A scenario or market file (or a command-line value) that cannot be used.

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
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [p for p in (self.file, self.key) if p]
        if self.message is not None:
            detail = self.message
        else:
            detail = f"expected {self.expected}" if self.expected else "invalid value"
            if self.found is not None:
                detail += f", found {self.found}"
        return ": ".join([*parts, detail])


def closest(word: str, choices, *, prefix: str = "") -> str:
    """A ``" (did you mean 'x'?)"`` suffix naming the closest choice, or ``""``."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{prefix}{match[0]}'?)" if match else ""


def read_text(path, where=None) -> str:
    """The text of a file the user named; every way reading can fail is one ``ScenarioError``."""
    where = str(path) if where is None else where
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(where, message="file not found") from None
    except IsADirectoryError:
        raise ScenarioError(where, message="is a directory, expected a file") from None
    except UnicodeDecodeError:
        raise ScenarioError(where, message="not a UTF-8 text file") from None
    except OSError as error:
        raise ScenarioError(where, message=f"cannot be read ({error.strerror or error})") from None
