"""What the simulation commands (run, compare, sweep) share: options, loading, the trial loop."""

from __future__ import annotations

import sys

import click

from simulator import report
from simulator.runs import chunk_ranges, execute, write_chunk
from simulator.scenario import load_scenario, with_changes


def scenario_options(func):
    """The options every simulation command shares."""
    for option in reversed(
        [
            click.option("--trials", type=click.IntRange(1), default=None,
                         help="Simulated Match years (overrides the scenario's `trials`)."),
            click.option("--seed", type=click.IntRange(0), default=None,
                         help="Root seed (overrides the scenario's `seed`)."),
            click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                         help="Change one scenario key, e.g. --set you.step2ck=250 (repeatable)."),
            click.option("--out", type=click.Path(file_okay=False), default=None,
                         help="Output folder (must not exist or be empty) [default: results/NAME-TIME]."),
            click.option("--workers", type=click.IntRange(1), default=None,
                         help="Worker processes [default: all cores]."),
        ]
    ):
        func = option(func)
    return func


def load_with_options(path, overrides, trials, seed):
    """Load a scenario and apply --set, --trials and --seed."""
    scenario = load_scenario(path, overrides)
    changes = {k: v for k, v in (("trials", trials), ("seed", seed)) if v is not None}
    return with_changes(scenario, changes) if changes else scenario


def simulate_to_folder(scenario, plan, directory, workers, label):
    """Run every trial of ``plan`` into ``directory`` with a progress bar; return merged tallies.

    Each chunk is saved as it finishes; on Ctrl-C what finished is kept and
    the command exits with status 130.
    """
    tallies = []
    chunks = chunk_ranges(range(scenario.trials), workers)
    with click.progressbar(length=scenario.trials, label=label, show_eta=True, show_pos=True,
                           file=sys.stderr) as bar:
        def finished(result):
            write_chunk(directory, result)
            tallies.append(report.tallies(result.applicants, result.programs))
            bar.update(len(result.trials))

        try:
            execute(plan, chunks, workers=workers, on_chunk=finished)
        except KeyboardInterrupt:
            done = sum(len(t["fill"]) for t in tallies) // max(len(plan.variants), 1)
            click.echo(f"\ninterrupted: {done} of {scenario.trials} trials kept in {directory}/chunks",
                       err=True)
            sys.exit(130)
    return report.merge_tallies(tallies)
