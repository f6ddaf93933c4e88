"""What every command shares: turning bad input into one clear line and exit status 2."""

from __future__ import annotations

import functools

import click

from simulator.errors import ScenarioError


class InputError(click.ClickException):
    """Bad input from the user: printed as one ``Error:`` line, exit status 2."""

    exit_code = 2


def user_errors(func):
    """Run ``func``, turning a :class:`ScenarioError` into one ``Error:`` line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ScenarioError as error:
            raise InputError(str(error)) from None

    return wrapper
