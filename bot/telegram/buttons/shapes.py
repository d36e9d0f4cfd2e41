"""Field shapes many button kinds share: a kind built on one says only its prefix and what
its press means (``class ConfirmRent(TokenButton, prefix="rc")``)."""

from __future__ import annotations

from bot.telegram.callbacks import CallbackData


class TokenButton(CallbackData):
    """Names server-side state (a draft, an offer) by ``token``; a confirm's token is also its
    idempotency key, so a second press cannot pay twice."""

    token: str


class LedgerButton(CallbackData):
    """Acts on our ledger row ``ledger_id`` (an activation's or a rent's)."""

    ledger_id: int


class PageButton(CallbackData):
    """Shows ``page`` of a list."""

    page: int


class ChoiceButton(CallbackData):
    """Picks the entry at ``index`` of a list the screen showed (checked against that list
    when pressed: a list that changed makes the button stale)."""

    index: int
