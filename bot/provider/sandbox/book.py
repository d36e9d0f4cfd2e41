"""What the activation and rent books share: every item by id, the unended ones apart (so
purchases and sweeps need not walk the history), and lazy expiry: every read settles an item
against the clock first (:meth:`Book.settle`), so moving a ManualClock forward ends items with no
background task, and :meth:`Book.sweep` settles them all at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Generic, Protocol, TypeVar

from .context import BookContext
from .errors import ControlError
from .models import Account


class BookItem(Protocol):
    """What a book keeps: an id and the account it belongs to."""

    id: int
    account: str


ItemT = TypeVar("ItemT", bound=BookItem)


class Book(ABC, Generic[ItemT]):
    """The items of one kind, by id; subclasses hold the rules that change them.

    Args:
        context: the parts of the sandbox the book decides with.
        first_id: the first id it hands out.
    """

    __slots__ = ("_ctx", "_items", "_next_id", "_open")
    _noun: ClassVar[str]  # how control errors name an item: "rent"

    def __init__(self, context: BookContext, first_id: int) -> None:
        self._ctx = context
        self._items: dict[int, ItemT] = {}
        self._open: dict[int, ItemT] = {}  # the items not yet ended
        self._next_id = first_id

    @abstractmethod
    def settle(self, item: ItemT) -> None:
        """Applies expiry: what the clock says has happened to ``item`` since."""

    @abstractmethod
    def _ended(self, item: ItemT) -> bool:
        """Whether ``item`` has ended."""

    def get(self, item_id: int) -> ItemT:
        """The item, settled. Raises ControlError (404) if there is none."""
        item = self._items.get(item_id)
        if item is None:
            raise ControlError(f"no {self._noun} {item_id}", 404)
        self.settle(item)
        return item

    def all(self, account: str | None = None) -> list[ItemT]:
        """Every item (of ``account``, if named), settled, oldest first."""
        found = [item for item in self._items.values() if account in (None, item.account)]
        for item in found:
            self.settle(item)
        return found

    def live(self, account: Account | None = None) -> list[ItemT]:
        """The unended items (of ``account``, if given), settled, oldest first."""
        found = [
            item
            for item in list(self._open.values())
            if account is None or item.account == account.name
        ]
        for item in found:
            self.settle(item)
        return [item for item in found if not self._ended(item)]

    def sweep(self) -> int:
        """Settles every unended item; returns how many ended."""
        before = len(self._open)
        return before - len(self.live())

    def _live(self, item_id: int) -> ItemT:
        """The unended item. Raises ControlError (409) once it has ended."""
        item = self.get(item_id)
        if self._ended(item):
            raise ControlError(f"{self._noun} {item_id} has ended", 409)
        return item
