"""SandboxConfig: the knobs that choose timing rules and which wire variant the sandbox speaks.

Defaults give the classic (seed) protocol of PROTOCOL.md; each knob names the section it bends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final, Literal

from bot.provider.lifetimes import DEFAULT_LIFETIME_SECONDS, SERVICE_LIFETIMES

from .errors import ControlError
from .formats import JsonValue

FinishedToken = Literal["STATUS_CANCEL", "STATUS_OK"]
SixWithoutCode = Literal["BAD_STATUS", "cancel"]
NumbersStatusFormat = Literal["classic", "new"]
ActiveActivationsFormat = Literal["classic", "hero"]
JsonErrorKey = Literal["message", "error", "msg"]
NumberV2Format = Literal["classic", "new"]

#: Lifetimes longer than the default, in seconds ([AIO]: ya 40 min; ft, ig, cy, wx 60 min): the
#: table the bot assumes too when a reply tells no end time (bot/provider/lifetimes.py).
DEFAULT_SERVICE_LIFETIMES: Final[Mapping[str, float]] = SERVICE_LIFETIMES

_CHOICES: Final[Mapping[str, tuple[str, ...]]] = {
    "finished_status_token": ("STATUS_CANCEL", "STATUS_OK"),
    "six_without_code": ("BAD_STATUS", "cancel"),
    "numbers_status_format": ("classic", "new"),
    "active_activations_format": ("classic", "hero"),
    "json_error_key": ("message", "error", "msg"),
    "getnumberv2_format": ("classic", "new"),
}


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Everything about the emulated provider that a test may want to bend.

    Attributes:
        early_cancel_seconds: status 8 within this many seconds of purchase answers
            ``EARLY_CANCEL_DENIED`` (§5.3).
        lifetime_seconds: activation lifetime; ``service_lifetime_seconds`` overrides per service.
        finished_status_token: getStatus of a FINISHED activation: ``STATUS_CANCEL`` (newer doc
            text) or ``STATUS_OK`` (then ``STATUS_OK:<code>``) (§5.1).
        six_without_code: status 6 before any code: ``BAD_STATUS``, or ``cancel`` (refund and
            answer ``ACCESS_ACTIVATION``, the seed footnote's reading) (§5.2).
        numbers_status_format: getNumbersStatus ``{"vk_0": 76}`` (classic) or ``{"vk": "76"}``.
        http_error_codes: error tokens come with HeroSMS-like 4xx codes instead of 200 (§1).
        active_activations_format: getActiveActivations as ``activeActivations`` of strings
            (classic) or HeroSMS ``data`` with numeric id and cost.
        json_error_key: the member that carries a JSON error token (Rent API): ``message``
            (seed), ``error`` (Grizzly) or ``msg``.
        getnumberv2_format: getNumberV2 with string fields (classic) or the newer typed fields
            plus ``activationEndTime``, ``currency`` and ``countryPhoneCode``.
        forward_surcharge: added to the price of an activation bought with ``forward=1``.
        additional_service_price: getAdditionalService price (5 RUB per the seed).
        rent_cancel_seconds: a rent may be cancelled (status 2) this long after it starts.
        max_rent_hours: the longest a rent may run in total, extensions included (§6).
        default_country: the country of a purchase that names none.
        auto_sms_seconds: demo mode: deliver an SMS this long after each purchase and status 3,
            and to each rent this often; ``None`` turns demo mode off.
        webhook_url: where activation-SMS webhooks go (§7); ``None`` sends none.
        webhook_timeout_seconds: a webhook POST gives up after this long.
        seed: seeds the generator of phones, ids and demo codes, so runs repeat.
    """

    early_cancel_seconds: float = 120.0
    lifetime_seconds: float = DEFAULT_LIFETIME_SECONDS
    service_lifetime_seconds: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_SERVICE_LIFETIMES
    )
    finished_status_token: FinishedToken = "STATUS_CANCEL"
    six_without_code: SixWithoutCode = "BAD_STATUS"
    numbers_status_format: NumbersStatusFormat = "classic"
    http_error_codes: bool = False
    active_activations_format: ActiveActivationsFormat = "classic"
    json_error_key: JsonErrorKey = "message"
    getnumberv2_format: NumberV2Format = "classic"
    forward_surcharge: Decimal = Decimal("2.00")
    additional_service_price: Decimal = Decimal("5.00")
    rent_cancel_seconds: float = 1200.0
    max_rent_hours: int = 2016
    default_country: int = 0
    auto_sms_seconds: float | None = None
    webhook_url: str | None = None
    webhook_timeout_seconds: float = 3.0
    seed: int = 20250708

    def lifetime_for(self, service: str) -> float:
        """Seconds an activation of ``service`` lives before it expires."""
        return self.service_lifetime_seconds.get(service, self.lifetime_seconds)

    def updated(self, changes: Mapping[str, object]) -> SandboxConfig:
        """Returns a copy with ``changes`` applied, each value checked and coerced from JSON.

        Raises:
            ControlError: an unknown knob, or a value of the wrong type or outside its choices.
        """
        known = {f.name: f for f in dataclasses.fields(self)}
        coerced: dict[str, Any] = {}
        for name, raw in changes.items():
            if name not in known:
                raise ControlError(f"unknown config knob {name!r}")
            coerced[name] = _coerce(name, known[name].type, raw)
        return dataclasses.replace(self, **coerced)

    def to_json(self) -> dict[str, JsonValue]:
        """The knobs as JSON values (money stays Decimal)."""
        out: dict[str, JsonValue] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = dict(value) if isinstance(value, Mapping) else value
        return out


def _coerce(name: str, declared: object, raw: object) -> object:
    # The field's declared type (a string, under postponed annotations) says what it holds.
    if name in _CHOICES:
        if raw not in _CHOICES[name]:
            raise ControlError(f"{name} must be one of {', '.join(_CHOICES[name])}")
        return raw
    optional = isinstance(declared, str) and declared.endswith("| None")
    if optional and raw is None:
        return None
    kind = declared.removesuffix("| None").strip() if isinstance(declared, str) else ""
    if kind == "str":
        if not isinstance(raw, str) or not raw.startswith(("http://", "https://")):
            raise ControlError(f"{name} must be an http(s) URL or null")
        return raw
    if kind.startswith("Mapping"):
        if not isinstance(raw, Mapping):
            raise ControlError(f"{name} must be an object")
        return MappingProxyType({str(k): _number(name, v) for k, v in raw.items()})
    if kind == "bool":
        if not isinstance(raw, bool):
            raise ControlError(f"{name} must be true or false")
        return raw
    if kind == "Decimal":
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise ControlError(f"{name} must be a decimal amount") from None
        if not value.is_finite() or value < 0:
            raise ControlError(f"{name} must be a non-negative amount")
        return value
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ControlError(f"{name} must be an integer")
        return raw
    return _number(name, raw)


def _number(name: str, raw: object) -> float:
    # Seconds, not money: the control API hands fractions over as Decimal, Python as float.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal) or raw < 0:
        raise ControlError(f"{name} must be a non-negative number")
    return float(raw)
