"""The update queue behind ``getUpdates``, and the two ways updates reach a bot.

Every update the driver makes gets an ``update_id`` and lands in `history`. Then:

* **queue** delivery (the default): it also waits in `pending` until a ``getUpdates`` call with a
  higher ``offset`` confirms it, exactly as Telegram keeps unconfirmed updates. This is how a bot
  with real long polling (a subprocess, or an in-process `Updater`) sees it.
* **webhook** delivery (after ``setWebhook``): it is POSTed to the webhook, one queue per chat
  or user, each waiting for a 200 before its next update (`bot.fake_telegram.webhook`).
* **direct** delivery: it is not queued. If a handler was given (for instance
  `bot.fake_telegram.ptb.process_with(application)`), the driver awaits the handler with the
  update dict, so the bot has handled it when the driver's call returns; either way the driver
  returns the dict to the test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final, Literal

UpdateHandler = Callable[[dict[str, Any]], Awaitable[None]]
Delivery = Literal["queue", "direct", "webhook"]

# Telegram's default when allowed_updates is empty or never set.
_DEFAULT_EXCLUDED: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_LIMIT: Final = 100


def update_type(update: dict[str, Any]) -> str:
    """The update's kind: the one key besides ``update_id`` (``message``, ``callback_query``...)."""
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Numbered updates, the pending ones, and the ``allowed_updates`` filter."""

    __slots__ = (
        "_allowed", "_next_id", "delivery", "direct_handler", "history", "pending", "webhook_sink"
    )

    def __init__(self, first_update_id: int = 1) -> None:
        self._next_id = first_update_id
        self._allowed: frozenset[str] | None = None
        self.history: list[dict[str, Any]] = []
        self.pending: list[dict[str, Any]] = []
        self.delivery: Delivery = "queue"
        self.direct_handler: UpdateHandler | None = None
        self.webhook_sink: Callable[[dict[str, Any]], None] | None = None

    def number(self, body: dict[str, Any]) -> dict[str, Any]:
        """Give `body` (one update kind and its object) the next ``update_id`` and record it.

        Returns:
            The full update dict. Queued when delivery is "queue" and the kind is allowed.
        """
        update = {"update_id": self._next_id, **body}
        self._next_id += 1
        self.history.append(update)
        if self.delivery == "queue" and self._is_allowed(update_type(update)):
            self.pending.append(update)
        elif self.delivery == "webhook" and self._is_allowed(update_type(update)):
            assert self.webhook_sink is not None
            self.webhook_sink(update)
        return update

    def _is_allowed(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in _DEFAULT_EXCLUDED
        return kind in self._allowed

    def set_allowed(self, kinds: Iterable[str]) -> None:
        """Apply ``allowed_updates``; Telegram keeps it until the next call that sets it.

        An empty list means the default: everything but chat_member and reactions.
        """
        chosen = frozenset(kinds)
        self._allowed = chosen or None

    def confirm(self, offset: int) -> None:
        """Apply a ``getUpdates`` offset: drop pending updates it confirms.

        A positive offset confirms every update with a smaller id; a negative one keeps only the
        last ``-offset`` updates, as Telegram does.
        """
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def drop_pending(self) -> None:
        """Forget every pending update (``deleteWebhook(drop_pending_updates=True)``)."""
        self.pending.clear()
