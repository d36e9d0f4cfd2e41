"""Issue 17 on the confirm screens: pin a provider of the comparison (/buy, /rent, /multi),
keep trying (an auto-replace run under a cap confirmed once, /buy), stop a run from its card.

The run starts on the confirm screen's own token, so one confirmation starts one run or buys
one number, never both; the run's card is that message, kept with the run (found again after a
restart), and redrawn by :class:`~bot.telegram.run_cards.RunCards` at each step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Message
from telegram.ext import BaseHandler

from bot.provider import ProviderClient
from bot.telegram.buttons.offers import (
    KeepTrying,
    PinMultiOffer,
    PinOffer,
    PinRentOffer,
    StartRun,
    StopRun,
)
from bot.telegram.confirms import Confirm, on_confirm
from bot.telegram.context import Context
from bot.telegram.flow_types import (
    BuyDraft,
    BuyStep,
    KeepSetup,
    MultiDraft,
    RentDraft,
    chosen_country,
    chosen_service,
)
from bot.telegram.handlers import multi, rent
from bot.telegram.handlers.buy import PICKER
from bot.telegram.handlers.common import show
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import ButtonRoute, Picker, Press, button_handlers, on_button
from bot.telegram.screens.autoreplace import (
    TRIES,
    WAITS,
    cycle,
    run_cap,
    run_card,
    setup_of,
    setup_screen,
)
from bot.telegram.screens.buy import confirm_screen
from bot.telegram.screens.offers import pin
from bot.telegram.screens.rent_picker import confirm_screen as rent_confirm_screen
from storage.autoreplace import Run

Pin = TypeVar("Pin", PinOffer, PinRentOffer, PinMultiOffer)
Pinned = TypeVar("Pinned", BuyDraft, RentDraft, MultiDraft)


def _pinning(
    picker: Picker[Pinned],
    kind: type[Pin],
    confirm: Callable[[Context, ProviderClient, Renderer, Pinned], Awaitable[Screen]],
) -> ButtonRoute[Pin]:
    """A confirm screen's pin button: buy from one provider of its comparison (or, -1, from
    the best row again), on the flow's ``picker``; the confirm screen drawn again."""

    @picker.step(kind)
    async def pin_step(
        context: Context, client: ProviderClient, render: Renderer, draft: Pinned, button: Pin
    ) -> Screen | None:
        if not pin(draft, button.index, button.check):
            return None
        return await confirm(context, client, render, draft)

    return pin_step


pin_offer = _pinning(PICKER, PinOffer, confirm_screen)
pin_rent_offer = _pinning(rent.PICKER, PinRentOffer, rent_confirm_screen)
pin_multi_offer = _pinning(multi.PICKER, PinMultiOffer, multi.confirm_screen)


@PICKER.step(KeepTrying)
async def keep_trying(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, button: KeepTrying
) -> Screen | None:
    """The keep-trying setup, and its figures cycled."""
    if draft.step != BuyStep.CONFIRM or not draft.token or not draft.keep_price:
        return None
    keep = setup_of(draft)
    if button.step == "tries":
        draft.keep = KeepSetup(tries=cycle(TRIES, keep.tries), wait=keep.wait)
    elif button.step == "wait":
        draft.keep = KeepSetup(tries=keep.tries, wait=cycle(WAITS, keep.wait))
    return setup_screen(render, draft)


_START = Confirm(
    BuyDraft,
    expired="buy-expired-menu",
    duplicate="buy-duplicate",
    in_progress="autoreplace-starting",
    catalogue=True,
)


async def _show_run(press: Press[StartRun], run: Run | None) -> None:
    # The card was drawn by the run's change hook; drawn here too when nothing changed yet.
    if run is not None:
        await show(press.query, await run_card(press.services, press.render, run))


@on_confirm(StartRun, _START, _show_run)
async def start_run(press: Press[StartRun], draft: BuyDraft, token: str) -> Run | None:
    autoreplace = press.services.autoreplace
    message = press.query.message
    if autoreplace is None or not isinstance(message, Message):
        return None
    draft.done = True  # this confirmation starts the run; its Buy no longer buys
    keep = setup_of(draft)
    await show(press.query, Screen(press.render("autoreplace-card-buying")))
    # A cap that refuses the run is answered by the confirm driver (nothing recorded or paid).
    return await autoreplace.start(
        press.user_id, press.chat_id, chosen_service(draft), chosen_country(draft),
        operator=draft.operator, max_tries=keep.tries,
        wait_seconds=float(keep.wait), spend_cap=run_cap(draft),
        card_message_id=message.message_id, service_name=draft.service_name,
        country_names=draft.country_names, max_price=draft.max_price,
    )


@on_button(StopRun)
async def stop_run(press: Press[StopRun]) -> None:
    """Stop on a run's card: the run ends at once, a number waiting is cancelled."""
    autoreplace = press.services.autoreplace
    if autoreplace is None:
        await press.query.answer(press.render("press-stale"))
        return
    try:
        run = await autoreplace.get(press.button.run)
        if run.user_id != press.user_id:
            raise LookupError(press.button.run)
    except LookupError:
        await press.query.answer(press.render("press-not-yours"))
        return
    await press.query.answer(press.render("autoreplace-stopping"))
    run = await autoreplace.cancel(press.user_id, press.button.run)
    await show(press.query, await run_card(press.services, press.render, run))


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return button_handlers(
        pin_offer, pin_rent_offer, pin_multi_offer, keep_trying, start_run, stop_run
    )
