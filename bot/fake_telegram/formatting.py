"""A message's text as Telegram stores it: parse mode applied, trimmed, and held to its limits."""

from __future__ import annotations

from typing import Final

from bot.fake_telegram.errors import bad_request
from bot.fake_telegram.html_parser import parse_html
from bot.fake_telegram.text import Entity, trim_text, utf16_len

MAX_TEXT_LENGTH: Final = 4096  # UTF-16 code units, after entity parsing

_ENTITY_TYPES: Final = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
     "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
     "code", "pre", "text_link", "text_mention", "custom_emoji"}
)  # fmt: skip


def _explicit_entities(raw: object, text_length: int) -> list[Entity]:
    """Entities passed as the ``entities`` parameter instead of a parse mode."""
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    entities: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in _ENTITY_TYPES:
            raise bad_request("can't parse MessageEntity JSON object")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request("can't parse MessageEntity JSON object")
        if offset < 0 or length <= 0 or offset + length > text_length:
            continue  # Telegram silently drops entities that fall outside the text
        entities.append(dict(item))
    return entities


def format_text(
    text: str | None,
    parse_mode: str | None,
    entities: object = None,
    *,
    strict_ampersand: bool = True,
) -> tuple[str, list[Entity]]:
    """Turn the ``text``/``parse_mode``/``entities`` parameters into what the user sees.

    Args:
        text: the raw ``text`` parameter.
        parse_mode: ``HTML`` (any case), or None/empty for plain text.
        entities: the decoded ``entities`` parameter, used only without a parse mode.
        strict_ampersand: see `parse_html`.

    Returns:
        The plain text, trimmed of outer whitespace, and its entities (UTF-16 offsets).

    Raises:
        ApiError: ``message text is empty``, ``unsupported parse_mode``,
            ``can't parse entities: ...``, ``message is too long``,
            ``text must be encoded in UTF-8``.
    """
    if not text:
        raise bad_request("message text is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("text must be encoded in UTF-8") from None
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, found = parse_html(text, strict_ampersand=strict_ampersand)
    elif mode:
        # This fake speaks HTML only; smsbot never sends Markdown, so any other mode is a bug.
        raise bad_request("unsupported parse_mode")
    else:
        plain = text
        found = [] if entities is None else _explicit_entities(entities, utf16_len(text))
    plain, found = trim_text(plain, found)
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return plain, found
