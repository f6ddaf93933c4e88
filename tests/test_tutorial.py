"""docs/tutorial.md cannot go stale: every ``$ matchsim ...`` block is run and compared exactly.

A block is a fenced ``console`` block whose first line is ``$ matchsim ARGS``;
the rest of the block is the command's expected output.  Commands run
in-process from the repository root, where the tutorial's paths point.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

ROOT = Path(__file__).parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def command_blocks(text: str) -> list[tuple[str, str]]:
    """``(command, expected output)`` for each fenced block that starts with ``$ matchsim``."""
    blocks = []
    for body in FENCE.findall(text):
        first, _, rest = body.partition("\n")
        if first.startswith("$ matchsim"):
            blocks.append((first[2:], rest))
    return blocks


BLOCKS = command_blocks(TUTORIAL.read_text(encoding="utf-8"))


def test_the_tutorial_has_commands_for_every_lesson():
    commands = [c for c, _ in BLOCKS]
    assert len(commands) >= 10
    for needed in ("--why", "--manipulate", "--compare-sides", "--proposing programs"):
        assert any(needed in c for c in commands), needed
    # Each example market in scenarios/ is used.
    for path in sorted((ROOT / "scenarios").glob("lesson-*.toml")):
        assert any(f"scenarios/{path.name}" in c for c in commands), path.name


def test_command_blocks_are_parsed():
    text = "x\n```console\n$ matchsim a b\nline 1\n\nline 3\n```\n```bash\nls\n```\n"
    assert command_blocks(text) == [("matchsim a b", "line 1\n\nline 3\n")]


@pytest.mark.parametrize(("command", "expected"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_tutorial_command_output(monkeypatch, command, expected):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, shlex.split(command)[1:], prog_name="matchsim")
    assert result.exit_code == 0, result.output
    assert result.output == expected
