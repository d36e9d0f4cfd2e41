"""A confirm screen's draft: the token that is its paid call's idempotency key, and how long
its price is offered.

Every confirm screen (/buy, /rent, /multi, another activation, an added service, a rent's
extension) mints a token and keeps it server-side with the time it was shown; its button
buys only while that token is the draft's, the price is fresh and nothing was bought yet.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from typing import Any, Final, Protocol

from telegram import Update

from bot.callbacks import CallbackDataError
from bot.context import Context
from bot.handlers.common import services, user_id
from bot.rendering import Renderer

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


class _Confirm(Protocol):
    @property
    def token(self) -> str: ...


async def claim_confirm(
    update: Update,
    context: Context,
    render: Renderer,
    unpack: Callable[[str], _Confirm],
    key: str,
    *,
    expired: str,
    duplicate: str,
    in_progress: str,
    catalogue: bool = False,
) -> tuple[dict[str, Any], str] | None:
    """A confirm press: the draft kept under ``key`` and the token to pay it under, or None
    when nothing is to be paid (a malformed, old or expired button, or a token already used).
    The press is answered either way, before the paid call so a slow provider leaves no
    spinner.

    A ``catalogue`` confirm (/rent, /multi) judges by :func:`confirm_verdict` (its prices came
    from one provider); an offer on a bought row (another activation, an added service, a
    rent's extension) by its token alone, stamped at ``"at"``.
    """
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        token = unpack(query.data).token
    except CallbackDataError:
        await query.answer(render("press-stale"))
        return None
    draft = draft_in(context, key)
    if catalogue:
        verdict = await confirm_verdict(update, context, draft, token)
    elif draft is None or not token_is_live(draft, token, services(context).clock.now(), "at"):
        verdict = Verdict.STALE
    else:
        verdict = Verdict.DUPLICATE if draft.get("done") else Verdict.GO
    if verdict is Verdict.STALE or draft is None:
        await query.answer(render(expired), show_alert=True)
        return None
    if verdict is Verdict.DUPLICATE:
        await query.answer(render(duplicate))
        return None
    await query.answer(render(in_progress))
    return draft, token
