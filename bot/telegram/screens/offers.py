"""The comparison across the user's providers (issue 17) on the confirm screens of /buy,
/rent and /multi, and in /prices: rows, drop-out notes, pins.

A user with keys at one provider sees none of it. With several, the confirm screen compares the
chosen service(s) and country (and a rent's duration) at each: price, stock and (above the
minimum sample, /buy only) the code rate, each row naming its provider. "Any provider" buys
from the best row in stock; a pinned provider is bought from only while it has a number (else
the screen says so and offers the others). Where Buy buys is kept in the draft (``buy_at``: the
provider and its own codes), and the confirm handler pays there.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.provider import InvalidEndpointError, ProviderClient, resolve_endpoint
from bot.provider.models import Price
from bot.services.accounts import AccountService
from bot.services.offer_model import Comparison, DropReason, Offer
from bot.services.offers import OfferService
from bot.telegram.buttons.offers import PinMultiOffer, PinOffer, PinRentOffer
from bot.telegram.buttons.shapes import digest
from bot.telegram.callbacks import CallbackData
from bot.telegram.context import Context
from bot.telegram.flow_types import (
    BuyAt,
    BuyDraft,
    CatalogueDraft,
    MultiDraft,
    PricesDraft,
    RentDraft,
    chosen_country,
    chosen_service,
)
from bot.telegram.handlers.common import services
from bot.telegram.rendering import Html, Renderer, Screen
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
    title: Callable[[str], str]  # a row's provider as the rows name it (provider_name)


def title_for(context: Context, provider: str) -> str:
    """A provider's name in a menu: :func:`provider_name` with the user's accounts."""
    return provider_name(services(context).accounts, provider)


def provider_name(accounts: AccountService, provider: str) -> str:
    """A provider's name: the operator's name for it (the console's demo providers), else
    :func:`provider_title`."""
    return accounts.title_of(provider) or provider_title(provider)


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
    """/buy's comparison for the draft's service and country (see :func:`_compared`)."""
    return await _compared(
        context,
        draft,
        draft.user,
        lambda offers: offers.compare(
            draft.user, chosen_service(draft), chosen_country(draft), operator=draft.operator
        ),
    )


async def _compared(
    context: Context,
    draft: CatalogueDraft,
    user: int | None,
    compare: Callable[[OfferService], Awaitable[Comparison]],
) -> Compared | None:
    """The comparison ``compare`` makes, or None for a user with keys at fewer than two
    providers (their confirm screen stays as it was). Records in the draft the rows'
    providers (``offers``, for the pin buttons) and where Buy buys (``buy_at``)."""
    svc = services(context)
    # Where Buy buys is decided again: the screen drawn before no longer says it, so its
    # button must not pay (here, or as this screen's dead end, its old price elsewhere). A
    # screen that offers a Buy mints its own token.
    draft.buy_at, draft.token = None, None
    if svc.offers is None or user is None or len(await svc.accounts.providers_with_keys(user)) < 2:
        draft.offers = []
        return None
    comparison = await compare(svc.offers)
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
            provider=chosen.provider, service=chosen.service, country=chosen.country,
            services=list(chosen.services),
        )
    return Compared(comparison, chosen, pinned, functools.partial(title_for, context))


def pin(draft: BuyDraft | RentDraft | MultiDraft, index: int, check: str) -> bool:
    """Pins the comparison's row ``index`` (-1: any provider again) on a confirm screen;
    False for a press that does not fit the draft (an older screen's, its rows since
    reordered: ``check`` names another provider)."""
    providers = draft.offers
    if draft.step != "confirm" or not -1 <= index < len(providers):
        return False
    if index >= 0 and check != digest(providers[index]):
        return False
    draft.pinned = None if index < 0 else providers[index]
    return True


@dataclass(frozen=True, slots=True)
class Offering:
    """A confirm screen's comparison drawn: its lines, its pin buttons, and the client of the
    provider Buy buys at with that provider's codes (``client`` None: no row can be bought)."""

    lines: list[str]
    pins: list[list[InlineKeyboardButton]]
    client: ProviderClient | None
    offer: Offer | None
    title: str = ""  # the chosen provider's name

    def dead_end(self, back: list[InlineKeyboardButton]) -> Screen:
        """No row can be bought: the comparison says why; pins, Back and Cancel stay."""
        return Screen(Html("\n".join(self.lines)), InlineKeyboardMarkup([*self.pins, back]))

    def priced(self, render: Renderer) -> Renderer:
        """The reader's renderer, its amounts in the chosen provider's currency."""
        currency = self.offer.currency if self.offer is not None else None
        return render if currency is None else in_currency(render, currency)

    def under(self, render: Renderer, text: str) -> Html:
        """The confirm text with the provider it buys at and the comparison beneath."""
        assert self.client is not None
        provider = render("offers-provider-line", provider=self.title)
        return Html("\n".join([text, provider, *self.lines]))


async def _offering(
    context: Context,
    render: Renderer,
    user: int,
    compared: Compared | None,
    pin_button: Callable[[int, str], CallbackData],
) -> Offering | None:
    if compared is None:
        return None
    lines, pins = comparison_lines(render, compared), pin_rows(render, compared, pin_button)
    chosen = compared.chosen
    client = None if chosen is None else await services(context).accounts.client_for_provider(
        user, chosen.provider
    )
    title = compared.title(chosen.provider) if chosen is not None else ""
    return Offering(lines, pins, client, chosen if client is not None else None, title)


async def rent_offering(context: Context, render: Renderer, draft: RentDraft) -> Offering | None:
    """/rent's confirm screen: the rent for the draft's duration at each provider; None with
    one provider."""
    hours = draft.hours
    assert hours is not None, "set by the hours step"
    compared = await _compared(
        context,
        draft,
        draft.user,
        lambda offers: offers.compare_rent(
            draft.user, chosen_service(draft), chosen_country(draft), hours,
            operator=draft.operator,
        ),
    )
    return await _offering(context, render, draft.user, compared, PinRentOffer)


async def multi_offering(context: Context, render: Renderer, draft: MultiDraft) -> Offering | None:
    """/multi's confirm screen: one number for all the chosen services at each provider; None
    with one provider."""
    user = draft.user
    compared = await _compared(
        context,
        draft,
        user,
        lambda offers: offers.compare_multi(user or 0, list(draft.selected), chosen_country(draft)),
    )
    return await _offering(context, render, user or 0, compared, PinMultiOffer)


@dataclass(frozen=True, slots=True)
class PaidAt:
    """Where a confirmed purchase pays: the provider (None: the user's current one), its
    country id and its code for each of the draft's (canonical) service codes."""

    provider: str | None
    country: int
    codes: dict[str, str]

    def code(self, canonical: str) -> str:
        return self.codes.get(canonical, canonical)


def paid_at(draft: CatalogueDraft, canonical: list[str]) -> PaidAt:
    """Where the draft's confirm pays, for the services ``canonical`` (in the draft's order)."""
    at = draft.buy_at
    if at is None:
        return PaidAt(None, chosen_country(draft), {})
    codes = dict(zip(canonical, at.services or [at.service], strict=False))
    return PaidAt(at.provider, at.country, codes)


async def prices_across(
    context: Context,
    render: Renderer,
    draft: PricesDraft | None,
    pick: tuple[str, str],
    shown: Sequence[Price],
    lines: Sequence[Html],
) -> list[Html]:
    """/prices with keys at several providers: under each line of the page, every provider's
    price and stock there (the best in stock marked ▶), then a note per provider left out.
    ``pick`` is the table's (``"s"``, service code) or (``"c"``, country id). Read-only:
    nothing is recorded for a purchase (its Buy opens /buy, which compares again)."""
    svc = services(context)
    user = draft.user if draft is not None else None
    if svc.offers is None or user is None or len(await svc.accounts.providers_with_keys(user)) < 2:
        return list(lines)
    by, key = pick
    if by == "s":
        listing = await svc.offers.compare_countries(user, key)
    else:
        listing = await svc.offers.compare_services(user, int(key))
    title = functools.partial(title_for, context)
    merged: list[Html] = []
    for price, line in zip(shown, lines, strict=False):
        merged.append(line)
        offers = listing.rows.get(str(price.country) if by == "s" else price.service, ())
        best = next((o for o in offers if o.stock > 0), None)
        entries = [
            render(
                "offers-prices-entry",
                mark="▶ " if offer is best else "",
                provider=title(offer.provider),
                price=row_money(render, offer),
                stock=str(offer.stock),
            )
            for offer in offers
        ]
        if entries:
            merged.append(render("offers-prices-line", rows=Html(" · ".join(entries))))
    for dropout in listing.dropouts:
        merged.append(render(_DROP_MESSAGES[dropout.reason], provider=title(dropout.provider)))
    return merged


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
                    provider=compared.title(offer.provider),
                    price=row_money(render, offer),
                    stock=str(offer.stock),
                    rate=(" · " + rate) if rate else "",
                )
            )
            + (str(render("offers-other-currency")) if offer.foreign else "")
        )
    for dropout in compared.comparison.dropouts:
        lines.append(
            str(render(_DROP_MESSAGES[dropout.reason], provider=compared.title(dropout.provider)))
        )
    if compared.chosen is None and compared.pinned is None:
        lines.append(str(render("offers-none-buyable")))
    elif compared.chosen is None:
        pinned = compared.title(compared.pinned or "")
        lines.append(str(render("offers-pinned-none", provider=pinned)))
    elif compared.pinned is None:
        lines.append(str(render("offers-buying-best", provider=compared.title(chosen or ""))))
    else:
        lines.append(str(render("offers-buying-pinned", provider=compared.title(chosen or ""))))
    return lines


