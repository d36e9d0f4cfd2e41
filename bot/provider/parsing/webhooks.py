"""Pushes from the provider (PROTOCOL §7)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.provider.errors import UnexpectedReplyError
from bot.provider.models import (
    ActivationSmsWebhook,
    RentMessage,
    RentSmsWebhook,
)
from bot.provider.parsing.fields import (
    ShapeError,
    as_id,
    optional_int,
    optional_str,
    parse_time,
)

# --- webhooks ------------------------------------------------------------------------------


def parse_activation_webhook(body: bytes | str | Mapping[str, Any]) -> ActivationSmsWebhook:
    """Reads the provider's activation-SMS push (PROTOCOL §7).

    Raises:
        UnexpectedReplyError: the body is not that payload.
    """
    data = _webhook_json(body)
    try:
        return ActivationSmsWebhook(
            activation_id=as_id(data["activationId"]),
            service=str(data.get("service", "")),
            text=str(data.get("text", "")),
            code=str(data.get("code", "")),
            country=optional_int(data.get("country")),
            received_at=parse_time(data.get("receivedAt")),
        )
    except (ShapeError, KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
        raise UnexpectedReplyError("not an activation webhook payload") from None


def parse_rent_webhook(body: bytes | str | Mapping[str, Any]) -> RentSmsWebhook:
    """Reads a rent-SMS push: one getRentStatus ``values`` item plus ``rentId``."""
    data = _webhook_json(body)
    try:
        return RentSmsWebhook(
            rent_id=as_id(data["rentId"]),
            message=RentMessage(
                phone_from=str(data.get("phoneFrom", "")),
                text=str(data["text"]),
                service=optional_str(data.get("service")),
                received_at=parse_time(data.get("date")),
            ),
        )
    except (ShapeError, KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
        raise UnexpectedReplyError("not a rent webhook payload") from None


def _webhook_json(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
        raise UnexpectedReplyError("webhook body is not JSON") from None
    if not isinstance(data, dict):
        raise UnexpectedReplyError("webhook body is not a JSON object")
    return data
