"""JSON views of the sandbox's records for the control API (money as strings, no keys)."""

from __future__ import annotations

from .formats import JsonValue, datetime_text, money_text
from .models import Account, Activation, SandboxRent


def account_view(account: Account) -> dict[str, JsonValue]:
    """An account without its key: name, balance, cashback, ban and ledger."""
    return {
        "name": account.name,
        "balance": money_text(account.balance),
        "cashback": money_text(account.cashback),
        "banned_until": account.banned_until,
        "ledger": [
            {
                "at": datetime_text(entry.at),
                "amount": money_text(entry.amount),
                "reason": entry.reason,
                "ref": entry.ref,
            }
            for entry in account.ledger
        ],
    }


def activation_view(activation: Activation) -> dict[str, JsonValue]:
    """Everything about an activation, state included."""
    call = activation.call
    return {
        "id": activation.id,
        "account": activation.account,
        "service": activation.service,
        "country": activation.country,
        "operator": activation.operator,
        "phone": activation.phone,
        "cost": money_text(activation.cost),
        "state": activation.state.value,
        "code": activation.code,
        "created_at": activation.created_at,
        "deadline": activation.deadline,
        "forward": activation.forward,
        "forward_phone": activation.forward_phone,
        "verification": activation.verification,
        "repeated": activation.repeated,
        "parent_id": activation.parent_id,
        "order_id": activation.order_id,
        "messages": [
            {"text": m.text, "code": m.code, "received_at": datetime_text(m.received_at)}
            for m in activation.messages
        ],
        "call": None
        if call is None
        else {"phone_from": call.phone_from, "code": call.code, "received_at": call.received_at},
        "ended_at": activation.ended_at,
        "end_reason": activation.end_reason,
        "refunded": money_text(activation.refunded),
    }


def rent_view(rent: SandboxRent) -> dict[str, JsonValue]:
    """Everything about a rent, state included."""
    return {
        "id": rent.id,
        "account": rent.account,
        "service": rent.service,
        "country": rent.country,
        "operator": rent.operator,
        "phone": rent.phone,
        "hours": rent.hours,
        "cost": money_text(rent.cost),
        "state": rent.state.value,
        "started_at": rent.started_at,
        "end_at": rent.end_at,
        "url": rent.url,
        "messages": [
            {
                "phone_from": m.phone_from,
                "text": m.text,
                "service": m.service,
                "received_at": datetime_text(m.received_at),
            }
            for m in rent.messages
        ],
        "ended_at": rent.ended_at,
        "end_reason": rent.end_reason,
        "refunded": money_text(rent.refunded),
    }
