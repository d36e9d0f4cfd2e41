"""The flows a user can be in the middle of: one small typed dataclass each.

A /buy, /rent, /multi or /prices draft, an offer on a bought row (another activation, an
added service, a rent's extension, a call), or a question whose answer is the next text. Every
field is plain JSON data or a type :mod:`bot.telegram.flows` turns into it (Decimal, StrEnum,
a nested dataclass), since PTB persistence keeps them as strict JSON; each ``KIND`` names the
flow in the stored slot. Fields are keyword-only, so a base class's defaults never constrain
a subclass's order.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, TypeAlias


def _flow_id() -> str:
    return secrets.token_hex(4)


@dataclass(kw_only=True, slots=True)
class BaseFlow:
    """What every flow has: the id that tells this run of it from a newer one of its kind."""

    KIND: ClassVar[str]
    flow_id: str = field(default_factory=_flow_id)


@dataclass(kw_only=True, slots=True)
class Confirmable(BaseFlow):
    """A flow with a confirm screen: the token its button pays under, when the price was
    shown, and whether this screen already bought (the ledger decides; this only spares it a
    query)."""

    token: str | None = None
    token_at: float = 0.0
    done: bool = False


@dataclass(kw_only=True, slots=True)
class CatalogueDraft(Confirmable):
    """A picker over the provider's catalogue that ends on a confirm screen (/buy, /rent,
    /multi): the provider its prices came from (a confirm after /provider changed is stale),
    the search typed, the country chosen and the price shown."""

    provider: str
    query: str | None = None
    country: int | None = None
    country_name: str = ""
    country_names: dict[str, str] = field(default_factory=dict)  # kept with the bought row
    price: Decimal | None = None
    offers: list[str] = field(default_factory=list)  # the compared rows' providers
    pinned: str | None = None  # the provider 📌 pinned (None: any, the best row)
    buy_at: BuyAt | None = None  # where the confirm pays (None: the current provider)


@dataclass(kw_only=True, slots=True)
class OneServiceDraft(CatalogueDraft):
    """/buy's and /rent's common part: whose draft it is, and the service and operator chosen
    (None until their steps)."""

    user: int
    service: str | None = None
    service_name: str = ""
    operator: str | None = None


# --- the typed-text steps ----------------------------------------------------------------


class Question(enum.StrEnum):
    """What the next plain text answers, when nothing else is under way."""

    KEY = "key"  # the durable step is in the database (storage.key_entries); this is a hint
    PROVIDER_URL = "provider_url"
    TIME_ZONE = "time_zone"
    CAP_DAY = "cap_day"
    CAP_MONTH = "cap_month"


@dataclass(kw_only=True, slots=True)
class Asked(BaseFlow):
    """A question asked on its own (/key, /provider's URL, /settings' zone or caps): the next
    text is its answer. /buy's own questions are a field of its draft instead (its confirm
    screen comes back after the answer, so the draft must live on)."""

    KIND: ClassVar[str] = "asked"
    question: Question


@dataclass(kw_only=True, slots=True)
class CallDraft(BaseFlow):
    """ "Call me from this number": the next text is the phone to call for ``ledger_id``."""

    KIND: ClassVar[str] = "call"
    ledger_id: int


# --- /buy ---------------------------------------------------------------------------------


class BuyStep(enum.StrEnum):
    """The /buy picker shown (``SERVICE`` and ``COUNTRY`` take a typed search)."""

    SERVICE = "service"
    COUNTRY = "country"
    OPERATOR = "operator"
    CONFIRM = "confirm"


class BuyQuestion(enum.StrEnum):
    """A typed answer the confirm screen asked for; the screen comes back after it."""

    MAX_PRICE = "max_price"
    FORWARD_NUMBER = "forward_number"


@dataclass(kw_only=True, slots=True)
class Listing:
    """Names that could not ride in a button, by position, and the token of their screen."""

    token: str
    names: list[str]


@dataclass(kw_only=True, slots=True)
class BuyAt:
    """Where Buy buys when providers are compared: the chosen row, in its provider's codes
    (``services``: /multi's, in the order the draft chose them)."""

    provider: str
    service: str
    country: int
    services: list[str] = field(default_factory=list)


@dataclass(kw_only=True, slots=True)
class KeepSetup:
    """Keep-trying's choices: how many tries, and seconds each number waits for its code."""

    tries: int
    wait: int


@dataclass(kw_only=True, slots=True)
class BuyDraft(OneServiceDraft):
    """/buy: the choices so far, the confirm screen's options, and its typed ``question``."""

    KIND: ClassVar[str] = "buy"
    step: BuyStep = BuyStep.SERVICE
    country_query: str | None = None
    operator_defaulted: bool = False  # the 📌 default skipped the operator step
    listings: dict[str, Listing] = field(default_factory=dict)
    keep_price: Decimal | None = None  # keep-trying's cap per try: the dearest row in stock
    max_price: Decimal | None = None
    verification: bool = False
    forward: bool = False
    forward_number: str | None = None
    keep: KeepSetup | None = None
    question: BuyQuestion | None = None


# --- /rent --------------------------------------------------------------------------------


class RentStep(enum.StrEnum):
    """The /rent picker shown (``SERVICE`` takes a typed search)."""

    SERVICE = "service"
    COUNTRY = "country"
    OPERATOR = "operator"
    HOURS = "hours"
    CONFIRM = "confirm"


@dataclass(kw_only=True, slots=True)
class RentDraft(OneServiceDraft):
    """/rent: the choices so far; ``service_names`` are the services listed, by code."""

    KIND: ClassVar[str] = "rent"
    step: RentStep = RentStep.SERVICE
    service_names: dict[str, str] = field(default_factory=dict)
    operators: list[str] = field(default_factory=list)
    hours: int | None = None


# --- /prices and /multi -------------------------------------------------------------------


class PricesStep(enum.StrEnum):
    """The /prices screen shown: a picker (a typed search filters it) or a price table."""

    SERVICE = "service"
    COUNTRY = "country"
    TABLE = "table"


@dataclass(kw_only=True, slots=True)
class PricesDraft(BaseFlow):
    """/prices: read-only, so no token; only where the browser is and what was searched."""

    KIND: ClassVar[str] = "prices"
    step: PricesStep = PricesStep.SERVICE
    query: str | None = None
    country_query: str | None = None
    user: int | None = None  # whose providers a table compares (None: the current one only)


class MultiStage(enum.StrEnum):
    """/multi's steps (``MultiStep`` is its navigation button)."""

    SERVICES = "services"
    COUNTRIES = "countries"
    CONFIRM = "confirm"


@dataclass(kw_only=True, slots=True)
class MultiDraft(CatalogueDraft):
    """/multi: the services ticked, the country, each service's price and which forwards."""

    KIND: ClassVar[str] = "multi"
    step: MultiStage = MultiStage.SERVICES
    selected: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # by service code
    page: int = 0
    prices: dict[str, Decimal] = field(default_factory=dict)
    forward: str | None = None
    user: int | None = None  # whose providers the confirm screen compares


# --- offers on a bought row ---------------------------------------------------------------


@dataclass(kw_only=True, slots=True)
class ExtraDraft(Confirmable):
    """Another activation on a used number, at the price the provider quoted."""

    KIND: ClassVar[str] = "extra"
    parent: int
    price: Decimal


@dataclass(kw_only=True, slots=True)
class AdditionalDraft(Confirmable):
    """An added service on a forwarded number."""

    KIND: ClassVar[str] = "additional"
    parent: int
    service: str
    service_name: str


@dataclass(kw_only=True, slots=True)
class ExtendDraft(Confirmable):
    """A rent's extension by ``hours``, at the price the provider quoted."""

    KIND: ClassVar[str] = "extend"
    ledger_id: int
    hours: int
    price: Decimal


Flow: TypeAlias = (
    Asked
    | CallDraft
    | BuyDraft
    | RentDraft
    | PricesDraft
    | MultiDraft
    | ExtraDraft
    | AdditionalDraft
    | ExtendDraft
)


def chosen_service(draft: OneServiceDraft) -> str:
    """The service a draft past its service step chose (a step before it has none)."""
    if draft.service is None:
        raise ValueError("no service chosen yet")
    return draft.service


def chosen_country(draft: CatalogueDraft) -> int:
    """The country a draft past its country step chose (a step before it has none)."""
    if draft.country is None:
        raise ValueError("no country chosen yet")
    return draft.country
