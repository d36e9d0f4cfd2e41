"""Secret: a string that never shows itself in a repr, a str() or a log record."""

from __future__ import annotations

import hmac
from typing import Final

_MASK: Final = "**********"


class Secret:
    """Wraps a secret string (an API key, a token) so it cannot leak by accident.

    ``repr()`` and ``str()`` give a mask; the value is read only through
    :meth:`reveal`, which makes every place that needs the real value easy to find.
    Secrets compare by value and refuse to be pickled, so they never reach PTB
    persistence or a cache by accident.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        """Returns the secret value. Call it only where the value must leave the process."""
        return self._value

    def masked(self, visible: int = 4) -> str:
        """A form safe to show its owner: the last few characters, the rest masked."""
        if len(self._value) <= visible * 2:
            return "*" * len(self._value)
        return "…" + self._value[-visible:]

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")
