"""Error tokens through the client over HTTP: the ones the sandbox's state machines produce by
themselves, reached by driving real state, each raising its class with its payload read.

The whole §2 table, spoken by the sandbox's ``reply`` fault, is in test_client_tokens.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.provider import ProviderClient, errors
from bot.provider.models import ActivationAction, RentState
from bot.provider.sandbox import Sandbox
from bot.provider.sandbox.testing import BANNED_KEY, BOB_KEY, POOR_KEY

Scenario = Callable[[ProviderClient, Sandbox], Awaitable[object]]
ClientFactory = Callable[..., ProviderClient]


NATURAL: dict[str, tuple[Scenario, str, type[errors.ProviderRejection]]] = {}


def provokes(
    token: str, expected: type[errors.ProviderRejection], variant: str = ""
) -> Callable[[Scenario], Scenario]:
    """Registers a scenario that drives the sandbox's real state until it answers ``token``,
    which the client must raise as ``expected`` (``variant`` names another way to the token)."""

    def register(scenario: Scenario) -> Scenario:
        case = f"{token}-{variant}" if variant else token
        assert case not in NATURAL, f"two scenarios for {case}"
        NATURAL[case] = (scenario, token, expected)
        return scenario

    return register


async def _sold(client: ProviderClient, service: str = "tg", *, forward: bool = False) -> str:
    return (await client.get_number(service, country=0, forward=forward)).activation_id


async def _with_code(client: ProviderClient, sandbox: Sandbox, service: str = "tg") -> str:
    activation_id = await _sold(client, service)
    sandbox.deliver_sms(int(activation_id), "code 123456")
    return activation_id


async def _finished(client: ProviderClient, sandbox: Sandbox) -> str:
    activation_id = await _with_code(client, sandbox)
    await client.set_status(activation_id, ActivationAction.FINISH)
    return activation_id


async def _twice(request: Callable[[], Awaitable[object]]) -> object:
    """Sends the same request twice: the second answer is the one under test."""
    await request()
    return await request()


async def _rent(client: ProviderClient) -> str:
    return (await client.get_rent_number("tg", 4, country=0)).rent_id


@provokes("NO_NUMBERS", errors.NoNumbersError)
async def no_numbers(client: ProviderClient, sandbox: Sandbox) -> object:
    sandbox.set_stock(0, "tg", 0)
    return await client.get_number("tg", country=0)


@provokes("NO_BALANCE_FORWARD", errors.InsufficientFundsError)
async def no_balance_forward(client: ProviderClient, sandbox: Sandbox) -> object:
    sandbox.set_balance("alice", "13.00")  # av costs 12.00, its forwarding 2.00 more
    return await client.get_number("av", country=0, forward=True)


@provokes("EARLY_CANCEL_DENIED", errors.EarlyCancelDeniedError)
async def early_cancel(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.set_status(await _sold(client), ActivationAction.CANCEL)


@provokes("BAD_STATUS", errors.StateConflictError)
async def bad_status(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.set_status(await _sold(client), ActivationAction.REQUEST_ANOTHER_CODE)


@provokes("BAD_STATUS", errors.StateConflictError, "finished")
async def bad_status_after_finish(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.set_status(await _finished(client, sandbox), ActivationAction.FINISH)


@provokes("NO_ACTIVATION", errors.NotFoundError)
async def no_activation(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_status("3936040001")


@provokes("NO_ACTIVATION", errors.NotFoundError, "foreign")
async def foreign_activation(client: ProviderClient, sandbox: Sandbox) -> object:
    # Bob's activation looks exactly like a missing one to Alice.
    bob = sandbox.handle({"api_key": BOB_KEY, "action": "getNumber", "service": "ds"})
    return await client.set_status(bob.body.split(":")[1], ActivationAction.FINISH)


@provokes("BAD_SERVICE", errors.InvalidRequestError)
async def bad_service(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_number("zz", country=0)


@provokes("BAD_COUNTRY", errors.InvalidRequestError)
async def bad_country(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_number("tg", country=999)


@provokes("BAD_OPERATOR", errors.InvalidRequestError)
async def bad_operator(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_number("tg", country=0, operator="nope")


@provokes("WRONG_EXCEPTION_PHONE", errors.InvalidRequestError)
async def wrong_exception_phone(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_number("tg", country=0, phone_exception=["12"])


@provokes("NOT_AVAILABLE", errors.InvalidRequestError)
async def not_available(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_multi_service_number(["vk", "tg"], country=3)


@provokes("ORDER_ALREADY_EXISTS", errors.StateConflictError)
async def order_exists(client: ProviderClient, sandbox: Sandbox) -> object:
    return await _twice(lambda: client.get_number_v2("tg", country=0, order_id="same"))


@provokes("INVALID_ACTIVATION_ID", errors.NotFoundError)
async def invalid_activation_id(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_incoming_call_status("3936040001")


@provokes("NOT_INCOMING", errors.InvalidRequestError)
async def not_incoming(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_incoming_call_status(await _sold(client))


@provokes("WRONG_ACTIVATION_ID", errors.NotFoundError)
async def wrong_activation_id(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_additional_service("3936040001", "ya")


@provokes("WRONG_ADDITIONAL_SERVICE", errors.InvalidRequestError)
async def wrong_additional_service(client: ProviderClient, sandbox: Sandbox) -> object:
    parent = await _sold(client, "av", forward=True)
    return await client.get_additional_service(parent, "tg")


@provokes("WRONG_SECURITY", errors.StateConflictError)
async def wrong_security(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_additional_service(await _with_code(client, sandbox), "ya")


@provokes("REPEAT_ADDITIONAL_SERVICE", errors.StateConflictError)
async def repeat_additional(client: ProviderClient, sandbox: Sandbox) -> object:
    parent = await _sold(client, "av", forward=True)
    sandbox.deliver_sms(int(parent), "Avito 2468")
    return await _twice(lambda: client.get_additional_service(parent, "ya"))


@provokes("RENEW_ACTIVATION_NOT_AVAILABLE", errors.StateConflictError)
async def renew_not_available(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.check_extra_activation(await _with_code(client, sandbox))


@provokes("RENEW_ACTIVATION_NOT_AVAILABLE", errors.StateConflictError, "paid")
async def renew_not_available_paid(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_extra_activation(await _sold(client))


@provokes("NEW_ACTIVATION_IMPOSSIBLE", errors.StateConflictError)
async def new_activation_impossible(client: ProviderClient, sandbox: Sandbox) -> object:
    parent = await _finished(client, sandbox)
    return await _twice(lambda: client.get_extra_activation(parent))


@provokes("CALL_TASK_ALREADY_EXIST", errors.StateConflictError)
async def call_task_exists(client: ProviderClient, sandbox: Sandbox) -> object:
    activation_id = await _sold(client)
    return await _twice(lambda: client.create_task_for_call(activation_id, "79161234567"))


@provokes("NUMBER_NOT_EXIST", errors.NotFoundError)
async def number_not_exist(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.create_task_for_call(await _finished(client, sandbox), "79161234567")


@provokes("INVALID_PHONE", errors.NotFoundError)
async def invalid_phone(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_rent_status("1")


@provokes("NO_ID_RENT", errors.NotFoundError)
async def no_id_rent(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.finish_rent("")


@provokes("INVALID_TIME", errors.InvalidRequestError, "rent")
async def invalid_time_new(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_rent_number("tg", 5, country=0)


@provokes("INVALID_TIME", errors.InvalidRequestError, "extension")
async def invalid_time_extension(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.continue_rent_number(await _rent(client), 3)


@provokes("BAD_COUNTRY", errors.InvalidRequestError, "rent")
async def rent_bad_country(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_rent_number("tg", 4, country=3)  # China rents nothing


@provokes("BAD_OPERATOR", errors.InvalidRequestError, "rent")
async def rent_bad_service(client: ProviderClient, sandbox: Sandbox) -> object:
    return await client.get_rent_services_and_countries(4, country=0, operator="nope")


@provokes("NO_NUMBERS", errors.NoNumbersError, "rent")
async def rent_no_numbers(client: ProviderClient, sandbox: Sandbox) -> object:
    sandbox.set_rent_stock(0, "tg", 0)
    return await client.get_rent_number("tg", 4, country=0)


@provokes("CANT_CANCEL", errors.StateConflictError)
async def cant_cancel_after_sms(client: ProviderClient, sandbox: Sandbox) -> object:
    rent_id = await _rent(client)
    sandbox.deliver_rent_sms(int(rent_id), "hello 1")
    return await client.cancel_rent(rent_id)


@provokes("ALREADY_FINISH", errors.StateConflictError)
async def already_finish(client: ProviderClient, sandbox: Sandbox) -> object:
    rent_id = await _rent(client)
    await client.finish_rent(rent_id)
    return await client.cancel_rent(rent_id)


@provokes("ALREADY_CANCEL", errors.StateConflictError)
async def already_cancel(client: ProviderClient, sandbox: Sandbox) -> object:
    rent_id = await _rent(client)
    await client.cancel_rent(rent_id)
    return await client.finish_rent(rent_id)


@provokes("RENT_DIE", errors.RentExpiredError)
async def rent_die(client: ProviderClient, sandbox: Sandbox) -> object:
    rent_id = await _rent(client)
    sandbox.advance(4 * 3600 + 1)
    return await client.continue_rent_number(rent_id, 4)


@provokes("STATUS_CANCEL", errors.StateConflictError, "v2")
async def status_cancel_v2(client: ProviderClient, sandbox: Sandbox) -> object:
    activation_id = await _sold(client)
    sandbox.expire_activation(int(activation_id))
    # getStatusV2 has no JSON for a cancelled activation: its plain STATUS_CANCEL is a refusal.
    return await client.get_status_v2(activation_id)




@pytest.mark.parametrize("case", NATURAL.values(), ids=NATURAL.keys())
async def test_tokens_the_sandbox_produces(
    case: tuple[Scenario, str, type[errors.ProviderRejection]],
    client: ProviderClient,
    sandbox: Sandbox,
) -> None:
    scenario, token, expected = case
    with pytest.raises(expected) as caught:
        await scenario(client, sandbox)
    assert type(caught.value) is expected
    assert caught.value.token == token
    assert sandbox.request_log[-1].fault is None  # the sandbox said it, not a fault


async def test_no_balance(make_client: ClientFactory, sandbox: Sandbox) -> None:
    poor = make_client(POOR_KEY)
    with pytest.raises(errors.InsufficientFundsError) as caught:
        await poor.get_number("tg", country=0)
    assert caught.value.token == "NO_BALANCE"
    with pytest.raises(errors.InsufficientFundsError):
        await poor.get_rent_number("tg", 4, country=0)
    assert sandbox.activations.all() == [] and sandbox.rents.all() == []


async def test_bad_key_and_no_key(make_client: ClientFactory) -> None:
    with pytest.raises(errors.AuthenticationError) as caught:
        await make_client("not-a-key").get_balance()
    assert caught.value.token == "BAD_KEY"
    with pytest.raises(errors.AuthenticationError) as caught:
        await make_client("").get_balance()
    assert caught.value.token == "NO_KEY"
    # The Rent API answers a bad key in plain text too.
    with pytest.raises(errors.AuthenticationError):
        await make_client("not-a-key").get_rent_list()


async def test_banned_carries_until(make_client: ClientFactory) -> None:
    banned = make_client(BANNED_KEY)
    with pytest.raises(errors.AccountBlockedError) as caught:
        await banned.get_number("tg", country=0)
    assert caught.value.token == "BANNED"
    assert caught.value.until == datetime(2100, 1, 1, tzinfo=UTC)
    with pytest.raises(errors.AccountBlockedError) as inactive:
        await banned.get_rent_number("tg", 4, country=0)
    assert inactive.value.token == "ACCOUNT_INACTIVE"
    assert await banned.get_balance() == Decimal("1000.00")  # reads still work


async def test_wrong_max_price_carries_the_minimum(client: ProviderClient) -> None:
    with pytest.raises(errors.PriceLimitError) as caught:
        await client.get_number("tg", country=0, max_price=Decimal("44.99"))
    assert caught.value.token == "WRONG_MAX_PRICE"
    assert caught.value.minimum == Decimal("45.00")
    with pytest.raises(errors.PriceLimitError):
        await client.get_number_v2("tg", country=0, max_price=Decimal("1"))


async def test_max_hours_exceed_carries_max_hours(client: ProviderClient) -> None:
    rent_id = await _rent(client)
    with pytest.raises(errors.MaxHoursExceededError) as caught:
        await client.continue_rent_number(rent_id, 2016)
    assert caught.value.max_hours == 2012  # 2016 in all, 4 already rented
    with pytest.raises(errors.MaxHoursExceededError) as priced:
        await client.get_continue_rent_price_number(rent_id, 2013)
    assert priced.value.max_hours == 2012


async def test_empty_list_tokens_read_as_empty(client: ProviderClient) -> None:
    # NO_ACTIVATIONS, NO_NUMBERS (rent list) and OPERATORS_NOT_FOUND mean "nothing", not errors.
    assert await client.get_active_activations() == ()
    assert await client.get_rent_list() == ()
    assert await client.get_operators(5) == {}


async def test_rent_states_sent_as_errors_are_states(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    rent_id = await _rent(client)
    assert (await client.get_rent_status(rent_id)).state is RentState.WAITING
    await client.cancel_rent(rent_id)
    assert (await client.get_rent_status(rent_id)).state is RentState.CANCELLED
    replies = [r.reply for r in sandbox.request_log if r.action == "getRentStatus"]
    assert replies == [
        '{"status":"error","message":"STATUS_WAIT_CODE"}',
        '{"status":"error","message":"STATUS_CANCEL"}',
    ]


async def test_payloads_survive_the_envelopes(client: ProviderClient, sandbox: Sandbox) -> None:
    sandbox.inject_fault(
        "continueRentNumber",
        "reply",
        body='{"status":"error","msg":"MAX_HOURS_EXCEED","info":{"max":1344}}',
        content_type="application/json",
    )
    sandbox.inject_fault(
        "getNumberV2",
        "reply",
        body='{"title":"WRONG_MAX_PRICE","details":"0.35"}',
        status=400,
        content_type="application/json",
    )
    with pytest.raises(errors.MaxHoursExceededError) as hours:
        await client.continue_rent_number("1049001", 12)
    assert hours.value.max_hours == 1344
    with pytest.raises(errors.PriceLimitError) as price:
        await client.get_number_v2("tg")
    assert price.value.minimum == Decimal("0.35")


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("SOMETHING_NEW", 200, "text/plain"),
        ('{"status":"error","message":"BRAND_NEW_ERROR"}', 200, "application/json"),
        ("ACCESS_BALANCE", 200, "text/plain"),
        ("", 200, "text/plain"),
        ('{"status": "succ', 200, "application/json"),
        ("Not Found", 404, "text/plain"),
    ],
)
async def test_unknown_replies_are_unexpected(
    body: str, status: int, content_type: str, client: ProviderClient, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getBalance", "reply", body=body, status=status, content_type=content_type)
    with pytest.raises(errors.UnexpectedReplyError) as caught:
        await client.get_balance()
    assert caught.value.raw == body
    assert caught.value.status_code == status
