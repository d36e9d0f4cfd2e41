"""``reply_markup`` as Telegram checks it: inline keyboards in full, reply keyboards lightly.

An inline button is a label plus exactly one action. The limits that bite bots in production are
real here: callback data of 1-64 bytes of UTF-8, web URLs only, at most 100 buttons.
"""

from __future__ import annotations

import json
from typing import Any, Final

from bot.fake_telegram.errors import bad_request

MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_BUTTONS: Final = 100
_URL_SCHEMES: Final = ("http://", "https://", "tg://")
_ACTIONS: Final = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def decode_json_parameter(value: object, what: str) -> object:
    """A JSON-typed parameter: form bodies carry it as a string, JSON bodies as a value.

    Raises:
        ApiError: ``can't parse <what> JSON object`` when the string is not JSON.
    """
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request(f"can't parse {what} JSON object") from None


def _check_inline_button(button: object) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        # Telegram takes the first field it knows and ignores the rest; a bot that sends two has
        # a bug, so this fake refuses.
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, got {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        valid = isinstance(url, str) and url.lower().startswith(_URL_SCHEMES)
        if not valid or url.endswith("://"):
            raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def _check_inline_keyboard(rows: object) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    checked = [[_check_inline_button(button) for button in row] for row in rows]
    if sum(len(row) for row in checked) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return checked


def _check_reply_keyboard(rows: object) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
    return [list(row) for row in rows]


def check_reply_markup(raw: object) -> dict[str, Any] | None:
    """Validate a ``reply_markup`` parameter and return it as a JSON object.

    Args:
        raw: the parameter as received (a JSON string from form bodies, a dict from JSON bodies),
            or None when absent.

    Returns:
        The markup object, or None when no markup was given.

    Raises:
        ApiError: 400 with Telegram's description (``BUTTON_DATA_INVALID``,
            ``BUTTON_URL_INVALID``, ``reply markup is too long``, ...).
    """
    if raw is None:
        return None
    markup = decode_json_parameter(raw, "reply keyboard markup")
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _check_inline_keyboard(markup["inline_keyboard"])}
    if "keyboard" in markup:
        return {**markup, "keyboard": _check_reply_keyboard(markup["keyboard"])}
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return dict(markup)
    raise bad_request('can\'t find field "inline_keyboard"')


def inline_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """The inline keyboard's rows of buttons, or no rows when the markup has none."""
    if markup is None:
        return []
    rows = markup.get("inline_keyboard")
    return rows if isinstance(rows, list) else []


def reply_keyboard_labels(markup: dict[str, Any]) -> list[list[str]]:
    """The labels of a reply keyboard (``keyboard``), row by row."""
    return [
        [button["text"] if isinstance(button, dict) else str(button) for button in row]
        for row in markup.get("keyboard", [])
    ]
