"""A confirm screen's draft: the token that is its paid call's idempotency key, and how long
its price is offered.

Every confirm screen (/buy, /rent, /multi, another activation, an added service, a rent's
extension) mints a token and keeps it server-side with the time it was shown; its button
buys only while that token is the draft's, the price is fresh and nothing was bought yet.

The draft is the flow under way (:mod:`bot.telegram.flows`), kept in PTB's user_data, which
is written to disk only now and then: after a crash an older draft may come back. So whether
a token may still buy is decided by the ledger (:mod:`storage.confirm_tokens`), durably before
the press is answered: a newer screen withdraws the older token, a press answered "expired"
withdraws its token, and a press that may buy claims it. No restored draft can revive any of
them.
"""

from __future__ import annotations

import enum
import logging
from typing import Final, TypeVar

from telegram import CallbackQuery, Message, Update

from bot.telegram.context import Context
from bot.telegram.flow_types import CatalogueDraft, Confirmable
from bot.telegram.flows import current_as
from bot.telegram.handlers.common import services, show, user_id
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import pressed
from storage.confirm_tokens import Claim
from storage.db import WRITE_FAILURES

log = logging.getLogger(__name__)

CONFIRM_TTL: Final = 600.0  # seconds a confirm screen's price is offered


C = TypeVar("C", bound=Confirmable)


def draft_in(context: Context, kind: type[C]) -> C | None:
    """The flow under way if it is a ``kind`` draft, else None (none, or another flow)."""
    return current_as(context, kind)


async def issue_token(context: Context, kind: str) -> str:
    """A new confirm screen's token, recorded in the ledger; the user's older token of the same
    ``kind`` (the screen this one replaces in the draft) can no longer buy."""
    # PTB offers no public accessor for it; the context is built for this update's user.
    user = context._user_id
    assert user is not None
    return await services(context).tokens.issue(user_id=user, kind=kind, ttl=CONFIRM_TTL)


async def with_new_token(context: Context, draft: C) -> str:
    """Gives ``draft`` its confirm screen's new token, shown now and not yet used (see
    ``issue_token``: the user's older screen of the same kind can no longer buy)."""
    draft.token = await issue_token(context, draft.KIND)
    draft.token_at, draft.done = services(context).clock.now(), False
    return draft.token


def token_is_live(draft: Confirmable | None, token: str, now: float) -> bool:
    """Whether ``token`` is the draft's and its price, shown at ``token_at``, still holds."""
    if draft is None or draft.token != token:
        return False
    return now - draft.token_at <= CONFIRM_TTL


class Verdict(enum.Enum):
    STALE = "stale"  # an old, foreign or expired screen: ask for a fresh one
    DUPLICATE = "duplicate"  # this token already bought: say so, buy nothing
    UNAVAILABLE = "unavailable"  # the ledger could not be written: nothing done, tap again
    GO = "go"


# A write the database refused: busy past its timeout ("database is locked"), full, or (on
# PostgreSQL) a lost connection or a statement timeout.
_WRITE_FAILURES: Final = WRITE_FAILURES


async def confirm_verdict(
    update: Update, context: Context, draft: Confirmable | None, token: str
) -> Verdict:
    """What a tap on a catalogue confirm screen may do: its token must be live, and the
    provider the prices came from still the user's (/provider may have changed since)."""
    svc = services(context)
    if draft is None or not token_is_live(draft, token, svc.clock.now()):
        return await _stale(update, context, token)
    current = await svc.accounts.endpoint_of(user_id(update))
    if not isinstance(draft, CatalogueDraft) or draft.provider != current.key:
        return await _stale(update, context, token)
    return await _claim(update, context, draft, token)


async def _stale(update: Update, context: Context, token: str) -> Verdict:
    """An old screen, answered "expired": its token is withdrawn for good, so an older copy of
    the draft (PTB persistence after a crash) cannot make it buy."""
    try:
        await services(context).tokens.withdraw(token, user_id=user_id(update))
    except _WRITE_FAILURES as error:
        # It buys nothing now either way; only a crash that restores an older draft before
        # the database recovers could still offer it (within its ten minutes).
        log.warning("an expired confirm token could not be withdrawn: %s", error)
    return Verdict.STALE


async def _claim(update: Update, context: Context, draft: Confirmable, token: str) -> Verdict:
    """A live screen: the ledger decides, claiming the token durably for this press."""
    if draft.done:
        return Verdict.DUPLICATE
    try:
        claim = await services(context).tokens.claim(token, user_id=user_id(update))
    except _WRITE_FAILURES as error:
        log.error("confirm not started: the ledger refused the token's claim (%s)", error)
        return Verdict.UNAVAILABLE
    if claim is Claim.GO:
        return Verdict.GO
    return Verdict.DUPLICATE if claim is Claim.USED else Verdict.STALE


async def claim_confirm(
    update: Update,
    context: Context,
    render: Renderer,
    token: str,
    kind: type[C],
    *,
    expired: str,
    duplicate: str,
    in_progress: str,
    catalogue: bool = False,
    not_recorded: str | None = None,
) -> tuple[C, str] | None:
    """A confirm press of ``token``: the ``kind`` draft under way and the token to pay it
    under, or None when nothing is to be paid (an old or expired button, or a token already
    used).
    The press is answered either way, before the paid call so a slow provider leaves no
    spinner.

    A ``catalogue`` confirm (/rent, /multi) judges by :func:`confirm_verdict` (its prices came
    from one provider); an offer on a bought row (another activation, an added service, a
    rent's extension) by its token alone. A press the ledger could not record is answered
    by an alert, or with ``not_recorded``, by that message in place of the screen (its button
    kept).
    """
    query = pressed(update)
    draft = draft_in(context, kind)
    if catalogue:
        verdict = await confirm_verdict(update, context, draft, token)
    elif draft is None or not token_is_live(draft, token, services(context).clock.now()):
        verdict = await _stale(update, context, token)
    else:
        verdict = await _claim(update, context, draft, token)
    if verdict is Verdict.STALE or draft is None:
        await query.answer(render(expired), show_alert=True)
        return None
    if verdict is Verdict.DUPLICATE:
        await query.answer(render(duplicate))
        return None
    if verdict is Verdict.UNAVAILABLE:
        if not_recorded is None:
            await query.answer(render("confirm-not-recorded"), show_alert=True)
        else:
            await query.answer()
            await show_not_recorded(query, render, not_recorded)
        return None
    await query.answer(render(in_progress))
    return draft, token


async def show_not_recorded(query: CallbackQuery, render: Renderer, message: str) -> None:
    """Nothing was paid: the ledger could not record the press. The pressed screen says
    ``message`` and keeps its button, to tap again once the database recovers."""
    screen = query.message
    keyboard = screen.reply_markup if isinstance(screen, Message) else None
    await show(query, Screen(render(message), keyboard))
