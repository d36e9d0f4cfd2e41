"""The sandbox's records: accounts, activations and rents, with their states.

These are mutable on purpose: the sandbox is their only writer. Tests read them through
``Sandbox.activation()`` / ``Sandbox.rent()`` and must not change them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal


class ActivationState(enum.Enum):
    """PROTOCOL.md §5.1. ``READY`` differs from ``WAIT_CODE`` only in having seen status 1."""

    WAIT_CODE = "WAIT_CODE"
    READY = "READY"
    CODE_RECEIVED = "CODE_RECEIVED"
    WAIT_RETRY = "WAIT_RETRY"
    WAIT_RESEND = "WAIT_RESEND"
    CANCELLED = "CANCELLED"
    FINISHED = "FINISHED"

    @property
    def terminal(self) -> bool:
        return self in (ActivationState.CANCELLED, ActivationState.FINISHED)


class RentState(enum.Enum):
    """PROTOCOL.md §6; ``ACTIVE`` covers "waiting" and "with SMS" (see ``SandboxRent.messages``)."""

    ACTIVE = "ACTIVE"
    FINISHED = "FINISHED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One balance movement: negative ``amount`` is a charge, positive a refund or top-up."""

    at: float
    amount: Decimal
    reason: str
    ref: int | None = None


@dataclass(slots=True, eq=False)
class Account:
    """A provider account. ``api_key`` is never logged or shown; ``name`` stands in for it."""

    name: str
    api_key: str = field(repr=False)
    balance: Decimal
    cashback: Decimal = Decimal("0")
    banned_until: float | None = None
    ledger: list[LedgerEntry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Sms:
    """An SMS that reached an activation; ``code`` is what getStatus reports."""

    text: str
    code: str
    received_at: float


@dataclass(frozen=True, slots=True)
class Call:
    """The incoming call of a call-verification activation."""

    phone_from: str
    code: str
    received_at: float


@dataclass(slots=True, eq=False)
class SoldNumber:
    """What an activation and a rent both are: a number (for a service, in a country, on an
    operator) the sandbox sold to an account, under its own id."""

    id: int
    account: str
    service: str
    country: int
    operator: str
    phone: str


@dataclass(slots=True, eq=False)
class Activation(SoldNumber):
    """One bought number for one service.

    Attributes:
        deadline: when it expires (purchase time plus the service's lifetime); status 3 does not
            move it.
        waiting_since: when it last started waiting for an SMS (purchase, or status 3): demo
            mode delivers relative to it.
        parent_id: the activation this one extends (getAdditionalService / getExtraActivation).
    """

    cost: Decimal
    created_at: float
    deadline: float
    forward: bool = False
    verification: bool = False
    can_get_another_sms: bool = True
    repeated: bool = False
    parent_id: int | None = None
    order_id: str | None = None
    state: ActivationState = ActivationState.WAIT_CODE
    waiting_since: float = 0.0
    messages: list[Sms] = field(default_factory=list)
    call: Call | None = None
    forward_phone: str | None = None
    additional_services: set[str] = field(default_factory=set)
    ended_at: float | None = None
    end_reason: str | None = None
    refunded: Decimal = Decimal("0")

    @property
    def last_sms(self) -> Sms | None:
        return self.messages[-1] if self.messages else None

    @property
    def code(self) -> str | None:
        """The latest code received, by SMS or by call; ``None`` before any."""
        if self.messages:
            return self.messages[-1].code
        return self.call.code if self.call is not None else None


@dataclass(frozen=True, slots=True)
class RentSms:
    """An SMS on a rented number (one getRentStatus ``values`` item)."""

    phone_from: str
    text: str
    service: str
    received_at: float


@dataclass(slots=True, eq=False)
class SandboxRent(SoldNumber):
    """A rented number. ``hours`` counts the whole rent, extensions included."""

    hours: int
    cost: Decimal
    started_at: float
    end_at: float
    url: str | None = None
    state: RentState = RentState.ACTIVE
    messages: list[RentSms] = field(default_factory=list)
    ended_at: float | None = None
    end_reason: str | None = None
    refunded: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class CallTask:
    """An outgoing call ordered with createTaskForCall."""

    activation_id: int
    account: str
    phone_from: str
    phone_to: str | None
    created_at: float
    status: str = "IN_PROCESS"
