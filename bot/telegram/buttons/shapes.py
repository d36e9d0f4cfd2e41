"""Field shapes many button kinds share: a kind built on one says only its prefix and what
its press means (``class ConfirmRent(TokenButton, prefix="rc")``)."""

from __future__ import annotations

import hashlib

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


class CheckedChoice(ChoiceButton):
    """The entry at ``index``, and ``check``: a :func:`digest` of it ("" for an entry that is
    not a value, such as -1), so a button of a list that changed since picks nothing."""

    check: str


def digest(value: str, length: int = 8) -> str:
    """A short digest of a value a button names but cannot carry (a provider's URL, a
    favourite): enough to tell an older button from a current one, and it names nothing."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:length]
