"""Reading a sweep's ``--values`` spec: ``1:20``, ``220:270:10``, ``230,240,250`` or ``none,j1``.

Ranges are computed in decimal, so ``0:1:0.1`` has exactly eleven values;
every error is a :class:`~simulator.errors.ScenarioError` naming ``--values``
(or ``--param``, for a key that cannot be swept).  Numbers are bounded
(:data:`MAX_MAGNITUDE`, :data:`MAX_PLACES`) and a range's length is computed
before it is expanded, so no spec can exhaust time, memory or the decimal context.
"""

from __future__ import annotations

from decimal import Context, Decimal, DecimalException, localcontext

from simulator.errors import ScenarioError, quoted
from simulator.study.variants import sweep_key_kind, value_label

__all__ = ["MAX_SWEEP_VALUES", "parse_values"]

#: Most values in one sweep (each value adds one Match per 33 or so copies to every trial,
#: about 0.08 s each at full scale).
MAX_SWEEP_VALUES = 100
#: The largest size of a number in a spec, and the most decimal places it may have:
#: far beyond any scenario key's range, small enough that range arithmetic is exact.
MAX_MAGNITUDE = Decimal("1e12")
MAX_PLACES = 12
#: Wider than any bounded number, so arithmetic on bounded numbers is exact.
_EXACT = Context(prec=64, Emax=64, Emin=-64)
_VALUES = "--values"


def parse_values(spec: str, key: str) -> tuple:
    """The values of a ``--values`` spec for scenario key ``key``, in the order given.

    ``START:STOP`` (step 1) and ``START:STOP:STEP`` are inclusive ranges
    (``220:270:10`` is 220, 230, ..., 270; the stop is included when the step
    lands on it); ``A,B,C`` is a list.  Integer keys take integers only;
    string keys (``you.specialty``, ``you.visa`` ...) take a comma list of
    names, and boolean keys (``you.soap``) ``true,false``.  Ranges are
    computed in decimal, so ``0:1:0.1`` has exactly eleven values.  Whether
    each value is allowed for ``key`` is checked by
    :func:`simulator.study.variants.sweep_variants`.

    Raises :class:`ScenarioError` (naming ``--values``) for an empty or
    non-numeric spec, a number larger than :data:`MAX_MAGNITUDE` or with more
    than :data:`MAX_PLACES` decimal places, an empty range, a step that is not
    positive, a non-integer for an integer key, a repeated value, or more than
    :data:`MAX_SWEEP_VALUES` values (counted before a range is expanded).
    """
    kind = sweep_key_kind(key)
    text = str(spec).strip()
    if not text:
        raise ScenarioError(
            _VALUES,
            message="expected a range like 1:20 or 220:270:10, or a list "
            "like 230,240,250; found ''",
        )
    if text.count(",") >= MAX_SWEEP_VALUES:
        _too_many(text, text.count(",") + 1)
    if kind is str:
        values = _parse_names(text, key)
    elif kind is bool:
        values = tuple(_boolean(token, key, text) for token in text.split(","))
    elif ":" in text:
        values = _parse_range(text, key, kind)
    else:
        values = tuple(_number(token, key, kind, text) for token in text.split(","))
    seen = set()
    for value in values:
        if value in seen:
            raise ScenarioError(
                _VALUES,
                message=f"{value_label(value)} appears more than once in '{quoted(text)}'",
            )
        seen.add(value)
    return values


def _too_many(text: str, count: int):
    limit = f"a sweep takes at most {MAX_SWEEP_VALUES}"
    raise ScenarioError(_VALUES, message=f"'{quoted(text)}' gives {count:,} values; {limit}")


def _boolean(token: str, key: str, text: str) -> bool:
    word = token.strip().lower()
    if word not in ("true", "false"):
        raise ScenarioError(
            _VALUES,
            message=f"expected true or false for {key}, "
            f"found '{quoted(token)}' in '{quoted(text)}'",
        )
    return word == "true"


def _parse_names(text: str, key: str) -> tuple[str, ...]:
    if ":" in text:
        raise ScenarioError(
            _VALUES,
            message=f"{key} takes names, not a range: give a comma list "
            f"such as --values 'A,B', found '{quoted(text)}'",
        )
    names = tuple(name.strip() for name in text.split(","))
    if any(not name for name in names) and key != "you.backup_specialty":
        raise ScenarioError(
            _VALUES,
            message=f"expected a comma list of names for {key}, "
            f"found an empty name in '{quoted(text)}'",
        )
    return names


def _decimal(token: str, key: str, text: str) -> Decimal:
    """``token`` as an exact decimal without trailing zeros, within the bounds."""
    token = token.strip()
    with localcontext(_EXACT):
        try:
            number = Decimal(token) if token else None
        except DecimalException:
            number = None
    if number is None or not number.is_finite():
        raise ScenarioError(
            _VALUES,
            message=f"expected numbers for {key}, found '{quoted(token)}' in '{quoted(text)}'",
        )
    sign, digits, exponent = number.as_tuple()
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if zeros == len(digits):
        return Decimal(0)
    if number.copy_abs() > MAX_MAGNITUDE or exponent + zeros < -MAX_PLACES:
        raise ScenarioError(
            _VALUES,
            message=f"expected numbers for {key} of at most {MAX_MAGNITUDE:,f} in size "
            f"with at most {MAX_PLACES} decimal places, "
            f"found '{quoted(token)}' in '{quoted(text)}'",
        )
    return Decimal((sign, digits[: len(digits) - zeros], exponent + zeros))


def _as_kind(number: Decimal, key: str, kind: type, text: str):
    if kind is int:
        if number != number.to_integral_value():
            raise ScenarioError(
                _VALUES,
                message=f"{key} takes integers, found {number:f} in '{quoted(text)}'",
            )
        return int(number)
    return float(number)


def _number(token: str, key: str, kind: type, text: str):
    return _as_kind(_decimal(token, key, text), key, kind, text)


def _parse_range(text: str, key: str, kind: type) -> tuple:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ScenarioError(
            _VALUES, message=f"expected START:STOP or START:STOP:STEP, found '{quoted(text)}'"
        )
    start, stop = (_decimal(p, key, text) for p in parts[:2])
    step = _decimal(parts[2], key, text) if len(parts) == 3 else Decimal(1)
    if step <= 0:
        raise ScenarioError(_VALUES, message=f"the step of '{quoted(text)}' must be positive")
    if start > stop:
        raise ScenarioError(
            _VALUES, message=f"the range '{quoted(text)}' is empty (its start exceeds its stop)"
        )
    with localcontext(_EXACT):  # bounded numbers: every result below is exact
        count = int((stop - start) // step) + 1
        if count > MAX_SWEEP_VALUES:
            _too_many(text, count)
        return tuple(_as_kind(start + i * step, key, kind, text) for i in range(count))
