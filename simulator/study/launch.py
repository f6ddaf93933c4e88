"""Starting a study from a scenario file and options, or resuming one from its folder.

A new run records in ``run.json`` the options it was started with and the
scenario they resolved to.  A resumed run re-reads that record, re-loads the
scenario with the recorded options (plus any given again), and refuses to go
on when the scenario now differs from the recorded one: finished chunks are
only combined with trials of the same scenario.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from simulator import __version__
from simulator.errors import RunError
from simulator.scenario import Scenario, load_scenario, scenario_to_dict, with_changes
from simulator.study.executors import Execution, prepare_execution
from simulator.study.fingerprint import model_fingerprint
from simulator.study.folder import RunFolder

#: The file each study writes last but for removing its chunks: until it exists, it can resume.
FINISHED = {"run": "summary.json", "compare": "comparison.json", "sweep": "sweep.json"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Start:
    """A run about to start or resume: its scenario, its ``run.json`` and its folder.

    ``resolved`` is the scenario as recorded (written into every output, so
    a resumed run's outputs equal an uninterrupted run's); ``resume`` is the
    folder of a resumed run, else ``None``.
    """

    scenario: Scenario
    resolved: dict
    record: dict
    resume: RunFolder | None = None

    def folder(self, out=None) -> RunFolder:
        """The output folder, locked: the resumed run's, or a new one holding ``run.json``."""
        if self.resume is not None:
            return self.resume.lock()
        return RunFolder.create(self.scenario.name, self.record, out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Study:
    """A study ready to run: its start (scenario, record), where it runs, its locked folder."""

    start: Start
    execution: Execution
    folder: RunFolder


def open_study(
    command: str,
    scenario_file,
    *,
    out=None,
    executor=None,
    workers=None,
    scheduler=None,
    check=None,
    **loading,
) -> Study:
    """Load (or resume) the scenario, ``check(scenario)`` it, check where it runs, then make
    (or lock) the folder: in that order, so that bad input leaves nothing behind.

    ``loading`` are the keywords of :func:`start_run` but ``finished``.
    """
    resume = loading.get("resume")
    if resume is not None and out is not None:
        raise RunError(
            "--resume",
            message="cannot be combined with --out (a resumed run finishes in its own folder)",
        )
    if loading.get("discard_bad_chunks") and resume is None:
        raise RunError("--discard-bad-chunks", message="is only used with --resume DIR")
    start = start_run(command, scenario_file, finished=FINISHED[command], **loading)
    if check is not None:
        check(start.scenario)
    scale = start.scenario.market.scale
    execution = prepare_execution(executor, workers, scheduler, scale=scale)
    return Study(start=start, execution=execution, folder=start.folder(out))


def load_with_options(path, overrides=(), trials=None, seed=None) -> Scenario:
    """Load a scenario file and apply ``--set`` overrides, ``--trials`` and ``--seed``."""
    scenario = load_scenario(path, overrides)
    changes = {k: v for k, v in (("trials", trials), ("seed", seed)) if v is not None}
    return with_changes(scenario, changes) if changes else scenario


def start_run(
    command: str,
    scenario_file,
    *,
    overrides=(),
    trials=None,
    seed=None,
    resume=None,
    finished: str,
    extra=None,
    discard_bad_chunks: bool = False,
) -> Start:
    """Load the scenario of a new run, or check and re-load the one of a run to ``resume``.

    ``finished`` is the file a complete run of ``command`` writes last;
    ``extra`` are further options recorded in ``run.json`` (a sweep's
    ``param`` and ``values``).  A resumed run takes the ``--set`` recorded in
    its ``run.json`` followed by any given now, and the recorded ``--trials``
    and ``--seed`` unless given again; the scenario they resolve to must
    equal the recorded one (its file's path aside), else :class:`RunError`.
    """
    extra = _jsonable(extra or {})
    overrides = [str(o) for o in overrides]
    if resume is None:
        scenario = load_with_options(scenario_file, overrides, trials, seed)
        options = {"scenario": str(scenario_file), "set": overrides, "trials": trials, "seed": seed}
        record = {
            "matchsim": __version__,
            "model": model_fingerprint(),
            "command": command,
            **extra,
            "options": options,
            "scenario": scenario_to_dict(scenario),
        }
        return Start(scenario=scenario, resolved=record["scenario"], record=record)
    folder = RunFolder.resume(
        resume,
        command,
        finished=finished,
        version=__version__,
        model=model_fingerprint(),
        discard_bad_chunks=discard_bad_chunks,
    )
    record = folder.record
    options = record["options"]
    scenario = load_with_options(
        scenario_file,
        [*options.get("set", ()), *overrides],
        trials if trials is not None else options.get("trials"),
        seed if seed is not None else options.get("seed"),
    )
    recorded = {k: v for k, v in record.get("scenario", {}).items() if k != "source"}
    now = {k: v for k, v in _jsonable(scenario_to_dict(scenario)).items() if k != "source"}
    recorded.pop("overrides", None)
    now.pop("overrides", None)
    recorded_extra = {k: record.get(k) for k in extra}
    key = first_difference(recorded_extra, extra) or first_difference(recorded, now)
    if key is not None:
        before, after = _at(recorded_extra | recorded, key), _at(extra | now, key)
        raise RunError(
            str(resume),
            message=f"was started with another scenario ({key}: {before!r} recorded in "
            f"run.json, {after!r} now); resume it with the scenario file and options it was "
            "started with",
        )
    return Start(scenario=scenario, resolved=record["scenario"], record=record, resume=folder)


def first_difference(recorded, now, prefix: str = ""):
    """The first dotted key whose value differs between two JSON-like trees, or ``None``."""
    if isinstance(recorded, dict) and isinstance(now, dict):
        for key in [*recorded, *(k for k in now if k not in recorded)]:
            found = first_difference(recorded.get(key), now.get(key), f"{prefix}{key}.")
            if found is not None:
                return found
        return None
    return None if recorded == now else prefix.rstrip(".") or "(the whole value)"


def _jsonable(value):
    """``value`` as it reads back from JSON (tuples become lists), to compare with run.json."""
    return json.loads(json.dumps(value))


def _at(tree, key):
    for part in key.split("."):
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree
