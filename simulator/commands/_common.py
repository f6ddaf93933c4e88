"""What every command shares: bad input becomes one ``Error:`` line and exit status 2."""

from __future__ import annotations

import functools

import click

from simulator.errors import MatchsimError, escape_breaks


def one_line(message: str) -> str:
    """``message`` on one line: line breaks and control characters inside values are escaped."""
    return escape_breaks(str(message).strip())


class InputError(click.ClickException):
    """Bad input from the user: printed as one ``Error:`` line, exit status 2."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(one_line(message))


def user_errors(func):
    """Run ``func``, turning a :class:`MatchsimError` into one ``Error:`` line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MatchsimError as error:
            raise InputError(str(error)) from None

    return wrapper
