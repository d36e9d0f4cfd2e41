"""``getUpdates`` with real long polling, and the webhook calls (``setWebhook`` switches the fake
to pushing updates, see `bot.fake_telegram.webhook`)."""

from __future__ import annotations

import copy
from typing import Final, Literal

from bot.fake_telegram.errors import bad_request, conflict
from bot.fake_telegram.methods.base import by_api_name
from bot.fake_telegram.params import Params
from bot.fake_telegram.state import FakeTelegramState
from bot.fake_telegram.updates import MAX_LIMIT

_Outcome = Literal["ready", "superseded", "closing"]
_SUPERSEDED: Final = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


async def get_updates(state: FakeTelegramState, params: Params) -> object:
    """``getUpdates``: confirm by ``offset``, then answer pending updates or wait for one.

    Waits up to ``timeout`` seconds of real time and wakes as soon as an update is queued. A
    newer ``getUpdates`` ends an older one still waiting with 409, as on Telegram, so two bots
    polling one token show up as a conflict; the server's shutdown ends waits with ``[]``.
    """
    if state.webhook.active:
        raise conflict("can't use getUpdates method while webhook is active; use deleteWebhook"
                       " to delete the webhook first")
    offset = params.integer("offset")
    limit = min(max(params.integer("limit") or MAX_LIMIT, 1), MAX_LIMIT)
    timeout = max(params.number("timeout", 0.0), 0.0)
    allowed = params.json("allowed_updates", "allowed updates")
    if allowed is not None:
        if not isinstance(allowed, list) or not all(isinstance(k, str) for k in allowed):
            raise bad_request("can't parse allowed updates JSON object")
        state.updates.set_allowed(allowed)
    if offset is not None:
        state.updates.confirm(offset)
    state.poll_generation += 1
    generation = state.poll_generation
    state.changed()  # lets an older poll still waiting see it was superseded

    def outcome() -> _Outcome | None:
        if state.poll_generation != generation:
            return "superseded"
        if state.closing:
            return "closing"
        return "ready" if state.updates.pending else None

    try:
        result = await state.wait_until(outcome, timeout)
    except TimeoutError:
        result = "ready"
    if result == "superseded":
        raise conflict(_SUPERSEDED)
    return copy.deepcopy(state.updates.pending[:limit])


async def set_webhook(state: FakeTelegramState, params: Params) -> object:
    """``setWebhook``: updates are POSTed to ``url`` from now on (with ``secret_token``)."""
    url = params.string("url") or ""
    if not url:
        return await delete_webhook(state, params)
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.string("secret_token") or None
    if secret is not None and (
        len(secret) > 256 or not secret.replace("-", "").replace("_", "").isalnum()
    ):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if params.flag("drop_pending_updates"):
        state.updates.drop_pending()
    state.webhook.configure(url, secret)
    state.updates.delivery = "webhook"
    state.updates.webhook_sink = state.webhook.push
    for update in state.updates.pending:  # what waited for getUpdates goes to the webhook now
        state.webhook.push(update)
    state.updates.pending = []
    state.changed()
    return True


async def delete_webhook(state: FakeTelegramState, params: Params) -> object:
    """``deleteWebhook``: back to getUpdates; may drop pending updates."""
    if state.webhook.active:
        state.webhook.configure(None, None)
        state.updates.delivery = "queue"
    if params.flag("drop_pending_updates"):
        state.updates.drop_pending()
        state.changed()
    return True


async def get_webhook_info(state: FakeTelegramState, params: Params) -> object:
    """``getWebhookInfo``: the webhook's URL (or ""), and how many updates wait."""
    return {
        "url": state.webhook.url or "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates.pending) + state.webhook.pending,
    }


METHODS = by_api_name(get_updates, set_webhook, delete_webhook, get_webhook_info)
