"""The sandbox's two failure kinds: protocol error tokens, and misuse of the control surface.

ProtocolError   a reply token (``NO_BALANCE``, ``WRONG_MAX_PRICE:12.50``, ``CANT_CANCEL``…)
                the emulated provider answers with; the protocol layer renders it
ControlError    a test or operator asked the sandbox for something impossible (unknown id,
                SMS to a cancelled activation, a malformed control request)
"""

from __future__ import annotations

from typing import Literal

from .formats import JsonValue


class ProtocolError(Exception):
    """An error the emulated provider reports on the wire.

    Args:
        token: the bare token, e.g. ``"NO_NUMBERS"``.
        payload: text after ``TOKEN:`` on the wire (``WRONG_MAX_PRICE:<min>``, ``BANNED:<when>``).
        info: the Rent API's ``info`` member (``MAX_HOURS_EXCEED`` carries ``{"max": n}``).
    """

    def __init__(self, token: str, *, payload: str | None = None, info: JsonValue = None) -> None:
        super().__init__(token)
        self.token = token
        self.payload = payload
        self.info = info

    @property
    def wire(self) -> str:
        """The token as the plain-text wire form writes it."""
        return self.token if self.payload is None else f"{self.token}:{self.payload}"


class ControlError(Exception):
    """A control request the sandbox cannot honour; ``status`` is the control API's HTTP code.

    Args:
        message: what went wrong, for the caller.
        status: 400 malformed request, 404 unknown object, 409 the object's state forbids it.
    """

    def __init__(self, message: str, status: Literal[400, 404, 409] = 400) -> None:
        super().__init__(message)
        self.status = status
