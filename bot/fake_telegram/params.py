"""Bot API parameters, typed the way Telegram reads them whatever body they came in.

PTB 22 sends ``application/x-www-form-urlencoded`` (multipart when uploading), with numbers and
booleans as text and objects such as ``reply_markup`` JSON-encoded into strings; other clients
send JSON bodies with native values, or query strings. `Params` reads all three alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.fake_telegram.errors import ApiError, bad_request
from bot.fake_telegram.markup import decode_json_parameter

_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off", ""})


class Params:
    """Read-only typed access to one call's parameters.

    Args:
        raw: parameter name to value; values are strings (form, query) or JSON values.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._raw = dict(raw)

    def as_dict(self) -> dict[str, object]:
        """A copy of the parameters as received, for the call log."""
        return dict(self._raw)

    def has(self, name: str) -> bool:
        """True if the parameter was sent at all."""
        return name in self._raw

    def value(self, name: str) -> object:
        """A parameter exactly as received, or None when absent."""
        return self._raw.get(name)

    def string(self, name: str) -> str | None:
        """A string parameter; numbers are accepted as their decimal text."""
        value = self._raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        raise bad_request(f'parameter "{name}" must be a String')

    def integer(self, name: str, *, missing: ApiError | None = None) -> int | None:
        """An integer parameter.

        Args:
            name: the parameter.
            missing: the error to raise when it is absent or not an integer; None to get None.
        """
        value = self._raw.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        if missing is not None:
            raise missing
        if value is None:
            return None
        raise bad_request(f'parameter "{name}" must be a Number')

    def number(self, name: str, default: float) -> float:
        """A numeric parameter that may be fractional, such as ``timeout``."""
        value = self._raw.get(name)
        if value is None:
            return default
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise bad_request(f'parameter "{name}" must be a Number')

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean parameter: JSON true/false, or ``true``/``false``/``1``/``0`` as text."""
        value = self._raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f'parameter "{name}" must be a Boolean')

    def json(self, name: str, what: str) -> object:
        """A JSON-typed parameter (object or array), decoded from a string if need be.

        Args:
            name: the parameter.
            what: how Telegram names it in ``can't parse <what> JSON object``.
        """
        value = self._raw.get(name)
        return None if value is None else decode_json_parameter(value, what)
