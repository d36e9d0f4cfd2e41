"""Property-based: whatever a provider (or a forger of pushes) sends, a parser answers with a
model or a ProviderError, never another exception (which would leave a paid call's intent
unjudged, a watcher pass without back-off, or a webhook answering 500)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.provider import ProviderError, parsing
from bot.provider.errors import OutcomeUnknownError
from bot.provider.parsing import RawReply

PARSING = Path(parsing.__file__).parent
# Every quoted name in the parsers' source: the field names and tokens real replies use.
NAMES = sorted(
    {
        name
        for source in PARSING.glob("*.py")
        for name in re.findall(r"\"([A-Za-z_][A-Za-z0-9_]{1,40})\"", source.read_text())
    }
)
REPLY_PARSERS = [
    getattr(parsing, name)
    for name in parsing.__all__
    if name.startswith("parse_") and not name.endswith("_webhook") and name != "parse_time"
]
WEBHOOK_PARSERS = [parsing.parse_activation_webhook, parsing.parse_rent_webhook]

SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(NAMES),
    st.sampled_from(["2026-01-01 00:00:00", "9999-99-99 99:99:99", "1e999", "-1", "0", ""]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=8)), inner, max_size=6),
    ),
    max_leaves=25,
)
token_texts = st.builds(
    lambda name, fields: ":".join([name, *fields]),
    st.sampled_from(NAMES),
    st.lists(
        st.one_of(st.text(max_size=12), st.sampled_from(["1", "0", "-5", "1.5", "x"])), max_size=4
    ),
)
deep_nesting = st.builds(
    lambda depth, opener: opener * depth, st.integers(900, 5_000), st.sampled_from(["[", '{"a":'])
)
bodies = st.one_of(
    st.text(max_size=200),
    json_values.map(lambda value: json.dumps(value, default=str)),
    token_texts,
    deep_nesting,
)
replies = st.builds(
    RawReply,
    status_code=st.sampled_from([200, 200, 200, 400, 401, 404, 500, 502]),
    text=bodies,
    content_type=st.sampled_from(["", "application/json", "text/plain", "text/html"]),
)


def _run(parse: Callable[[Any], object], argument: object) -> None:
    try:
        parse(argument)
    except OutcomeUnknownError:  # pragma: no cover - parsers never raise it
        raise
    except ProviderError:
        pass


@pytest.mark.parametrize("parse", REPLY_PARSERS, ids=lambda parse: parse.__name__)
@SETTINGS
@given(reply=replies)
def test_any_reply_is_a_model_or_a_provider_error(
    parse: Callable[[RawReply], object], reply: RawReply
) -> None:
    _run(parse, reply)


@pytest.mark.parametrize("parse", WEBHOOK_PARSERS, ids=lambda parse: parse.__name__)
@SETTINGS
@given(body=st.one_of(bodies, json_values.filter(lambda v: isinstance(v, dict))))
def test_any_push_is_a_model_or_a_provider_error(
    parse: Callable[[Any], object], body: object
) -> None:
    _run(parse, body.encode() if isinstance(body, str) else body)


def test_a_reply_nested_deeper_than_python_goes_is_garbage_not_a_crash() -> None:
    with pytest.raises(ProviderError):
        parsing.parse_balance(RawReply(200, "[" * 100_000, "application/json"))
    with pytest.raises(ProviderError):
        parsing.parse_activation_webhook(b"[" * 100_000)
    assert parsing.parse_balance(RawReply(200, "ACCESS_BALANCE:1.50")) == Decimal("1.50")
