"""What the fake world is made of: users, private chats, messages with their edit history,
callback queries and logged calls, each able to render itself in Bot API JSON shape."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from bot.fake_telegram.text import Entity

JSON = dict[str, Any]


@dataclass(slots=True)
class UserRecord:
    """A Telegram account: a person, or the bot itself (`is_bot`)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked_bot: bool = False
    # Telegram lets a bot write to a person only after the person wrote to it first.
    started_bot: bool = False

    def to_json(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None and not (self.is_bot and key == "language_code"):
                data[key] = value
        return data


@dataclass(frozen=True, slots=True)
class MessageContent:
    """What an edit can change; two equal contents make Telegram say "message is not modified"."""

    text: str
    entities: tuple[Entity, ...] = ()
    reply_markup: JSON | None = None
    # A person's photo, sticker…: its Bot API fields ({"photo": [...]}); `text` is the caption.
    media: JSON | None = None


@dataclass(frozen=True, slots=True)
class MessageVersion:
    """One state of a message: the original, or an edit at `edit_date`."""

    content: MessageContent
    edit_date: int | None


@dataclass(slots=True)
class MessageRecord:
    """A message in a private chat, with every version it has had.

    `history[0]` is the message as sent, `history[-1]` as it is now; `deleted_at` is set when it
    was deleted (it then is gone for both sides, but kept here for assertions).
    """

    chat_id: int
    message_id: int
    sender: UserRecord
    date: int
    history: list[MessageVersion]
    deleted_at: int | None = None

    @property
    def content(self) -> MessageContent:
        """The current content."""
        return self.history[-1].content

    @property
    def deleted(self) -> bool:
        """True once deleted."""
        return self.deleted_at is not None

    def to_json(self, chat: JSON) -> JSON:
        """The Bot API ``Message`` object, as it is now."""
        current = self.history[-1]
        data: JSON = {
            "message_id": self.message_id,
            "from": self.sender.to_json(),
            "chat": chat,
            "date": self.date,
        }
        if current.edit_date is not None:
            data["edit_date"] = current.edit_date
        if current.content.media is not None:
            data.update(copy.deepcopy(current.content.media))
            if current.content.text:
                data["caption"] = current.content.text
        else:
            data["text"] = current.content.text
            if current.content.entities:
                data["entities"] = copy.deepcopy(list(current.content.entities))
        markup = current.content.reply_markup
        if markup is not None and "inline_keyboard" in markup:
            # Only inline keyboards belong to a message; reply keyboards belong to the chat.
            data["reply_markup"] = copy.deepcopy(markup)
        return data


@dataclass(slots=True)
class ChatRecord:
    """A private chat between the bot and one person, its id the person's id; or, with a
    `group_id` and `title`, a group the bot is an administrator of (`user` is then the bot)."""

    user: UserRecord
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: list[list[str]] | None = None
    menu_button: JSON | None = None
    actions: list[str] = field(default_factory=list)
    group_id: int | None = None
    title: str | None = None

    @property
    def id(self) -> int:
        """The chat id (a private chat's equals the person's user id, as in Telegram)."""
        return self.user.id if self.group_id is None else self.group_id

    def to_json(self) -> JSON:
        """The Bot API ``Chat`` object embedded in messages."""
        if self.group_id is not None:
            return {"id": self.group_id, "type": "group", "title": self.title or "Group"}
        data: JSON = {"id": self.id, "type": "private", "first_name": self.user.first_name}
        if self.user.last_name is not None:
            data["last_name"] = self.user.last_name
        if self.user.username is not None:
            data["username"] = self.user.username
        return data

    def visible_messages(self) -> list[MessageRecord]:
        """The messages not deleted, oldest first."""
        return [m for m in self.messages.values() if not m.deleted]


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What the bot said in ``answerCallbackQuery``."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    answered_at: float


@dataclass(slots=True)
class CallbackQueryRecord:
    """A press of an inline button (or a forged one), waiting for its answer."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    pressed_at: float
    answer: CallbackAnswer | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One Bot API call as the fake saw it. The token is never kept.

    Attributes:
        index: position in the call log, from 0.
        method: the canonical method name (``sendMessage``), or the path's name if unknown.
        params: the parameters as received (strings from form bodies, values from JSON).
        status: the HTTP status answered; 499 when the client went away first.
        description: the error description, None on success.
        result: the ``result`` answered on success.
        at: the clock's time when the answer was made.
    """

    index: int
    method: str
    params: dict[str, object]
    status: int
    description: str | None
    result: object
    at: float

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.status == 200
