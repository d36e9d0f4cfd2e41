"""Replies about what can be bought: services, countries, operators, prices."""

from __future__ import annotations

from typing import Final

from bot.provider.models import (
    Country,
    ExtraActivationOffer,
    OutgoingCall,
    Price,
    Service,
    ServiceAvailability,
    TopCountry,
    VerificationPrice,
)
from bot.provider.parsing.fields import (
    ShapeError,
    as_decimal,
    as_flag,
    as_id,
    as_int,
    as_phone,
    json_payload,
    json_payload_unless,
    parse_time,
    reply_parser,
    rows,
)
from bot.provider.parsing.reply import RawReply

# --- catalogue -----------------------------------------------------------------------------


@reply_parser
def parse_numbers_status(reply: RawReply) -> tuple[ServiceAvailability, ...]:
    """``getNumbersStatus``: ``{"vk_0": 76}`` (classic) or ``{"vk": "76"}`` (newer)."""
    result = []
    for key, count in json_payload(reply).items():
        service, sep, suffix = str(key).rpartition("_")
        if sep and suffix in ("0", "1"):
            result.append(ServiceAvailability(service, as_int(count), forwarding=suffix == "1"))
        else:
            result.append(ServiceAvailability(str(key), as_int(count)))
    return tuple(result)


@reply_parser
def parse_top_countries(reply: RawReply) -> tuple[TopCountry, ...]:
    """``getTopCountriesByService``: an object keyed by rank, or a list."""
    data = json_payload(reply)
    items = data.items() if isinstance(data, dict) else enumerate(data)
    result = []
    for rank, entry in items:
        free = entry.get("freePriceMap") or {}
        retail = entry.get("retail_price")
        result.append(
            TopCountry(
                rank=as_int(rank),
                country=as_int(entry["country"]),
                count=as_int(entry["count"]),
                price=as_decimal(entry["price"]),
                retail_price=None if retail is None else as_decimal(retail),
                free_price_map={as_decimal(p): as_int(c) for p, c in free.items()},
            )
        )
    return tuple(sorted(result, key=lambda top: top.rank))


@reply_parser
def parse_operators(reply: RawReply) -> dict[int, tuple[str, ...]]:
    """``getOperators``: ``{"status": "success", "countryOperators": {"0": [...]}}``."""
    data = json_payload_unless(reply, "OPERATORS_NOT_FOUND")
    if data is None:
        return {}
    operators = data["countryOperators"]
    return {
        as_int(country): tuple(str(name) for name in rows(names))
        for country, names in operators.items()
    }


@reply_parser
def parse_prices(reply: RawReply) -> tuple[Price, ...]:
    """``getPrices``: ``{"<country>": {"<service>": {"cost": n, "count": n}}}``."""
    result = []
    for country, services in json_payload(reply).items():
        for service, offer in services.items():
            physical = offer.get("physicalCount")
            result.append(
                Price(
                    country=as_int(country),
                    service=str(service),
                    cost=as_decimal(offer["cost"]),
                    count=as_int(offer["count"] if "count" in offer else offer["quant"]),
                    physical_count=None if physical is None else as_int(physical),
                )
            )
    return tuple(result)


@reply_parser
def parse_prices_verification(reply: RawReply) -> tuple[VerificationPrice, ...]:
    """``getPricesVerification``: service first, then country; the key is ``price``."""
    return tuple(
        VerificationPrice(
            service=str(service),
            country=as_int(country),
            price=as_decimal(offer["price"]),
            count=as_int(offer["count"]),
        )
        for service, countries in json_payload(reply).items()
        for country, offer in countries.items()
    )


_COUNTRY_NAME_KEYS: Final = {"tur": "tr", "spa": "es", "hin": "hi", "ara": "ar", "fra": "fr"}


@reply_parser
def parse_countries(reply: RawReply) -> tuple[Country, ...]:
    """``getCountries``: an object keyed by id (or, from some clones, a list)."""
    data = json_payload(reply)
    rows = data.values() if isinstance(data, dict) else data
    result = []
    for row in rows:
        others = {lang: str(row[key]) for key, lang in _COUNTRY_NAME_KEYS.items() if row.get(key)}
        result.append(
            Country(
                country_id=as_int(row["id"]),
                name_ru=str(row.get("rus") or ""),
                name_en=str(row.get("eng") or ""),
                name_zh=str(row.get("chn") or ""),
                visible=as_flag(row.get("visible", 1)),
                retry=as_flag(row.get("retry", 0)),
                rent=as_flag(row.get("rent", 0)),
                multi_service=as_flag(row.get("multiService", 0)),
                other_names=others,
            )
        )
    return tuple(sorted(result, key=lambda country: country.country_id))


@reply_parser
def parse_services_list(reply: RawReply) -> tuple[Service, ...]:
    """``getServicesList``: ``{"status": "success", "services": [{"code", "name"}]}``."""
    data = json_payload(reply)
    listed = data["services"] if isinstance(data, dict) else data
    return tuple(Service(code=str(row["code"]), name=str(row["name"])) for row in rows(listed))


@reply_parser
def parse_extra_activation_offer(reply: RawReply) -> ExtraActivationOffer:
    """``checkExtraActivation``: ``{"status":"success","cost","service","phone","country"}``."""
    data = json_payload(reply)
    return ExtraActivationOffer(
        cost=as_decimal(data["cost"]),
        service=str(data["service"]),
        phone=as_phone(data["phone"]),
        country=as_int(data["country"]),
    )


@reply_parser
def parse_call_task(reply: RawReply) -> str:
    """``createTaskForCall``: ``{"status": "success", "msg": "<text>"}``; returns the text."""
    data = json_payload(reply)
    if str(data.get("status", "success")).lower() != "success":
        raise ShapeError
    return str(data.get("msg") or data.get("message") or "")


@reply_parser
def parse_outgoing_calls(reply: RawReply) -> tuple[OutgoingCall, ...]:
    """``getOutgoingCalls``: an object keyed by activation id."""
    data = json_payload(reply)
    if isinstance(data, list) and not data:
        return ()
    return tuple(
        OutgoingCall(
            activation_id=as_id(activation_id),
            date=parse_time(task.get("date")),
            phone_from=str(task.get("phoneFrom", "")),
            status=str(task.get("status", "")),
        )
        for activation_id, task in data.items()
    )
