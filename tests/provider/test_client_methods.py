"""Every ProviderClient method against the sandbox over loopback HTTP, POST and GET: typed results.

Money is Decimal, ids are strings (past 2**31), times are aware UTC datetimes; each value is
checked against what the sandbox itself holds, so a parser that drops or bends a field fails.
"""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bot.provider import ProviderClient
from bot.provider.models import (
    ActivationAction,
    ActivationStatus,
    Country,
    NumberPurchase,
    Price,
    RentState,
    Service,
    ServiceAvailability,
    StatusChange,
    StatusKind,
    VerificationPrice,
)
from bot.provider.sandbox import Sandbox
from bot.provider.sandbox.testing import ALICE_KEY

TG_PRICE = Decimal("45.00")


def utc(ts: float) -> datetime:
    """A sandbox time as the wire carries it: whole seconds, read back as aware UTC."""
    return datetime.fromtimestamp(int(ts), UTC)


def assert_id(value: str) -> int:
    assert isinstance(value, str) and value.isdigit(), value
    assert int(value) > 2**31  # a 32-bit parser would have overflowed
    return int(value)


async def test_balance_and_cashback(any_client: ProviderClient, sandbox: Sandbox) -> None:
    balance = await any_client.get_balance()
    assert type(balance) is Decimal and balance == Decimal("1000.00")
    sandbox.add_account(ALICE_KEY, "17.154", cashback="2.50")
    assert await any_client.get_balance() == Decimal("17.154")  # no float rounding on the way
    assert await any_client.get_balance_and_cashback() == Decimal("19.654")


async def test_numbers_status(any_client: ProviderClient, sandbox: Sandbox) -> None:
    listed = await any_client.get_numbers_status(country=0)
    assert all(type(item) is ServiceAvailability for item in listed)
    by_key = {(item.service, item.forwarding): item.count for item in listed}
    assert by_key[("tg", False)] == sandbox.stock.count(0, "tg")
    assert ("tg", True) not in by_key and by_key[("av", True)] == sandbox.stock.count(0, "av")
    sandbox.set_stock(0, "tg", 7, operator="mts")
    filtered = await any_client.get_numbers_status(country=0, operator=["mts"])
    assert {(i.service, i.forwarding): i.count for i in filtered}[("tg", False)] == 7


async def test_top_countries(any_client: ProviderClient, sandbox: Sandbox) -> None:
    top = await any_client.get_top_countries_by_service("tg", free_price=True)
    assert [entry.rank for entry in top] == list(range(len(top)))
    counts = [entry.count for entry in top]
    assert counts == sorted(counts, reverse=True)
    first = top[0]
    assert first.price == sandbox.catalog.price(first.country, "tg")
    assert type(first.price) is Decimal and type(first.retail_price) is Decimal
    assert first.free_price_map == {first.price: first.count}
    assert all(type(k) is Decimal for k in first.free_price_map)
    plain = await any_client.get_top_countries_by_service("tg")
    assert plain[0].free_price_map == {}


async def test_operators(any_client: ProviderClient, sandbox: Sandbox) -> None:
    every = await any_client.get_operators()
    assert every == {c: tuple(ops) for c, ops in sandbox.catalog.operators.items()}
    assert (await any_client.get_operators(0))[0][:3] == ("beeline", "megafon", "mts")
    assert await any_client.get_operators(5) == {}  # OPERATORS_NOT_FOUND means "none"


async def test_prices(any_client: ProviderClient, sandbox: Sandbox) -> None:
    (price,) = await any_client.get_prices(service="tg", country=0)
    assert price == Price(0, "tg", TG_PRICE, sandbox.stock.count(0, "tg"))
    assert type(price.cost) is Decimal
    every = await any_client.get_prices()
    assert len(every) == len(sandbox.catalog.countries) * len(sandbox.catalog.activation_services())
    verification = await any_client.get_prices_verification("tg")
    assert VerificationPrice("tg", 0, Decimal("67.50"), sandbox.stock.count(0, "tg")) in (
        verification
    )
    assert all(type(v.price) is Decimal for v in verification)


