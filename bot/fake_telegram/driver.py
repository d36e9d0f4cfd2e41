"""`FakeUser`: a test (or a terminal chat client) acting as one person chatting with the bot.

The driver makes the updates a Telegram client would cause (a text, a button press, blocking the
bot) and shows the private chat as the person sees it now. How an update reaches the bot is the
state's delivery mode (see `bot.fake_telegram.updates`): queued for ``getUpdates``, or handed
straight to a handler and awaited. Either way each action returns once the update is delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.fake_telegram.markup import inline_rows
from bot.fake_telegram.records import (
    CallbackAnswer,
    ChatRecord,
    MessageContent,
    MessageRecord,
    UserRecord,
)
from bot.fake_telegram.state import FakeTelegramState
from bot.fake_telegram.text import find_bot_commands


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button as the person sees it, with what pressing it would do."""

    message_id: int
    row: int
    column: int
    label: str
    callback_data: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class VisibleMessage:
    """A message as the person sees it now: latest edit, no deleted messages."""

    message_id: int
    from_bot: bool
    text: str
    entities: tuple[dict[str, Any], ...]
    keyboard: tuple[tuple[Button, ...], ...]
    edited: bool
    date: int

    @property
    def buttons(self) -> list[list[str]]:
        """The inline keyboard as rows of labels."""
        return [[button.label for button in row] for row in self.keyboard]

    def find_buttons(self, label: str) -> list[Button]:
        """The buttons labelled exactly `label`."""
        return [button for row in self.keyboard for button in row if button.label == label]


def _visible(message: MessageRecord) -> VisibleMessage:
    markup = message.content.reply_markup
    keyboard = tuple(
        tuple(
            Button(
                message_id=message.message_id,
                row=row_index,
                column=column,
                label=str(button.get("text", "")),
                callback_data=button.get("callback_data"),
                url=button.get("url"),
            )
            for column, button in enumerate(row)
        )
        for row_index, row in enumerate(inline_rows(markup))
    )
    return VisibleMessage(
        message_id=message.message_id,
        from_bot=message.sender.is_bot,
        text=message.content.text,
        entities=tuple(dict(entity) for entity in message.content.entities),
        keyboard=keyboard,
        edited=len(message.history) > 1,
        date=message.date,
    )


