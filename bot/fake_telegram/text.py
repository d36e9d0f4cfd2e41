"""Text as Telegram measures it: UTF-16 offsets, outer-whitespace trimming, bot-command detection.

Telegram counts every offset, length and limit in UTF-16 code units, so an emoji outside the
Basic Multilingual Plane counts as two. Entities are plain JSON dicts in Bot API shape
(``{"type": "bold", "offset": 0, "length": 4}``) so they can be sent back unchanged.
"""

from __future__ import annotations

from typing import Any, Final

Entity = dict[str, Any]

# TDLib trims these from both ends of a message before storing it.
_TRIM_CHARACTERS: Final = " \t\n\r\v\f"
_COMMAND_MAX: Final = 64
_USERNAME_MIN: Final = 3
_USERNAME_MAX: Final = 32


def utf16_len(text: str) -> int:
    """The length of `text` in UTF-16 code units, Telegram's unit for offsets and limits."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring of `text` at a UTF-16 `offset` and `length` (what an entity covers)."""
    units = text.encode("utf-16-le")
    return units[2 * offset : 2 * (offset + length)].decode("utf-16-le", errors="replace")


def trim_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip outer whitespace as Telegram does, moving and clipping entities to match.

    Returns:
        The trimmed text and its entities; entities left empty by the cut are dropped.
    """
    stripped_left = text.lstrip(_TRIM_CHARACTERS)
    left = utf16_len(text) - utf16_len(stripped_left)
    trimmed = stripped_left.rstrip(_TRIM_CHARACTERS)
    end = utf16_len(trimmed)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        stop = min(entity["offset"] + entity["length"] - left, end)
        if stop > start:
            result.append({**entity, "offset": start, "length": stop - start})
    return trimmed, result


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _blocks_command(char: str) -> bool:
    # TDLib's find_bot_commands: a command may not touch a word character, '/', '<' or '>'.
    return _is_word(char) or char in "/<>"


def find_bot_commands(text: str) -> list[Entity]:
    """The ``bot_command`` entities Telegram attaches to a text, as TDLib finds them.

    A command is ``/`` plus 1-64 of ``[A-Za-z0-9_]``, optionally ``@username`` (3-32 of the same),
    not glued to a word character, ``/``, ``<`` or ``>`` on either side. Offsets are UTF-16.
    """
    entities: list[Entity] = []
    index = 0
    while index < len(text):
        if text[index] != "/" or (index > 0 and _blocks_command(text[index - 1])):
            index += 1
            continue
        end = index + 1
        while end < len(text) and text[end].isascii() and _is_word(text[end]):
            end += 1
        size = end - index - 1
        if size == 0 or size > _COMMAND_MAX:
            index = end if size else index + 1
            continue
        if end < len(text) and text[end] == "@":
            name_end = end + 1
            while name_end < len(text) and text[name_end].isascii() and _is_word(text[name_end]):
                name_end += 1
            if not _USERNAME_MIN <= name_end - end - 1 <= _USERNAME_MAX:
                index = name_end
                continue
            end = name_end
        if end < len(text) and _blocks_command(text[end]):
            index = end
            continue
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[:index]),
                "length": utf16_len(text[index:end]),
            }
        )
        index = end
    return entities
