"""ActivationBook: buying numbers and the activation state machine of PROTOCOL.md §5.

Expiry is lazy: every read goes through :meth:`ActivationBook.settle`, which applies whatever
the clock says has happened since (so moving a ManualClock forward expires activations with no
background task). :meth:`ActivationBook.sweep` settles everything at once.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from .book import Book
from .context import BookContext
from .errors import ControlError, ProtocolError
from .events import SmsEvent
from .formats import money_text
from .models import Account, Activation, ActivationState, Call, Sms
from .phones import new_phone
from .purchase import MultiOrder, Order

S = ActivationState
FIRST_ACTIVATION_ID: Final = 3_936_040_000
"""Ids are 10 digits, as in 2025 (PROTOCOL.md §3.7): past 2**31, to catch 32-bit parsing."""
_WAITING: Final = frozenset({S.WAIT_CODE, S.READY})
_SPLIT_CODE: Final = re.compile(r"(?<!\d)(\d{3})[- ](\d{3})(?!\d)")
_CODE_PATTERNS: Final = (re.compile(r"\d{4,8}"), re.compile(r"\d+"))


def code_from_text(text: str) -> str:
    """The code in an SMS text: a split code (``123-456``) joined, else the first run of 4-8
    digits, else the first digits at all.

    Raises:
        ControlError: the text has no digits (pass the code explicitly then).
    """
    split = _SPLIT_CODE.search(text)
    if split:
        return split.group(1) + split.group(2)
    for pattern in _CODE_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group()
    raise ControlError("the SMS text has no digits; pass code explicitly")


class ActivationBook(Book[Activation]):
    """All activations, by id, and every rule that changes them."""

    __slots__ = ("_orders", "_phone_holders")
    _noun = "activation"

    def __init__(self, context: BookContext) -> None:
        super().__init__(context, FIRST_ACTIVATION_ID)
        # How many unended activations hold each number (multi-service and extras share one).
        self._phone_holders: dict[str, int] = {}
        self._orders: set[tuple[str, str]] = set()

    # -- reading --------------------------------------------------------------------------

    def owned(
        self, account: Account, raw_id: str | None, missing: str = "NO_ACTIVATION"
    ) -> Activation:
        """The caller's activation named by a wire ``id``, settled.

        Another account's activation is reported exactly like a missing one, so ids of other
        users cannot be probed.

        Raises:
            ProtocolError: ``missing`` (``NO_ACTIVATION`` unless the action names another token)
                for a missing, malformed, unknown or foreign id.
        """
        try:
            activation_id = int((raw_id or "").strip())
        except ValueError:
            raise ProtocolError(missing) from None
        activation = self._items.get(activation_id)
        if activation is None or activation.account != account.name:
            raise ProtocolError(missing)
        self.settle(activation)
        return activation

    def holds_phone(self, phone: str) -> bool:
        """Whether an unended activation has the number (one past its deadline but not yet
        settled still counts: the number is not sold again a moment early)."""
        return phone in self._phone_holders

    # -- time -----------------------------------------------------------------------------

    def settle(self, activation: Activation) -> None:
        """Applies expiry: past its deadline a live activation finishes (it had a code, the
        charge stays) or is cancelled (no code, full refund), as of the deadline itself."""
        if activation.state.terminal or self._ctx.clock.now() < activation.deadline:
            return
        if activation.code is not None:
            self._end(activation, S.FINISHED, "expired", at=activation.deadline)
        else:
            self._cancel(activation, "expired", at=activation.deadline)

    def _ended(self, activation: Activation) -> bool:
        return activation.state.terminal

    def expire(self, activation_id: int) -> Activation:
        """Moves the activation's deadline to now and settles it (a control shortcut)."""
        activation = self.get(activation_id)
        if activation.state.terminal:
            raise ControlError(f"activation {activation_id} has already ended", 409)
        activation.deadline = self._ctx.clock.now()
        self.settle(activation)
        return activation

    # -- buying ---------------------------------------------------------------------------

    def buy(self, account: Account, order: Order) -> Activation:
        """Sells one number; the caller has checked the account's ban.

        Raises:
            ProtocolError: ``ORDER_ALREADY_EXISTS``, ``WRONG_MAX_PRICE:<price>``,
                ``NO_NUMBERS`` (no stock, no forwarding or verification there, or every number
                excluded), ``NO_BALANCE``, ``NO_BALANCE_FORWARD`` (only the forwarding
                surcharge is short).
        """
        config = self._ctx.config()
        if order.order_id is not None and (account.name, order.order_id) in self._orders:
            raise ProtocolError("ORDER_ALREADY_EXISTS")
        country = self._ctx.catalog.countries[order.country]
        if order.verification:
            price = self._ctx.catalog.verification_price(order.country, order.service)
        else:
            price = self._ctx.catalog.price(order.country, order.service)
        if order.max_price is not None and order.max_price < price:
            raise ProtocolError("WRONG_MAX_PRICE", payload=money_text(price))
        if order.forward and not self._ctx.catalog.services[order.service].forward:
            raise ProtocolError("NO_NUMBERS")
        if order.verification and not country.verification:
            raise ProtocolError("NO_NUMBERS")
        if not self._ctx.stock.count(order.country, order.service, order.operators):
            raise ProtocolError("NO_NUMBERS")
        total = price + (config.forward_surcharge if order.forward else Decimal(0))
        if account.balance < price:
            raise ProtocolError("NO_BALANCE")
        if account.balance < total:
            raise ProtocolError("NO_BALANCE_FORWARD")
        phone = new_phone(
            country,
            self._ctx.rng,
            avoid_prefixes=order.phone_exceptions,
            in_use=self._ctx.phones_in_use,
        )
        operator = self._ctx.stock.take(
            order.country, order.service, order.operators, self._ctx.rng
        )
        activation = self.open(
            account,
            service=order.service,
            country=order.country,
            operator=operator,
            phone=phone,
            cost=total,
            reason="activation",
            forward=order.forward,
            verification=order.verification,
        )
        if order.order_id is not None:
            activation.order_id = order.order_id
            self._orders.add((account.name, order.order_id))
        return activation

    def buy_multi(self, account: Account, order: MultiOrder) -> list[Activation]:
        """Sells one number for several services: one activation each, all on that number.

        Raises:
            ProtocolError: ``NO_NUMBERS`` (a service has no stock, or is forwarded but cannot
                be), ``NO_BALANCE``, ``NO_BALANCE_FORWARD``.
        """
        config = self._ctx.config()
        for service, forward in zip(order.services, order.forwards, strict=True):
            if forward and not self._ctx.catalog.services[service].forward:
                raise ProtocolError("NO_NUMBERS")
            if not self._ctx.stock.count(order.country, service, order.operators):
                raise ProtocolError("NO_NUMBERS")
        prices = [self._ctx.catalog.price(order.country, s) for s in order.services]
        surcharge = config.forward_surcharge if any(order.forwards) else Decimal(0)
        if account.balance < sum(prices, Decimal(0)):
            raise ProtocolError("NO_BALANCE")
        if account.balance < sum(prices, surcharge):
            raise ProtocolError("NO_BALANCE_FORWARD")
        country = self._ctx.catalog.countries[order.country]
        phone = new_phone(country, self._ctx.rng, in_use=self._ctx.phones_in_use)
        operator = self._ctx.stock.take_many(
            order.country, order.services, order.operators, self._ctx.rng
        )
        return [
            self.open(
                account,
                service=service,
                country=order.country,
                operator=operator,
                phone=phone,
                cost=price + (surcharge if forward else Decimal(0)),
                reason="multi-service activation",
                forward=forward,
            )
            for service, forward, price in zip(order.services, order.forwards, prices, strict=True)
        ]

    def open(
        self,
        account: Account,
        *,
        service: str,
        country: int,
        operator: str,
        phone: str,
        cost: Decimal,
        reason: str,
        forward: bool = False,
        verification: bool = False,
        repeated: bool = False,
        parent_id: int | None = None,
    ) -> Activation:
        """Charges ``cost`` and records a new activation (the caller has checked everything).

        Raises:
            ProtocolError: ``NO_BALANCE`` if the charge fails; nothing is recorded then.
        """
        self._next_id += self._ctx.rng.randint(1, 37)
        activation_id = self._next_id
        self._ctx.accounts.debit(account, cost, reason, activation_id)
        now = self._ctx.clock.now()
        activation = Activation(
            id=activation_id,
            account=account.name,
            service=service,
            country=country,
            operator=operator,
            phone=phone,
            cost=cost,
            created_at=now,
            deadline=now + self._ctx.config().lifetime_for(service),
            forward=forward,
            verification=verification,
            can_get_another_sms=self._ctx.catalog.countries[country].retry,
            repeated=repeated,
            parent_id=parent_id,
            waiting_since=now,
        )
        self._items[activation_id] = activation
        self._open[activation_id] = activation
        self._phone_holders[phone] = self._phone_holders.get(phone, 0) + 1
        return activation

    # -- setStatus ------------------------------------------------------------------------

    def set_status(self, activation: Activation, status: int) -> str:
        """Applies setStatus (the table of PROTOCOL.md §5.2) and returns the success token.

        Args:
            status: 1, 3, 6 or 8 (the protocol layer maps the legacy -1 to 8).

        Raises:
            ProtocolError: ``BAD_STATUS`` for a move the table forbids, ``EARLY_CANCEL_DENIED``
                for status 8 within ``early_cancel_seconds`` of purchase.
        """
        config = self._ctx.config()
        state = activation.state
        if state.terminal or (activation.verification and activation.call is not None):
            # A call-verification activation is frozen once its call has come (seed).
            raise ProtocolError("BAD_STATUS")
        if status == 1 and state in _WAITING:
            activation.state = S.READY
            return "ACCESS_READY"
        if status == 3 and state is S.CODE_RECEIVED and activation.can_get_another_sms:
            activation.state = S.WAIT_RETRY
            activation.waiting_since = self._ctx.clock.now()
            return "ACCESS_RETRY_GET"
        if status == 3 and state is S.WAIT_RETRY:
            return "ACCESS_RETRY_GET"
        if status == 6 and state in (S.CODE_RECEIVED, S.WAIT_RETRY, S.WAIT_RESEND):
            self._end(activation, S.FINISHED, "finished")
            return "ACCESS_ACTIVATION"
        if status == 6 and state in _WAITING and config.six_without_code == "cancel":
            self._cancel(activation, "status 6 without code")
            return "ACCESS_ACTIVATION"
        if status == 8 and state in _WAITING:
            if self._ctx.clock.now() - activation.created_at < config.early_cancel_seconds:
                raise ProtocolError("EARLY_CANCEL_DENIED")
            self._cancel(activation, "cancelled")
            return "ACCESS_CANCEL"
        raise ProtocolError("BAD_STATUS")

    # -- what arrives -----------------------------------------------------------------------

    def deliver_sms(self, activation_id: int, text: str, code: str | None = None) -> Activation:
        """An SMS reaches the activation: it moves to CODE_RECEIVED with the new code.

        Raises:
            ControlError: unknown id (404), an ended activation (409), no code to be found.
        """
        activation = self._live(activation_id)
        sms = Sms(text=text, code=code or code_from_text(text), received_at=self._ctx.clock.now())
        activation.messages.append(sms)
        activation.state = S.CODE_RECEIVED
        self._ctx.events.emit(SmsEvent(activation, sms))
        return activation

    def deliver_call(
        self, activation_id: int, phone_from: str, code: str | None = None
    ) -> Activation:
        """The call of a call-verification activation arrives; its code defaults to the last
        four digits of the caller's number.

        Raises:
            ControlError: unknown id (404); not a verification activation, ended, or already
                called (409); a caller number that is not digits (400).
        """
        activation = self._live(activation_id)
        if not activation.verification:
            raise ControlError(f"activation {activation_id} is not a call verification", 409)
        if activation.call is not None:
            raise ControlError(f"activation {activation_id} has had its call", 409)
        caller = phone_from.strip().lstrip("+")
        if not caller.isdigit():
            raise ControlError("phone_from must be digits")
        activation.call = Call(caller, code or caller[-4:], self._ctx.clock.now())
        activation.state = S.CODE_RECEIVED
        return activation

    def request_resend(self, activation_id: int) -> Activation:
        """The provider asks the user to press "resend" on the site (STATUS_WAIT_RESEND)."""
        activation = self._live(activation_id)
        if activation.state is S.CODE_RECEIVED:
            raise ControlError("a resend is asked for only while waiting for an SMS", 409)
        activation.state = S.WAIT_RESEND
        return activation

    # -- internals ------------------------------------------------------------------------

    def _end(
        self, activation: Activation, state: ActivationState, reason: str, at: float | None = None
    ) -> None:
        activation.state = state
        if self._open.pop(activation.id, None) is not None:
            holders = self._phone_holders.pop(activation.phone) - 1
            if holders:
                self._phone_holders[activation.phone] = holders
        activation.end_reason = reason
        activation.ended_at = self._ctx.clock.now() if at is None else at

    def _cancel(self, activation: Activation, reason: str, at: float | None = None) -> None:
        # No code ever came, so the whole charge (forwarding included) goes back.
        self._end(activation, S.CANCELLED, reason, at)
        owner = self._ctx.accounts.owner(activation.account)
        self._ctx.accounts.credit(owner, activation.cost, f"refund: {reason}", activation.id)
        activation.refunded = activation.cost
