"""RentBook: renting numbers and the rent state machine of PROTOCOL.md §6.

Like activations, rents expire lazily: reads settle them against the clock (a rent whose
``end_at`` has passed is FINISHED, charge kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from .book import Book
from .context import BookContext
from .errors import ProtocolError
from .events import RentSmsEvent
from .fixtures import FULL_RENT
from .models import Account, RentSms, RentState, SandboxRent
from .phones import new_phone

FIRST_RENT_ID: Final = 1_049_000
_HOUR: Final = 3600
_MIN_HOURS: Final = 4


def parse_hours(params: Mapping[str, str]) -> int | None:
    """The rent-time parameter, ``rent_time`` or ``time`` (hours); ``None`` when absent.

    Raises:
        ProtocolError: ``INVALID_TIME`` for a value that is not a whole number.
    """
    raw = (params.get("rent_time") or params.get("time") or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ProtocolError("INVALID_TIME") from None


def check_rent_hours(hours: int, max_hours: int) -> None:
    """A new rent runs 4 or 12 hours, or whole days (24, 48, …) up to ``max_hours``.

    Raises:
        ProtocolError: ``INVALID_TIME`` otherwise.
    """
    if hours not in (4, 12) and not (hours >= 24 and hours % 24 == 0 and hours <= max_hours):
        raise ProtocolError("INVALID_TIME")


class RentBook(Book[SandboxRent]):
    """All rents, by id, and every rule that changes them."""

    __slots__ = ()
    _noun = "rent"

    def __init__(self, context: BookContext) -> None:
        super().__init__(context, FIRST_RENT_ID)

    # -- reading --------------------------------------------------------------------------

    def owned(self, account: Account, raw_id: str | None) -> SandboxRent:
        """The caller's rent named by a wire ``id``, settled.

        Raises:
            ProtocolError: ``NO_ID_RENT`` when no id is given; ``INVALID_PHONE`` ("not rented
                by you") for a malformed, unknown or foreign id.
        """
        text = (raw_id or "").strip()
        if not text:
            raise ProtocolError("NO_ID_RENT")
        try:
            rent = self._items.get(int(text))
        except ValueError:
            rent = None
        if rent is None or rent.account != account.name:
            raise ProtocolError("INVALID_PHONE")
        self.settle(rent)
        return rent

    def holds_phone(self, phone: str) -> bool:
        """Whether an unended rent has the number."""
        return any(r.phone == phone for r in self._open.values())

    # -- time -----------------------------------------------------------------------------

    def settle(self, rent: SandboxRent) -> None:
        """Past ``end_at`` an active rent is FINISHED (as of ``end_at``), charge kept."""
        if rent.state is RentState.ACTIVE and self._ctx.clock.now() >= rent.end_at:
            self._end(rent, RentState.FINISHED, "expired", at=rent.end_at)

    def _ended(self, rent: SandboxRent) -> bool:
        return rent.state is not RentState.ACTIVE

    def expire(self, rent_id: int) -> SandboxRent:
        """Moves the rent's end to now and settles it (a control shortcut)."""
        rent = self._live(rent_id)
        rent.end_at = self._ctx.clock.now()
        self.settle(rent)
        return rent

    # -- the Rent API -----------------------------------------------------------------------

    def rent(
        self,
        account: Account,
        *,
        service: str,
        country: int,
        operators: tuple[str, ...],
        hours: int,
        url: str | None,
    ) -> SandboxRent:
        """getRentNumber, after the caller parsed the service, country and operators.

        Raises:
            ProtocolError: ``INVALID_TIME``, ``NO_NUMBERS``, ``NO_BALANCE``.
        """
        check_rent_hours(hours, self._ctx.config().max_rent_hours)
        if not self._ctx.stock.rent_count(country, service):
            raise ProtocolError("NO_NUMBERS")
        price = self._ctx.catalog.rent_price(country, service, hours)
        if account.balance < price:
            raise ProtocolError("NO_BALANCE")
        phone = new_phone(
            self._ctx.catalog.countries[country], self._ctx.rng, in_use=self._ctx.phones_in_use
        )
        named = [
            op for op in self._ctx.catalog.operators_of(country) if not operators or op in operators
        ]
        self._ctx.stock.take_rent(country, service)
        self._next_id += self._ctx.rng.randint(1, 9)
        self._ctx.accounts.debit(account, price, "rent", self._next_id)
        now = self._ctx.clock.now()
        rent = SandboxRent(
            id=self._next_id,
            account=account.name,
            service=service,
            country=country,
            operator=self._ctx.rng.choice(named or list(self._ctx.catalog.operators_of(country))),
            phone=phone,
            hours=hours,
            cost=price,
            started_at=now,
            end_at=now + hours * _HOUR,
            url=url,
        )
        self._items[rent.id] = rent
        self._open[rent.id] = rent
        return rent

    def set_status(self, rent: SandboxRent, raw_status: str | None) -> None:
        """setRentStatus: 1 finishes (charge kept), 2 cancels (refund) within the window.

        Raises:
            ProtocolError: ``INCORECT_STATUS`` (sic), ``ALREADY_FINISH``, ``ALREADY_CANCEL``,
                ``CANT_CANCEL`` (an SMS has come, or the cancel window has passed).
        """
        status = (raw_status or "").strip()
        if status not in ("1", "2"):
            raise ProtocolError("INCORECT_STATUS")
        if rent.state is RentState.FINISHED:
            raise ProtocolError("ALREADY_FINISH")
        if rent.state is RentState.CANCELLED:
            raise ProtocolError("ALREADY_CANCEL")
        if status == "1":
            self._end(rent, RentState.FINISHED, "finished")
            return
        age = self._ctx.clock.now() - rent.started_at
        if rent.messages or age >= self._ctx.config().rent_cancel_seconds:
            raise ProtocolError("CANT_CANCEL")
        self._end(rent, RentState.CANCELLED, "cancelled")
        owner = self._ctx.accounts.owner(rent.account)
        self._ctx.accounts.credit(owner, rent.cost, "refund: rent cancelled", rent.id)
        rent.refunded = rent.cost

    def extension_price(self, rent: SandboxRent, hours: int | None) -> tuple[int, Decimal]:
        """getContinueRentPriceNumber: the hours (default 4) and the price of extending.

        Raises:
            ProtocolError: ``RENT_DIE`` (the rent has ended), ``INVALID_TIME`` (outside
                4..max_rent_hours), ``MAX_HOURS_EXCEED`` with ``info={"max": n}``, n being the
                most hours the rent may still be extended by.
        """
        if rent.state is not RentState.ACTIVE:
            raise ProtocolError("RENT_DIE")
        max_hours = self._ctx.config().max_rent_hours
        wanted = _MIN_HOURS if hours is None else hours
        if not _MIN_HOURS <= wanted <= max_hours:
            raise ProtocolError("INVALID_TIME")
        if rent.hours + wanted > max_hours:
            raise ProtocolError("MAX_HOURS_EXCEED", info={"max": max_hours - rent.hours})
        return wanted, self._ctx.catalog.rent_price(rent.country, rent.service, wanted)

    def extend(self, account: Account, rent: SandboxRent, hours: int | None) -> SandboxRent:
        """continueRentNumber: moves ``end_at`` by the hours and charges their price.

        Raises:
            ProtocolError: those of :meth:`extension_price`, and ``NO_BALANCE``.
        """
        wanted, price = self.extension_price(rent, hours)
        self._ctx.accounts.debit(account, price, "rent extension", rent.id)
        rent.hours += wanted
        rent.end_at += wanted * _HOUR
        rent.cost += price
        return rent

    def deliver_sms(
        self, rent_id: int, text: str, phone_from: str | None = None, service: str | None = None
    ) -> SandboxRent:
        """An SMS reaches the rented number.

        Args:
            phone_from: the sender; a number of the rent's country by default.
            service: the service it is from; the rent's own (``ot`` for a ``full`` rent).

        Raises:
            ControlError: unknown rent (404), an ended rent (409).
        """
        rent = self._live(rent_id)
        sender = phone_from or new_phone(self._ctx.catalog.countries[rent.country], self._ctx.rng)
        sms = RentSms(
            phone_from=sender,
            text=text,
            service=service or ("ot" if rent.service == FULL_RENT else rent.service),
            received_at=self._ctx.clock.now(),
        )
        rent.messages.append(sms)
        self._ctx.events.emit(RentSmsEvent(rent, sms))
        return rent

    # -- internals ------------------------------------------------------------------------

    def _end(
        self, rent: SandboxRent, state: RentState, reason: str, at: float | None = None
    ) -> None:
        rent.state = state
        self._open.pop(rent.id, None)
        rent.end_reason = reason
        rent.ended_at = self._ctx.clock.now() if at is None else at
