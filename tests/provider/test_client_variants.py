"""The wire variants the sandbox can switch on (``sandbox.configure``), through the client over
HTTP: each one changes what is on the wire (checked in the request log) and the client reads
every one of them into the same typed results and error classes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.provider import ProviderClient, errors
from bot.provider.models import (
    ActivationAction,
    ActivationStatus,
    RentState,
    ServiceAvailability,
    StatusChange,
    StatusKind,
)
from bot.provider.sandbox import Sandbox
from bot.provider.sandbox.activation_actions import CURRENCY_RUB
from bot.provider.sandbox.testing import POOR_KEY

ClientFactory = Callable[..., ProviderClient]


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


def _last_status(sandbox: Sandbox, action: str) -> int:
    return [r.status for r in sandbox.request_log if r.action == action][-1]


async def test_http_error_codes(
    any_client: ProviderClient, make_client: ClientFactory, sandbox: Sandbox
) -> None:
    sandbox.configure(http_error_codes=True)
    stranger = make_client("not-a-key", any_client.endpoint)
    poor = make_client(POOR_KEY, any_client.endpoint)
    cases: list[tuple[Callable[[], Awaitable[object]], int, type[errors.ProviderRejection]]] = [
        (stranger.get_balance, 401, errors.AuthenticationError),
        (lambda: poor.get_number("tg"), 402, errors.InsufficientFundsError),
        (lambda: any_client.get_status("3936040001"), 404, errors.NotFoundError),
        (lambda: any_client.get_number("zz"), 400, errors.InvalidRequestError),
        (lambda: any_client.get_rent_status("1"), 404, errors.NotFoundError),
        (lambda: any_client.continue_rent_number("1", 3), 404, errors.NotFoundError),
    ]
    for call, status, expected in cases:
        with pytest.raises(expected):
            await call()
        assert sandbox.request_log[-1].status == status
    bought = await any_client.get_number("tg", country=0)
    with pytest.raises(errors.EarlyCancelDeniedError):
        await any_client.set_status(bought.activation_id, ActivationAction.CANCEL)
    assert _last_status(sandbox, "setStatus") == 409
    with pytest.raises(errors.StateConflictError):
        await any_client.set_status(bought.activation_id, ActivationAction.REQUEST_ANOTHER_CODE)
    assert _last_status(sandbox, "setStatus") == 409
    # Successes stay 200, and "nothing there" tokens sent with 404 still read as empty.
    assert await any_client.get_status(bought.activation_id) == ActivationStatus(
        StatusKind.WAIT_CODE
    )
    assert await any_client.get_rent_list() == ()
    assert _last_status(sandbox, "getRentList") == 404
    assert await any_client.get_operators(5) == {}
    assert _last_status(sandbox, "getOperators") == 404
    sandbox.expire_activation(int(bought.activation_id))
    assert await any_client.get_active_activations() == ()
    assert _last_status(sandbox, "getActiveActivations") == 404
    # getRentStatus's states are answers (200), not failures.
    rent = await any_client.get_rent_number("tg", 4, country=0)
    assert (await any_client.get_rent_status(rent.rent_id)).state is RentState.WAITING
    assert _last_status(sandbox, "getRentStatus") == 200
    # A 4xx is never retried: every call above went out once.
    assert all(r.fault is None for r in sandbox.request_log)
    assert len(sandbox.request_log) == len(cases) + 9


async def test_active_activations_hero_format(any_client: ProviderClient, sandbox: Sandbox) -> None:
    sandbox.configure(active_activations_format="hero")
    bought = await any_client.get_number("tg", country=0)
    sandbox.deliver_sms(int(bought.activation_id), "code 55555")
    (row,) = await any_client.get_active_activations()
    assert '"data":[{"activationId":' + bought.activation_id in sandbox.request_log[-1].reply
    assert row.activation_id == bought.activation_id and type(row.activation_id) is str
    assert row.cost == Decimal("45.00") and type(row.cost) is Decimal
    assert (row.currency, row.sms_code, row.phone) == (CURRENCY_RUB, "55555", bought.phone)


@pytest.mark.parametrize("key", ["message", "error", "msg"])
async def test_json_error_key(key: str, client: ProviderClient, sandbox: Sandbox) -> None:
    sandbox.configure(json_error_key=key)
    rent = await client.get_rent_number("tg", 4, country=0)
    assert (await client.get_rent_status(rent.rent_id)).state is RentState.WAITING
    assert sandbox.request_log[-1].reply == f'{{"status":"error","{key}":"STATUS_WAIT_CODE"}}'
    with pytest.raises(errors.NotFoundError) as caught:
        await client.get_rent_status("1")
    assert caught.value.token == "INVALID_PHONE"
    with pytest.raises(errors.MaxHoursExceededError) as hours:
        await client.continue_rent_number(rent.rent_id, 2016)
    assert hours.value.max_hours == 2012
    with pytest.raises(errors.InvalidRequestError):
        await client.get_rent_number("tg", 5, country=0)
    await client.finish_rent(rent.rent_id)
    assert (await client.get_rent_status(rent.rent_id)).state is RentState.FINISHED
    with pytest.raises(errors.StateConflictError) as finished:
        await client.finish_rent(rent.rent_id)
    assert finished.value.token == "ALREADY_FINISH"
    assert await client.get_rent_list() == ()


async def test_getnumberv2_new_format(any_client: ProviderClient, sandbox: Sandbox) -> None:
    sandbox.configure(getnumberv2_format="new")
    bought = await any_client.get_number_v2("tg", country=0)
    assert '"activationCost":45.00' in sandbox.request_log[-1].reply
    activation = sandbox.activation(int(bought.activation_id))
    assert bought.cost == Decimal("45.00") and type(bought.cost) is Decimal
    assert bought.can_get_another_sms is True and bought.currency == CURRENCY_RUB
    assert bought.activation_time == _utc(activation.created_at)
    assert bought.end_time == _utc(activation.deadline)
    assert bought.end_time is not None and bought.activation_time is not None
    assert bought.end_time - bought.activation_time == timedelta(seconds=1200)
    china = await any_client.get_number_v2("tg", country=3)  # no second SMS there
    assert china.can_get_another_sms is False and china.country == 3


async def test_numbers_status_new_format(any_client: ProviderClient, sandbox: Sandbox) -> None:
    sandbox.configure(numbers_status_format="new")
    listed = await any_client.get_numbers_status(country=0)
    assert '"tg":"' in sandbox.request_log[-1].reply
    assert ServiceAvailability("tg", sandbox.stock.count(0, "tg")) in listed
    assert not any(item.forwarding for item in listed)
    assert len({item.service for item in listed}) == len(listed)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("STATUS_CANCEL", ActivationStatus(StatusKind.CANCELLED)),
        ("STATUS_OK", ActivationStatus(StatusKind.CODE_RECEIVED, "424242")),
    ],
)
async def test_finished_status_token(
    token: str, expected: ActivationStatus, client: ProviderClient, sandbox: Sandbox
) -> None:
    sandbox.configure(finished_status_token=token)
    bought = await client.get_number("tg", country=0)
    sandbox.deliver_sms(int(bought.activation_id), "code 424242")
    assert await client.set_status(bought.activation_id, ActivationAction.FINISH) is (
        StatusChange.FINISHED
    )
    assert await client.get_status(bought.activation_id) == expected
    # Either way the charge is kept and the activation is no longer live.
    assert await client.get_balance() == Decimal("955.00")
    assert await client.get_active_activations() == ()


async def test_six_without_code_cancel(client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await client.get_number("tg", country=0)
    with pytest.raises(errors.StateConflictError):
        await client.set_status(bought.activation_id, ActivationAction.FINISH)
    sandbox.configure(six_without_code="cancel")
    assert await client.set_status(bought.activation_id, ActivationAction.FINISH) is (
        StatusChange.FINISHED
    )
    assert await client.get_status(bought.activation_id) == ActivationStatus(StatusKind.CANCELLED)
    assert await client.get_balance() == Decimal("1000.00")  # refunded: no code ever came
