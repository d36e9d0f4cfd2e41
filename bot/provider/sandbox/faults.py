"""Fault injection: make the next calls of an action fail the way real networks and proxies do.

http_500  answer 500 with a short text body; the action is not performed
html      answer an HTML proxy error page (502 by default, or 200); not performed
garbage   answer 200 with random bytes that are no protocol reply; not performed
slow      wait ``delay`` seconds, then answer normally; the action IS performed (before
          the wait with ``after=True``, after it otherwise)
drop      close the connection without an answer; performed first with ``after=True``
          ("the provider sold the number but the reply was lost"), not at all otherwise
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from typing import Final, Literal, cast, get_args

from .errors import ControlError
from .formats import JsonValue

FaultKind = Literal["http_500", "html", "garbage", "slow", "drop"]
FAULT_KINDS: Final = frozenset(get_args(FaultKind))
ANY_ACTION: Final = "*"
"""The action name that makes a fault hit whichever call comes next."""

DEFAULT_SLOW_SECONDS: Final = 5.0

HTML_PAGE: Final = """<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body></html>
"""
HTTP_500_BODY: Final = "Internal Server Error"


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure. ``status`` is the HTTP status an ``html`` fault answers with."""

    kind: FaultKind
    delay: float = 0.0
    after: bool = False
    status: int = 502

    def to_json(self) -> dict[str, JsonValue]:
        return {"kind": self.kind, "delay": self.delay, "after": self.after, "status": self.status}


def make_fault(
    kind: str, *, delay: float | None = None, after: bool = False, status: int | None = None
) -> Fault:
    """Checks a fault request.

    Raises:
        ControlError: an unknown kind, a negative delay, or an ``html`` status other than
            200 or 5xx.
    """
    if kind not in FAULT_KINDS:
        raise ControlError(f"kind must be one of {', '.join(sorted(FAULT_KINDS))}")
    if delay is not None and delay < 0:
        raise ControlError("delay must not be negative")
    html_status = 502 if status is None else status
    if kind == "html" and not (html_status == 200 or 500 <= html_status < 600):
        raise ControlError("an html fault answers 200 or 5xx")
    wait = delay if delay is not None else (DEFAULT_SLOW_SECONDS if kind == "slow" else 0.0)
    return Fault(cast(FaultKind, kind), wait, after, html_status)


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
