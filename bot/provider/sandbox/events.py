"""Events the sandbox announces (an SMS reached an activation or a rent), and their bus."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from .models import Activation, RentSms, SandboxRent, Sms

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SmsEvent:
    """``sms`` has just reached ``activation``."""

    activation: Activation
    sms: Sms


@dataclass(frozen=True, slots=True)
class RentSmsEvent:
    """``sms`` has just reached ``rent``."""

    rent: SandboxRent
    sms: RentSms


SandboxEvent: TypeAlias = SmsEvent | RentSmsEvent
Listener: TypeAlias = Callable[[SandboxEvent], None]


class EventBus:
    """Calls each listener synchronously; a listener that raises is logged and skipped.

    Listeners run inside the sandbox's state change, so they must be quick and must not call
    back into the sandbox; the webhook emitter only schedules a task.
    """

    __slots__ = ("_listeners",)

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Adds ``listener``; returns a function that removes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: SandboxEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                # A broken listener (a test helper, the webhook emitter) must not undo an SMS.
                _log.exception("sandbox event listener failed")
