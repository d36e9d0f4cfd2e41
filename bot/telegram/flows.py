"""What a user is in the middle of: the ``user_data`` key of every flow, in one place.

Each flow keeps its draft (plain JSON data, persisted by PTB) under its own key; ``AWAITING``
is only a hint of what the next plain text is (the /key step and the confirm tokens live in
the database). /cancel ends them all through :func:`end_all`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Final

AWAITING: Final = "awaiting"  # what the next plain text is ("provider_url", "max_price", …)
BUY: Final = "buy"  # the /buy draft
RENT: Final = "rent"  # the /rent draft
PRICES: Final = "prices"  # the /prices browser
MULTI: Final = "multi"  # the /multi draft
EXTRA: Final = "extra"  # the offer of another activation on a used number
EXTEND: Final = "rent_extend"  # a rent's extension being confirmed
ADDITIONAL: Final = "additional"  # the offer of an added service
CALL_FOR: Final = "call_for"  # the ledger row an outgoing call is being ordered for

# Not a flow: the message id of the one picker menu that may still be pressed (a newer menu
# takes the buttons off the older, whose pages would read the newer draft).
MENU: Final = "picker_menu"

ALL: Final = (AWAITING, BUY, RENT, PRICES, MULTI, EXTRA, EXTEND, ADDITIONAL, CALL_FOR)
# The catalogue pickers: typed text searches the one shown, so one at a time.
PICKERS: Final = (BUY, RENT, PRICES, MULTI)


def start(user_data: MutableMapping[Any, Any], key: str, draft: dict[str, Any]) -> None:
    """Starts the picker flow ``key`` with ``draft``: it replaces any other picker under way
    and ends a pending typed step, so the next text is this picker's search."""
    for other in (AWAITING, *PICKERS):
        user_data.pop(other, None)
    user_data[key] = draft


def end_all(user_data: MutableMapping[Any, Any]) -> bool:
    """Ends every flow (their confirm buttons can no longer buy); True if one was under way."""
    ended = [user_data.pop(key, None) is not None for key in ALL]
    return any(ended)
