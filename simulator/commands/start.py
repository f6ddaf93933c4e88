"""Commands for starting out: the names to use (``specialties``), a scenario to start from
(``new``), and the local web app (``serve``, the optional extra matchsim[web])."""

import click

from simulator.commands._common import user_errors
from simulator.report.formats import prose
from simulator.report.specialties import format_specialties
from simulator.scenario.schema import lookup
from simulator.scenario.template import NEW_OPTIONS, new_scenario, unsponsored_h1b_notes


@click.command()
@user_errors
def specialties():
    """List the specialties a scenario may name, with PGY-1 positions and programs.

    \b
    Example:
      matchsim specialties
    """
    click.echo(format_specialties())


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@user_errors
def new(file, **answers):
    """Write a new scenario FILE, every key explained, from a few options (never overwrites).

    Specialty names are listed by `matchsim specialties`; case and punctuation
    do not matter (H-1B, hands on, internal medicine).

    \b
    Example:
      matchsim new me.toml --type non_us_img --specialty "Internal Medicine" --step2ck 236 \\
        --usce-kind observership --usce-months 2 --years 4 --visa H-1B --step3 true
      matchsim run me.toml
    """
    given = {o: answers[o[2:].replace("-", "_")] for o in NEW_OPTIONS}
    scenario = new_scenario(file, {o: text for o, text in given.items() if text is not None})
    click.echo(f"wrote {file}: {scenario.description}\nrun it with: matchsim run {file}")
    for note in unsponsored_h1b_notes(scenario, file):
        click.echo("\n".join(prose(note)))


new.params += [click.Option([option], metavar="X", help=f"{lookup(key).doc} [{key}]")
               for option, key in NEW_OPTIONS.items()]  # fmt: skip


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; "
              "any other than 127.0.0.1 lets other machines run studies here.")  # fmt: skip
@user_errors
def serve(port, host):
    """Open matchsim in a web browser: fill in a profile, run it, read the results.

    Runs write to results/ as `matchsim run` does.  Stop it with Ctrl-C.

    \b
    Example:
      matchsim serve --port 8765
    """
    from simulator.web import serve_app  # needs the optional extra: pip install 'matchsim[web]'

    serve_app(host=host, port=port, echo=click.echo)
