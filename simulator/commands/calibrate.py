"""``matchsim calibrate``: fit the free parameters to the published 2025 figures."""

from __future__ import annotations

import time
from pathlib import Path

import click

from simulator import __version__
from simulator.commands._common import user_errors
from simulator.errors import RunError
from simulator.market.params import MarketParams
from simulator.market.published import load_published
from simulator.study.calibrate import (
    FREE_PARAMETERS,
    calibrate,
    calibration_table,
    save_calibration,
)


@click.command("calibrate")
@click.option(
    "--trials",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Full-scale trials per evaluation (the same trials every time).",
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=2025,
    show_default=True,
    help="Seed of the trials used for fitting.",
)
@click.option(
    "--scale",
    type=click.FloatRange(0, 1, min_open=True),
    default=1.0,
    show_default=True,
    help="Fraction of the national market to fit on.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    required=True,
    help="Calibration file to write; a scenario reads it with [market] calibration = PATH. "
    "Never the installed package: from a source checkout, refresh the shipped file with "
    "--out data/calibration_2025.toml --overwrite.",
)
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
@user_errors
def calibrate_command(trials, seed, scale, out, overwrite):
    """Fit the model's free parameters to the published 2025 figures.

    The targets: match rates and active applicants by type, the fill rate and
    the Charting Outcomes tables (rates to the preferred specialty, Step 2 CK
    gaps, contiguous ranks); the loss is documented in docs/model.md.

    Starts from the documented defaults in simulator/market/params.py, simulates the
    same trials at every step (common random numbers) and fits with
    scipy.optimize.least_squares; then writes the fitted values, with the
    command, seed and the rates they reproduce, to the file named by --out.

    \b
    Example:
      matchsim calibrate --out my-calibration.toml
    """
    if out == "":
        raise RunError("--out", message="expected a file name, found ''")
    if Path(out).exists() and not overwrite:  # say so now, not after minutes of fitting
        raise RunError(
            out, message="already exists; not overwriting it (pass --overwrite to replace it)"
        )
    started = time.perf_counter()
    fit = calibrate(
        MarketParams(),
        load_published(),
        seed=seed,
        trials=trials,
        scale=scale,
        progress=lambda i, loss: click.echo(f"  evaluation {i:3d}: loss {loss:8.2f}", err=True),
    )
    command = f"matchsim {__version__}: matchsim calibrate --trials {trials} --seed {seed} "
    save_calibration(
        fit,
        out,
        command=command + f"--scale {scale}",
        seconds=time.perf_counter() - started,
        overwrite=overwrite,
    )
    click.echo("\n".join(calibration_table(fit)))
    click.echo(
        f"worst gap {100 * fit.worst_gap:.2f} points; free parameters "
        f"{', '.join(FREE_PARAMETERS)} written to {out}"
    )
