"""Telegram's HTML parse mode, ported from TDLib's ``parse_html``: text plus UTF-16 entities.

Faithful to TDLib in what it accepts (only Telegram's tags, ``</>`` closes any tag, unquoted
attribute values, ``&lt`` without a semicolon) and in the words of its errors, which the Bot API
prefixes with ``can't parse entities:``. One deliberate difference, on by default: a bare ``&``
in text that starts no entity is an error here, while TDLib keeps it as text (attribute values
keep TDLib's leniency, since URLs carry ``&``). A bot that leaves ``&``
unescaped is one that also leaves ``<`` unescaped, and only the second fails in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from bot.fake_telegram.errors import ApiError, bad_request
from bot.fake_telegram.text import Entity, utf16_len

_TAGS: Final = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
     "span", "pre", "code", "blockquote"}
)  # fmt: skip
_SIMPLE: Final = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_NAMED: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE: Final = " \t\r\n\v"
_LINK_SCHEMES: Final = frozenset({"http", "https", "tg", "ton", "tonsite"})
# TDLib's MessageEntity::get_type_priority: ties on offset and length sort by it.
_PRIORITY: Final = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "text_link": 49,
    "bold": 90, "italic": 91, "underline": 92, "strikethrough": 93, "spoiler": 94,
    "custom_emoji": 99,
}  # fmt: skip
_MAX_CODE_POINT: Final = 0x10FFFF


@dataclass(slots=True)
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the output where the tag opened
    piece: int  # index into the output pieces, to recover an <a>'s own text


def _is_space(char: str) -> bool:
    return char != "" and char in _SPACE


def _is_token_char(char: str) -> bool:
    return char != "" and char.isascii() and (char.isalnum() or char in ".-")


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character an HTML entity at `pos` stands for and the index after it, or None.

    TDLib's decode_html_entity: the four named entities and decimal or hex references, the
    closing semicolon optional; references to 0 or past U+10FFFF are not entities.
    """
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        hexadecimal = text.startswith("x", end)
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        end += hexadecimal
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        if end == start or end - pos >= 10:
            return None
        code = int(text[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= _MAX_CODE_POINT:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    return char, end + 1 if text.startswith(";", end) else end


def _check_link(url: str) -> str | None:
    """The URL an ``<a>`` links to after Telegram's normalisation, or None if it is no link.

    A schemeless URL gets ``http://``; a web URL without a path gets ``/``. Telegram drops the
    entity, silently, when the URL is invalid.
    """
    url = url.strip()
    if not url:
        return None
    if "://" not in url and not url.lower().startswith(("tg:", "ton:")):
        url = "http://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _LINK_SCHEMES:
        return None
    if scheme in ("http", "https"):
        host = parts.hostname or ""
        if not host or not all(c.isalnum() or c in ".-_" for c in host):
            return None
        if "." not in host and host != "localhost":
            return None
        if not parts.path:
            url = parts._replace(path="/").geturl()
    return url


class _HtmlParser:
    """One pass over the source, as TDLib does it; errors carry UTF-8 byte offsets."""

    def __init__(self, source: str, *, strict_ampersand: bool) -> None:
        self._source = source
        self._strict = strict_ampersand
        self._pieces: list[str] = []
        self._utf16 = 0
        self._stack: list[_Open] = []
        self._entities: list[Entity] = []

    def _at(self, index: int) -> str:
        return self._source[index] if index < len(self._source) else ""

    def _fail(self, message: str) -> ApiError:
        return bad_request(f"can't parse entities: {message}")

    def _byte(self, index: int) -> int:
        return len(self._source[:index].encode("utf-8", errors="surrogatepass"))

    def _emit(self, text: str) -> None:
        self._pieces.append(text)
        self._utf16 += utf16_len(text)

    def run(self) -> tuple[str, list[Entity]]:
        index = 0
        while index < len(self._source):
            char = self._source[index]
            if char == "&":
                decoded = _decode_entity(self._source, index)
                if decoded is not None:
                    self._emit(decoded[0])
                    index = decoded[1]
                    continue
                if self._strict:
                    raise self._fail(
                        f'Unescaped "&" at byte offset {self._byte(index)}'
                        ' (the real Bot API keeps it as text; this fake insists on "&amp;")'
                    )
            if char != "<":
                self._emit(char)
                index += 1
                continue
            closing = self._at(index + 1) == "/"
            index = self._end_tag(index) if closing else self._start_tag(index)
        if self._stack:
            raise self._fail(
                f'Can\'t find end tag corresponding to start tag "{self._stack[-1].tag}"'
            )
        text = "".join(self._pieces)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            raise self._fail(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        for entity in self._entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # a language only counts inside <pre>
        self._entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY[e["type"]]))
        return text, self._entities

    def _skip_spaces(self, index: int) -> int:
        while _is_space(self._at(index)):
            index += 1
        return index

    def _start_tag(self, begin: int) -> int:
        index = begin + 1
        while self._at(index) != "" and not _is_space(self._at(index)) and self._at(index) != ">":
            index += 1
        if self._at(index) == "":
            raise self._fail(f"Unclosed start tag at byte offset {self._byte(begin)}")
        tag = self._source[begin + 1 : index].lower()
        if tag not in _TAGS:
            raise self._fail(f'Unsupported start tag "{tag}" at byte offset {self._byte(begin)}')
        argument = ""
        while self._at(index) != ">":
            index = self._skip_spaces(index)
            if self._at(index) == ">":
                break
            name_begin = index
            while self._at(index) not in ("", "=", ">") and not _is_space(self._at(index)):
                index += 1
            name = self._source[name_begin:index]
            if not name:
                raise self._fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self._byte(begin)}'
                )
            index = self._skip_spaces(index)
            if self._at(index) != "=":
                if tag == "blockquote" and name == "expandable":
                    argument = "1"
                    continue
                raise self._fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self._byte(begin)}'
                )
            index = self._skip_spaces(index + 1)
            if self._at(index) == "":
                raise self._fail(f'Unclosed start tag "{tag}" at byte offset {self._byte(begin)}')
            value, index = self._attribute_value(index)
            if self._at(index) == "":
                raise self._fail(f"Unclosed start tag at byte offset {self._byte(begin)}")
            argument = self._argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise self._fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}'
            )
        self._stack.append(_Open(tag, argument, self._utf16, len(self._pieces)))
        return index + 1

    def _attribute_value(self, index: int) -> tuple[str, int]:
        quote = self._at(index)
        if quote not in ("'", '"'):
            # An unquoted value is a name token: letters, digits, periods and hyphens.
            begin = index
            while _is_token_char(self._at(index)):
                index += 1
            if not _is_space(self._at(index)) and self._at(index) != ">":
                raise self._fail(f"Unexpected end of name token at byte offset {self._byte(begin)}")
            return self._source[begin:index].lower(), index
        index += 1
        value: list[str] = []
        while self._at(index) not in ("", quote):
            decoded = _decode_entity(self._source, index) if self._at(index) == "&" else None
            if decoded is not None:
                value.append(decoded[0])
                index = decoded[1]
                continue
            value.append(self._at(index))
            index += 1
        if self._at(index) == quote:
            index += 1
        return "".join(value), index

    @staticmethod
    def _argument(tag: str, name: str, value: str, current: str) -> str:
        if tag == "a" and name == "href":
            return value
        if tag == "code" and name == "class" and value.startswith("language-"):
            return value.removeprefix("language-")
        if tag == "span" and name == "class" and value.startswith("tg-"):
            return value.removeprefix("tg-")
        if tag == "tg-emoji" and name == "emoji-id":
            return value
        if tag == "blockquote" and name == "expandable":
            return "1"
        return current

    def _end_tag(self, begin: int) -> int:
        if not self._stack:
            raise self._fail(f"Unexpected end tag at byte offset {self._byte(begin)}")
        index = begin + 2
        while self._at(index) != "" and not _is_space(self._at(index)) and self._at(index) != ">":
            index += 1
        end_name = self._source[begin + 2 : index].lower()
        index = self._skip_spaces(index)
        if self._at(index) != ">":
            raise self._fail(f"Unclosed end tag at byte offset {self._byte(begin)}")
        opened = self._stack.pop()
        if end_name and end_name != opened.tag:
            raise self._fail(
                f"Unmatched end tag at byte offset {self._byte(begin)}, "
                f'expected "</{opened.tag}>", found "</{end_name}>"'
            )
        if self._utf16 > opened.offset:
            self._close(opened)
        return index + 1

    def _close(self, opened: _Open) -> None:
        span: Entity = {"offset": opened.offset, "length": self._utf16 - opened.offset}
        last = self._entities[-1] if self._entities else None
        same_span = last is not None and all(last[k] == span[k] for k in ("offset", "length"))
        tag = opened.tag
        if tag in _SIMPLE:
            self._entities.append({"type": _SIMPLE[tag], **span})
        elif tag == "tg-emoji":
            argument = opened.argument
            if not argument.isascii() or not argument.isdigit() or not 0 < int(argument) < 2**63:
                raise self._fail("Invalid custom emoji identifier specified")
            self._entities.append({"type": "custom_emoji", **span, "custom_emoji_id": argument})
        elif tag == "a":
            url = _check_link(opened.argument or "".join(self._pieces[opened.piece :]))
            if url is not None:
                self._entities.append({"type": "text_link", **span, "url": url})
        elif tag == "pre":
            if last is not None and same_span and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                self._entities.append({"type": "pre", **span})
        elif tag == "code":
            if last is not None and same_span and last["type"] == "pre":
                if opened.argument:
                    last["language"] = opened.argument
                else:
                    self._entities.append({"type": "code", **span})
            else:
                entity: Entity = {"type": "code", **span}
                if opened.argument:
                    entity["language"] = opened.argument
                self._entities.append(entity)
        else:  # blockquote
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            self._entities.append({"type": kind, **span})


def parse_html(source: str, *, strict_ampersand: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into the plain text a user sees and its entities.

    Args:
        source: the ``text`` parameter of a call with ``parse_mode=HTML``.
        strict_ampersand: reject a bare ``&`` that starts no entity (Telegram keeps it).

    Returns:
        The plain text and its entities in Bot API shape, UTF-16 offsets, in TDLib's order.

    Raises:
        ApiError: 400 ``Bad Request: can't parse entities: ...`` worded as TDLib words it.
    """
    return _HtmlParser(source, strict_ampersand=strict_ampersand).run()
