"""A paid confirm press, from the claim of its token to the answered outcome: ``@on_confirm``.

Every button that pays (/buy's Buy, /rent's, /multi's, another activation, an added service,
a rent's extension, a keep-trying run) goes one way: the press claims its screen's token
(:func:`~bot.telegram.handlers.drafts.claim_confirm`, which answers it at once; at most one
press per token goes on), the handler makes its one paid call (never retried), the draft is
marked done and saved whatever happens, and the pressed message shows what the call came to.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from telegram import CallbackQuery

from bot.services.account_errors import AccountError
from bot.services.purchases import LedgerUnavailableError
from bot.services.results import NotYoursError
from bot.services.spending import SpendingCapError
from bot.telegram import flows
from bot.telegram.buttons.shapes import TokenButton
from bot.telegram.callbacks import CallbackData
from bot.telegram.flow_types import Confirmable
from bot.telegram.handlers.common import show, with_new_balance
from bot.telegram.handlers.drafts import claim_confirm, show_not_recorded
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import ButtonRoute, Press
from bot.telegram.screens.caps import cap_refusal
from storage.db import WRITE_FAILURES
from storage.records import PurchaseRow

log = logging.getLogger(__name__)

K = TypeVar("K", bound=CallbackData)
Token = TypeVar("Token", bound=TokenButton)  # a confirm's button: its token is its key
C = TypeVar("C", bound=Confirmable)  # a confirm screen's flow
R = TypeVar("R")  # what a paid call came to


@dataclass(frozen=True, slots=True)
class Confirm(Generic[C]):
    """A confirm button's rules: its draft, the ``flow`` under way; the answers to an
    ``expired`` screen, a ``duplicate`` tap and a press being paid (``in_progress``); a
    ``catalogue`` confirm also checks the provider the prices came from (see
    ``claim_confirm``). With ``not_recorded``, a press the ledger could not record keeps its
    screen and button under that message (else an alert says so)."""

    flow: type[C]
    expired: str
    duplicate: str = "buy-duplicate"
    in_progress: str = "buy-in-progress"
    catalogue: bool = False
    not_recorded: str | None = None


# The one paid call of a claimed press: (press, draft, token) -> its result.
PaidCall = Callable[[Press[Token], C, str], Awaitable[R]]
# What the pressed message shows of that result: (press, result).
ShowOutcome = Callable[[Press[Token], R], Awaitable[None]]


def on_confirm(
    kind: type[Token], rules: Confirm[C], shown: ShowOutcome[Token, R]
) -> Callable[[PaidCall[Token, C, R]], ButtonRoute[Token]]:
    """Makes ``pay(press, draft, token)`` the paid call of a confirm kind:
    it runs only for a press that claimed the button's token (the press already answered),
    and what it returns is ``shown``. A call refused before anything was recorded or paid
    (not the user's row, a spending cap, no usable key, the ledger unwritable) shows why and
    leaves the draft as it was; otherwise the draft is done. The draft is saved either way."""

    def register(pay: PaidCall[Token, C, R]) -> ButtonRoute[Token]:
        async def on_press(press: Press[Token]) -> None:
            claimed = await claim_confirm(
                press.update,
                press.context,
                press.render,
                press.button.token,
                rules.flow,
                expired=rules.expired,
                duplicate=rules.duplicate,
                in_progress=rules.in_progress,
                catalogue=rules.catalogue,
                not_recorded=rules.not_recorded,
            )
            if claimed is None:
                return
            draft, token = claimed
            query, render = press.query, press.render
            try:
                result = await pay(press, draft, token)
                draft.done = True
                await shown(press, result)
            except NotYoursError:
                await show(query, Screen(render("press-not-yours")))
            except (SpendingCapError, AccountError) as refused:
                await show_unpaid_refusal(query, render, refused)
            except LedgerUnavailableError:
                # The intent was not written, so nothing was bought under the token: open it
                # again, or the "tap again" the screen says would answer "already bought".
                await reopen(press, token)
                await show_not_recorded(query, render, rules.not_recorded or "confirm-not-recorded")
            finally:
                flows.save(press.context, draft)

        return ButtonRoute(kind, on_press)

    return register


async def reopen(press: Press[Token], token: str) -> None:
    """Opens the claimed ``token`` again after a refusal that recorded nothing (best effort:
    if the database still refuses, the next press is told it was used and a fresh screen
    buys)."""
    try:
        await press.services.tokens.release(token, user_id=press.user_id)
    except WRITE_FAILURES as error:
        log.warning("a confirm token refused before its intent could not be reopened: %s", error)


def on_dismiss(
    kind: type[K], flow: type[C], dismissed: str, shown_by: Callable[[C, K], bool]
) -> ButtonRoute[K]:
    """The route of a ✖️ Cancel under a confirm screen: the ``flow`` under way ends, unless
    it already paid or is not the one the screen was ``shown_by``, so the screen's button can
    no longer pay; the screen says ``dismissed``."""

    async def on_press(press: Press[K]) -> None:
        draft = flows.current_as(press.context, flow)
        if draft is not None and shown_by(draft, press.button) and not draft.done:
            flows.end(press.context)
        await press.query.answer()
        await show(press.query, Screen(press.render(dismissed)))

    return ButtonRoute(kind, on_press)


async def show_unpaid_refusal(
    query: CallbackQuery, render: Renderer, refused: SpendingCapError | AccountError
) -> None:
    """A confirm refused before anything was recorded or paid: past a spending cap (with what
    is left), or no usable key for the provider."""
    if isinstance(refused, SpendingCapError):
        await show(query, Screen(cap_refusal(render, refused)))
    else:
        await show(query, Screen(render("key-unreadable")))


def refused_text(render: Renderer, message: str, error: Exception | None) -> Html:
    """``message`` with the provider's reason for refusing a paid call (or a generic one)."""
    reason = render.error(error) if error else render("error-generic")
    return render(message, reason=reason)


# A ledger's "this message shows that row": (ledger_id, chat_id=, message_id=).
class _ShowsOn(Protocol):
    async def __call__(self, ledger_id: int, *, chat_id: int, message_id: int) -> None: ...


async def show_paid(
    press: Press[K], row: PurchaseRow, screen: Screen, shows_on: _ShowsOn, *, new_balance: bool
) -> None:
    """The pressed confirm becomes the paid row's card (``screen``, with the balance its
    provider reports now if ``new_balance``), which pushes update from here on."""
    if new_balance:
        screen = await with_new_balance(
            press.context, row.user_id, press.render, screen, row.provider
        )
    await show(press.query, screen)
    message = press.query.message
    if message is not None:
        await shows_on(row.ledger_id, chat_id=message.chat.id, message_id=message.message_id)
