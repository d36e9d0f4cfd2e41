"""What a user is in the middle of: one flow at a time, in one ``user_data`` slot.

Each flow is a small dataclass (:mod:`bot.telegram.flow_types`: a /buy, /rent, /multi or
/prices draft, an offer on a bought row, a question whose answer is the next text). Only plain
JSON goes into ``user_data`` (PTB persistence stores it as strict JSON), so the slot holds
``{"kind": "buy", ...}`` made from the dataclass, and :func:`current` parses it back, in this
module only. A handler that changes its
flow writes it back with :func:`save`; the picker and confirm drivers in
:mod:`bot.telegram.routing` do that for their steps. A user's updates run one at a time
(:mod:`bot.telegram.updates`), so reading, changing and saving a flow needs no lock.

Starting a flow (:func:`start`) replaces whatever was under way, so its older screens' buttons
answer "out of date"; /cancel ends it (:func:`end`). A slot that does not parse (corrupt, or
written by an older version of the bot) reads as no flow: a user caught mid-flow by an upgrade
is told their menu is out of date and starts again, which costs nothing (a confirm token's
use is decided by the ledger, never by the draft).

Not a flow: :data:`MENU`, the message id of the one picker menu whose buttons still work.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import logging
import types
import typing
from decimal import Decimal, InvalidOperation
from typing import Final, TypeVar, Union

from bot.telegram.context import Context
from bot.telegram.flow_types import Asked, BaseFlow, Flow, Question

log = logging.getLogger(__name__)

SLOT: Final = "flow"  # the user_data key of the one flow under way
# The message id of the one picker menu that may still be pressed (a newer menu takes the
# buttons off the older, whose pages would read the newer draft).
MENU: Final = "picker_menu"


# Where flows lived before they shared one slot: dropped when a flow starts or ends, so a
# user's stored data does not keep them forever (they are never read).
_OLD_KEYS: Final = (
    "awaiting",
    "buy",
    "rent",
    "prices",
    "multi",
    "extra",
    "rent_extend",
    "additional",
    "call_for",
)


F = TypeVar("F", bound=BaseFlow)

_KINDS: Final[dict[str, type[BaseFlow]]] = {kind.KIND: kind for kind in typing.get_args(Flow)}


# --- the slot -----------------------------------------------------------------------------


def current(context: Context) -> Flow | None:
    """The flow under way, or None (none, or a slot that does not parse)."""
    raw = (context.user_data or {}).get(SLOT)
    if raw is None:
        return None
    try:
        return typing.cast(Flow, from_json(raw))
    except (TypeError, ValueError, KeyError) as error:
        log.info("a flow slot that does not parse reads as none: %s", error)
        return None


def current_as(context: Context, kind: type[F]) -> F | None:
    """The flow under way if it is a ``kind``, else None."""
    flow = current(context)
    return flow if isinstance(flow, kind) else None


def start(context: Context, flow: BaseFlow) -> None:
    """Makes ``flow`` the one under way: whatever was (its buttons, its questions) ends."""
    assert context.user_data is not None
    _drop_old_keys(context)
    context.user_data[SLOT] = to_json(flow)


def save(context: Context, flow: BaseFlow) -> None:
    """Writes back a flow that changed, if it is still the one under way (one that ended or
    was replaced meanwhile stays ended)."""
    data = context.user_data
    if data is None:
        return
    raw = data.get(SLOT)
    if isinstance(raw, dict) and raw.get("flow_id") == flow.flow_id:
        data[SLOT] = to_json(flow)


def end(context: Context, *kinds: type[BaseFlow]) -> bool:
    """Ends the flow under way (only if it is one of ``kinds``, when given); True if one was."""
    data = context.user_data
    if data is None:
        return False
    _drop_old_keys(context)
    if data.get(SLOT) is None or (kinds and not isinstance(current(context), kinds)):
        return False
    del data[SLOT]
    return True


def _drop_old_keys(context: Context) -> None:
    for key in _OLD_KEYS:
        (context.user_data or {}).pop(key, None)


def asked(context: Context) -> Question | None:
    """The question the next text answers, when one was asked on its own."""
    flow = current(context)
    return flow.question if isinstance(flow, Asked) else None


def ask(context: Context, question: Question) -> None:
    """Asks ``question``: the next text is its answer (whatever was under way ends)."""
    start(context, Asked(question=question))


def end_question(context: Context, *questions: Question) -> None:
    """Ends the question asked on its own, if it is one of ``questions`` (any, when none)."""
    current_question = asked(context)
    if current_question is not None and (not questions or current_question in questions):
        end(context)


# --- JSON ---------------------------------------------------------------------------------


def to_json(flow: BaseFlow) -> dict[str, object]:
    """The flow as plain JSON data, tagged with its kind."""
    encoded = _encode(flow)
    assert isinstance(encoded, dict)
    return {"kind": flow.KIND, **encoded}


def from_json(raw: object) -> BaseFlow:
    """The flow ``raw`` holds. Raises TypeError, ValueError or KeyError when it is not one."""
    if not isinstance(raw, dict):
        raise TypeError(f"a flow is an object, not {type(raw).__name__}")
    kind = _KINDS[raw["kind"]]
    body = {key: value for key, value in raw.items() if key != "kind"}
    decoded = _decode(kind, body)
    assert isinstance(decoded, BaseFlow)
    return decoded


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    return value


def _decode(hint: object, value: object) -> object:
    """``value`` as the type ``hint`` names; raises TypeError or ValueError when it is not."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        (inner,) = (option for option in options if option is not type(None))
        return _decode(inner, value)
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_decode(item, entry) for entry in _expect(list, value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        entries = _expect(dict, value)
        return {_expect(str, key): _decode(item, entry) for key, entry in entries.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = _expect(dict, value)
        hints = _field_types(hint)
        known = {f.name for f in dataclasses.fields(hint) if f.init}
        if not set(fields) <= known:
            raise ValueError(f"unknown fields in {hint.__name__}: {set(fields) - known}")
        return hint(**{name: _decode(hints[name], entry) for name, entry in fields.items()})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is Decimal:
        try:
            number = Decimal(_expect(str, value))
        except InvalidOperation as error:
            raise ValueError(f"not an amount: {value!r}") from error
        if not number.is_finite():
            raise ValueError(f"not an amount: {value!r}")
        return number
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool):
        raise TypeError("a bool is not an int")
    if isinstance(hint, type) and isinstance(value, hint):
        return value
    raise TypeError(f"expected {hint}, got {type(value).__name__}")


@functools.cache
def _field_types(flow_type: type) -> dict[str, object]:
    # A flow is parsed on every update that reads it; resolving its annotations (strings
    # here) each time cost most of that, and they never change.
    return typing.get_type_hints(flow_type)


T = TypeVar("T")


def _expect(kind: type[T], value: object) -> T:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value
