"""``matchsim validate``: the default market beside every published target it should reproduce."""

import click

from simulator import api
from simulator.commands._common import user_errors
from simulator.commands._simulate import prepare, reported, scenario_options
from simulator.report.validation import write_validation
from simulator.study.validation import validate_folder


@click.command()
@click.argument("scenario_file", metavar="[SCENARIO]", default="scenarios/default.toml")
@scenario_options
@click.option("--docs", is_flag=True, help="Also write docs/validation.md and docs/img/.")
@user_errors
def validate(scenario_file, docs, **options):
    """Run SCENARIO [default: scenarios/default.toml]: every published target beside the
    model's value, 95% interval, gap, ✓/✗; validation.json/.md/.png beside the run's outputs.

    \b
    Example:
      matchsim validate --trials 8 --workers 2 --docs
    """
    study, progress = prepare("run", scenario_file, options)
    with reported(study.folder):
        folder = api.run_in(study, progress=progress).folder
        click.echo(write_validation(validate_folder(folder), folder, "docs" if docs else None))
