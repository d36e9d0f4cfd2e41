"""The first step for every reply: find errors, whatever the envelope, before the shape."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.provider.errors import (
    AuthenticationError,
    InsufficientFundsError,
    ProviderRejection,
    ProviderUnavailableError,
    UnexpectedReplyError,
    error_for_token,
)

JsonValue = Any


@dataclass(frozen=True, slots=True)
class RawReply:
    """One HTTP reply from the provider.

    Attributes:
        status_code: the HTTP status.
        text: the body, decoded.
        content_type: the Content-Type header, lower-cased, parameters dropped.
        excerpt: a short form of the body with any secret removed, safe to log or keep.
    """

    status_code: int
    text: str
    content_type: str = ""
    excerpt: str = ""


def read_reply(reply: RawReply) -> str | JsonValue:
    """Checks a reply for errors and returns its payload.

    Returns:
        The stripped text for a plain-text reply, or the decoded JSON value.

    Raises:
        ProviderRejection: the reply is an error token or a JSON error envelope.
        ProviderUnavailableError: HTTP 5xx, or an HTML page.
        UnexpectedReplyError: anything else that is not a protocol reply.
    """
    text = reply.text.lstrip("\ufeff").strip()
    if _looks_like_html(text, reply.content_type):
        raise ProviderUnavailableError(
            f"the provider answered with an HTML page (HTTP {reply.status_code})",
            raw=reply.excerpt,
            status_code=reply.status_code,
        )
    payload: str | JsonValue = text
    if text[:1] in ("{", "["):
        try:
            payload = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
            raise unexpected(reply, "the provider sent malformed JSON") from None
        rejection = _envelope_error(payload, reply)
        if rejection is not None:
            raise rejection
    else:
        rejection = error_for_token(text) if _is_token_like(text) else None
        if rejection is not None:
            raise rejection
    if reply.status_code >= 500:
        raise ProviderUnavailableError(
            f"the provider failed with HTTP {reply.status_code}",
            raw=reply.excerpt,
            status_code=reply.status_code,
        )
    if reply.status_code >= 400:
        # HeroSMS-style providers use 4xx with the token in the body (handled above); a 4xx
        # without one still says something definite for these two codes.
        if reply.status_code == 401:
            raise AuthenticationError("BAD_KEY", f"HTTP {reply.status_code}")
        if reply.status_code == 402:
            raise InsufficientFundsError("NO_BALANCE", f"HTTP {reply.status_code}")
        raise unexpected(reply, f"the provider refused with HTTP {reply.status_code}")
    if text == "":
        raise unexpected(reply, "the provider sent an empty reply")
    return payload


def _looks_like_html(text: str, content_type: str) -> bool:
    head = text[:200].lower()
    return (content_type == "text/html" and not head.startswith(("{", "["))) or head.startswith(
        ("<!doctype", "<html", "<head", "<body", "<?xml", "<center", "<h1", "<title")
    )


def _is_token_like(text: str) -> bool:
    name = text.partition(":")[0]
    return bool(name) and len(name) <= 64 and all(c.isupper() or c == "_" for c in name)


def _envelope_error(payload: JsonValue, reply: RawReply) -> ProviderRejection | None:
    """Finds an error in the JSON envelopes the providers use (PROTOCOL §1)."""
    if not isinstance(payload, dict):
        return None
    token: object = None
    detail: object = None
    if str(payload.get("status", "")).lower() == "error":
        token = payload.get("message") or payload.get("error") or payload.get("msg")
        detail = payload.get("info") or payload.get("details")
    elif "title" in payload and ("details" in payload or reply.status_code >= 400):
        token, detail = payload.get("title"), payload.get("details")
    if token is None:
        return None
    if isinstance(detail, dict):
        detail = next((str(v) for v in detail.values()), None)
    rejection = error_for_token(str(token), None if detail is None else str(detail))
    if rejection is None:
        raise unexpected(reply, "the provider sent an unknown error")
    return rejection


def unexpected(reply: RawReply, message: str) -> UnexpectedReplyError:
    return UnexpectedReplyError(message, raw=reply.excerpt, status_code=reply.status_code)
