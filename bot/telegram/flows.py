"""What a user is in the middle of: one flow at a time, in one ``user_data`` slot.

Each flow is a small dataclass (a /buy, /rent, /multi or /prices draft, an offer on a bought
row, a question whose answer is the next text). Only plain JSON goes into ``user_data`` (PTB
persistence stores it as strict JSON), so the slot holds ``{"kind": "buy", ...}`` made from the
dataclass, and :func:`current` parses it back, in this module only. A handler that changes its
flow writes it back with :func:`save`; the picker and confirm drivers in
:mod:`bot.telegram.routing` do that for their steps. A user's updates run one at a time
(:mod:`bot.telegram.updates`), so reading, changing and saving a flow needs no lock.

Starting a flow (:func:`start`) replaces whatever was under way, so its older screens' buttons
answer "out of date"; /cancel ends it (:func:`end`). A slot that does not parse (corrupt, or
written by an older version of the bot) reads as no flow: a user caught mid-flow by an upgrade
is told their menu is out of date and starts again, which costs nothing (a confirm token's
use is decided by the ledger, never by the draft).

Not a flow: :data:`MENU`, the message id of the one picker menu whose buttons still work.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import secrets
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Final, TypeAlias, TypeVar, Union

from bot.telegram.context import Context

log = logging.getLogger(__name__)

SLOT: Final = "flow"  # the user_data key of the one flow under way
# The message id of the one picker menu that may still be pressed (a newer menu takes the
# buttons off the older, whose pages would read the newer draft).
MENU: Final = "picker_menu"


# Where flows lived before they shared one slot: dropped when a flow starts or ends, so a
# user's stored data does not keep them forever (they are never read).
_OLD_KEYS: Final = (
    "awaiting",
    "buy",
    "rent",
    "prices",
    "multi",
    "extra",
    "rent_extend",
    "additional",
    "call_for",
)


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
    """Where Buy buys when providers are compared: the chosen row, in its provider's codes."""

    provider: str
    service: str
    country: int


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
    offers: list[str] = field(default_factory=list)  # the compared rows' providers
    pinned: str | None = None
    buy_at: BuyAt | None = None
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
F = TypeVar("F", bound=BaseFlow)

_KINDS: Final[dict[str, type[BaseFlow]]] = {
    kind.KIND: kind
    for kind in (
        Asked,
        CallDraft,
        BuyDraft,
        RentDraft,
        PricesDraft,
        MultiDraft,
        ExtraDraft,
        AdditionalDraft,
        ExtendDraft,
    )
}


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


# --- the slot -----------------------------------------------------------------------------


def current(context: Context) -> Flow | None:
    """The flow under way, or None (none, or a slot that does not parse)."""
    raw = (context.user_data or {}).get(SLOT)
    if raw is None:
        return None
    try:
        return typing.cast(Flow, from_json(raw))
    except (TypeError, ValueError, KeyError) as error:
        log.info("a flow slot that does not parse reads as none: %s", error)
        return None


def current_as(context: Context, kind: type[F]) -> F | None:
    """The flow under way if it is a ``kind``, else None."""
    flow = current(context)
    return flow if isinstance(flow, kind) else None


def start(context: Context, flow: BaseFlow) -> None:
    """Makes ``flow`` the one under way: whatever was (its buttons, its questions) ends."""
    assert context.user_data is not None
    _drop_old_keys(context)
    context.user_data[SLOT] = to_json(flow)


def save(context: Context, flow: BaseFlow) -> None:
    """Writes back a flow that changed, if it is still the one under way (one that ended or
    was replaced meanwhile stays ended)."""
    data = context.user_data
    if data is None:
        return
    raw = data.get(SLOT)
    if isinstance(raw, dict) and raw.get("flow_id") == flow.flow_id:
        data[SLOT] = to_json(flow)


def end(context: Context, *kinds: type[BaseFlow]) -> bool:
    """Ends the flow under way (only if it is one of ``kinds``, when given); True if one was."""
    data = context.user_data
    if data is None:
        return False
    _drop_old_keys(context)
    if data.get(SLOT) is None or (kinds and not isinstance(current(context), kinds)):
        return False
    del data[SLOT]
    return True


def _drop_old_keys(context: Context) -> None:
    for key in _OLD_KEYS:
        (context.user_data or {}).pop(key, None)


def asked(context: Context) -> Question | None:
    """The question the next text answers, when one was asked on its own."""
    flow = current(context)
    return flow.question if isinstance(flow, Asked) else None


def ask(context: Context, question: Question) -> None:
    """Asks ``question``: the next text is its answer (whatever was under way ends)."""
    start(context, Asked(question=question))


def end_question(context: Context, *questions: Question) -> None:
    """Ends the question asked on its own, if it is one of ``questions`` (any, when none)."""
    current_question = asked(context)
    if current_question is not None and (not questions or current_question in questions):
        end(context)


# --- JSON ---------------------------------------------------------------------------------


def to_json(flow: BaseFlow) -> dict[str, object]:
    """The flow as plain JSON data, tagged with its kind."""
    encoded = _encode(flow)
    assert isinstance(encoded, dict)
    return {"kind": flow.KIND, **encoded}


def from_json(raw: object) -> BaseFlow:
    """The flow ``raw`` holds. Raises TypeError, ValueError or KeyError when it is not one."""
    if not isinstance(raw, dict):
        raise TypeError(f"a flow is an object, not {type(raw).__name__}")
    kind = _KINDS[raw["kind"]]
    body = {key: value for key, value in raw.items() if key != "kind"}
    decoded = _decode(kind, body)
    assert isinstance(decoded, BaseFlow)
    return decoded


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    return value


def _decode(hint: object, value: object) -> object:
    """``value`` as the type ``hint`` names; raises TypeError or ValueError when it is not."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        (inner,) = (option for option in options if option is not type(None))
        return _decode(inner, value)
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_decode(item, entry) for entry in _expect(list, value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        entries = _expect(dict, value)
        return {_expect(str, key): _decode(item, entry) for key, entry in entries.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = _expect(dict, value)
        hints = typing.get_type_hints(hint)
        known = {f.name for f in dataclasses.fields(hint) if f.init}
        if not set(fields) <= known:
            raise ValueError(f"unknown fields in {hint.__name__}: {set(fields) - known}")
        return hint(**{name: _decode(hints[name], entry) for name, entry in fields.items()})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is Decimal:
        try:
            number = Decimal(_expect(str, value))
        except InvalidOperation as error:
            raise ValueError(f"not an amount: {value!r}") from error
        if not number.is_finite():
            raise ValueError(f"not an amount: {value!r}")
        return number
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool):
        raise TypeError("a bool is not an int")
    if isinstance(hint, type) and isinstance(value, hint):
        return value
    raise TypeError(f"expected {hint}, got {type(value).__name__}")


T = TypeVar("T")


def _expect(kind: type[T], value: object) -> T:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value
