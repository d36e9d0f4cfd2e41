"""A faithful offline emulator of an SMS-Activate ``handler_api.php`` provider.

    sandbox.py      Sandbox: the emulator without HTTP, a Python method per control action
    config.py       SandboxConfig: timing rules and wire-format variants
    protocol.py     action dispatch; *_actions.py render each action's replies (replies.py)
    activations.py  buying and the activation state machine (§5); extras.py builds on it
    rents.py        the Rent API state machine (§6); context.py what both books share
    accounts.py, stock.py, phones.py, purchase.py, fixtures.py (+ fixtures/*.json)
    events.py       SMS events;  faults.py  fault injection;  requestlog.py  the key-free log
    server.py       SandboxServer: aiohttp, the protocol route and control.py's /sandbox/ API
    demo.py         SMS that arrive by themselves;  webhooks.py  §7 webhook emission
    cli.py          ``smsbot sandbox`` / ``python -m bot.provider.sandbox``
    testing.py      the test accounts (ALICE_KEY, …);  views.py  control-API JSON views

It never imports the client in ``bot.provider``: it tests the client honestly.
"""

from __future__ import annotations

from .accounts import AccountSpec
from .config import SandboxConfig
from .errors import ControlError, ProtocolError
from .events import RentSmsEvent, SandboxEvent, SmsEvent
from .faults import Fault
from .fixtures import Catalog, load_catalog
from .models import Account, Activation, ActivationState, RentState, SandboxRent
from .replies import Reply
from .requestlog import RequestRecord
from .sandbox import Sandbox
from .server import SandboxServer
from .webhooks import WebhookDelivery

__all__ = [
    "Account",
    "AccountSpec",
    "Activation",
    "ActivationState",
    "Catalog",
    "ControlError",
    "Fault",
    "ProtocolError",
    "RentSmsEvent",
    "RentState",
    "Reply",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "SandboxEvent",
    "SandboxRent",
    "SandboxServer",
    "SmsEvent",
    "WebhookDelivery",
    "load_catalog",
]
