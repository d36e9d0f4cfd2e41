"""Wire formats of the sandbox: datetimes, money and a Decimal-exact JSON encoder."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeAlias

JsonValue: TypeAlias = (
    bool | int | float | Decimal | str | Sequence["JsonValue"] | Mapping[str, "JsonValue"] | None
)
"""What :func:`json_text` encodes. Money travels as :class:`~decimal.Decimal`, never as float."""

_CENT = Decimal("0.01")
# The C string encoder json.dumps uses (ensure_ascii=False), without json.dumps's overhead.
_string: Callable[[str], str] = json.encoder.encode_basestring


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def datetime_text(ts: float) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC: the provider's usual datetime form."""
    return _utc(ts).strftime("%Y-%m-%d %H:%M:%S")


def iso_text(ts: float) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC, no zone: the Rent API's ``endDate`` form."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S")


def banned_text(ts: float) -> str:
    """The ``BANNED:`` payload: PHP's ``Y-m-d H-i-s`` (dashes in the time, zero-padded), UTC."""
    return _utc(ts).strftime("%Y-%m-%d %H-%M-%S")


def date_text(ts: float) -> str:
    """``YYYY-MM-DD`` in UTC."""
    return _utc(ts).strftime("%Y-%m-%d")


def money(value: Decimal) -> Decimal:
    """Rounds to cents at least, keeping finer digits a balance may really have (``17.154``)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return value.quantize(_CENT)
    return value


def money_text(value: Decimal) -> str:
    """A money amount as the provider writes it: ``12.50``, ``0.35``, ``17.154``."""
    return format(money(value), "f")


def json_text(value: JsonValue) -> str:
    """Encodes ``value`` as compact JSON, writing each Decimal as an exact number literal.

    The standard encoder would turn a Decimal into a float (or refuse it); the sandbox must not
    round money on the way out, so it writes the Decimal's own digits.

    Raises:
        TypeError: for a value JSON cannot hold (a non-str key, a set, a non-finite Decimal).
    """
    parts: list[str] = []
    _encode(value, parts)
    return "".join(parts)


def _encode(value: JsonValue, out: list[str]) -> None:
    # Exact type checks first: they are the common case and the cheapest test.
    if type(value) is str:
        out.append(_string(value))
    elif type(value) is int:
        out.append(str(value))
    elif type(value) is Decimal:
        if not value.is_finite():
            raise TypeError(f"cannot encode {value!r} as JSON")
        out.append(format(value, "f"))
    elif value is None or isinstance(value, bool | int | float | str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        out.append("{")
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON keys are strings, not {type(key).__name__}")
            if not first:
                out.append(",")
            first = False
            out.append(_string(key))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")
