"""Files: reading what the user names (bounded, regular files only) and writing ours atomically.

Every output matchsim writes goes through :func:`write_atomically`: the bytes
go to a unique temporary name beside the target, are flushed to disk, and the
file is renamed into place, so a crash leaves either the whole old file or the
whole new one, and two writers never share a temporary file.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from simulator.errors import RunError, ScenarioError

#: The largest file matchsim reads as input (scenario, market or calibration file).
MAX_INPUT_BYTES = 4 * 1024 * 1024
#: The suffix of every temporary file: what a crash may leave behind.
PARTIAL_SUFFIX = ".partial"


def read_text(path, where=None, *, limit: int = MAX_INPUT_BYTES) -> str:
    """The UTF-8 text of a file the user named; every way reading can fail is one ``ScenarioError``.

    Only regular files are read (not a directory, FIFO or device such as
    ``/dev/zero``), and at most ``limit`` bytes of them.
    """
    where = str(path) if where is None else where
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError(where, message="file not found") from None
    except OSError as error:
        raise ScenarioError(where, message=f"cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(where, message="is a directory, expected a file")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(where, message="is not a regular file (a device, pipe or socket)")
    if info.st_size > limit:
        raise ScenarioError(
            where, message=f"is {info.st_size:,} bytes; input files may be {limit:,} at most"
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise ScenarioError(where, message=f"cannot be read ({error.strerror or error})") from None
    if len(data) > limit:
        raise ScenarioError(where, message=f"is larger than {limit:,} bytes, the input limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(where, message="not a UTF-8 text file") from None


def write_atomically(path, write: Callable[[Path], object]) -> None:
    """Call ``write(temporary)`` and rename the temporary file to ``path`` once it is on disk.

    Raises :class:`RunError` if ``path`` exists and is not a regular file (a
    directory, or a device such as ``/dev/null``, which renaming would replace).
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # never rename over a directory or /dev/null
        raise RunError(path, message="exists and is not a regular file; not replacing it")
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX, dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; outputs are ordinary files
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json(path, value) -> None:
    """Write ``value`` as indented JSON to ``path`` atomically."""
    write_text(path, json.dumps(value, indent=2, allow_nan=True) + "\n")


def write_parquet(frame, path) -> None:
    """Write a DataFrame to ``path`` as Parquet, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    write_atomically(path, lambda temporary: pq.write_table(table, temporary))
