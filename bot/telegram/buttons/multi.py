"""/multi's buttons."""

from __future__ import annotations

from typing import Literal

from bot.telegram.buttons.shapes import TokenButton
from bot.telegram.callbacks import CallbackData

MultiTarget = Literal["services", "countries", "forward", "abort"]


class MultiToggle(CallbackData, prefix="mt"):
    """/multi: add or remove a service (``page`` keeps the picker where it was)."""

    code: str
    page: int


class MultiStep(CallbackData, prefix="ms"):
    """/multi navigation: ``services`` (page), ``countries`` (page), ``forward`` (toggle the
    forwarding of service number ``page``), or ``abort``."""

    target: MultiTarget
    page: int


class MultiCountry(CallbackData, prefix="mc"):
    country: int


class MultiConfirm(TokenButton, prefix="mk"):
    """The /multi buy button (``token``: the server-side draft)."""
