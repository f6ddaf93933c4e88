"""Starting without knowing the file format: ``matchsim specialties`` and ``matchsim new``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main
from simulator.market.published import load_published
from simulator.scenario import load_scenario
from simulator.scenario.template import NEW_OPTIONS

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="matchsim")


def test_specialties_lists_every_name_with_positions_and_programs():
    result = invoke("specialties")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    table = load_published().specialties
    rows = zip(table["specialty"], table["positions"], table["programs"])
    for name, positions, programs in list(rows)[:-1]:
        row = next(line for line in lines if line.startswith(f"{name}  "))
        assert row.split()[-2:] == [f"{positions:,}", f"{programs:,}"], name
    assert max(len(line) for line in lines) <= 88
    # The pool is a note, not a line to copy: a scenario cannot name it.
    assert not any(line.startswith("Other specialties (pooled)") for line in lines)
    assert "260 positions in 40 programs" in result.output


def test_the_pooled_remainder_is_not_a_choice(tmp_path):
    path = tmp_path / "pool.toml"
    path.write_text('[you]\nspecialty = "Other specialties (pooled)"\n')
    result = invoke("run", path, "--trials", "1")
    assert result.exit_code == 2
    assert "one specialty, not the pool of programs the tables do not itemise" in result.output


def test_new_writes_a_commented_scenario_that_runs(tmp_path):
    path = tmp_path / "me.toml"
    result = invoke(
        "new", path, "--type", "non-US IMG", "--specialty", "Internal Medicine",
        "--backup", "family medicine", "--step2ck", "236", "--usce-kind", "observership",
        "--usce-months", "2", "--years", "4", "--visa", "H-1B", "--step3", "true",
        "--applications", "120",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"wrote {path}: A non-US IMG in Internal Medicine (Categorical), Family Medicine as "
        "backup: Step 2 CK 236, 2 months observership USCE, 4 years out, H-1B",
        f"run it with: matchsim run {path}",
    ]
    you = load_scenario(path).you
    assert (you.type, you.specialty, you.backup_specialty, you.visa, you.usce_kind) == (
        "non_us_img",
        "Internal Medicine (Categorical)",
        "Family Medicine",
        "h1b",
        "observership",
    )
    assert (you.step2ck, you.usce_months, you.years_since_graduation, you.applications) == (
        236,
        2,
        4,
        120,
    )
    assert you.step3
    text = path.read_text(encoding="utf-8")
    assert "# Step 2 CK score.\nstep2ck = 236\n" in text  # every key is explained
    assert "# [[strategies]]" in text  # and how to compare strategies
    run = invoke("run", path, "--trials", 1, "--workers", 1, "--set", "market.scale=0.03",
                 "--set", "market.focal_copies=4", "--out", tmp_path / "out")  # fmt: skip
    assert run.exit_code == 0, run.output


def test_new_says_when_an_h1b_cannot_be_sponsored_for_want_of_step3(tmp_path):
    """An H-1B without Step 3 is read by no program: said when the file is written, for you
    and for a partner, with the key to change; not said once Step 3 is passed."""
    path = tmp_path / "h1b.toml"
    result = invoke("new", path, "--visa", "h1b", "--partner-specialty", "pediatrics",
                    "--partner-visa", "H-1B", "--partner-step3", "false")  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "note: an H-1B needs Step 3 passed and you have not passed it" in text
    assert f"set you.step3 = true in {path}" in text
    assert "your partner has not passed it (you.partner.step3 = false)" in text
    assert max(len(line) for line in result.output.splitlines()[2:]) <= 88
    passed = invoke("new", tmp_path / "passed.toml", "--visa", "h1b", "--step3", "true")
    assert passed.exit_code == 0 and "note" not in passed.output
    assert load_scenario(tmp_path / "passed.toml").you.step3


def test_new_without_options_writes_the_defaults(tmp_path):
    result = invoke("new", tmp_path / "plain.toml")
    assert result.exit_code == 0, result.output
    assert load_scenario(tmp_path / "plain.toml").trials == 40


def test_new_never_overwrites(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("# my own notes\n", encoding="utf-8")
    result = invoke("new", path, "--step2ck", "250")
    assert result.exit_code == 2
    assert result.output == f"Error: {path}: already exists; not overwriting it\n"
    assert path.read_text(encoding="utf-8") == "# my own notes\n"


def test_a_bad_value_names_its_option_in_one_line(tmp_path):
    cases = {
        (
            "--step2ck",
            "900",
        ): "--step2ck: you.step2ck: expected an integer from 1 to 300, found 900",
        ("--visa", "h1"): "--visa: you.visa: expected one of none, j1, h1b, found 'h1' "
        "(did you mean 'h1b'?)",
    }
    for (option, value), message in cases.items():
        result = invoke("new", tmp_path / "x.toml", option, value)
        assert result.exit_code == 2 and result.output == f"Error: {message}\n"
    broken = invoke("new", tmp_path / "x.toml", "--type", "us_md", "--visa", "j1")
    assert broken.exit_code == 2
    assert broken.output.startswith("Error: matchsim new: you.visa: expected 'none'")
    assert not (tmp_path / "x.toml").exists()


def test_every_option_of_new_sets_a_key_of_you():
    options = {o for p in main.commands["new"].params for o in p.opts if o.startswith("--")}
    assert set(NEW_OPTIONS) <= options
    assert all(key.startswith("you.") for key in NEW_OPTIONS.values())


def test_a_file_of_the_other_kind_names_the_command_it_is_for():
    market = invoke("run", ROOT / "scenarios" / "nrmp-example.toml")
    assert market.exit_code == 2
    assert market.output.rstrip().endswith("use matchsim match or matchsim explain")
    scenario = invoke("match", ROOT / "scenarios" / "default.toml")
    assert scenario.exit_code == 2
    assert scenario.output.rstrip().endswith("use matchsim run, compare or sweep")


def test_new_takes_a_partner_and_writes_a_couple(tmp_path):
    path = tmp_path / "couple.toml"
    result = invoke(
        "new", path, "--type", "US IMG", "--specialty", "internal medicine",
        "--partner-specialty", "pediatrics", "--partner-type", "US MD", "--partner-step2ck", "245",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "A US-citizen IMG in Internal Medicine (Categorical)" in result.output
    assert "as a couple, partner in Pediatrics (Categorical)" in result.output
    partner = load_scenario(path).you.partner
    assert (partner.specialty, partner.type, partner.step2ck) == (
        "Pediatrics (Categorical)", "us_md", 245,
    )  # fmt: skip
    refused = invoke("new", tmp_path / "bad.toml", "--partner-type", "us_md")
    assert refused.exit_code == 2 and "you.partner.specialty" in refused.output
    assert not (tmp_path / "bad.toml").exists()
