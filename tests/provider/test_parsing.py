"""The reply reader on its own: every error token and envelope of PROTOCOL §1-2, and garbage.

The same cases run over real HTTP against the sandbox in test_client_errors.py; these pin the
reader down exactly, including tokens no emulator state produces.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.provider import errors
from bot.provider.models import RentState, StatusKind
from bot.provider.parsing import (
    RawReply,
    parse_active_activations,
    parse_balance,
    parse_number,
    parse_operators,
    parse_rent_list,
    parse_rent_status,
    parse_status,
    read_reply,
)

# Every error token of PROTOCOL §2 and the class it must raise.
SECTION_2_TOKENS: dict[str, type[errors.ProviderRejection]] = {
    "BAD_KEY": errors.AuthenticationError,
    "NO_KEY": errors.AuthenticationError,
    "BAD_ACTION": errors.InvalidRequestError,
    "BAD_SERVICE": errors.InvalidRequestError,
    "BAD_STATUS": errors.StateConflictError,
    "ERROR_SQL": errors.ProviderServerError,
    "SQL_ERROR": errors.ProviderServerError,
    "SERVER_ERROR": errors.ProviderServerError,
    "NO_NUMBERS": errors.NoNumbersError,
    "NO_BALANCE": errors.InsufficientFundsError,
    "NO_BALANCE_FORWARD": errors.InsufficientFundsError,
    "BANNED:2027-1-2 3-04-05": errors.AccountBlockedError,
    "WRONG_EXCEPTION_PHONE": errors.InvalidRequestError,
    "WRONG_MAX_PRICE:12.5": errors.PriceLimitError,
    "CHANNELS_LIMIT": errors.AccountBlockedError,
    "EARLY_CANCEL_DENIED": errors.EarlyCancelDeniedError,
    "NO_ACTIVATION": errors.NotFoundError,
    "NO_ACTIVATIONS": errors.NotFoundError,
    "INVALID_ACTIVATION_ID": errors.NotFoundError,
    "NOT_INCOMING": errors.InvalidRequestError,
    "OPERATORS_NOT_FOUND": errors.NotFoundError,
    "WRONG_ADDITIONAL_SERVICE": errors.InvalidRequestError,
    "WRONG_ACTIVATION_ID": errors.NotFoundError,
    "WRONG_SECURITY": errors.StateConflictError,
    "REPEAT_ADDITIONAL_SERVICE": errors.StateConflictError,
    "RENEW_ACTIVATION_NOT_AVAILABLE": errors.StateConflictError,
    "NEW_ACTIVATION_IMPOSSIBLE": errors.StateConflictError,
    "CALL_TASK_ALREADY_EXIST": errors.StateConflictError,
    "NUMBER_NOT_EXIST": errors.NotFoundError,
    "ORDER_ALREADY_EXISTS": errors.StateConflictError,
    "WRONG_COUNTRY": errors.InvalidRequestError,
    "BAD_COUNTRY": errors.InvalidRequestError,
    "WRONG_OPERATOR": errors.InvalidRequestError,
    "BAD_OPERATOR": errors.InvalidRequestError,
    "WRONG_SERVICE": errors.InvalidRequestError,
    "NOT_AVAILABLE": errors.InvalidRequestError,
    "NO_YULA_MAIL": errors.InsufficientFundsError,
    "WHATSAPP_NOT_AVAILABLE": errors.NoNumbersError,
    "SIM_OFFLINE": errors.StateConflictError,
    "NO_CALL": errors.StateConflictError,
    "PARSE_COUNT_EXCEED": errors.InvalidRequestError,
    "OUT_OF_STOCK": errors.NoNumbersError,
    "BAD_DATA": errors.InvalidRequestError,
    "INVALID_STATUS": errors.StateConflictError,
    "STATUS_REVOKE": errors.StateConflictError,
    "NO_ID_RENT": errors.NotFoundError,
    "INVALID_PHONE": errors.NotFoundError,
    "INCORECT_STATUS": errors.InvalidRequestError,
    "CANT_CANCEL": errors.StateConflictError,
    "ALREADY_FINISH": errors.StateConflictError,
    "ALREADY_CANCEL": errors.StateConflictError,
    "INVALID_TIME": errors.InvalidRequestError,
    "MAX_HOURS_EXCEED": errors.MaxHoursExceededError,
    "RENT_DIE": errors.RentExpiredError,
    "ACCOUNT_INACTIVE": errors.AccountBlockedError,
    "SERVICE_UNAVAILABLE_REGION": errors.AccountBlockedError,
    "MAX_PRICE_EXCEEDED": errors.PriceLimitError,
}


def reply(text: str, status: int = 200, content_type: str = "text/plain") -> RawReply:
    return RawReply(status, text, content_type, text[:300])


@pytest.mark.parametrize(("token", "expected"), SECTION_2_TOKENS.items())
def test_every_section_2_token_raises_its_class_plain(
    token: str, expected: type[errors.ProviderRejection]
) -> None:
    with pytest.raises(expected) as caught:
        read_reply(reply(token))
    assert type(caught.value) is expected
    assert caught.value.token == token.partition(":")[0]


@pytest.mark.parametrize("key", ["message", "error", "msg"])
@pytest.mark.parametrize(("token", "expected"), SECTION_2_TOKENS.items())
def test_every_section_2_token_raises_its_class_in_json_envelopes(
    token: str, expected: type[errors.ProviderRejection], key: str
) -> None:
    with pytest.raises(expected):
        body = f'{{"status":"error","{key}":"{token}"}}'
        read_reply(reply(body, content_type="application/json"))


@pytest.mark.parametrize("status", [400, 401, 402, 404, 409])
def test_herosms_style_4xx_envelope_is_read_by_its_title(status: int) -> None:
    body = '{"title":"NO_NUMBERS","details":"No numbers available"}'
    with pytest.raises(errors.NoNumbersError) as caught:
        read_reply(reply(body, status, "application/json"))
    assert caught.value.detail == "No numbers available"


def test_4xx_with_plain_token_body_is_that_token() -> None:
    with pytest.raises(errors.InsufficientFundsError):
        read_reply(reply("NO_BALANCE", 402))


def test_401_without_a_token_is_an_authentication_error() -> None:
    with pytest.raises(errors.AuthenticationError):
        read_reply(reply("Unauthorized", 401))


def test_banned_carries_the_end_of_the_ban() -> None:
    with pytest.raises(errors.AccountBlockedError) as caught:
        read_reply(reply("BANNED:2027-1-2 3-04-05"))
    assert caught.value.until == datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_wrong_max_price_carries_the_minimum() -> None:
    with pytest.raises(errors.PriceLimitError) as caught:
        read_reply(reply("WRONG_MAX_PRICE:12.5"))
    assert caught.value.minimum == Decimal("12.5")


def test_max_hours_exceed_carries_the_limit_from_info() -> None:
    body = '{"status":"error","message":"MAX_HOURS_EXCEED","info":{"max":1344}}'
    with pytest.raises(errors.MaxHoursExceededError) as caught:
        read_reply(reply(body))
    assert caught.value.max_hours == 1344


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("<html><body><h1>502 Bad Gateway</h1></body></html>", 502, "text/html"),
        ("<!DOCTYPE html><title>Just a moment...</title>", 200, "text/html"),
        ("   <html>cloudflare</html>", 200, ""),
    ],
)
def test_html_pages_are_provider_unavailable(body: str, status: int, content_type: str) -> None:
    with pytest.raises(errors.ProviderUnavailableError):
        read_reply(reply(body, status, content_type))


def test_5xx_without_a_token_is_provider_unavailable() -> None:
    with pytest.raises(errors.ProviderUnavailableError) as caught:
        read_reply(reply("Internal Server Error", 500))
    assert caught.value.status_code == 500


@pytest.mark.parametrize("body", ["", "\x00\x01garbage", '{"status": "succ', "ACCESS_BALANCE"])
def test_garbage_is_an_unexpected_reply_never_a_key_error(body: str) -> None:
    with pytest.raises(errors.UnexpectedReplyError):
        parse_balance(reply(body))


def test_an_unknown_token_is_unexpected_and_keeps_the_raw_reply() -> None:
    with pytest.raises(errors.UnexpectedReplyError) as caught:
        parse_number(reply("SOMETHING_NEW:1:2"))
    assert caught.value.raw == "SOMETHING_NEW:1:2"


def test_an_unknown_error_in_an_envelope_is_unexpected() -> None:
    with pytest.raises(errors.UnexpectedReplyError):
        read_reply(reply('{"status":"error","message":"BRAND_NEW_ERROR"}'))


def test_ids_past_32_bits_stay_exact_strings() -> None:
    purchase = parse_number(reply("ACCESS_NUMBER:39360403551234:6285872391152"))
    assert purchase.activation_id == "39360403551234"
    assert purchase.phone == "6285872391152"


def test_status_splits_on_the_first_colon_only() -> None:
    status = parse_status(reply("STATUS_OK:12:34"))
    assert status.kind is StatusKind.CODE_RECEIVED
    assert status.code == "12:34"


def test_status_cancel_is_a_state_for_get_status_not_an_error() -> None:
    assert parse_status(reply("STATUS_CANCEL")).kind is StatusKind.CANCELLED


def test_no_code_placeholder_is_no_code() -> None:
    assert parse_status(reply("STATUS_OK:Нет кода")).code is None


def test_rent_states_that_arrive_as_errors_are_states() -> None:
    for token, state in [
        ("STATUS_WAIT_CODE", RentState.WAITING),
        ("STATUS_FINISH", RentState.FINISHED),
        ("STATUS_CANCEL", RentState.CANCELLED),
    ]:
        status = parse_rent_status(reply(f'{{"status":"error","message":"{token}"}}'))
        assert status.state is state
        assert status.messages == ()


def test_empty_lists_come_as_error_tokens_and_read_as_empty() -> None:
    assert parse_active_activations(reply("NO_ACTIVATIONS")) == ()
    assert parse_active_activations(reply('{"status":"error","error":"NO_ACTIVATIONS"}')) == ()
    assert parse_rent_list(reply('{"status":"error","message":"NO_NUMBERS"}')) == ()
    assert parse_operators(reply('{"status":"error","error":"OPERATORS_NOT_FOUND"}')) == {}


def test_herosms_active_activations_rows_under_data_with_numbers() -> None:
    body = (
        '{"status":"success","data":[{"activationId":3936040355,"serviceCode":"tg",'
        '"phoneNumber":"6285872391152","activationCost":0.35,"activationStatus":"2",'
        '"smsCode":"12345","smsText":"code 12345","activationTime":"2026-11-26 10:00:00",'
        '"countryCode":6,"canGetAnotherSms":"1","currency":840}]}'
    )
    (row,) = parse_active_activations(reply(body))
    assert row.activation_id == "3936040355"
    assert row.cost == Decimal("0.35")
    assert row.sms_code == "12345"
    assert row.currency == 840


def test_an_active_list_row_with_an_end_time_reads_it() -> None:
    """The provider is the authority on deadlines: a list that tells the end time is read."""
    body = (
        '{"status":"success","activeActivations":[{"activationId":"3936040355",'
        '"serviceCode":"ig","phoneNumber":"79001234567","activationCost":"6.50",'
        '"activationStatus":"1","smsCode":null,"smsText":null,'
        '"activationTime":"2026-11-26 10:00:00","activationEndTime":"2026-11-26 11:00:00",'
        '"countryCode":"0","canGetAnotherSms":"1"}]}'
    )
    (row,) = parse_active_activations(reply(body))
    assert row.end_time == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
