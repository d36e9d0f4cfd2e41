"""/multi's buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.telegram.callbacks import CallbackData

MultiTarget = Literal["services", "countries", "forward", "abort"]


@dataclass(frozen=True, slots=True)
class MultiToggle(CallbackData):
    """/multi: add or remove a service (``page`` keeps the picker where it was)."""

    prefix = "mt"
    code: str
    page: int


@dataclass(frozen=True, slots=True)
class MultiStep(CallbackData):
    """/multi navigation: ``services`` (page), ``countries`` (page), ``forward`` (toggle the
    forwarding of service number ``page``), or ``abort``."""

    prefix = "ms"
    target: MultiTarget
    page: int


@dataclass(frozen=True, slots=True)
class MultiCountry(CallbackData):
    prefix = "mc"
    country: int


@dataclass(frozen=True, slots=True)
class MultiConfirm(CallbackData):
    """The /multi buy button; ``token`` is the one call's idempotency key."""

    prefix = "mk"
    token: str
