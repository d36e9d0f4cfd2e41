"""RequestLog: every protocol call the sandbox received, with the API key left out."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .formats import JsonValue, datetime_text

_REPLY_PREVIEW: Final = 200
_REDACTED: Final = "***"


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One protocol call as the sandbox saw it.

    Attributes:
        params: the merged parameters without ``api_key`` (and with any other key-like
            parameter masked).
        account: the name of the account the key belongs to; ``None`` for a missing or
            unknown key.
        reply: the start of the body sent back ("" when the connection was dropped).
        fault: the injected fault this call met, if any.
    """

    at: float
    method: str
    action: str | None
    params: Mapping[str, str]
    account: str | None
    status: int
    reply: str
    fault: str | None = None

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "at": self.at,
            "time": datetime_text(self.at),
            "method": self.method,
            "action": self.action,
            "params": dict(self.params),
            "account": self.account,
            "status": self.status,
            "reply": self.reply,
            "fault": self.fault,
        }


def safe_params(params: Mapping[str, str], secrets: set[str] | frozenset[str]) -> Mapping[str, str]:
    """``params`` without ``api_key``; any other parameter whose name mentions a key, or whose
    value is a known API key (a client that misspells ``api_key``), is masked."""
    kept = {}
    for name, value in params.items():
        if name == "api_key":
            continue
        masked = "key" in name.lower() or value in secrets
        kept[name] = _REDACTED if masked else value
    return MappingProxyType(kept)


class RequestLog:
    """The last ``limit`` records, oldest first."""

    __slots__ = ("_records",)

    def __init__(self, limit: int = 10_000) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=limit)

    def append(self, record: RequestRecord) -> None:
        self._records.append(record)

    def records(self) -> tuple[RequestRecord, ...]:
        return tuple(self._records)

    def clear(self) -> None:
        self._records.clear()


def preview(body: str) -> str:
    """The start of a reply body, for the log."""
    return body[:_REPLY_PREVIEW]
