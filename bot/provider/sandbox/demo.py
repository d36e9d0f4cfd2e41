"""Demo mode: SMS arrive by themselves, so the bot can be tried against the sandbox by hand.

Each live activation gets a realistic SMS (a call, for call verification) ``auto_sms_seconds``
after it started waiting (its purchase, or its last status 3); each active rent gets one every
``auto_sms_seconds``. The driver judges "due" by the sandbox's clock, so advancing a
ManualClock makes SMS due at the next tick.
"""

from __future__ import annotations

import random
from typing import Final

from .fixtures import FULL_RENT
from .models import ActivationState
from .sandbox import Sandbox

_TEMPLATES: Final = {
    "tg": "Telegram code: {code}. Do not give this code to anyone, even if they say they are "
    "from Telegram!",
    "wa": "Your WhatsApp code: {dashed}. Don't share this code with others",
    "vk": "VK: {code} - your confirmation code. Do not tell anyone.",
    "go": "G-{code} is your Google verification code.",
    "fb": "{code} is your Facebook confirmation code",
    "ig": "{code} is your Instagram code. Don't share it.",
    "ds": "Your Discord verification code is: {code}",
    "wx": "Your Apple ID Code is: {code}. Do not share it with anyone.",
    "dr": "Your OpenAI verification code is: {code}",
}
_WAITING: Final = frozenset(
    {
        ActivationState.WAIT_CODE,
        ActivationState.READY,
        ActivationState.WAIT_RETRY,
        ActivationState.WAIT_RESEND,
    }
)


def demo_text(service: str, name: str, code: str) -> str:
    """A plausible SMS carrying ``code`` from ``service`` (its own wording where known)."""
    template = _TEMPLATES.get(service, "Your {name} code is {code}. Do not share it.")
    dashed = f"{code[:3]}-{code[3:]}"
    return template.format(code=code, dashed=dashed, name=name)


class DemoDriver:
    """Delivers the SMS that demo mode owes; :meth:`tick` does one round."""

    __slots__ = ("_rng", "_sandbox")

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        # Its own generator: demo codes must not shift the phones and ids the sandbox draws.
        self._rng = random.Random(sandbox.config.seed + 1)

    def tick(self) -> int:
        """Delivers every SMS now due; returns how many. Does nothing with demo mode off."""
        every = self._sandbox.config.auto_sms_seconds
        if every is None:
            return 0
        now = self._sandbox.clock.now()
        delivered = 0
        for activation in self._sandbox.activations.live():
            if activation.state not in _WAITING or now < activation.waiting_since + every:
                continue
            if activation.verification and activation.call is None:
                caller = "7" + "".join(self._rng.choice("0123456789") for _ in range(10))
                self._sandbox.deliver_call(activation.id, caller)
            else:
                code = self._code()
                name = self._sandbox.catalog.services[activation.service].name
                self._sandbox.deliver_sms(
                    activation.id, demo_text(activation.service, name, code), code
                )
            delivered += 1
        for rent in self._sandbox.rents.live():
            last = rent.messages[-1].received_at if rent.messages else rent.started_at
            if now < last + every:
                continue
            service = "ot" if rent.service == FULL_RENT else rent.service
            code = self._code()
            name = self._sandbox.catalog.services[service].name
            self._sandbox.deliver_rent_sms(rent.id, demo_text(service, name, code), service=service)
            delivered += 1
        return delivered

    def _code(self) -> str:
        return str(self._rng.randrange(10_000, 1_000_000))
