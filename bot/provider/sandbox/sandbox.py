"""Sandbox: the whole emulated provider in one object, without HTTP.

It composes the catalogue, accounts, stock, activations, rents, the request log and the
fault board, and offers a Python method for everything the control API can do.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from bot.core.clock import Clock, ManualClock

from . import protocol
from .accounts import AccountBook, AccountSpec
from .activations import ActivationBook
from .config import SandboxConfig
from .context import BookContext
from .errors import ControlError
from .events import EventBus, Listener
from .extras import CallTasks
from .faults import Fault, FaultBoard, make_fault
from .fixtures import Catalog, load_catalog
from .models import Activation, SandboxRent
from .rents import RentBook
from .replies import Reply
from .requestlog import RequestLog, RequestRecord, preview, safe_params
from .stock import Stock


class Sandbox:
    """An offline provider speaking ``handler_api.php``.

    Args:
        clock: where "now" comes from; a :class:`~bot.core.clock.ManualClock` (the default) lets
            tests and the control API move time forward.
        config: the knobs; see :class:`SandboxConfig`.
        accounts: accounts to open at once.
        catalog: services, countries and operators; the shipped fixtures by default.

    Everything is synchronous and runs on the caller's thread: each protocol call is atomic.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        config: SandboxConfig | None = None,
        accounts: Iterable[AccountSpec] = (),
        catalog: Catalog | None = None,
    ) -> None:
        self._clock: Clock = clock if clock is not None else ManualClock()
        self._config = config if config is not None else SandboxConfig()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.rng = random.Random(self._config.seed)
        self.events = EventBus()
        self.accounts = AccountBook(self._clock, accounts)
        self.stock = Stock(self.catalog)
        self.faults = FaultBoard()
        self._log = RequestLog()
        context = BookContext(
            clock=self._clock,
            config=self._current_config,
            accounts=self.accounts,
            stock=self.stock,
            catalog=self.catalog,
            rng=self.rng,
            events=self.events,
            phones_in_use=_PhonesInUse(self),
        )
        self.activations = ActivationBook(context)
        self.rents = RentBook(context)
        self.calls = CallTasks(self._clock)

    # -- time and configuration ---------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        return self._clock

    def advance(self, seconds: float) -> float:
        """Moves a ManualClock forward and settles what expired; returns the new time.

        Raises:
            ControlError: the clock cannot be moved (409), or ``seconds`` is negative.
        """
        if not isinstance(self._clock, ManualClock):
            raise ControlError("this sandbox runs on a clock that cannot be moved", 409)
        if seconds < 0:
            raise ControlError("time moves forward only")
        self._clock.advance(seconds)
        self.sweep()
        return self._clock.now()

    def sweep(self) -> int:
        """Settles every activation and rent; returns how many ended."""
        return self.activations.sweep() + self.rents.sweep()

    @property
    def config(self) -> SandboxConfig:
        return self._config

    def configure(
        self, changes: Mapping[str, object] | None = None, **knobs: object
    ) -> SandboxConfig:
        """Changes knobs, checked (``configure(http_error_codes=True)``); returns the new config.

        Raises:
            ControlError: an unknown knob or a bad value; nothing changes then.
        """
        self._config = self._config.updated({**(changes or {}), **knobs})
        return self._config

    # -- accounts -------------------------------------------------------------------------

    def add_account(
        self,
        api_key: str,
        balance: Decimal | int | str,
        *,
        name: str | None = None,
        banned_until: float | None = None,
        cashback: Decimal | int | str = 0,
    ) -> str:
        """Creates the account (or resets its balance, ban and cashback); returns its name."""
        spec = AccountSpec(api_key, Decimal(balance), name, banned_until, Decimal(cashback))
        return self.accounts.upsert(spec).name

    def set_balance(self, account: str, balance: Decimal | int | str) -> None:
        """Sets the balance of the account with that name or key."""
        found = self.accounts.find(account)
        self.accounts.credit(found, Decimal(balance) - found.balance, "set-balance")

    def balance(self, account: str) -> Decimal:
        """The balance of the account with that name or key."""
        return self.accounts.find(account).balance

    def ban(self, account: str, until: float | None) -> None:
        """Bans the account until ``until`` (Unix time), or lifts its ban with ``None``."""
        self.accounts.find(account).banned_until = until

    # -- stock ----------------------------------------------------------------------------

    def set_stock(
        self, country: int, service: str, count: int, operator: str | None = None
    ) -> None:
        """Sets free numbers (0 gives ``NO_NUMBERS``); see :meth:`Stock.set`."""
        self.stock.set(country, service, count, operator)

    def set_rent_stock(self, country: int, service: str, count: int) -> None:
        self.stock.set_rent(country, service, count)

    # -- activations ------------------------------------------------------------------------

    def activation(self, activation_id: int) -> Activation:
        """The activation, expiry applied. Read it; do not change it."""
        return self.activations.get(activation_id)

    def deliver_sms(self, activation_id: int, text: str, code: str | None = None) -> Activation:
        """An SMS reaches the activation (code taken from the text's digits when not given)."""
        return self.activations.deliver_sms(activation_id, text, code)

    def deliver_call(
        self, activation_id: int, phone_from: str, code: str | None = None
    ) -> Activation:
        """The incoming call of a call-verification activation arrives."""
        return self.activations.deliver_call(activation_id, phone_from, code)

    def request_resend(self, activation_id: int) -> Activation:
        """Puts the activation in WAIT_RESEND (getStatus ``STATUS_WAIT_RESEND``)."""
        return self.activations.request_resend(activation_id)

    def expire_activation(self, activation_id: int) -> Activation:
        return self.activations.expire(activation_id)

    # -- rents ----------------------------------------------------------------------------

    def rent(self, rent_id: int) -> SandboxRent:
        """The rent, expiry applied. Read it; do not change it."""
        return self.rents.get(rent_id)

    def deliver_rent_sms(
        self, rent_id: int, text: str, phone_from: str | None = None, service: str | None = None
    ) -> SandboxRent:
        """An SMS reaches the rented number."""
        return self.rents.deliver_sms(rent_id, text, phone_from, service)

    def expire_rent(self, rent_id: int) -> SandboxRent:
        return self.rents.expire(rent_id)

    # -- the protocol ---------------------------------------------------------------------

    def handle(
        self, params: Mapping[str, str], method: str = "GET", *, fault: str | None = None
    ) -> Reply:
        """Answers one ``handler_api.php`` call and logs it (without the key).

        Args:
            params: the merged query-string and body parameters.
            method: the HTTP method, for the log.
            fault: the injected fault this call meets, for the log.
        """
        reply, account = protocol.dispatch(self, params)
        name = account.name if account is not None else None
        self._record(params, method, name, reply.status, preview(reply.body), fault)
        return reply

    def record_unanswered(
        self, params: Mapping[str, str], method: str, fault: Fault, status: int, body: str = ""
    ) -> None:
        """Logs a call a fault kept from being performed; ``body`` is what it answered
        instead (a ``reply`` fault's), logged with any API key in it masked."""
        account = self.accounts.by_key(params.get("api_key", ""))
        for known in self.accounts:
            body = body.replace(known.api_key, "***")
        shown = preview(body)
        self._record(params, method, account.name if account else None, status, shown, fault.kind)

    @property
    def request_log(self) -> tuple[RequestRecord, ...]:
        """Every call received, oldest first; no record holds an API key."""
        return self._log.records()

    def clear_request_log(self) -> None:
        self._log.clear()

    # -- faults and events ------------------------------------------------------------------

    def inject_fault(
        self,
        action: str,
        kind: str,
        count: int = 1,
        *,
        delay: float | None = None,
        after: bool = False,
        status: int | None = None,
        body: str | None = None,
        content_type: str | None = None,
    ) -> Fault:
        """Makes the next ``count`` calls of ``action`` (``"*"``: any) fail; see ``faults``.

        ``inject_fault("getNumber", "reply", body="NO_YULA_MAIL")`` makes the next getNumber
        answer exactly that (``status`` 200 and ``content_type`` text/plain by default).
        """
        fault = make_fault(
            kind, delay=delay, after=after, status=status, body=body, content_type=content_type
        )
        self.faults.inject(action, fault, count)
        return fault

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Calls ``listener`` with each SMS event; returns the unsubscribe function."""
        return self.events.subscribe(listener)

    # -- internals ------------------------------------------------------------------------

    def _current_config(self) -> SandboxConfig:
        # The books call this on every decision, so a configure() takes effect at once.
        return self._config

    def _record(
        self,
        params: Mapping[str, str],
        method: str,
        account: str | None,
        status: int,
        reply: str,
        fault: str | None,
    ) -> None:
        secrets = frozenset(a.api_key for a in self.accounts)
        self._log.append(
            RequestRecord(
                at=self._clock.now(),
                method=method,
                action=params.get("action"),
                params=safe_params(params, secrets),
                account=account,
                status=status,
                reply=reply,
                fault=fault,
            )
        )


class _PhonesInUse:
    """``phone in`` it: some unended activation or rent has the number."""

    __slots__ = ("_sandbox",)

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def __contains__(self, phone: object) -> bool:
        return isinstance(phone, str) and (
            self._sandbox.activations.holds_phone(phone) or self._sandbox.rents.holds_phone(phone)
        )
