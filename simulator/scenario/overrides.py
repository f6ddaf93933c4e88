"""``--set dotted.key=value``: one command-line override read into a key and a value.

The value is read as a TOML value; text that is not valid TOML, or any value
of a text key, is taken as written, so ``you.specialty=Psychiatry`` needs no
quotes.  Keys and values are checked later, with the file, by ``load_scenario``.
"""

from __future__ import annotations

import tomllib

from simulator.errors import ScenarioError
from simulator.scenario.parse import loads
from simulator.scenario.schema import Key, lookup
from simulator.scenario.values import show

__all__ = ["SET_SOURCE", "parse_override"]

#: The "file" named by errors in ``--set`` overrides.
SET_SOURCE = "--set"


def parse_override(text: str) -> tuple[str, object]:
    """``"you.step2ck=250"`` -> ``("you.step2ck", 250)``.

    The value is read as a TOML value (``250``, ``0.5``, ``"text"``, ``[1, 2]``,
    ``{us_img = 5}``); if it is not valid TOML, or the key is a string setting,
    the text itself is used, so ``you.specialty=Psychiatry`` needs no quotes.
    An integer too long to convert comes back as a ``HugeInt`` (refused, with
    its key, when checked); nesting too deep raises ``ScenarioError``.  The key
    is not checked here; :func:`~simulator.scenario.load_scenario` checks it.
    """
    key, sep, value = str(text).partition("=")
    key = key.strip()
    if not sep or not key or any(not part.strip() for part in key.split(".")):
        found = show(str(text))
        raise ScenarioError(
            SET_SOURCE,
            None,
            "dotted.key=value",
            found,
            message=f"expected dotted.key=value, found {found}",
        )
    key = ".".join(part.strip() for part in key.split("."))
    value = value.strip()
    node = lookup(key)
    text_key = isinstance(node, Key) and node.kind is str
    try:
        parsed = loads(f"value = {value}", SET_SOURCE)["value"]
    except tomllib.TOMLDecodeError:
        parsed = value
    except ScenarioError:  # nested too deeply: only a text key takes such text as written
        if not text_key:
            raise
        parsed = value
    return key, value if text_key and not isinstance(parsed, str) else parsed
