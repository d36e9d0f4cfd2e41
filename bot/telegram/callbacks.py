"""A typed codec for inline-button callback data (Telegram allows 1-64 bytes).

Each kind of button is a frozen dataclass with a short ``prefix`` and typed fields; it packs
to ``prefix:field:field`` and unpacks only when the prefix, the arity and every field's type
match, so a forged or truncated button is refused before any handler sees it. A field typed
as a ``Literal`` of strings or a ``StrEnum`` takes only those values: one outside the set can
neither be built nor parsed. Buttons carry
ids and choices, never prices, keys or anything secret: server-side state lives in SQLite.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import (
    Any,
    ClassVar,
    Final,
    Literal,
    TypeVar,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

MAX_BYTES: Final = 64
_SEPARATOR: Final = ":"
_SAFE_FIELD: Final = re.compile(r"^[A-Za-z0-9_.\-+]*$")

C = TypeVar("C", bound="CallbackData")


class CallbackDataError(ValueError):
    """Data that does not pack within Telegram's limit, or does not unpack as its kind."""


@dataclass_transform(frozen_default=True)
class CallbackData:
    """Base for button payloads: ``class Kind(CallbackData, prefix="ab")`` with typed fields
    makes a frozen dataclass of that kind (as aiogram's ``CallbackData`` does).

    A subclass without a prefix is a shape several kinds share: its fields come first in
    each kind built on it; it is never packed itself."""

    __slots__ = ()
    prefix: ClassVar[str]
    _kinds: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, prefix: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix is None:
            dataclasses.dataclass(frozen=True)(cls)
            return
        if not re.fullmatch(r"[a-z][a-z0-9]{0,7}", prefix):
            raise TypeError(f"bad callback prefix {prefix!r}")
        if prefix in CallbackData._kinds:
            raise TypeError(f"callback prefix {prefix!r} is used twice")
        cls.prefix = prefix
        dataclasses.dataclass(frozen=True)(cls)
        CallbackData._kinds[prefix] = cls

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            choices = _choices(_hints(type(self))[field.name])
            if choices is not None and getattr(self, field.name) not in choices:
                raise CallbackDataError(f"{field.name} is none of {sorted(choices)}")

    def pack(self) -> str:
        """The callback_data string.

        Raises:
            CallbackDataError: a field holds the separator or unsafe characters, or the result
                is over 64 bytes.
        """
        parts = [self.prefix]
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            text = "" if value is None else str(int(value) if isinstance(value, bool) else value)
            if not _SAFE_FIELD.match(text):
                raise CallbackDataError(f"{field.name} holds characters a button cannot carry")
            parts.append(text)
        data = _SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataError(f"callback data over {MAX_BYTES} bytes")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """An anchored pattern that matches this kind's data (for CallbackQueryHandler)."""
        return re.compile(rf"^{re.escape(cls.prefix)}(?:{_SEPARATOR}|$)")

    @classmethod
    def unpack(cls: type[C], data: str) -> C:
        """Reads data packed by this kind.

        Raises:
            CallbackDataError: another kind, the wrong number of fields, or a field of the
                wrong type.
        """
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataError("callback data too long")
        prefix, *values = data.split(_SEPARATOR)
        if prefix != cls.prefix:
            raise CallbackDataError("callback data of another kind")
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        if len(values) != len(fields):
            raise CallbackDataError("callback data with the wrong number of fields")
        hints = _hints(cls)
        kwargs = {
            field.name: _convert(hints[field.name], value)
            for field, value in zip(fields, values, strict=True)
        }
        return cls(**kwargs)


def parse_callback(data: str) -> CallbackData:
    """Unpacks any registered kind by its prefix.

    Raises:
        CallbackDataError: no kind has that prefix, or the data does not fit it.
    """
    kind = CallbackData._kinds.get(data.split(_SEPARATOR, 1)[0])
    if kind is None:
        raise CallbackDataError("unknown callback kind")
    return kind.unpack(data)


# Resolving a kind's annotations (strings here) costs ~0.1 ms; they never change, and every
# button built, packed or parsed asks for them.
_HINTS: Final[dict[type, dict[str, Any]]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    return hints


def _choices(hint: Any) -> frozenset[str] | None:
    """The values a ``Literal[...]`` or ``StrEnum`` field allows; None for any other type."""
    if get_origin(hint) is Literal:
        return frozenset(get_args(hint))
    if isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        return frozenset(member.value for member in hint)
    return None


def _convert(hint: Any, value: str) -> Any:
    choices = _choices(hint)
    if choices is not None:
        if value not in choices:
            raise CallbackDataError("a choice field holds none of its values")
        return hint(value) if isinstance(hint, type) else value
    optional = hint in (int | None, str | None)
    if optional and value == "":
        return None
    if hint in (int, int | None):
        if not re.fullmatch(r"-?\d{1,19}", value):
            raise CallbackDataError("a number field is not a number")
        return int(value)
    if hint is bool:
        if value not in ("0", "1"):
            raise CallbackDataError("a flag field is not 0 or 1")
        return value == "1"
    if hint in (str, str | None):
        return value
    raise CallbackDataError(f"unsupported field type {hint!r}")
