"""How Python values become SQLite columns: money as text, JSON that refuses secrets.

Money is stored as the plain decimal string of a :class:`~decimal.Decimal` ("12.50", never
"1.25E+1" and never a REAL), so totals are summed exactly in Python.

JSON is written strictly: only ``None``, ``bool``, ``int``, finite ``float``, ``str``, lists,
tuples (read back as lists) and dicts with ``str`` keys. Anything else raises ``TypeError``
naming where it was found and its type, never its value; a :class:`~bot.core.secret.Secret` gets a
message of its own, so an API key cannot reach a JSON column by accident.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.core.secret import Secret


def money_to_text(value: Decimal) -> str:
    """The column form of an amount.

    Raises:
        TypeError: ``value`` is not a Decimal (a float would already have lost cents).
        ValueError: ``value`` is NaN or infinite.
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError("money must be a finite Decimal")
    return format(value, "f")


def money_or_none(value: Decimal | None) -> str | None:
    """:func:`money_to_text`, passing ``None`` through."""
    return None if value is None else money_to_text(value)


def text_to_money(text: str | None) -> Decimal | None:
    """The Decimal a money column holds, or ``None`` for NULL.

    Raises:
        ValueError: the column holds something that is not a decimal number.
    """
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("a money column holds a value that is not a decimal number") from None


def dumps_strict(value: object, *, what: str) -> str:
    """Encodes ``value`` as compact JSON after checking every part of it.

    Args:
        value: the structure to encode.
        what: a name for the structure, used in error messages ("event payload").

    Raises:
        TypeError: some part is a Secret or not plain JSON data; the message names the path.
    """
    _check(value, what)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads_object(text: str) -> dict[str, Any]:
    """Decodes a JSON column that must hold an object."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a JSON column expected to hold an object holds something else")
    return value


def _check(value: object, path: str) -> None:
    if isinstance(value, Secret):
        raise TypeError(f"{path}: a Secret cannot be stored here; keep API keys in the vault")
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{path}: a non-finite float is not JSON")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                # json.dumps would silently turn 1 into "1", and the data would come back changed.
                raise TypeError(f"{path}: key of type {type(key).__name__} is not a str")
            _check(item, f"{path}[{key!r}]")
        return
    raise TypeError(f"{path}: a {type(value).__name__} is not JSON-serialisable")
