"""Every command has help and is documented; the group answers --version and -h."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator import __version__
from simulator.cli import main
from simulator.commands import COMMANDS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"matchsim, version {__version__}\n"


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_group_help_lists_every_command(flag):
    result = invoke(flag)
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command.name in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_help_with_an_example(command):
    result = invoke(command.name, "-h")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {command.name}") or result.output.startswith(
        f"Usage: matchsim {command.name}"
    )
    assert "Example" in result.output
    assert command.help and len(command.help.splitlines()[0]) > 20


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_is_in_the_readme(command):
    assert f"matchsim {command.name}" in README


def test_unknown_command_is_a_usage_error():
    result = invoke("rnu")
    assert result.exit_code == 2
    assert "No such command 'rnu'" in result.output
