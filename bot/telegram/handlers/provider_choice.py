"""/provider: which provider the user's numbers come from, a preset or their own URL.

The menu lists the presets and the user's own URLs (by their place in that list: a URL does
not fit in a button's data); "custom" asks for a URL, typed as the next message.
"""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import PRESETS, InvalidEndpointError, ProviderEndpoint, resolve_endpoint
from bot.services.account_errors import CustomProviderRefusedError
from bot.telegram import flows
from bot.telegram.buttons.settings import PickProvider
from bot.telegram.context import Context
from bot.telegram.flow_types import Question
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import Press, on_button
from bot.telegram.screens.offers import title_for


async def choose_provider(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    await send(update, *await _provider_menu(update, context, render))


async def _provider_menu(
    update: Update, context: Context, render: Renderer
) -> tuple[str, InlineKeyboardMarkup]:
    accounts = services(context).accounts
    current = await accounts.endpoint_of(user_id(update))
    with_keys = set(await accounts.providers_with_keys(user_id(update)))
    buttons = [
        InlineKeyboardButton(
            ("✓ " if preset.key in with_keys else "") + preset.title,
            callback_data=PickProvider(preset.name).pack(),
        )
        for preset in PRESETS.values()
    ]
    # The user's own URLs (the current one, those they keep a key for) by their place in
    # that list: a URL does not fit in a button's data.
    for index, endpoint in enumerate(await _custom_providers(update, context)):
        buttons.append(
            InlineKeyboardButton(
                ("✓ " if endpoint.key in with_keys else "") + endpoint.title,
                callback_data=PickProvider(f"{_CUSTOM_PREFIX}{index}").pack(),
            )
        )
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([render.button("provider-custom-button", PickProvider("custom"))])
    rows.append([render.button("button-cancel", PickProvider(_CANCEL))])
    text = str(render("provider-choose", provider=current.title))
    usable = await accounts.usable_providers(user_id(update))
    if usable:  # keys at several providers: /buy compares them; /key <name> adds one
        titles = ", ".join(title_for(context, endpoint.key) for endpoint in usable)
        text += "\n" + render("provider-keys-line", providers=titles)
        text += "\n" + render("provider-keys-hint")
    return text, InlineKeyboardMarkup(rows)


_CUSTOM_PREFIX: Final = "url-"
_CANCEL: Final = "cancel"


async def _custom_providers(update: Update, context: Context) -> list[ProviderEndpoint]:
    """The user's custom providers, current one first, then those they have a key for."""
    accounts = services(context).accounts
    current = await accounts.endpoint_of(user_id(update))
    found = [current] if current.name == "custom" else []
    for setting in await accounts.providers_with_keys(user_id(update)):
        try:
            endpoint = accounts.titled(resolve_endpoint(setting))
        except InvalidEndpointError:
            continue
        if endpoint.name == "custom" and all(e.key != endpoint.key for e in found):
            found.append(endpoint)
    return found


def _cancel_keyboard(render: Renderer) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[render.button("button-cancel", PickProvider(_CANCEL))]])


@on_button(PickProvider)
async def pick_provider(press: Press[PickProvider]) -> None:
    assert press.context.user_data is not None
    name = press.button.name
    await press.query.answer()
    if name == "custom":
        flows.ask(press.context, Question.PROVIDER_URL)
        keyboard = _cancel_keyboard(press.render)
        await show(press.query, Screen(press.render("provider-ask-url"), keyboard))
        return
    if name == _CANCEL:
        flows.end_question(press.context, Question.PROVIDER_URL)
        current = await press.services.accounts.endpoint_of(press.user_id)
        await show(press.query, Screen(press.render("provider-kept", provider=current.title)))
        return
    if name.startswith(_CUSTOM_PREFIX):
        index = name.removeprefix(_CUSTOM_PREFIX)
        mine = await _custom_providers(press.update, press.context)
        if not index.isdigit() or int(index) >= len(mine):
            await show(press.query, Screen(press.render("press-stale")))
            return
        name = mine[int(index)].key
        text = await _set_provider(press.update, press.context, press.render, name)
        await show(press.query, Screen(text))
        return
    if name not in PRESETS:
        await show(press.query, Screen(press.render("press-stale")))
        return
    text = await _set_provider(press.update, press.context, press.render, name)
    await show(press.query, Screen(text))


async def receive_provider_url(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    try:
        text = await _set_provider(update, context, render, message.text or "", strict=True)
    except InvalidEndpointError:
        # Still asking for a URL: the next message is the next try (or Cancel).
        await send(update, render("provider-bad-url"), _cancel_keyboard(render))
        return
    flows.end_question(context)
    await send(update, text)


async def _set_provider(
    update: Update, context: Context, render: Renderer, setting: str, *, strict: bool = False
) -> str:
    """What setting the provider led to, in a sentence.

    Raises:
        InvalidEndpointError: ``setting`` is no provider, when ``strict`` (else said).
    """
    accounts = services(context).accounts
    try:
        endpoint = await accounts.set_provider(user_id(update), setting)
    except InvalidEndpointError:
        if strict:
            raise
        return render("provider-bad-url")
    except CustomProviderRefusedError as refused:
        return render("provider-url-refused", reason=refused.reason)
    has_key = endpoint.key in await accounts.providers_with_keys(user_id(update))
    return render("provider-set", provider=endpoint.title, has_key="yes" if has_key else "no")



def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CommandHandler("provider", choose_provider), pick_provider.handler()]
