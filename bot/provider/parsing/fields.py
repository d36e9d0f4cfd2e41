"""Small readers of reply fields, and the decorator that turns shape errors into one error."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from bot.provider.errors import ProviderRejection
from bot.provider.parsing.reply import JsonValue, RawReply, read_reply, unexpected

T = TypeVar("T")


class ShapeError(Exception):
    """Raised inside the parsers; turned into UnexpectedReplyError by reply_parser."""


def reply_parser(fn: Callable[[RawReply], T]) -> Callable[[RawReply], T]:
    """Turns shape errors deep in a parser into one UnexpectedReplyError with the raw reply."""

    def wrapped(reply: RawReply) -> T:
        try:
            return fn(reply)
        except (
            ShapeError,
            KeyError,
            IndexError,
            TypeError,
            ValueError,
            AttributeError,  # a list or a string where an object was expected
            InvalidOperation,
        ):
            action = fn.__name__.removeprefix("parse_")
            raise unexpected(reply, f"unexpected reply ({action})") from None

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def text_payload(reply: RawReply) -> str:
    payload = read_reply(reply)
    if not isinstance(payload, str):
        raise ShapeError
    return payload


def json_payload(reply: RawReply) -> JsonValue:
    payload = read_reply(reply)
    if isinstance(payload, str):
        raise ShapeError
    return payload


def json_payload_unless(reply: RawReply, *empty_tokens: str) -> JsonValue | None:
    """The JSON payload, or None when the reply is one of the tokens that mean "nothing"
    (``NO_ACTIVATIONS``, ``NO_NUMBERS`` for an empty rent list, …), plain or in an envelope.
    """
    try:
        payload = read_reply(reply)
    except ProviderRejection as rejection:
        if rejection.token in empty_tokens:
            return None
        raise
    if isinstance(payload, str):
        if payload.partition(":")[0] in empty_tokens:
            return None
        raise ShapeError
    return payload


def token_fields(text: str, token: str, count: int) -> list[str]:
    """Splits ``TOKEN:a:b`` into ``[a, b]``; the last field keeps any further colons."""
    name, _, rest = text.partition(":")
    if name != token:
        raise ShapeError
    fields = rest.split(":", count - 1) if count else []
    if len(fields) != count or not all(fields[: count - 1]):
        raise ShapeError
    return fields


def as_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ShapeError
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        result = Decimal(str(value).strip())
    else:
        raise ShapeError
    if not result.is_finite():
        raise ShapeError
    return result


def as_int(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ShapeError


def optional_int(value: object) -> int | None:
    return None if value in (None, "") else as_int(value)


def as_flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return as_int(value) != 0


def as_id(value: object) -> str:
    """An id sent as a number or a string; kept as a string of digits."""
    if isinstance(value, bool) or value in (None, ""):
        raise ShapeError
    if isinstance(value, Decimal):
        return str(as_int(value))
    return str(value).strip()


def optional_str(value: object) -> str | None:
    if value is None or value is False or value == "":
        return None
    return str(value)


def parse_time(value: object) -> datetime | None:
    """Reads the provider's times: ``YYYY-MM-DD HH:MM:SS``, ISO with ``T``, or Unix seconds.

    Naive times are taken as UTC. Returns None for an empty value.
    """
    if value in (None, "", 0):
        return None
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError):
            # Out of the platform's range: garbage, told as such (not an OSError upstream).
            raise ShapeError from None
    if not isinstance(value, str):
        raise ShapeError
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def rows(value: JsonValue) -> Iterable[JsonValue]:
    """Rows sent either as a JSON list or as an object keyed "0", "1", … (kept in order)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value[key] for key in sorted(value, key=lambda k: (len(k), k))]
    raise ShapeError


def as_phone(value: object) -> str:
    digits = as_id(value).lstrip("+")
    if not digits.isdigit():
        raise ShapeError
    return digits
