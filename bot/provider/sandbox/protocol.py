"""The protocol entry point: ``action`` + parameters -> :class:`~.replies.Reply`.

Key checks come first and answer in plain text for every action (``NO_KEY``, ``BAD_KEY``, then
``BAD_ACTION``); each action module renders its own success and error shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, TypeAlias

from .activation_actions import ACTIVATION_ACTIONS
from .catalog_actions import CATALOG_ACTIONS
from .errors import ProtocolError
from .extra_actions import EXTRA_ACTIONS
from .models import Account
from .rent_actions import RENT_ACTIONS
from .replies import Reply, plain_error, with_http_status

if TYPE_CHECKING:
    from .sandbox import Sandbox

Handler: TypeAlias = Callable[["Sandbox", Account, Mapping[str, str]], Reply]
"""An action: the sandbox, the caller's account and the parameters in; the reply out."""


def actions() -> Mapping[str, Handler]:
    """Every action the sandbox answers; any other name gets ``BAD_ACTION``."""
    return _ACTIONS


def dispatch(sandbox: Sandbox, params: Mapping[str, str]) -> tuple[Reply, Account | None]:
    """Answers one call; returns the reply and the caller's account (``None`` if unknown)."""
    key = params.get("api_key", "")
    account = sandbox.accounts.by_key(key) if key else None
    handler = actions().get(params.get("action", ""))
    if not key:
        reply = plain_error(ProtocolError("NO_KEY"))
    elif account is None:
        reply = plain_error(ProtocolError("BAD_KEY"))
    elif handler is None:
        reply = plain_error(ProtocolError("BAD_ACTION"))
    else:
        try:
            reply = handler(sandbox, account, params)
        except ProtocolError as error:
            reply = plain_error(error)
    if sandbox.config.http_error_codes:
        reply = with_http_status(reply)
    return reply, account


_ACTIONS: Final[Mapping[str, Handler]] = {
    **CATALOG_ACTIONS,
    **ACTIVATION_ACTIONS,
    **EXTRA_ACTIONS,
    **RENT_ACTIONS,
}
