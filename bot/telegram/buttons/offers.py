"""Buttons of issue 17 on the confirm screens of /buy, /rent and /multi and in /settings: pin
a provider of the comparison, keep trying (auto-replace), stop a run, set a spending cap.

A provider rides as its position in the draft's comparison (its key may be a long URL), so a
button of an older screen is checked against the draft before it pins anything.
"""

from __future__ import annotations

from typing import Literal

from bot.telegram.buttons.shapes import CheckedChoice, TokenButton
from bot.telegram.callbacks import CallbackData


class PinOffer(CheckedChoice, prefix="of"):
    """Pin the comparison's row at ``index`` (-1: any provider, the best row)."""


class PinRentOffer(CheckedChoice, prefix="or"):
    """/rent's confirm screen: pin the comparison's row at ``index`` (-1: any provider)."""


class PinMultiOffer(CheckedChoice, prefix="om"):
    """/multi's confirm screen: pin the comparison's row at ``index`` (-1: any provider)."""


class KeepTrying(CallbackData, prefix="kt"):
    """``setup``: the keep-trying screen; ``tries``/``wait``: cycle one of its figures."""

    step: Literal["setup", "tries", "wait"]


class StartRun(TokenButton, prefix="kr"):
    """Start the keep-trying run (``token``: the confirm's; one run per press)."""


class StopRun(CallbackData, prefix="ks"):
    """Stop auto-replace run ``run`` (only its owner can)."""

    run: int


class SetCap(CallbackData, prefix="sc"):
    """/settings: type a new cap for the ``period``."""

    period: Literal["day", "month"]


class KeyFor(CheckedChoice, prefix="kf"):
    """/key with keys at several providers: the key is for the choice at ``index`` (the
    current provider first, then the others with a key, in the vault's order)."""
