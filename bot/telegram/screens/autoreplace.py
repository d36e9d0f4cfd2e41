"""Auto-replace ("keep trying") on screens: the setup under /buy's confirm, and a run's card.

The setup names the tries, the wait for a code per try and the total the run may spend (the
tries times the dearest row in stock), confirmed once with the confirm screen's token. The
card is one message per run, redrawn at each change: "try 2 of 3 · HeroSMS · Indonesia ·
11.25", the number, and Stop while it runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from telegram import InlineKeyboardMarkup

from bot.provider import ProviderError
from bot.services.account_errors import AccountError
from bot.services.autoreplace import OVER_MAX_PRICE
from bot.services.container import Services
from bot.telegram.buttons.buy import BuyNavigation
from bot.telegram.buttons.offers import KeepTrying, StartRun, StopRun
from bot.telegram.flow_types import BuyDraft, KeepSetup
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.screens.offers import provider_name
from storage.autoreplace import Run, RunState

TRIES: Final = (2, 3, 4, 5)
WAITS: Final = (120, 180, 300, 600)  # seconds a number is given for its code
DEFAULT_TRIES: Final = 3
DEFAULT_WAIT: Final = 180
_CHOICES: Final = frozenset((tries, wait) for tries in TRIES for wait in WAITS)

_ENDED = {
    RunState.SUCCEEDED: "autoreplace-card-code",
    RunState.CANCELLED: "autoreplace-card-cancelled",
    RunState.EXHAUSTED: "autoreplace-card-exhausted",
    RunState.CAPPED: "autoreplace-card-capped",
    RunState.FAILED: "autoreplace-card-failed",
}


def setup_of(draft: BuyDraft) -> KeepSetup:
    """The draft's keep-trying choices (tries, wait), defaults on first sight."""
    keep = draft.keep
    if keep is None or (keep.tries, keep.wait) not in _CHOICES:
        keep = KeepSetup(tries=DEFAULT_TRIES, wait=DEFAULT_WAIT)
        draft.keep = keep
    return keep


def cycle(values: tuple[int, ...], current: int) -> int:
    return values[(values.index(current) + 1) % len(values)]


def run_cap(draft: BuyDraft) -> Decimal:
    """What the run may spend in all: the tries times the dearest price it may buy at."""
    assert draft.keep_price is not None, "a confirm screen sets it"
    per_number = draft.keep_price
    if draft.max_price is not None:  # no step buys above the user's max price
        per_number = min(per_number, draft.max_price)
    return per_number * setup_of(draft).tries


def setup_screen(render: Renderer, draft: BuyDraft) -> Screen:
    keep = setup_of(draft)
    cap = render.money(run_cap(draft))
    text = render(
        "autoreplace-setup",
        service=draft.service_name,
        country=draft.country_name,
        tries=str(keep.tries),
        minutes=str(keep.wait // 60),
        cap=cap,
    )
    if draft.max_price is not None:
        limit = render("autoreplace-setup-max-price", max=render.money(draft.max_price))
        text = Html(f"{text}\n{limit}")
    assert draft.token is not None, "the setup is shown from a live confirm screen"
    rows = [
        [
            render.button("autoreplace-tries-button", KeepTrying("tries"), tries=str(keep.tries)),
            render.button(
                "autoreplace-wait-button", KeepTrying("wait"), minutes=str(keep.wait // 60)
            ),
        ],
        [render.button("autoreplace-start-button", StartRun(draft.token), cap=cap)],
        [
            render.button("button-back", BuyNavigation("confirm")),
            render.button("button-cancel", BuyNavigation("abort")),
        ],
    ]
    return Screen(text, InlineKeyboardMarkup(rows))


async def run_card(svc: Services, render: Renderer, run: Run) -> Screen:
    """The run's card as it stands: the try, where and what it costs, the number; Stop while
    the run goes on."""
    country = await _country_name(svc, render, run)
    lines = []
    if run.step_provider is not None and run.tries:
        lines.append(
            str(
                render(
                    "autoreplace-card-try",
                    attempt=str(run.tries),
                    tries=str(run.max_tries),
                    provider=provider_name(svc.accounts, run.step_provider),
                    country=country,
                    price=render.money(run.step_price),
                )
            )
        )
    row = None if run.step_ledger_id is None else await svc.activations.get(run.step_ledger_id)
    if run.state is RunState.RUNNING:
        if row is not None and row.phone:
            minutes = str(max(1, round(run.wait_seconds / 60)))
            lines.append(str(render("autoreplace-card-waiting", phone=row.phone, minutes=minutes)))
        else:
            lines.append(str(render("autoreplace-card-buying")))
        keyboard = InlineKeyboardMarkup(
            [[render.button("autoreplace-stop-button", StopRun(run.run_id))]]
        )
        return Screen(Html("\n".join(lines)), keyboard)
    over_max = run.state is RunState.FAILED and run.stop_reason == OVER_MAX_PRICE
    lines.append(
        str(
            render(
                "autoreplace-card-over-max" if over_max else _ENDED[run.state],
                max=render.money(run.max_price),
                phone=row.phone if row is not None and row.phone else "",
                tries=str(run.tries),
                cap=render.money(run.spend_cap),
            )
        )
    )
    return Screen(Html("\n".join(lines)))


async def _country_name(svc: Services, render: Renderer, run: Run) -> str:
    """The country's name from the step provider's catalogue (cached), else its id."""
    if run.step_provider is not None:
        try:
            client = await svc.accounts.client_for_provider(run.user_id, run.step_provider)
            if client is not None:
                country = (await svc.catalog.countries(client)).get(run.country)
                if country is not None:
                    return country.name(render.locale)
        except (AccountError, ProviderError):  # a name is not worth a failed card
            pass
    return f"#{run.country}"
