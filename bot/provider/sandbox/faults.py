"""Fault injection: make the next calls of an action fail the way real networks and proxies do.

http_500  answer 500 with a short text body; the action is not performed
html      answer an HTML proxy error page (502 by default, or 200); not performed
garbage   answer 200 with random bytes that are no protocol reply; not performed
slow      wait ``delay`` seconds, then answer normally; the action IS performed (before
          the wait with ``after=True``, after it otherwise)
drop      close the connection without an answer; performed first with ``after=True``
          ("the provider sold the number but the reply was lost"), not at all otherwise
reply     answer exactly ``body`` with ``status`` and ``content_type``: the sandbox speaks any
          token a real provider can send (``NO_YULA_MAIL``, ``ERROR_SQL``…); not performed,
          or performed first with ``after=True`` (its real answer is then thrown away)
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from typing import Final, Literal, cast, get_args

from .errors import ControlError
from .formats import JsonValue

FaultKind = Literal["http_500", "html", "garbage", "slow", "drop", "reply"]
FAULT_KINDS: Final = frozenset(get_args(FaultKind))
ANY_ACTION: Final = "*"
"""The action name that makes a fault hit whichever call comes next."""

DEFAULT_SLOW_SECONDS: Final = 5.0
DEFAULT_REPLY_CONTENT_TYPE: Final = "text/plain"
# Statuses that carry no body (HTTP/1.1): a reply fault could not send its body with them.
_BODILESS: Final = frozenset({204, 205, 304})

HTML_PAGE: Final = """<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body></html>
"""
HTTP_500_BODY: Final = "Internal Server Error"


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure.

    Attributes:
        status: the HTTP status an ``html`` or ``reply`` fault answers with.
        body: what a ``reply`` fault answers, exactly.
        content_type: the Content-Type of a ``reply`` fault.
    """

    kind: FaultKind
    delay: float = 0.0
    after: bool = False
    status: int = 502
    body: str = ""
    content_type: str = DEFAULT_REPLY_CONTENT_TYPE

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "kind": self.kind,
            "delay": self.delay,
            "after": self.after,
            "status": self.status,
        }
        if self.kind == "reply":
            out["body"] = self.body
            out["content_type"] = self.content_type
        return out


def make_fault(
    kind: str,
    *,
    delay: float | None = None,
    after: bool = False,
    status: int | None = None,
    body: str | None = None,
    content_type: str | None = None,
) -> Fault:
    """Checks a fault request.

    Raises:
        ControlError: an unknown kind, a negative delay, an ``html`` status other than 200 or
            5xx, a ``reply`` status outside 200-599 (or one that carries no body), a
            Content-Type that is not one printable header line, or ``body``/``content_type``
            given to a kind other than ``reply``.
    """
    if kind not in FAULT_KINDS:
        raise ControlError(f"kind must be one of {', '.join(sorted(FAULT_KINDS))}")
    if delay is not None and delay < 0:
        raise ControlError("delay must not be negative")
    if kind == "reply":
        return _reply_fault(after, status, body, content_type)
    if body is not None or content_type is not None:
        raise ControlError("body and content_type are for a reply fault only")
    html_status = 502 if status is None else status
    if kind == "html" and not (html_status == 200 or 500 <= html_status < 600):
        raise ControlError("an html fault answers 200 or 5xx")
    wait = delay if delay is not None else (DEFAULT_SLOW_SECONDS if kind == "slow" else 0.0)
    return Fault(cast(FaultKind, kind), wait, after, html_status)


def _reply_fault(
    after: bool, status: int | None, body: str | None, content_type: str | None
) -> Fault:
    reply_status = 200 if status is None else status
    if not 200 <= reply_status < 600 or reply_status in _BODILESS:
        raise ControlError("a reply fault answers a status from 200 to 599 that carries a body")
    kind_of_body = content_type if content_type is not None else DEFAULT_REPLY_CONTENT_TYPE
    if not kind_of_body or not all(" " <= c <= "~" for c in kind_of_body):
        raise ControlError("content_type must be one printable header value")
    return Fault("reply", 0.0, after, reply_status, body or "", kind_of_body)


class FaultBoard:
    """Pending faults, per action, each used once, in the order injected."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: dict[str, deque[Fault]] = {}

    def inject(self, action: str, fault: Fault, count: int = 1) -> None:
        """Makes the next ``count`` calls of ``action`` (``"*"``: of any action) meet ``fault``."""
        if not action:
            raise ControlError("action must not be empty")
        if count < 1:
            raise ControlError("count must be at least 1")
        self._pending.setdefault(action, deque()).extend([fault] * count)

    def take(self, action: str | None) -> Fault | None:
        """Uses up the next fault for ``action``, else the next for any action, else ``None``."""
        for name in (action or "", ANY_ACTION):
            queue = self._pending.get(name)
            if queue:
                fault = queue.popleft()
                if not queue:
                    del self._pending[name]
                return fault
        return None

    def pending(self) -> dict[str, list[Fault]]:
        return {action: list(queue) for action, queue in self._pending.items()}

    def clear(self) -> None:
        self._pending.clear()


def garbage(rng: random.Random) -> bytes:
    """Bytes no client can take for a protocol reply: binary noise around a PHP-ish fragment."""
    noise = bytes(rng.randrange(256) for _ in range(24))
    return b"\x00\xff" + noise + b"<?php echo $" + noise[::-1]
