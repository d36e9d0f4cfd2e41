"""Keeps SQL parameters (SMS codes, typed text) out of aiosqlite's log records."""

from __future__ import annotations

import functools
import logging


class _SqlParametersFilter(logging.Filter):
    """Keeps statement parameters out of aiosqlite's log records.

    At DEBUG, aiosqlite logs every call it runs with its arguments: the SQL and the values
    bound to it, such as a code from an SMS or UI state typed by a user. Whatever level an
    operator turns on, a record keeps only the name of the call (and of an exception's class).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            values = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_described(value) for value in values)
        return True


def _described(value: object) -> str:
    if isinstance(value, functools.partial):
        value = value.func
    if isinstance(value, BaseException):
        return type(value).__name__
    return str(getattr(value, "__qualname__", type(value).__name__))


def keep_parameters_out_of_logs() -> None:
    """Installs the filter on aiosqlite's logger (once, however often it is called)."""
    logger = logging.getLogger("aiosqlite")
    if not any(isinstance(f, _SqlParametersFilter) for f in logger.filters):
        logger.addFilter(_SqlParametersFilter())