async def test_countries_and_services(any_client: ProviderClient) -> None:
    countries = await any_client.get_countries()
    russia = countries[0]
    assert russia == Country(0, "Россия", "Russia", "俄罗斯", True, True, True, True)
    china = next(c for c in countries if c.country_id == 3)
    assert (china.retry, china.rent, china.multi_service) == (False, False, False)
    assert not next(c for c in countries if c.country_id == 8).visible
    services = await any_client.get_services_list()
    assert Service("tg", "Telegram") in services
    assert "full" not in {s.code for s in services}  # rent-only
    assert await any_client.get_services_list(country=6, lang="en") == services


async def test_get_number(any_client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await any_client.get_number("tg", country=0)
    assert type(bought) is NumberPurchase
    activation = sandbox.activation(assert_id(bought.activation_id))
    assert bought.phone == activation.phone and bought.phone.startswith("79")
    assert bought.cost is None and bought.activation_time is None  # V2-only fields
    assert await any_client.get_balance() == Decimal("1000.00") - TG_PRICE
    # Every purchase option reaches the provider under the name it reads.
    options = await any_client.get_number(
        "tg",
        country=0,
        operator=["mts"],
        max_price=Decimal("50"),
        phone_exception=["7900", "7903"],
        ref="partner-1",
    )
    chosen = sandbox.activation(int(options.activation_id))
    assert chosen.operator == "mts" and not chosen.phone.startswith(("7900", "7903"))
    params = sandbox.request_log[-1].params
    assert params["freePrice"] == "true" and params["maxPrice"] == "50"
    assert params["phoneException"] == "7900,7903" and params["ref"] == "partner-1"


async def test_get_number_forwarded_and_verification(
    any_client: ProviderClient, sandbox: Sandbox
) -> None:
    forwarded = await any_client.get_number("av", country=0, forward=True)
    assert sandbox.activation(int(forwarded.activation_id)).forward
    verification = await any_client.get_number("tg", country=0, verification=True)
    call = sandbox.activation(int(verification.activation_id))
    assert call.verification and call.cost == Decimal("67.50")
    status = await any_client.get_incoming_call_status(verification.activation_id)
    assert (status.status, status.phone) == (2, None)
    sandbox.deliver_call(int(verification.activation_id), "+79001234567")
    status = await any_client.get_incoming_call_status(verification.activation_id)
    assert (status.status, status.phone) == (2, "79001234567")
    v2 = await any_client.get_status_v2(verification.activation_id)
    assert v2.verification_type == 2 and v2.sms is None
    assert v2.call is not None and v2.call.phone_from == "79001234567"
    assert v2.call.code == "4567" and v2.call.received_at is not None
    assert v2.call.received_at.tzinfo is UTC


async def test_get_number_v2_classic(any_client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await any_client.get_number_v2("tg", country=0, order_id="order-1")
    activation = sandbox.activation(assert_id(bought.activation_id))
    assert activation.order_id == "order-1"
    assert bought.phone == activation.phone
    assert bought.cost == TG_PRICE and type(bought.cost) is Decimal
    assert (bought.country, bought.operator) == (0, activation.operator)
    assert bought.can_get_another_sms is True
    assert bought.activation_time == utc(activation.created_at)
    assert bought.end_time is None and bought.currency is None


async def test_get_multi_service_number(any_client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await any_client.get_multi_service_number(
        ["vk", "av"], country=0, forward_service="av"
    )
    assert [item.service for item in bought] == ["vk", "av"]
    assert len({item.phone for item in bought}) == 1
    vk, av = (sandbox.activation(assert_id(item.activation_id)) for item in bought)
    assert (vk.forward, av.forward) == (False, True)
    assert await any_client.get_balance() == Decimal("1000.00") - vk.cost - av.cost


async def test_activation_lifecycle_results(any_client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await any_client.get_number("tg", country=0)
    activation_id = bought.activation_id
    assert await any_client.get_status(activation_id) == ActivationStatus(StatusKind.WAIT_CODE)
    v2 = await any_client.get_status_v2(activation_id)
    assert (v2.verification_type, v2.sms, v2.call) == (1, None, None)
    waiting = await any_client.get_full_sms(activation_id)
    assert (waiting.text, waiting.kind) == (None, StatusKind.WAIT_CODE)
    ready = await any_client.set_status(activation_id, ActivationAction.SMS_SENT)
    assert ready is StatusChange.READY

    sandbox.deliver_sms(int(activation_id), "Telegram code: 12345")
    received = sandbox.activation(int(activation_id)).messages[-1].received_at
    status = await any_client.get_status(activation_id)
    assert status == ActivationStatus(StatusKind.CODE_RECEIVED, "12345")
    v2 = await any_client.get_status_v2(activation_id)
    assert v2.sms is not None and (v2.sms.code, v2.sms.text) == ("12345", "Telegram code: 12345")
    assert v2.sms.received_at == utc(received)
    assert (await any_client.get_full_sms(activation_id)).text == "Telegram code: 12345"

    (row,) = await any_client.get_active_activations()
    activation = sandbox.activation(int(activation_id))
    assert (row.activation_id, row.service, row.phone) == (activation_id, "tg", bought.phone)
    assert row.cost == TG_PRICE and type(row.cost) is Decimal
    assert (row.sms_code, row.sms_text) == ("12345", "Telegram code: 12345")
    assert row.activation_time == utc(activation.created_at)
    assert (row.country, row.country_name) == (0, "Russia")
    assert (row.can_get_another_sms, row.repeated, row.status) == (True, False, "2")

    done = await any_client.set_status(activation_id, ActivationAction.FINISH)
    assert done is StatusChange.FINISHED
    assert await any_client.get_active_activations() == ()  # NO_ACTIVATIONS is "none"


async def test_calls(any_client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await any_client.get_number("tg", country=0)
    text = await any_client.create_task_for_call(bought.activation_id, "+79161234567")
    assert text == f"Call from {bought.phone} is scheduled"
    today = datetime.fromtimestamp(sandbox.clock.now(), UTC).date()
    (call,) = await any_client.get_outgoing_calls(bought.activation_id, today)
    assert (call.activation_id, call.phone_from, call.status) == (
        bought.activation_id,
        bought.phone,
        "IN_PROCESS",
    )
    assert call.date is not None and call.date.tzinfo is UTC
    assert await any_client.get_outgoing_calls() == (call,)
    assert await any_client.get_outgoing_calls(day=today - timedelta(days=1)) == ()
    assert await any_client.get_outgoing_calls(day=date(2001, 1, 1)) == ()


async def test_additional_and_extra_activations(
    any_client: ProviderClient, sandbox: Sandbox
) -> None:
    parent = await any_client.get_number("av", country=0, forward=True)
    sandbox.deliver_sms(int(parent.activation_id), "Avito: 2468")
    added = await any_client.get_additional_service(parent.activation_id, "ya")
    child = sandbox.activation(assert_id(added.activation_id))
    assert (added.phone, child.parent_id, child.cost) == (
        parent.phone,
        int(parent.activation_id),
        Decimal("5.00"),
    )
    assert await any_client.get_balance() == Decimal("1000.00") - Decimal("14.00") - Decimal(
        "5.00"
    )  # av with forwarding (12 + 2), then the fixed 5 RUB
    active = {row.activation_id: row for row in await any_client.get_active_activations()}
    assert set(active) == {parent.activation_id, added.activation_id}
    assert active[added.activation_id].service == "ya"


async def test_extra_activation(any_client: ProviderClient, sandbox: Sandbox) -> None:
    parent = await any_client.get_number("tg", country=0)
    sandbox.deliver_sms(int(parent.activation_id), "code 111222")
    await any_client.set_status(parent.activation_id, ActivationAction.FINISH)
    offer = await any_client.check_extra_activation(parent.activation_id)
    assert (offer.cost, offer.service, offer.phone, offer.country) == (
        TG_PRICE,
        "tg",
        parent.phone,
        0,
    )
    assert type(offer.cost) is Decimal
    before = await any_client.get_balance()
    extra = await any_client.get_extra_activation(parent.activation_id)
    assert extra.phone == parent.phone and extra.activation_id != parent.activation_id
    assert sandbox.activation(assert_id(extra.activation_id)).repeated
    assert await any_client.get_balance() == before - offer.cost
    (row,) = await any_client.get_active_activations()
    assert row.repeated is True and row.activation_id == extra.activation_id


async def test_rent_results(any_client: ProviderClient, sandbox: Sandbox) -> None:
    catalog = await any_client.get_rent_services_and_countries(4, country=0, operator="any")
    assert 0 in catalog.countries and "any" in catalog.operators
    full = catalog.services["full"]
    assert full.cost == sandbox.catalog.rent_price(0, "full", 4) and type(full.cost) is Decimal
    assert catalog.services["tg"].quantity == sandbox.stock.rent_count(0, "tg")
    day = await any_client.get_rent_services_and_countries(24, country=0)
    assert day.services["tg"].cost == sandbox.catalog.rent_price(0, "tg", 24)

    rent = await any_client.get_rent_number("tg", 4, country=0)
    held = sandbox.rent(int(rent.rent_id))
    assert rent.rent_id.isdigit() and rent.phone == held.phone
    assert rent.end_date == utc(held.end_at) and rent.end_date.tzinfo is UTC
    price = sandbox.catalog.rent_price(0, "tg", 4)
    assert await any_client.get_balance() == Decimal("1000.00") - price
    assert (await any_client.get_rent_status(rent.rent_id)).state is RentState.WAITING

    sandbox.deliver_rent_sms(int(rent.rent_id), "first 1111", phone_from="79990000001")
    sandbox.advance(5)
    sandbox.deliver_rent_sms(int(rent.rent_id), "second 2222", phone_from="79990000002")
    status = await any_client.get_rent_status(rent.rent_id)
    assert (status.state, status.quantity) == (RentState.RECEIVING, 2)
    assert [m.text for m in status.messages] == ["second 2222", "first 1111"]  # newest first
    newest = status.messages[0]
    assert (newest.phone_from, newest.service) == ("79990000002", "tg")
    assert newest.received_at == utc(held.messages[-1].received_at)

    (listed,) = await any_client.get_rent_list()
    assert (listed.rent_id, listed.phone) == (rent.rent_id, rent.phone)
    extension = await any_client.get_continue_rent_price_number(rent.rent_id, 12)
    assert extension == sandbox.catalog.rent_price(0, "tg", 12) and type(extension) is Decimal
    extended = await any_client.continue_rent_number(rent.rent_id, 12)
    assert extended.rent_id == rent.rent_id
    assert extended.end_date == rent.end_date + timedelta(hours=12)
    assert await any_client.get_balance() == Decimal("1000.00") - price - extension

    assert await any_client.finish_rent(rent.rent_id) is None
    assert (await any_client.get_rent_status(rent.rent_id)).state is RentState.FINISHED
    assert await any_client.get_rent_list() == ()
    second = await any_client.get_rent_number("full", 4, country=0)
    assert await any_client.cancel_rent(second.rent_id) is None
    assert (await any_client.get_rent_status(second.rent_id)).state is RentState.CANCELLED


async def test_get_and_post_reach_the_provider_as_asked(
    any_client: ProviderClient, sandbox: Sandbox
) -> None:
    await any_client.get_balance()
    (record,) = sandbox.request_log
    assert record.method == any_client.endpoint.method
    assert record.account == "alice" and "api_key" not in record.params


def test_every_client_method_is_exercised_here() -> None:
    """A method added to ProviderClient without a test here fails this one."""
    source = Path(__file__).read_text(encoding="utf-8")
    methods = {
        name
        for name, member in inspect.getmembers(ProviderClient, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }
    assert len(methods) >= 30
    assert {m for m in methods if f".{m}(" not in source} == set()
