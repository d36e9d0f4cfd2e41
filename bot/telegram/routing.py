"""One way to handle a button: ``@on_button(Kind)`` and the picker driver built on it.

A route matches its kind's prefix, unpacks the data into the kind's dataclass and calls
``handler(press)`` with one :class:`Press`: the four things the first design passed one by one
(``handler(update, context, button, render)``) in one object, with the query, services, user
and chat every handler used to fetch for itself. Data of the kind that does not unpack (forged,
truncated, an action outside its set) never reaches the handler: the press is answered "out
of date" (or by the route's own ``stale``), as aiogram's ``CallbackData.filter()`` does.

A press that fits is answered by its handler, as soon as it knows what to say; a handler
that has not answered within a second (a slow provider) gets its press answered for it
(see ``acknowledge``), so Telegram never drops the answer and the button stops spinning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.provider import ProviderClient, ProviderError
from bot.telegram import flows
from bot.telegram.acknowledge import acknowledged
from bot.telegram.callbacks import CallbackData, CallbackDataError
from bot.telegram.context import Context
from bot.telegram.flow_types import BaseFlow
from bot.telegram.handlers.common import (
    WORKING_AFTER,
    chat_id,
    command_argument,
    provider_client,
    renderer,
    send_screen,
    services,
    show,
    user_id,
)
from bot.telegram.rendering import Html, Renderer, Screen

if TYPE_CHECKING:
    from bot.services.container import Services

log = logging.getLogger(__name__)

K = TypeVar("K", bound=CallbackData)

D = TypeVar("D", bound=BaseFlow)  # a picker's flow
StaleAnswer = Callable[[Update, Context, Renderer], Awaitable[None]]
CommandCallback = Callable[[Update, Context], Coroutine[Any, Any, None]]


def pressed(update: Update) -> CallbackQuery:
    """The press a button handler was called for (a route runs only for callback queries)."""
    query = update.callback_query
    assert query is not None
    return query


@dataclass(frozen=True, slots=True)
class Press(Generic[K]):
    """One press of a ``K`` button: the update, its context, the unpacked button and the
    presser's renderer, with what every handler reads from them."""

    update: Update
    context: Context
    button: K
    render: Renderer

    @property
    def query(self) -> CallbackQuery:
        """The pressed button's callback query (a route runs only for callback queries)."""
        return pressed(self.update)

    @property
    def user_id(self) -> int:
        """Who pressed (every callback query names them): whose things a press may touch."""
        return self.query.from_user.id

    @property
    def services(self) -> Services:
        return services(self.context)

    @property
    def chat_id(self) -> int:
        return chat_id(self.update)


ButtonCallback = Callable[[Press[K]], Awaitable[None]]


async def answer_stale(update: Update, context: Context, render: Renderer) -> None:
    """The answer to a button that no longer means anything: "This button is out of date"."""
    await pressed(update).answer(render("press-stale"))