class FakeUser:
    """One person and their private chat with the bot (or a group they write in).

    Args:
        state: the fake world.
        user: this person's record (see `FakeTelegramServer.user`).
        chat_id: the chat acted in and shown; the person's private chat by default.
    """

    __slots__ = ("_chat_id", "_state", "_user")

    def __init__(
        self, state: FakeTelegramState, user: UserRecord, chat_id: int | None = None
    ) -> None:
        self._state = state
        self._user = user
        self._chat_id = user.id if chat_id is None else chat_id

    @property
    def id(self) -> int:
        """The user id, which is also the private chat's id."""
        return self._user.id

    @property
    def record(self) -> UserRecord:
        """The person's record in the state."""
        return self._user

    @property
    def _chat(self) -> ChatRecord:
        return self._state.chats[self._chat_id]

    def in_group(self, chat_id: int = -100, title: str = "Friends") -> FakeUser:
        """The same person writing in group `chat_id` (created, with the bot, if new)."""
        self._state.add_group(chat_id, title)
        return FakeUser(self._state, self._user, chat_id)

    # -- acting ---------------------------------------------------------------------------

    async def send_text(self, text: str) -> dict[str, Any]:
        """Send a text message to the bot, as the Telegram app would.

        A ``/command`` (also ``/command@BotName``) gets its ``bot_command`` entity.

        Returns:
            The ``message`` update, already delivered (queued, or handled in direct mode).

        Raises:
            ValueError: for an empty text. RuntimeError: while the person blocks the bot.
        """
        if not text:
            raise ValueError("Telegram apps do not send empty messages")
        self._require_unblocked()
        if self._chat_id == self._user.id:
            self._user.started_bot = True
        content = MessageContent(text, tuple(find_bot_commands(text)))
        message = self._state.add_message(self._chat, self._user, content)
        return await self._state.deliver({"message": self._state.message_json(message)})

    async def send_photo(self, caption: str | None = None) -> dict[str, Any]:
        """Send a photo, with `caption` if given. Returns the delivered ``message`` update."""
        size = {"file_id": "AgAD-photo", "file_unique_id": "photo1", "width": 90, "height": 90}
        return await self._send_media({"photo": [size]}, caption or "")

    async def send_sticker(self) -> dict[str, Any]:
        """Send a sticker. Returns the delivered ``message`` update."""
        sticker = {
            "file_id": "CAAD-sticker",
            "file_unique_id": "sticker1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self._send_media({"sticker": sticker}, "")

    async def _send_media(self, media: dict[str, Any], caption: str) -> dict[str, Any]:
        self._require_unblocked()
        if self._chat_id == self._user.id:
            self._user.started_bot = True
        content = MessageContent(caption, (), None, media)
        message = self._state.add_message(self._chat, self._user, content)
        return await self._state.deliver({"message": self._state.message_json(message)})

    async def press(self, label: str, message: VisibleMessage | int | None = None) -> str:
        """Press the inline button labelled `label`.

        Args:
            label: the button's visible label, exactly.
            message: the message holding it (a view or a message id); by default the newest
                message of the bot that has such a button.

        Returns:
            The callback query's id (see `answer_for`).

        Raises:
            LookupError: no such button, or several in that message (the text says which).
            ValueError: the button is not a callback button (a URL button opens a browser).
        """
        view = self._message_with(label, message)
        found = view.find_buttons(label)
        if len(found) != 1:
            raise LookupError(
                f"{len(found)} buttons [{label}] in message #{view.message_id}; "
                f"use press_data\n{self.transcript()}"
            )
        return await self.press_button(found[0])

    async def press_button(self, button: Button) -> str:
        """Press `button` (from `buttons()` or a `VisibleMessage`); returns the query id."""
        if button.callback_data is None:
            raise ValueError(f"[{button.label}] is not a callback button")
        return await self.press_data(button.callback_data, button.message_id)

    async def press_data(self, data: str, message_id: int) -> str:
        """Send a callback query with any `data` on message `message_id` of this chat.

        This is how a forged or stale press looks to the bot: nothing checks that the data is
        on the message's keyboard.

        Returns:
            The callback query's id.
        """
        self._require_unblocked()
        message = self._chat.messages.get(message_id)
        if message is None or message.deleted:
            raise LookupError(f"no message #{message_id} in the chat of user {self.id}")
        query = self._state.add_callback_query(self._user, message, data)
        await self._state.deliver(
            {
                "callback_query": {
                    "id": query.id,
                    "from": self._user.to_json(),
                    "message": self._state.message_json(message),
                    # Telegram's opaque per-chat token; any stable string will do.
                    "chat_instance": str(self.id * 7919 % 10**18),
                    "data": data,
                }
            }
        )
        return query.id

    async def block_bot(self) -> dict[str, Any]:
        """Block the bot: sends to this chat now fail with 403. Returns the ``my_chat_member``."""
        self._user.blocked_bot = True
        return await self._member_update("member", "kicked")

    async def unblock_bot(self) -> dict[str, Any]:
        """Unblock the bot. Returns the ``my_chat_member`` update."""
        self._user.blocked_bot = False
        return await self._member_update("kicked", "member")

    async def _member_update(self, old: str, new: str) -> dict[str, Any]:
        self._state.changed()
        bot = self._state.bot.to_json()

        def member(status: str) -> dict[str, Any]:
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"user": bot, "status": status, **extra}

        return await self._state.deliver(
            {
                "my_chat_member": {
                    "chat": self._chat.to_json(),
                    "from": self._user.to_json(),
                    "date": self._state.now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def _require_unblocked(self) -> None:
        if self._user.blocked_bot:
            raise RuntimeError(f"user {self.id} has blocked the bot; call unblock_bot() first")

    def _message_with(self, label: str, message: VisibleMessage | int | None) -> VisibleMessage:
        views = self.chat()
        if message is not None:
            message_id = message if isinstance(message, int) else message.message_id
            for view in views:
                if view.message_id == message_id:
                    if not view.find_buttons(label):
                        break
                    return view
            raise LookupError(f"no button [{label}] on message #{message_id}\n{self.transcript()}")
        for view in reversed(views):
            if view.from_bot and view.find_buttons(label):
                return view
        raise LookupError(f"no button [{label}] in the chat\n{self.transcript()}")

    # -- looking --------------------------------------------------------------------------

    def chat(self) -> list[VisibleMessage]:
        """The chat as the person sees it now, oldest first."""
        return [_visible(message) for message in self._chat.visible_messages()]

    def last_bot_message(self) -> VisibleMessage | None:
        """The newest visible message from the bot, if any."""
        return next((view for view in reversed(self.chat()) if view.from_bot), None)

    def buttons(self) -> list[Button]:
        """Every inline button in the chat, oldest message first (for numbering in a console)."""
        return [
            button
            for view in self.chat()
            if view.from_bot
            for row in view.keyboard
            for button in row
        ]

    def reply_keyboard(self) -> list[list[str]] | None:
        """The reply keyboard the bot has put up, as rows of labels, or None."""
        keyboard = self._chat.reply_keyboard
        return None if keyboard is None else [list(row) for row in keyboard]

    def answer_for(self, query_id: str) -> CallbackAnswer | None:
        """What the bot answered to a press, or None if it has not (yet)."""
        query = self._state.callback_queries.get(query_id)
        return None if query is None else query.answer

    def transcript(self) -> str:
        """The chat as readable text, buttons as ``[label]``: for failure messages."""
        lines = [f"--- chat of user {self.id} ({self._user.first_name}) ---"]
        for view in self.chat():
            who = "bot" if view.from_bot else "you"
            edited = " (edited)" if view.edited else ""
            text = view.text.replace("\n", "\n      ")
            lines.append(f"#{view.message_id} {who}{edited}: {text}")
            lines.extend("      " + " ".join(f"[{label}]" for label in row) for row in view.buttons)
        keyboard = self.reply_keyboard()
        if keyboard:
            rows = " / ".join(" ".join(f"[{label}]" for label in row) for row in keyboard)
            lines.append(f"(reply keyboard: {rows})")
        if self._user.blocked_bot:
            lines.append("(the bot is blocked)")
        return "\n".join(lines)

    # -- waiting --------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[list[VisibleMessage]], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the wait's bound is part of the API
    ) -> list[VisibleMessage]:
        """Wait until `predicate(chat())` holds, waking on every change of the fake world.

        Returns:
            The chat view that satisfied it.

        Raises:
            TimeoutError: with the transcript, when `timeout` seconds pass first.
        """

        def probe() -> list[VisibleMessage] | None:
            view = self.chat()
            return view if predicate(view) else None

        try:
            return await self._state.wait_until(probe, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"condition not met within {timeout}s\n{self.transcript()}"
            ) from None

    async def wait_for_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the wait's bound is part of the API
    ) -> CallbackAnswer:
        """Wait until the bot answers callback query `query_id`.

        Raises:
            TimeoutError: with the transcript.
        """
        try:
            return await self._state.wait_until(lambda: self.answer_for(query_id), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"callback query {query_id} not answered within {timeout}s\n{self.transcript()}"
            ) from None
