"""What a purchase asks for: the parameters of getNumber, getNumberV2 and getMultiServiceNumber.

Parsing checks everything the catalogue alone can judge (service, country, operator, prefixes,
maxPrice); the activation book checks what needs state (stock, balance, orderId).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import ProtocolError
from .fixtures import ANY_OPERATOR, Catalog, Country
from .formats import money_text
from .phones import parse_exceptions

_TRUE = frozenset({"1", "true", "True", "TRUE"})


def flag(value: str | None) -> bool:
    """A boolean parameter: ``1`` or ``true`` is on, anything else (or absence) off."""
    return value is not None and value.strip() in _TRUE


def split_list(value: str | None) -> tuple[str, ...]:
    """A comma list, blanks dropped: ``"vk, tg,"`` -> ``("vk", "tg")``."""
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True, slots=True)
class Order:
    """A parsed single-number purchase.

    Attributes:
        operators: the operators asked for; empty means any.
        max_price: the highest price the buyer accepts (``maxPrice``); ``None`` means any.
        phone_exceptions: prefixes the number must not start with.
        verification: a call-verification number (``verification=true``).
        order_id: getNumberV2's idempotency key.
    """

    service: str
    country: int
    operators: tuple[str, ...] = ()
    forward: bool = False
    max_price: Decimal | None = None
    phone_exceptions: tuple[str, ...] = ()
    verification: bool = False
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class MultiOrder:
    """A parsed getMultiServiceNumber: one number, several services, at most one forwarded."""

    services: tuple[str, ...]
    forwards: tuple[bool, ...]
    country: int
    operators: tuple[str, ...] = ()


def parse_country(params: Mapping[str, str], catalog: Catalog, default: int) -> Country:
    """The ``country`` parameter (``default`` when absent); ``BAD_COUNTRY`` if unknown."""
    raw = params.get("country", "").strip()
    try:
        country_id = int(raw) if raw else default
    except ValueError:
        raise ProtocolError("BAD_COUNTRY") from None
    country = catalog.countries.get(country_id)
    if country is None:
        raise ProtocolError("BAD_COUNTRY")
    return country


def parse_operators(params: Mapping[str, str], catalog: Catalog, country: int) -> tuple[str, ...]:
    """The ``operator`` comma list; ``BAD_OPERATOR`` for a name the country does not have."""
    operators = split_list(params.get("operator"))
    known = catalog.operators_of(country)
    for operator in operators:
        if operator != ANY_OPERATOR and operator not in known:
            raise ProtocolError("BAD_OPERATOR")
    return operators


def parse_service(raw: str | None, catalog: Catalog, *, rent: bool = False) -> str:
    """A service code; ``BAD_SERVICE`` if unknown (``full`` is a service only for rent)."""
    service = catalog.services.get((raw or "").strip())
    if service is None or (service.rent_only and not rent):
        raise ProtocolError("BAD_SERVICE")
    return service.code


def parse_order(params: Mapping[str, str], catalog: Catalog, default_country: int) -> Order:
    """Parses getNumber/getNumberV2 parameters.

    Raises:
        ProtocolError: ``BAD_SERVICE``, ``BAD_COUNTRY``, ``BAD_OPERATOR``,
            ``WRONG_EXCEPTION_PHONE``, or ``WRONG_MAX_PRICE:<price>`` for a ``maxPrice`` that is
            not a number.
    """
    service = parse_service(params.get("service"), catalog)
    country = parse_country(params, catalog, default_country)
    operators = parse_operators(params, catalog, country.id)
    raw_exceptions = params.get("phoneException", "").strip()
    exceptions = parse_exceptions(raw_exceptions, country) if raw_exceptions else ()
    verification = flag(params.get("verification"))
    max_price = None
    raw_max = params.get("maxPrice", "").strip()
    # verification=true switches Free Price off (seed), so its maxPrice is ignored.
    if raw_max and not verification:
        try:
            max_price = Decimal(raw_max)
        except InvalidOperation:
            max_price = None
        if max_price is None or not max_price.is_finite():
            raise ProtocolError(
                "WRONG_MAX_PRICE", payload=money_text(catalog.price(country.id, service))
            )
    return Order(
        service=service,
        country=country.id,
        operators=operators,
        forward=flag(params.get("forward")),
        max_price=max_price,
        phone_exceptions=exceptions,
        verification=verification,
        order_id=params.get("orderId") or None,
    )


def parse_multi_order(
    params: Mapping[str, str], catalog: Catalog, default_country: int
) -> MultiOrder:
    """Parses getMultiServiceNumber parameters.

    The forwarding list comes as ``multiForward`` ([JAVA], [AIO]) or ``forward`` ([PY], [PHP]);
    either is accepted, ``multiForward`` first. It has one ``0``/``1`` per service and at most
    one ``1``; a missing list means no forwarding.

    Raises:
        ProtocolError: ``BAD_SERVICE`` (empty, unknown or repeated service), ``BAD_COUNTRY``,
            ``NOT_AVAILABLE`` (the country sells no multi-service numbers), ``BAD_OPERATOR``,
            ``ERROR_SQL`` (a malformed forwarding list: the provider's "invalid parameter").
    """
    services = split_list(params.get("multiService"))
    if not services or len(set(services)) != len(services):
        raise ProtocolError("BAD_SERVICE")
    for code in services:
        parse_service(code, catalog)
    country = parse_country(params, catalog, default_country)
    if not country.multi_service:
        raise ProtocolError("NOT_AVAILABLE")
    operators = parse_operators(params, catalog, country.id)
    raw_forwards = split_list(params.get("multiForward") or params.get("forward"))
    if not raw_forwards:
        forwards = (False,) * len(services)
    elif (
        len(raw_forwards) != len(services)
        or any(f not in ("0", "1") for f in raw_forwards)
        or raw_forwards.count("1") > 1
    ):
        raise ProtocolError("ERROR_SQL")
    else:
        forwards = tuple(f == "1" for f in raw_forwards)
    return MultiOrder(services=services, forwards=forwards, country=country.id, operators=operators)
