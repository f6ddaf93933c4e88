"""The grid behind SOAP's hand-fitted parameters (docs/model.md, section 7, SOAP).

    python benchmarks/soap_grid.py                        # the grid of the shipped choice
    python benchmarks/soap_grid.py --noise 5.75 --bar 7.5 --drop 1.8
    python benchmarks/soap_grid.py --noise 5.75 --bar 7.5 --drop 1.8 --set participation=0.4

Draws trials 0-3 of ``scenarios/default.toml`` (seed 2025, full scale) and their Main
Match once, then runs the population's SOAP for every combination of
``soap.evaluation_noise_sd``, ``soap.acceptability_bar`` and ``soap.bar_drop``, holding
the Main Match as it is (``--set NAME=VALUE`` changes another ``soap.*`` parameter: how
the fit depends on the assumed ones).  Prints, per combination, the positions offered and filled a
trial, the share filled and the cumulative share of placements by rounds 1 and 2, sorted
by distance from the published figures: 2,399 of 2,521 filled (95.2%), about 60% of
placements in round 1 and 80% by round 2 (domain notes), each at its own scale.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from pathlib import Path

import numpy as np

from simulator.market import draw_market, market_inputs, match_population, run_soap, trial_streams
from simulator.market.published import load_published
from simulator.market.soap_params import SoapParams
from simulator.scenario import load_scenario

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios" / "default.toml"
TARGET = {"share": (2399 / 2521, 0.02), "round1": (0.60, 0.05), "round2": (0.80, 0.05)}


def soap_figures(trials, params, seed: int) -> dict:
    """Offered and filled a trial, the share filled and the placements by rounds 1 and 2."""
    offered = filled = by_round1 = by_round2 = 0
    for trial, market, population in trials:
        n, match, pgy1 = market.programs.size, population.match, population.pgy1
        seats = np.r_[match, pgy1]
        left = market.programs.positions - np.bincount(seats[seats < n], minlength=n)
        left[market.programs.advanced] = 0  # SOAP offers PGY-1 positions only
        soap = run_soap(market, match, pgy1, params, trial_streams(seed, trial)["soap"], 1)
        placed_round = soap.outcome.round
        offered += int(left.sum())
        filled += int((placed_round > 0).sum())
        by_round1 += int((placed_round == 1).sum())
        by_round2 += int(((placed_round >= 1) & (placed_round <= 2)).sum())
    return {
        "offered": offered / len(trials),
        "filled": filled / len(trials),
        "share": filled / offered,
        "round1": by_round1 / filled,
        "round2": by_round2 / filled,
    }


def distance(figures: dict) -> float:
    """Sum of squared gaps from the published figures, each over its scale."""
    return sum(((figures[k] - target) / scale) ** 2 for k, (target, scale) in TARGET.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=float, nargs="+", default=[5.5, 5.75, 6.0, 6.25])
    parser.add_argument("--bar", type=float, nargs="+", default=[6.5, 7.0, 7.5, 8.0])
    parser.add_argument("--drop", type=float, nargs="+", default=[1.2, 1.4, 1.6, 1.8])
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    assumed = {}
    for item in args.set:
        name, _, value = item.partition("=")
        if not hasattr(SoapParams(), name):
            parser.error(f"--set {item}: expected NAME=VALUE with NAME a soap.* parameter")
        try:
            assumed[name] = type(getattr(SoapParams(), name))(float(value))
        except ValueError:
            parser.error(f"--set {item}: expected a number after '='")

    scenario = load_scenario(DEFAULT)
    params, seed = scenario.params, scenario.seed
    inputs = market_inputs(load_published(), 1.0)
    trials = []
    for trial in range(args.trials):
        market = draw_market(inputs, params, trial_streams(seed, trial))
        trials.append((trial, market, match_population(market, params)))
    rows = []
    for noise, bar, drop in itertools.product(args.noise, args.bar, args.drop):
        soap = dataclasses.replace(
            params.soap, evaluation_noise_sd=noise, acceptability_bar=bar, bar_drop=drop, **assumed
        )
        figures = soap_figures(trials, dataclasses.replace(params, soap=soap), seed)
        rows.append((distance(figures), noise, bar, drop, figures))
    print("distance  noise   bar  drop  offered  filled  share  round 1  by round 2")
    for d, noise, bar, drop, f in sorted(rows, key=lambda row: row[0]):
        print(
            f"{d:8.2f}  {noise:5.2f}  {bar:4.1f}  {drop:4.1f}  {f['offered']:7.0f}  "
            f"{f['filled']:6.0f}  {f['share']:5.1%}  {f['round1']:7.1%}  {f['round2']:10.1%}"
        )


if __name__ == "__main__":
    main()
