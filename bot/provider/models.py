"""Typed results of the handler_api.php protocol: frozen, slotted dataclasses.

Every reply the client understands is turned into one of these in ``parsing.py`` and nowhere
else. Conventions:

* money is :class:`~decimal.Decimal`, never float;
* activation and rent ids are strings (10-digit ids overflow 32-bit ints);
* phone numbers are digit strings with the country code and no ``+``;
* times are timezone-aware UTC :class:`~datetime.datetime` objects (the provider sends
  naive ``YYYY-MM-DD HH:MM:SS`` strings, which we read as UTC).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from bot.provider.country_names import known_name


class StatusChange(enum.Enum):
    """What ``setStatus`` acknowledged, by its success token."""

    READY = "ACCESS_READY"  # status 1: the SMS was sent to the number
    RETRY_GET = "ACCESS_RETRY_GET"  # status 3: waiting for another code
    FINISHED = "ACCESS_ACTIVATION"  # status 6: activation completed
    CANCELLED = "ACCESS_CANCEL"  # status 8: cancelled (refunded when no code came)


class ActivationAction(enum.IntEnum):
    """The ``status`` values a client sends with ``setStatus``."""

    SMS_SENT = 1
    REQUEST_ANOTHER_CODE = 3
    FINISH = 6
    CANCEL = 8


class StatusKind(enum.Enum):
    """The state an activation reports through ``getStatus``."""

    WAIT_CODE = "STATUS_WAIT_CODE"
    WAIT_RETRY = "STATUS_WAIT_RETRY"
    WAIT_RESEND = "STATUS_WAIT_RESEND"
    CANCELLED = "STATUS_CANCEL"  # newer providers: "cancelled or completed"
    CODE_RECEIVED = "STATUS_OK"


@dataclass(frozen=True, slots=True)
class ActivationStatus:
    """A ``getStatus`` reply.

    Attributes:
        kind: the reported state.
        code: the code for CODE_RECEIVED, the last (rejected) code for WAIT_RETRY, else None.
    """

    kind: StatusKind
    code: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.kind is StatusKind.CANCELLED


@dataclass(frozen=True, slots=True)
class NumberPurchase:
    """A bought activation: ``getNumber`` (``ACCESS_NUMBER:id:phone``), ``getNumberV2``,
    ``getExtraActivation`` or ``getAdditionalService``. Fields only V2 carries are None otherwise.
    """

    activation_id: str
    phone: str
    cost: Decimal | None = None
    country: int | None = None
    operator: str | None = None
    can_get_another_sms: bool | None = None
    activation_time: datetime | None = None
    end_time: datetime | None = None
    currency: int | None = None


@dataclass(frozen=True, slots=True)
class MultiServiceActivation:
    """One service's activation of a ``getMultiServiceNumber`` purchase (all share a phone)."""

    activation_id: str
    phone: str
    service: str


@dataclass(frozen=True, slots=True)
class ActiveActivation:
    """One row of ``getActiveActivations``."""

    activation_id: str
    service: str
    phone: str
    cost: Decimal
    status: str  # provider's undocumented numeric state, kept verbatim
    sms_code: str | None
    sms_text: str | None
    activation_time: datetime | None
    country: int | None
    country_name: str | None
    can_get_another_sms: bool
    repeated: bool
    currency: int | None = None
    end_time: datetime | None = None  # activationEndTime, where a provider's list tells it


@dataclass(frozen=True, slots=True)
class SmsV2:
    """The ``sms`` part of ``getStatusV2``."""

    code: str | None
    text: str | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class CallV2:
    """The ``call`` part of ``getStatusV2``."""

    phone_from: str | None
    code: str | None
    text: str | None
    received_at: datetime | None
    url: str | None
    parsing_count: int | None


@dataclass(frozen=True, slots=True)
class ActivationStatusV2:
    """A ``getStatusV2`` reply: the latest SMS and/or call, or neither yet."""

    verification_type: int | None
    sms: SmsV2 | None
    call: CallV2 | None


@dataclass(frozen=True, slots=True)
class FullSms:
    """A ``getFullSms`` reply: the whole text, or the state when no SMS came."""

    text: str | None
    kind: StatusKind | None = None  # WAIT_CODE or CANCELLED when text is None


