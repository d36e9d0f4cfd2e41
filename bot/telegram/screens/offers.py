"""/buy's comparison across the user's providers (issue 17): rows, drop-out notes, pins.

A user with keys at one provider sees none of it. With several, the confirm screen compares the
chosen service and country at each: price, stock and (above the minimum sample) the code rate,
each row naming its provider. "Any provider" buys from the best row in stock; a pinned provider
is bought from only while it has a number (else the screen says so and offers the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton

from bot.provider import InvalidEndpointError, resolve_endpoint
from bot.services.offers import Comparison, DropReason, Offer
from bot.telegram.buttons.offers import PinOffer
from bot.telegram.context import Context
from bot.telegram.flow_types import BuyAt, BuyDraft, chosen_country, chosen_service
from bot.telegram.handlers.common import services
from bot.telegram.rendering import Renderer
from storage.code_rates import CodeRate

_DROP_MESSAGES = {
    DropReason.TIMEOUT: "offers-dropped-timeout",
    DropReason.KEY_REFUSED: "offers-dropped-key-refused",
    DropReason.KEY_UNREADABLE: "offers-dropped-key-unreadable",
    DropReason.NOT_SOLD: "offers-dropped-not-sold",
    DropReason.ERROR: "offers-dropped-error",
}


@dataclass(frozen=True, slots=True)
class Compared:
    """The comparison shown, and the row the Buy button buys from (None: none can be)."""

    comparison: Comparison
    chosen: Offer | None
    pinned: str | None


def provider_title(provider: str) -> str:
    """A provider's name for a row: a preset's title, or a URL's host with its port (two
    providers on one host stay apart)."""
    try:
        endpoint = resolve_endpoint(provider)
    except InvalidEndpointError:
        return provider
    if endpoint.name == "custom":
        return urlsplit(endpoint.url).netloc or endpoint.title
    return endpoint.title


async def compare_for(context: Context, draft: BuyDraft) -> Compared | None:
    """The comparison for the draft's service and country, or None for a user with keys at
    fewer than two providers (their confirm screen stays as it was). Records in the draft the
    rows' providers (``offers``, for the pin buttons) and where Buy buys (``buy_at``)."""
    svc = services(context)
    draft.buy_at = None
    if svc.offers is None or len(await svc.accounts.providers_with_keys(draft.user)) < 2:
        draft.offers = []
        return None
    comparison = await svc.offers.compare(
        draft.user, chosen_service(draft), chosen_country(draft), operator=draft.operator
    )
    draft.offers = [offer.provider for offer in comparison.offers]
    pinned = draft.pinned
    if pinned is None:
        chosen = comparison.best
    else:
        chosen = next(
            (o for o in comparison.offers if o.provider == pinned and o.stock > 0), None
        )
    if chosen is not None:
        draft.buy_at = BuyAt(
            provider=chosen.provider, service=chosen.service, country=chosen.country
        )
    return Compared(comparison, chosen, pinned)


def rate_text(render: Renderer, rate: CodeRate | None) -> str:
    """"✅ 92 % · ~40 s", or "" when no rate is shown (off, or below the minimum sample)."""
    if rate is None:
        return ""
    percent = str(round(rate.rate * 100))
    if rate.median_seconds is None:
        return str(render("offers-rate", percent=percent))
    return str(render("offers-rate-time", percent=percent, seconds=str(round(rate.median_seconds))))


def comparison_lines(render: Renderer, compared: Compared) -> list[str]:
    """One line per provider (the chosen one marked), then a note per provider left out."""
    lines = [str(render("offers-heading"))]
    chosen = compared.chosen.provider if compared.chosen is not None else None
    for offer in compared.comparison.offers:
        rate = rate_text(render, offer.code_rate)
        lines.append(
            str(
                render(
                    "offers-row",
                    mark="▶" if offer.provider == chosen else "•",
                    provider=provider_title(offer.provider),
                    price=render.money(offer.price),
                    stock=str(offer.stock),
                    rate=(" · " + rate) if rate else "",
                )
            )
        )
    for dropout in compared.comparison.dropouts:
        lines.append(
            str(render(_DROP_MESSAGES[dropout.reason], provider=provider_title(dropout.provider)))
        )
    if compared.chosen is None and compared.pinned is None:
        lines.append(str(render("offers-none-buyable")))
    elif compared.chosen is None:
        pinned = provider_title(compared.pinned or "")
        lines.append(str(render("offers-pinned-none", provider=pinned)))
    elif compared.pinned is None:
        lines.append(str(render("offers-buying-best", provider=provider_title(chosen or ""))))
    else:
        lines.append(str(render("offers-buying-pinned", provider=provider_title(chosen or ""))))
    return lines


def pin_rows(render: Renderer, compared: Compared) -> list[list[InlineKeyboardButton]]:
    """"Any provider" and one button per row in stock; the current choice ticked."""
    any_label = render.translator.t(render.locale, "offers-any-provider")
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if compared.pinned is None else "") + any_label,
                callback_data=PinOffer(-1).pack(),
            )
        ]
    ]
    buttons = [
        InlineKeyboardButton(
            ("✓ " if offer.provider == compared.pinned else "📌 ")
            + provider_title(offer.provider)[:24],
            callback_data=PinOffer(index).pack(),
        )
        for index, offer in enumerate(compared.comparison.offers)
        if offer.stock > 0
    ]
    rows.extend(buttons[i : i + 2] for i in range(0, len(buttons), 2))
    return rows
