"""A confirm screen's draft: the token that is its paid call's idempotency key, and how long
its price is offered.

Every confirm screen (/buy, /rent, /multi, another activation, an added service, a rent's
extension) mints a token and keeps it server-side with the time it was shown; its button
buys only while that token is the draft's, the price is fresh and nothing was bought yet.
"""

from __future__ import annotations

import enum
import secrets
from typing import Any, Final

from telegram import Update

from bot.context import Context
from bot.handlers.common import services, user_id

CONFIRM_TTL: Final = 600.0  # seconds a confirm screen's price is offered


def draft_in(context: Context, key: str) -> dict[str, Any] | None:
    """The draft kept under ``key`` in user_data, or None (none, or not one of ours)."""
    assert context.user_data is not None
    draft = context.user_data.get(key)
    return draft if isinstance(draft, dict) else None


def new_token() -> str:
    return secrets.token_hex(8)


def token_is_live(
    draft: dict[str, Any] | None, token: str, now: float, stamped: str = "token_at"
) -> bool:
    """Whether ``token`` is the draft's and its price, shown at ``draft[stamped]``, still holds."""
    if draft is None or draft.get("token") != token:
        return False
    return now - float(draft.get(stamped) or 0) <= CONFIRM_TTL


class Verdict(enum.Enum):
    STALE = "stale"  # an old, foreign or expired screen: ask for a fresh one
    DUPLICATE = "duplicate"  # this token already bought: say so, buy nothing
    GO = "go"


async def confirm_verdict(
    update: Update, context: Context, draft: dict[str, Any] | None, token: str
) -> Verdict:
    """What a tap on a catalogue confirm screen may do: its token must be live, and the
    provider the prices came from still the user's (/provider may have changed since)."""
    svc = services(context)
    if draft is None or not token_is_live(draft, token, svc.clock.now()):
        return Verdict.STALE
    current = await svc.accounts.endpoint_of(user_id(update))
    if draft.get("provider") != current.key:
        return Verdict.STALE
    if draft.get("done"):
        return Verdict.DUPLICATE
    return Verdict.GO
