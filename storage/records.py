"""What the ledgers hold and return: the states, and frozen row types, of activations and rents.

The ``*_from_row`` functions are the one place a ledger row becomes an object; the stores in
:mod:`storage.activations` and :mod:`storage.rents` re-export the types their callers need.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, NamedTuple

from storage._codec import loads_object, text_to_money
from storage.db import Row


class ActivationState(enum.StrEnum):
    """Where a ledger row is in its life; the value is what the ``state`` column holds."""

    INTENT = "intent"  # recorded; the paid call is being made
    UNKNOWN = "unknown"  # the paid call's outcome is unknown: the Reconciler decides
    FAILED = "failed"  # the provider refused: nothing was bought
    WAITING = "waiting"  # bought, waiting for a code
    CODE_RECEIVED = "code_received"
    RETRY = "retry"  # another code was asked for
    FINISHED = "finished"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


PENDING_STATES: Final = (ActivationState.INTENT, ActivationState.UNKNOWN)
ACTIVE_STATES: Final = (
    ActivationState.WAITING,
    ActivationState.CODE_RECEIVED,
    ActivationState.RETRY,
)
ENDED_STATES: Final = (
    ActivationState.FINISHED,
    ActivationState.CANCELLED,
    ActivationState.EXPIRED,
)


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    """What a row of either ledger (:class:`Activation`, :class:`Rent`) begins with: who paid
    what, where, under which confirmation; ``ledger_id`` is our id for the row."""

    ledger_id: int
    idempotency_key: str
    user_id: int
    chat_id: int
    provider: str
    service: str
    country: int | None
    operator: str | None


@dataclass(frozen=True, slots=True)
class Activation(PurchaseRow):
    """One ledger row. Provider fields are None until the purchase is confirmed.

    Attributes:
        ledger_id: our id for the row (not the provider's).
        activation_id: the provider's id, once bought.
        sms_round: 1, plus one for each "another code" request; SMS dedup is per round.
        code_count: how many distinct codes were recorded.
        deadline: Unix seconds when the provider ends the activation, if known.
        options: the purchase options as given to :meth:`ActivationLedger.record_intent`.
        cancel_at: when the watcher is to cancel it (asked for during the early-cancel lock).
        deadline_assumed: the deadline is the service's usual lifetime, not the provider's
            word (its reply had no end time).
    """

    max_price: Decimal | None
    options: Mapping[str, Any]
    state: ActivationState
    activation_id: str | None
    phone: str | None
    cost: Decimal | None
    deadline: float | None
    message_id: int | None
    sms_round: int
    code_count: int
    failure_reason: str | None
    created_at: float
    updated_at: float
    confirmed_at: float | None
    ended_at: float | None
    cancel_at: float | None = None
    deadline_assumed: bool = False


class WatchedActivation(NamedTuple):
    """What the watcher needs of one live activation.

    A NamedTuple, not a frozen dataclass: it is as immutable, and builds about four times
    faster, which is most of :meth:`ActivationLedger.load_active`'s time with 10,000 rows.
    """

    ledger_id: int
    user_id: int
    chat_id: int
    message_id: int | None
    provider: str
    activation_id: str
    service: str
    phone: str
    state: ActivationState
    deadline: float | None
    sms_round: int
    code_count: int
    cancel_at: float | None
    # The number calls go to, for one bought with forwarding: the protocol wants it on every
    # setStatus, the watcher's cancels included.
    forward_number: str | None = None
    # The deadline is assumed (the provider told none): ask the provider before cancelling.
    deadline_assumed: bool = False


@dataclass(frozen=True, slots=True)
class ReceivedCode:
    """One recorded SMS or code of an activation."""

    sms_round: int
    code: str | None
    text: str | None
    received_at: float | None
    recorded_at: float


@dataclass(frozen=True, slots=True)
class IncomingRentSms:
    """An SMS a rented number received, as the rent ledger records it (storage's own input type,
    so storage does not depend on the protocol's models)."""

    phone_from: str
    text: str
    service: str | None
    received_at: datetime | None


class RentState(enum.StrEnum):
    """Where a rent row is in its life; the value is what the ``state`` column holds."""

    INTENT = "intent"
    UNKNOWN = "unknown"
    FAILED = "failed"
    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ENDED_RENT_STATES: Final = (RentState.FINISHED, RentState.CANCELLED, RentState.EXPIRED)


@dataclass(frozen=True, slots=True)
class Rent(PurchaseRow):
    """One rent row. Provider fields are None until confirmed; ``cost`` stays None for a rent
    the Reconciler confirmed (``getRentList`` tells no price), ``end_date`` is then an estimate.
    """

    hours: int
    options: Mapping[str, Any]
    state: RentState
    rent_id: str | None
    phone: str | None
    cost: Decimal | None
    end_date: float | None
    message_id: int | None
    failure_reason: str | None
    created_at: float
    updated_at: float
    confirmed_at: float | None
    ended_at: float | None


@dataclass(frozen=True, slots=True)
class RentExtension:
    """One paid extension; ``state`` is "intent", "confirmed" or "failed"."""

    extension_id: int
    rent_ledger_id: int
    idempotency_key: str
    hours: int
    state: str
    cost: Decimal | None
    new_end_date: float | None
    failure_reason: str | None
    created_at: float


class WatchedRent(NamedTuple):
    """What the watcher needs of one active rent (a NamedTuple, like WatchedActivation)."""

    ledger_id: int
    user_id: int
    chat_id: int
    message_id: int | None
    provider: str
    rent_id: str
    phone: str
    end_date: float | None


def _purchase_columns(row: Row) -> dict[str, Any]:
    """The columns an activation row and a rent row both have, by field name."""
    return {
        "ledger_id": row["id"],
        "idempotency_key": row["idempotency_key"],
        "user_id": row["user_id"],
        "chat_id": row["chat_id"],
        "provider": row["provider"],
        "service": row["service"],
        "country": row["country"],
        "operator": row["operator"],
        "options": loads_object(row["options"]),
        "phone": row["phone"],
        "cost": text_to_money(row["cost"]),
        "message_id": row["message_id"],
        "failure_reason": row["failure_reason"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "confirmed_at": row["confirmed_at"],
        "ended_at": row["ended_at"],
    }


def activation_from_row(row: Row) -> Activation:
    return Activation(
        **_purchase_columns(row),
        max_price=text_to_money(row["max_price"]),
        state=ActivationState(row["state"]),
        activation_id=row["activation_id"],
        deadline=row["deadline"],
        sms_round=row["sms_round"],
        code_count=row["code_count"],
        # Absent while a database is still at a version before 0003 (during its upgrade test).
        cancel_at=row["cancel_at"] if "cancel_at" in row.keys() else None,  # noqa: SIM118
        deadline_assumed=bool(row["deadline_assumed"])
        if "deadline_assumed" in row.keys()  # noqa: SIM118
        else False,
    )


def rent_from_row(row: Row) -> Rent:
    return Rent(
        **_purchase_columns(row),
        hours=row["hours"],
        state=RentState(row["state"]),
        rent_id=row["rent_id"],
        end_date=row["end_date"],
    )


def extension_from_row(row: Row) -> RentExtension:
    return RentExtension(
        extension_id=row["id"],
        rent_ledger_id=row["rent"],
        idempotency_key=row["idempotency_key"],
        hours=row["hours"],
        state=row["state"],
        cost=text_to_money(row["cost"]),
        new_end_date=row["new_end_date"],
        failure_reason=row["failure_reason"],
        created_at=row["created_at"],
    )