@dataclass(frozen=True, slots=True)
class ButtonRoute(Generic[K]):
    """A button kind and the one handler of its presses (callable as a PTB callback)."""

    kind: type[K]
    callback: ButtonCallback[K]
    stale: StaleAnswer = answer_stale

    async def __call__(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        render = await renderer(update, context)
        try:
            button = self.kind.unpack(query.data)
        except CallbackDataError:
            await self.stale(update, context, render)
            return
        chat = update.effective_chat
        async with acknowledged(context.bot, query.id, chat.id if chat else None):
            await self.callback(Press(update, context, button, render))

    def handler(self) -> BaseHandler:  # type: ignore[type-arg]
        """A fresh PTB handler for this route (each Application gets its own)."""
        return CallbackQueryHandler(self, pattern=self.kind.pattern())


def on_button(
    kind: type[K], *, stale: StaleAnswer = answer_stale
) -> Callable[[ButtonCallback[K]], ButtonRoute[K]]:
    """Makes ``handler(press)`` the handler of ``kind``'s presses."""

    def register(callback: ButtonCallback[K]) -> ButtonRoute[K]:
        return ButtonRoute(kind, callback, stale)

    return register


def button_handlers(*routes: ButtonRoute[Any]) -> list[BaseHandler]:  # type: ignore[type-arg]
    return [route.handler() for route in routes]


# --- slow work: "⏳" after a second, and a way on when it fails --------------------------

T = TypeVar("T")


async def working(query: CallbackQuery, render: Renderer, work: Awaitable[T]) -> T:
    """The result of ``work``; if it takes over ``WORKING_AFTER``, the pressed message says
    "⏳ Asking the provider…" meanwhile (its buttons go, so they are not pressed twice)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=WORKING_AFTER)
    if not done:
        try:
            await show(query, Screen(render("press-working")))
        except TelegramError as error:  # the result matters, not the "⏳"
            log.debug("no working note: %s", error)
    return await task


async def _restore(query: CallbackQuery) -> None:
    """The pressed message as it was (when a "⏳" replaced it and no new screen came)."""
    message = query.message
    if isinstance(message, Message) and message.text:
        await show(query, Screen(Html(message.text_html), message.reply_markup))


def _refused_screen(
    query: CallbackQuery, render: Renderer, refused: str | None, error: ProviderError
) -> Screen:
    """Why the provider could not answer, with [🔁 Try again] (the same press) above the
    menu that was pressed, so the user can retry or choose anything else."""
    rows: list[list[InlineKeyboardButton]] = []
    if query.data:
        rows.append(
            [InlineKeyboardButton(render("button-try-again"), callback_data=query.data)]
        )
    message = query.message
    markup = getattr(message, "reply_markup", None)
    if markup is not None:
        rows.extend(list(row) for row in markup.inline_keyboard)
    text = render(refused or "request-failed", reason=render.error(error))
    return Screen(text, InlineKeyboardMarkup(rows))


# --- the picker driver: /buy, /rent, /multi, /prices --------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    """A picker step's refusal that leaves the screen as it is (``/multi`` needs two)."""

    text: str


# The screen a picker's button leads to, an alert, or None when it does not fit the draft.
StepResult = Screen | Alert | None
PickerStep = Callable[[Context, ProviderClient, Renderer, D, K], Awaitable[StepResult]]
NextScreen = Callable[[ProviderClient, D], Awaitable[StepResult]]
# The picker screen a typed search leads to: (client, render, draft, text) -> screen.
SearchScreen = Callable[[ProviderClient, Renderer, D, str], Awaitable[Screen]]
SEARCH_CHARS = 64  # a search longer than any name is not one
# A picker's page of choices: (context, client, render, draft, page) -> screen.
PickerPage = Callable[[Context, ProviderClient, Renderer, D, int], Awaitable[Screen]]
F = TypeVar("F", bound=BaseFlow, covariant=True)


class NewDraft(Protocol[F]):
    """A command's new draft: whose it is, the provider its prices come from, its search."""

    def __call__(self, *, user: int, provider: str, query: str | None) -> F: ...


async def _send_menu(
    update: Update, context: Context, render: Renderer, screen: Awaitable[Screen], refused: str
) -> None:
    """Sends a picker menu (or ``refused``) as the user's one picker menu: the older one
    loses its buttons first (so the new menu is the chat's last change), since its pages and
    picks would read the newer draft or search."""
    data = context.user_data
    chat = update.effective_chat
    older = data.pop(flows.MENU, None) if data is not None else None
    if isinstance(older, int) and chat is not None:
        try:
            await context.bot.edit_message_reply_markup(chat.id, older, reply_markup=None)
        except TelegramError as error:  # deleted, too old: nothing to press there anyway
            log.debug("older menu kept its buttons: %s", error)
    sent = await send_screen(update, render, screen, refused)
    if sent is not None and data is not None:
        data[flows.MENU] = sent.message_id


@dataclass(frozen=True, slots=True)
class Picker(Generic[D]):
    """A flow's pickers and how their presses go. A step changes the draft it is given; the
    driver saves it after the step (unless the step ended the flow).

    Attributes:
        flow: the flow's draft type; when another flow (or none) is under way, a press
            alerts ``gone``.
        gone: the alert for a press with no draft (the flow was ended or replaced).
        expired: the screen that replaces one whose button no longer fits the draft; None
            answers "out of date" and leaves the screen usable.
        refused: the message that says why the provider could not answer (the draft stays
            where it was), shown with [🔁 Try again] above the pressed menu; None says
            "request-failed".
    """

    flow: type[D]
    gone: str
    expired: str | None
    refused: str | None

    def step(self, kind: type[K]) -> Callable[[PickerStep[D, K]], ButtonRoute[K]]:
        """Makes ``step(context, client, render, draft, button)`` the handler of ``kind``: the
        screen it returns replaces the pressed one."""

        def register(step: PickerStep[D, K]) -> ButtonRoute[K]:
            async def on_press(press: Press[K]) -> None:
                async def next_screen(client: ProviderClient, draft: D) -> StepResult:
                    return await step(press.context, client, press.render, draft, press.button)

                await self.run(press.update, press.context, press.render, next_screen)

            return ButtonRoute(kind, on_press, self._stale)

        return register

    async def run(
        self, update: Update, context: Context, render: Renderer, next_screen: NextScreen[D]
    ) -> None:
        """Answers a picker press with the screen ``next_screen`` builds from the draft."""
        query = pressed(update)
        draft = self.draft(context)
        if draft is None:
            await query.answer(render(self.gone), show_alert=True)
            return
        client = await provider_client(update, context, render)
        if client is None:
            await query.answer()
            return
        try:
            screen = await working(query, render, next_screen(client, draft))
        except ProviderError as error:
            await query.answer()
            await show(query, _refused_screen(query, render, self.refused, error))
            return
        finally:
            flows.save(context, draft)  # what the step chose so far, even if it failed
        if screen is None or isinstance(screen, Alert):
            await _restore(query)  # if "⏳" replaced it
        if isinstance(screen, Alert):
            await query.answer(screen.text, show_alert=True)
        elif screen is not None:
            await query.answer()
            await show(query, screen)
        elif self.expired is None:
            await query.answer(render("press-stale"))
        else:
            await query.answer()
            await show(query, Screen(render(self.expired)))

    async def search(
        self,
        update: Update,
        context: Context,
        steps: tuple[str, ...],
        next_screen: SearchScreen[D],
        *,
        refused: str | None = None,
    ) -> bool:
        """Typed text while the draft is on one of ``steps``: the screen ``next_screen`` builds
        from it, sent as a new message. False when this flow does not want the text."""
        draft = self.draft(context)
        message = update.effective_message
        if draft is None or message is None or getattr(draft, "step", None) not in steps:
            return False
        render = await renderer(update, context)
        client = await provider_client(update, context, render)
        if client is None:
            return True
        text = (message.text or "").strip()[:SEARCH_CHARS]
        screen = next_screen(client, render, draft, text)
        refusal = refused or self.refused or "request-failed"
        try:
            await _send_menu(update, context, render, screen, refusal)
        finally:
            flows.save(context, draft)
        return True

    def command(self, new: NewDraft[D], first: PickerPage[D]) -> CommandCallback:
        """The handler of the command that starts this flow (/buy, /rent): a ``new`` draft for
        the user's provider, the text after the command its search, and the ``first`` picker's
        page 0 as the one picker menu (``refused`` when the provider cannot answer)."""

        async def start(update: Update, context: Context) -> None:
            render = await renderer(update, context)
            client = await provider_client(update, context, render)
            if client is None:
                return
            user, search = user_id(update), command_argument(context)
            draft = new(user=user, provider=client.endpoint.key, query=search)
            screen = first(context, client, render, draft, 0)
            refused = self.refused or "request-failed"
            await self.open(update, context, render, draft, screen, refused)

        return start

    async def open(
        self,
        update: Update,
        context: Context,
        render: Renderer,
        draft: D,
        screen: Awaitable[Screen],
        refused: str,
    ) -> None:
        """Starts the flow ``draft`` and sends its first menu (or ``refused``): the one picker
        menu from now on. What building the menu put in the draft is saved."""
        flows.start(context, draft)
        try:
            await _send_menu(update, context, render, screen, refused)
        finally:
            flows.save(context, draft)

    async def _stale(self, update: Update, context: Context, render: Renderer) -> None:
        """A forged or malformed button of a picker's kind: as one that no longer fits."""
        if self.expired is None:
            await answer_stale(update, context, render)
            return

        async def nothing(client: ProviderClient, draft: D) -> StepResult:
            return None

        await self.run(update, context, render, nothing)

    def draft(self, context: Context) -> D | None:
        """The flow's draft, if it is the flow under way."""
        return flows.current_as(context, self.flow)
