"""The README cannot go stale: its commands run, its files exist and load, CI runs its tests."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario
from simulator.teaching.smallmarket import load_market

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

# `matchsim run` commands (and any other command that simulates, i.e. takes --set,
# --trials, --workers and --out) are run with these options appended: 3% of the national
# market, one trial, one worker, into a temporary folder, so that the README's full-scale
# examples take about a second here.
FAST_RUN = ("--set", "market.scale=0.03", "--trials", "1", "--workers", "1", "--out")
SIMULATION_OPTIONS = {"--set", "--trials", "--workers", "--out"}

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def fenced_blocks(text: str) -> list[str]:
    return FENCE.findall(text)


def commands_in(block: str) -> list[list[str]]:
    """The shell commands of a fenced block: one per line, split at ``&&``, comments dropped."""
    commands = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        current: list[str] = []
        for word in words + ["&&"]:
            if word == "&&":
                if current:
                    commands.append(current)
                current = []
            else:
                current.append(word)
    return commands


def section(title: str) -> str:
    match = re.search(
        rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL
    )
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def matchsim_commands() -> list[list[str]]:
    return [c for block in fenced_blocks(README) for c in commands_in(block) if c[0] == "matchsim"]


def test_quick_start_has_exactly_two_fenced_commands():
    blocks = fenced_blocks(section("Quick start"))
    assert len(blocks) == 2
    for block in blocks:
        lines = [
            line
            for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        assert len(lines) == 1, block


def test_the_test_command_is_what_ci_runs_verbatim():
    test_command = fenced_blocks(section("Quick start"))[1].strip()
    assert "pytest" in test_command
    assert test_command in [line.strip() for line in CI.splitlines()]


def test_the_install_command_runs_the_shipped_example():
    install = commands_in(fenced_blocks(section("Quick start"))[0])
    assert install[0][:2] == ["pip", "install"]
    assert install[-1][:2] == ["matchsim", "run"]


def test_readme_shows_matchsim_commands():
    # Guard against the test below passing vacuously if the fences change shape.
    names = {c[1] for c in matchsim_commands()}
    assert {"run", "match", "explain"} <= names


@pytest.mark.parametrize("command", matchsim_commands(), ids=lambda c: " ".join(c[1:]))
def test_every_readme_command_runs(command, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the repository root
    args = command[1:]
    assert args[0] in main.commands, f"README shows an unknown command: {shlex.join(command)}"
    options = {opt for param in main.commands[args[0]].params for opt in param.opts}
    simulates = args[0] == "run" or SIMULATION_OPTIONS <= options
    if simulates:
        args = [*args, *FAST_RUN, str(tmp_path / "out")]
    result = CliRunner().invoke(main, args, prog_name="matchsim")
    assert result.exit_code == 0, f"{shlex.join(command)} failed:\n{result.output}"
    assert "Traceback" not in result.output
    if args[0] == "run":
        assert (tmp_path / "out" / "summary.json").is_file()
    elif simulates:
        assert any((tmp_path / "out").iterdir())


def test_every_command_in_the_readme_table_exists_and_has_help():
    table = section("What you can do")
    names = re.findall(r"^\| `matchsim (\w+)", table, re.MULTILINE)
    assert names
    assert set(names) <= set(main.commands)
    for name in names:
        result = CliRunner().invoke(main, [name, "-h"], prog_name="matchsim")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Usage: matchsim {name} ")


def named_files() -> list[str]:
    return sorted(set(re.findall(r"scenarios/[\w*.-]+\.toml", README)))


def files_used_with(*subcommands: str) -> set[str]:
    """Files given to these subcommands anywhere in the README (fenced or inline code)."""
    found = set()
    for text in [*fenced_blocks(README), *re.findall(r"`([^`\n]+)`", README)]:
        for command in commands_in(text) if "matchsim" in text else []:
            if len(command) > 2 and command[0] == "matchsim" and command[1] in subcommands:
                found.update(w for w in command[2:] if w.endswith(".toml"))
    return found


def test_every_scenario_file_named_in_the_readme_exists_and_loads():
    named = named_files()
    assert "scenarios/img-internal-medicine.toml" in named
    for_run = files_used_with("run")
    for_market = files_used_with("match", "explain")
    assert for_run and for_market
    for pattern in named:
        paths = sorted(glob.glob(str(ROOT / pattern)))
        assert paths, f"README names {pattern}, which matches no file"
        for path in paths:
            relative = Path(path).relative_to(ROOT).as_posix()
            if relative in for_run:
                load_scenario(path)
            elif relative in for_market:
                load_market(path)
            else:  # named in a table: it must be one or the other
                errors = []
                for loader in (load_scenario, load_market):
                    try:
                        loader(path)
                        break
                    except ScenarioError as error:
                        errors.append(str(error))
                else:
                    pytest.fail(f"{relative} loads neither as a scenario nor as a market: {errors}")
