"""The fake Telegram world: people, their chats with the bot, updates, queries, commands, calls.

`FakeTelegramState` is plain data plus the few operations that keep it consistent (numbering
messages, recording edits, logging calls) and a change notifier that wakes every waiter. The
Bot API methods (`bot.fake_telegram.methods`) and the driver (`bot.fake_telegram.driver`) both
work on it; neither talks to the other.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any, Final, TypeVar

from bot.core.clock import Clock, SystemClock
from bot.fake_telegram.errors import bad_request, forbidden
from bot.fake_telegram.records import (
    CallbackQueryRecord,
    CallRecord,
    ChatRecord,
    MessageContent,
    MessageRecord,
    MessageVersion,
    UserRecord,
)
from bot.fake_telegram.updates import Delivery, UpdateHandler, UpdateQueue
from bot.fake_telegram.waiting import ChangeNotifier
from bot.fake_telegram.webhook import WebhookPusher

T = TypeVar("T")

DEFAULT_BOT_ID: Final = 5_000_000_001
DEFAULT_CALLBACK_TIMEOUT: Final = 15.0
_FIRST_QUERY_ID: Final = 4_000_000_000_000_000_000


class FakeTelegramState:
    """Everything the fake Bot API knows, for one bot.

    Args:
        bot_id: the bot's user id (Telegram's is the number before the token's colon).
        bot_username: the bot's @username, without the @.
        bot_first_name: the bot's display name.
        clock: the source of message dates, callback-query ages and flood windows.
        callback_timeout: seconds after a press when ``answerCallbackQuery`` stops working.
        strict_ampersand: reject a bare ``&`` in HTML text (Telegram keeps it; see html_parser).

    Attributes:
        bot: the bot's own account.
        users: people by id; chats: their private chats with the bot, by chat id (= user id).
        updates: the update queue and delivery mode.
        callback_queries: every press, by query id.
        commands: ``setMyCommands`` lists by (scope as canonical JSON, language code).
        calls: the call log, oldest first; call_counts: calls per method name.
    """

    def __init__(
        self,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = "smsbot_fake_bot",
        bot_first_name: str = "smsbot",
        clock: Clock | None = None,
        callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT,
        strict_ampersand: bool = True,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.bot = UserRecord(bot_id, bot_first_name, username=bot_username, is_bot=True)
        self.callback_timeout = callback_timeout
        self.strict_ampersand = strict_ampersand
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.updates = UpdateQueue()
        self.webhook = WebhookPusher()
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.default_menu_button: dict[str, Any] | None = None
        self.calls: list[CallRecord] = []
        self.call_counts: Counter[str] = Counter()
        # When each chat last sent the bot an update (the flood model's "answered" chats).
        self.active_at: dict[int, float] = {}
        # getUpdates bookkeeping: a newer poll terminates an older one, as Telegram does.
        self.poll_generation = 0
        self.closing = False
        self._next_query = _FIRST_QUERY_ID
        self._notifier = ChangeNotifier()

    # -- time and change ------------------------------------------------------------------

    def now(self) -> int:
        """The clock's time as a Telegram date (whole Unix seconds)."""
        return int(self.clock.now())

    def changed(self) -> None:
        """Wake everyone waiting on the state; call after every mutation."""
        self._notifier.notify()

    async def wait_until(
        self,
        probe: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 - the wait's bound is part of the API
    ) -> T:
        """Wait, waking on changes, until `probe()` gives a value (not None/False).

        Raises:
            TimeoutError: after `timeout` seconds of real time.
        """
        return await self._notifier.wait_until(probe, timeout)

    async def wait_for_change(
        self,
        timeout: float,  # noqa: ASYNC109 - the wait's bound is part of the API
    ) -> bool:
        """Wait for the next change of any kind; False if `timeout` passed first."""
        return await self._notifier.wait_next(timeout)

    # -- people and chats -----------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> UserRecord:
        """Create a person and their private chat with the bot; an existing id is returned as is."""
        if user_id in self.users:
            return self.users[user_id]
        if user_id <= 0 or user_id == self.bot.id:
            raise ValueError(f"a person needs a positive id other than the bot's, not {user_id}")
        user = UserRecord(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        self.chats[user_id] = ChatRecord(user)
        self.changed()
        return user

    def add_group(self, chat_id: int, title: str) -> ChatRecord:
        """Create a group (negative id) with the bot in it as an administrator; an existing
        one is returned as is. Any person may write in it."""
        if chat_id >= 0:
            raise ValueError(f"a group's id is negative, not {chat_id}")
        if chat_id not in self.chats:
            self.chats[chat_id] = ChatRecord(self.bot, group_id=chat_id, title=title)
            self.changed()
        return self.chats[chat_id]

    def require_chat(self, chat_id: int | None) -> ChatRecord:
        """The chat `chat_id` names.

        Raises:
            ApiError: ``chat not found``.
        """
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def require_writable(self, chat: ChatRecord) -> None:
        """Check the bot may send to `chat` now.

        Raises:
            ApiError: 403 ``bot was blocked by the user``, or ``bot can't initiate conversation
                with a user`` when the person never wrote to the bot.
        """
        if chat.group_id is not None:
            return
        if chat.user.blocked_bot:
            raise forbidden("bot was blocked by the user")
        if not chat.user.started_bot:
            raise forbidden("bot can't initiate conversation with a user")

    # -- messages -------------------------------------------------------------------------

    def add_message(
        self, chat: ChatRecord, sender: UserRecord, content: MessageContent
    ) -> MessageRecord:
        """Append a message to `chat` with the next message id (shared by both directions)."""
        message = MessageRecord(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            sender=sender,
            date=self.now(),
            history=[MessageVersion(content, None)],
        )
        chat.messages[message.message_id] = message
        chat.next_message_id += 1
        self.changed()
        return message

    def edit_message(self, message: MessageRecord, content: MessageContent) -> None:
        """Record a new version of `message`."""
        message.history.append(MessageVersion(content, self.now()))
        self.changed()

    def delete_message(self, message: MessageRecord) -> None:
        """Mark `message` deleted; it stays in the chat's record for assertions."""
        message.deleted_at = self.now()
        self.changed()

    def message_json(self, message: MessageRecord) -> dict[str, Any]:
        """`message` as a Bot API ``Message``."""
        return message.to_json(self.chats[message.chat_id].to_json())

    # -- callback queries -----------------------------------------------------------------

    def add_callback_query(
        self, user: UserRecord, message: MessageRecord, data: str
    ) -> CallbackQueryRecord:
        """Record a press on `message` by `user`, with a fresh query id."""
        query = CallbackQueryRecord(
            id=str(self._next_query),
            user_id=user.id,
            chat_id=message.chat_id,
            message_id=message.message_id,
            data=data,
            pressed_at=self.clock.now(),
        )
        self._next_query += 1
        self.callback_queries[query.id] = query
        self.changed()
        return query

    # -- updates --------------------------------------------------------------------------

    @property
    def delivery(self) -> Delivery:
        """How new updates reach the bot: "queue" (getUpdates) or "direct"."""
        return self.updates.delivery

    def deliver_by_queue(self) -> None:
        """Queue new updates for ``getUpdates`` (the default)."""
        self.updates.delivery = "queue"
        self.updates.direct_handler = None

    def deliver_directly(self, handler: UpdateHandler | None = None) -> None:
        """Stop queueing new updates; the driver returns them, and awaits `handler` if given."""
        self.updates.delivery = "direct"
        self.updates.direct_handler = handler

    async def deliver(self, body: dict[str, Any]) -> dict[str, Any]:
        """Number an update (``{"message": {...}}`` and the like) and deliver it.

        Returns:
            A copy of the full update dict, ``update_id`` included.
        """
        update = self.updates.number(body)
        chat_id = _chat_of(body)
        if chat_id is not None:
            self.active_at[chat_id] = self.clock.now()
        self.changed()
        handler = self.updates.direct_handler
        if self.updates.delivery == "direct" and handler is not None:
            await handler(copy.deepcopy(update))
        return copy.deepcopy(update)

    # -- the call log ---------------------------------------------------------------------

    def log_call(
        self,
        method: str,
        params: dict[str, object],
        status: int,
        description: str | None,
        result: object,
    ) -> CallRecord:
        """Append a call to the log and wake waiters."""
        record = CallRecord(
            index=len(self.calls),
            method=method,
            params=params,
            status=status,
            description=description,
            result=copy.deepcopy(result),
            at=self.clock.now(),
        )
        self.calls.append(record)
        self.call_counts[method] += 1
        self.changed()
        return record

    def calls_to(self, method: str, *, after: int = 0) -> list[CallRecord]:
        """The logged calls of `method` at log index `after` or later."""
        return [call for call in self.calls[after:] if call.method == method]

    def call_mark(self) -> int:
        """The log position the next call will take; pass it as ``after`` to wait for new calls."""
        return len(self.calls)

    async def wait_for_call(
        self,
        method: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the wait's bound is part of the API
        *,
        after: int = 0,
    ) -> CallRecord:
        """Wait for the first call of `method` at log index `after` or later, and return it.

        Raises:
            TimeoutError: naming the method and listing the calls seen.
        """
        try:
            return await self.wait_until(
                lambda: next(iter(self.calls_to(method, after=after)), None), timeout
            )
        except TimeoutError:
            seen = ", ".join(call.method for call in self.calls[after:]) or "none"
            raise TimeoutError(
                f"no {method} call within {timeout}s (calls since #{after}: {seen})"
            ) from None


def _chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update comes from (a message's, or a pressed button's message's)."""
    for kind in ("message", "edited_message", "callback_query"):
        body = update.get(kind)
        if not isinstance(body, dict):
            continue
        message = body.get("message", body) if kind == "callback_query" else body
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = body.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None