@dataclass(frozen=True, slots=True)
class IncomingCallStatus:
    """A ``getIncomingCallStatus`` reply.

    ``status``: 2 new, 3 completed, 4 cancelled, 5 returned. ``phone``: the caller once the
    call has come, else None.
    """

    status: int
    phone: str | None


@dataclass(frozen=True, slots=True)
class ServiceAvailability:
    """One entry of ``getNumbersStatus``: numbers free for a service."""

    service: str
    count: int
    forwarding: bool = False


@dataclass(frozen=True, slots=True)
class TopCountry:
    """One ranked entry of ``getTopCountriesByService``."""

    rank: int
    country: int
    count: int
    price: Decimal
    retail_price: Decimal | None = None
    free_price_map: Mapping[Decimal, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Price:
    """The price and stock of one service in one country (``getPrices``)."""

    country: int
    service: str
    cost: Decimal
    count: int
    physical_count: int | None = None


@dataclass(frozen=True, slots=True)
class VerificationPrice:
    """A call-verification price (``getPricesVerification``)."""

    service: str
    country: int
    price: Decimal
    count: int


@dataclass(frozen=True, slots=True)
class Country:
    """One country of ``getCountries``, with its names and capability flags."""

    country_id: int
    name_ru: str
    name_en: str
    name_zh: str
    visible: bool
    retry: bool
    rent: bool
    multi_service: bool
    other_names: Mapping[str, str] = field(default_factory=dict)

    def name(self, language: str) -> str:
        """The best name for a language code ("en", "ru", "es", …): the provider's, else a
        known translation of its English name (bot/provider/country_names.py), else English."""
        by_language = {"ru": self.name_ru, "en": self.name_en, "zh": self.name_zh}
        by_language.update(self.other_names)
        return (
            by_language.get(language)
            or known_name(self.name_en, language)
            or self.name_en
            or self.name_ru
        )


@dataclass(frozen=True, slots=True)
class Service:
    """One service of ``getServicesList``."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ExtraActivationOffer:
    """``checkExtraActivation``: what another activation on a used number would cost."""

    cost: Decimal
    service: str
    phone: str
    country: int


@dataclass(frozen=True, slots=True)
class OutgoingCall:
    """One outgoing-call task of ``getOutgoingCalls``."""

    activation_id: str
    date: datetime | None
    phone_from: str
    status: str


@dataclass(frozen=True, slots=True)
class RentServiceOffer:
    """The rent price and stock of one service (``full`` = the whole number)."""

    service: str
    cost: Decimal
    quantity: int


@dataclass(frozen=True, slots=True)
class RentCatalog:
    """``getRentServicesAndCountries``: what can be rented for a duration."""

    countries: tuple[int, ...]
    operators: tuple[str, ...]
    services: Mapping[str, RentServiceOffer]


@dataclass(frozen=True, slots=True)
class RentedNumber:
    """A rented number (``getRentNumber`` and ``continueRentNumber``)."""

    rent_id: str
    phone: str
    end_date: datetime


class RentState(enum.Enum):
    """A rent's state as ``getRentStatus`` reports it (the terminal ones arrive as errors)."""

    WAITING = "STATUS_WAIT_CODE"
    RECEIVING = "success"
    FINISHED = "STATUS_FINISH"
    CANCELLED = "STATUS_CANCEL"


@dataclass(frozen=True, slots=True)
class RentMessage:
    """One SMS received by a rented number."""

    phone_from: str
    text: str
    service: str | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class RentStatus:
    """A ``getRentStatus`` reply; ``messages`` newest first, as the provider orders them."""

    state: RentState
    messages: tuple[RentMessage, ...] = ()
    quantity: int = 0


@dataclass(frozen=True, slots=True)
class RentListItem:
    """One row of ``getRentList``."""

    rent_id: str
    phone: str


@dataclass(frozen=True, slots=True)
class ActivationSmsWebhook:
    """The provider's push for an activation SMS (PROTOCOL §7)."""

    activation_id: str
    service: str
    text: str
    code: str
    country: int | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class RentSmsWebhook:
    """The push for a rent SMS (our sandbox's shape; no provider documents one)."""

    rent_id: str
    message: RentMessage
