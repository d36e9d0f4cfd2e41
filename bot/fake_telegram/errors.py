"""The one error type of the fake Bot API: an HTTP status plus Telegram's own description.

Every check in the fake raises `ApiError`; the server turns it into Telegram's envelope::

    {"ok": false, "error_code": 400, "description": "Bad Request: message text is empty"}
    {"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 5",
     "parameters": {"retry_after": 5}}

Descriptions are worded as the real Bot API words them, because bots (and PTB) match on them.
"""

from __future__ import annotations

from typing import Any, Final

NOT_FOUND: Final = "Not Found"
UNAUTHORIZED: Final = "Unauthorized"


class ApiError(Exception):
    """A Bot API failure, answered as ``{"ok": false, ...}`` with HTTP status `status`.

    Args:
        status: the HTTP status and ``error_code`` (400, 401, 403, 404, 409, 429).
        description: the full description, prefix included ("Bad Request: ...").
        retry_after: for 429 only: seconds the caller must wait; sent as ``parameters``.
    """

    __slots__ = ("description", "retry_after", "status")

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 whose description is ``"Bad Request: " + detail``."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 whose description is ``"Forbidden: " + detail``."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 carrying ``parameters.retry_after``, as Telegram's flood control answers."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def conflict(detail: str) -> ApiError:
    """A 409 whose description is ``"Conflict: " + detail``."""
    return ApiError(409, f"Conflict: {detail}")
