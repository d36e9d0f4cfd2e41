"""Reply: what one protocol call answers (status, body, kind), and how errors are rendered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from .config import JsonErrorKey
from .errors import ProtocolError
from .formats import JsonValue, json_text

TEXT: Final = "text/plain"
JSON: Final = "application/json"

# HeroSMS-like HTTP codes for error tokens (PROTOCOL.md §1), used when http_error_codes is on.
_HTTP_STATUS: Final[Mapping[str, int]] = {
    **dict.fromkeys(("BAD_KEY", "NO_KEY"), 401),
    **dict.fromkeys(("NO_BALANCE", "NO_BALANCE_FORWARD"), 402),
    **dict.fromkeys(
        (
            "NO_NUMBERS",
            "NO_ACTIVATION",
            "NO_ACTIVATIONS",
            "WRONG_ACTIVATION_ID",
            "INVALID_ACTIVATION_ID",
            "INVALID_PHONE",
            "OPERATORS_NOT_FOUND",
            "NUMBER_NOT_EXIST",
        ),
        404,
    ),
    **dict.fromkeys(
        (
            "BAD_STATUS",
            "EARLY_CANCEL_DENIED",
            "CANT_CANCEL",
            "ALREADY_FINISH",
            "ALREADY_CANCEL",
            "RENT_DIE",
            "REPEAT_ADDITIONAL_SERVICE",
            "ORDER_ALREADY_EXISTS",
            "CALL_TASK_ALREADY_EXIST",
            "RENEW_ACTIVATION_NOT_AVAILABLE",
            "NEW_ACTIVATION_IMPOSSIBLE",
            "WRONG_SECURITY",
            "NOT_INCOMING",
        ),
        409,
    ),
    # getRentStatus reports the rent's state through these; they are answers, not failures.
    **dict.fromkeys(("STATUS_WAIT_CODE", "STATUS_FINISH", "STATUS_CANCEL"), 200),
}


@dataclass(frozen=True, slots=True)
class Reply:
    """One protocol answer.

    Attributes:
        body: the text on the wire.
        content_type: ``text/plain`` for tokens, ``application/json`` for JSON.
        error: the bare error token when the reply reports an error (for the HTTP-status
            option and the request log), else ``None``.
        status: the HTTP status.
    """

    body: str
    content_type: str = TEXT
    error: str | None = None
    status: int = 200


def token(text: str) -> Reply:
    """A plain-text success reply (``ACCESS_BALANCE:100.00``)."""
    return Reply(text)


def json_reply(value: JsonValue) -> Reply:
    """A JSON success reply."""
    return Reply(json_text(value), JSON)


def plain_error(error: ProtocolError) -> Reply:
    """An error as a bare token (``NO_NUMBERS``, ``WRONG_MAX_PRICE:12.50``)."""
    return Reply(error.wire, TEXT, error.token)


def json_error(error: ProtocolError, key: JsonErrorKey) -> Reply:
    """An error in the Rent API's envelope: ``{"status":"error","<key>":"TOKEN"[,"info":…]}``."""
    body: dict[str, JsonValue] = {"status": "error", key: error.wire}
    if error.info is not None:
        body["info"] = error.info
    return Reply(json_text(body), JSON, error.token)


def with_http_status(reply: Reply) -> Reply:
    """The reply with the HTTP status its error token has under HeroSMS-like rules."""
    if reply.error is None:
        return reply
    return replace(reply, status=_HTTP_STATUS.get(reply.error, 400))
