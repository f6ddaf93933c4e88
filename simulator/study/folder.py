"""A run folder on disk: its ``run.json``, its lock, its chunks, its final outputs.

``run.json`` records how the run was started; a resumed run must match it.
While a run works in its folder it holds an exclusive lock on ``DIR/.lock``,
so a second process (a ``--resume`` of a run still going) is refused instead
of corrupting the tables.  Output folders are never overwritten: a new run
gets a new folder, a resumed run completes its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

import pandas as pd

from simulator import files
from simulator.errors import RunError
from simulator.study.chunks import Chunks

try:
    import fcntl
except ImportError:  # not POSIX: runs are not locked
    fcntl = None

#: The record of how a run was started, written first.
RECORD = "run.json"
#: The lock file a running study holds.
LOCK = ".lock"


def fingerprint(record: dict) -> str:
    """What makes a run's trials what they are: its scenario (the file's path aside) and the
    command's own options, as a short hash that every chunk records."""
    scenario = {k: v for k, v in record.get("scenario", {}).items() if k not in ("source",)}
    scenario.pop("overrides", None)
    kept = {k: v for k, v in record.items() if k not in ("matchsim", "options", "scenario")}
    text = json.dumps({"scenario": scenario, **kept}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class RunFolder:
    """The folder of one run; its chunks are ``chunks/TABLE-FIRST-LAST.parquet``."""

    def __init__(self, path, record: dict | None = None):
        self.path = Path(path)
        self.record = record or {}
        #: On resume: delete chunks that are damaged or not this run's, instead of refusing.
        self.discard_bad_chunks = False
        self._lock = None

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    @classmethod
    def create(cls, name: str, record: dict, out=None, *, root="results") -> RunFolder:
        """A fresh, locked folder holding ``run.json``: ``out`` (absent or empty), or
        ``root/NAME-YYYYmmdd-HHMMSS``.

        A folder that cannot be created or written, or an ``out`` that holds
        anything, is one :class:`RunError` naming it.
        """
        try:
            folder = cls(_new_folder(name, out, root), record)
        except OSError as error:
            where = out if out is not None else root
            raise RunError(
                str(where), message=f"cannot create the output folder ({error.strerror or error})"
            ) from None
        folder.lock()
        with folder.writing():
            files.write_json(folder.path / RECORD, record)
        return folder

    @property
    def chunks(self) -> Chunks:
        """The run's chunks, stamped with its fingerprint and seed."""
        seed = self.record.get("scenario", {}).get("seed")
        stamp = {"fingerprint": fingerprint(self.record), "seed": seed}
        return Chunks(self.path / "chunks", stamp, discard=self.discard_bad_chunks)

    # ------------------------------------------------------------------ the lock

    def lock(self) -> RunFolder:
        """Hold the folder's lock until :meth:`unlock` or this process ends.

        Raises :class:`RunError` when another process holds it.
        """
        if fcntl is None or self._lock is not None:
            return self
        try:
            handle = open(self.path / LOCK, "a+", encoding="utf-8")
        except OSError as error:
            raise RunError(
                str(self.path), message=f"cannot be locked ({error.strerror or error})"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise RunError(
                str(self.path),
                message=f"is in use by another matchsim run ({holder}); wait for it to end, "
                "or stop it, before resuming",
            ) from None
        handle.truncate(0)
        handle.write(f"process {os.getpid()}\n")
        handle.flush()
        self._lock = handle
        return self

    def unlock(self) -> None:
        """Let other processes use the folder."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def finish(self) -> None:
        """Every output is written: remove the chunks and the lock."""
        with self.writing():
            self.chunks.remove()
            if self._lock is not None:
                (self.path / LOCK).unlink(missing_ok=True)
        self.unlock()

    # ------------------------------------------------------------------ outputs

    @contextlib.contextmanager
    def writing(self):
        """Turn a failed write (no permission, disk full) into one :class:`RunError`."""
        try:
            yield
        except OSError as error:
            reason = error.strerror or str(error)
            raise RunError(str(self.path), message=f"cannot be written ({reason})") from None

    def write_json(self, name: str, value) -> None:
        """Write an output file ``name`` as JSON, atomically."""
        with self.writing():
            files.write_json(self.path / name, value)

    def write_parquet(self, name: str, frame: pd.DataFrame) -> None:
        """Write an output table ``name`` as Parquet, atomically."""
        with self.writing():
            files.write_parquet(frame, self.path / name)

    # ------------------------------------------------------------------ resuming

    @classmethod
    def resume(
        cls,
        path,
        command: str,
        *,
        finished: str,
        version: str,
        model: str,
        discard_bad_chunks=False,
    ) -> RunFolder:
        """The folder of an interrupted ``matchsim COMMAND`` run, with its record.

        Raises :class:`RunError` (naming the folder) when this is not a run of
        ``command`` started by this version of matchsim with this ``model``
        (:func:`simulator.study.fingerprint.model_fingerprint`: the same published
        tables and code), when its ``run.json`` is damaged, or when it is already
        complete (its ``finished`` file exists).  Call :meth:`lock` before working in it.
        """
        folder = cls(path)
        where = str(folder.path)
        if not folder.path.is_dir():
            raise RunError(where, message="no such folder to resume")
        record = _read_record(folder.path / RECORD)
        started = record["command"]
        if started != command:
            raise RunError(
                where,
                message=f"holds a matchsim {started} run, not a {command} one; resume it with "
                f"matchsim {started} ... --resume {folder.path}",
            )
        if record["matchsim"] != version:
            raise RunError(
                where,
                message=f"was started by matchsim {record['matchsim']}; this is {version}, "
                "whose trials may differ: start a new run",
            )
        if record.get("model") != model:
            raise RunError(
                where,
                message="was started with other published data or model code than this "
                f"matchsim has (model {record.get('model', 'not recorded')} in run.json, "
                f"{model} now), whose trials may differ: start a new run",
            )
        if (folder.path / finished).exists():
            raise RunError(
                where, message=f"is already complete ({finished} exists); nothing to resume"
            )
        folder.record = record
        folder.discard_bad_chunks = discard_bad_chunks
        return folder


#: What each field of a resumable ``run.json`` must be.
_RECORD_FIELDS = {"matchsim": str, "command": str, "options": dict, "scenario": dict}
_OPTION_FIELDS = {"scenario": (str,), "set": (list,), "trials": (int, type(None)),
                  "seed": (int, type(None))}  # fmt: skip


def _read_record(path: Path) -> dict:
    """A resumable ``run.json``, checked field by field, or one :class:`RunError`."""
    where = str(path.parent)
    try:
        record = json.loads(files.read_text(path))
    except ValueError as error:  # missing, unreadable (a ScenarioError) or not JSON
        detail = f"run.json unreadable: {error}"
        if not path.exists():
            detail = "no run.json with the options it was started with"
        raise RunError(
            where, message=f"not a matchsim run that can be resumed ({detail})"
        ) from None
    problem = None
    if not isinstance(record, dict):
        problem = "run.json does not hold an object"
    else:
        for key, kind in _RECORD_FIELDS.items():
            if not isinstance(record.get(key), kind):
                problem = f"run.json has no valid {key!r}"
                break
        else:
            options = record["options"]
            for key, kinds in _OPTION_FIELDS.items():
                value = options.get(key)
                if isinstance(value, bool) or not isinstance(value, kinds):
                    problem = f"run.json has no valid options.{key}"
                    break
            else:
                if not all(isinstance(text, str) for text in options["set"]):
                    problem = "run.json has no valid options.set"
    if problem is not None:
        raise RunError(
            where, message=f"not a matchsim run that can be resumed ({problem}): start a new run"
        )
    return record


def _new_folder(name: str, out, root) -> Path:
    if out is not None:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise RunError(
                str(path),
                message="already exists and is not empty; choose another --out "
                "(earlier results are never overwritten)",
            )
        path.mkdir(parents=True, exist_ok=True)
        return path
    Path(root).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in range(1, 1000):
        path = Path(root) / (f"{name}-{stamp}" if suffix == 1 else f"{name}-{stamp}-{suffix}")
        try:
            path.mkdir()  # atomic: two runs never share a folder
            return path
        except FileExistsError:
            continue
    raise RunError(str(root), message="no free output folder name; pass --out")