def row_money(render: Renderer, offer: Offer) -> str:
    """A row's price in its provider's currency (the reader's renderer shows the current
    provider's)."""
    if offer.currency is None or offer.currency == render.currency:
        return render.money(offer.price)
    return in_currency(render, offer.currency).money(offer.price)


def in_currency(render: Renderer, currency: str) -> Renderer:
    """``render`` with its amounts in ``currency``."""
    if render.currency == currency:
        return render
    priced = copy.copy(render)
    priced.currency = currency
    return priced


def pin_rows(
    render: Renderer,
    compared: Compared,
    pin_button: Callable[[int, str], CallbackData] = PinOffer,
) -> list[list[InlineKeyboardButton]]:
    """"Any provider" and one button per row in stock; the current choice ticked."""
    any_label = render.translator.t(render.locale, "offers-any-provider")
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if compared.pinned is None else "") + any_label,
                callback_data=pin_button(-1, "").pack(),
            )
        ]
    ]
    buttons = [
        InlineKeyboardButton(
            ("✓ " if offer.provider == compared.pinned else "📌 ")
            + compared.title(offer.provider)[:24],
            callback_data=pin_button(index, digest(offer.provider)).pack(),
        )
        for index, offer in enumerate(compared.comparison.offers)
        if offer.stock > 0
    ]
    rows.extend(buttons[i : i + 2] for i in range(0, len(buttons), 2))
    return rows
