"""How a store's SQL text reaches asyncpg: its ``?`` and ``:name`` placeholders numbered
``$1, $2…`` once per statement text (cached, quoted literals left alone), and the rows a command
changed read from its status string. PostgreSQL's side of :mod:`storage.postgres`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Final

from storage.db import Params

_TOKEN: Final = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:([A-Za-z_]\w*)")


def to_postgres(sql: str) -> str:
    """``sql`` with its ``?`` placeholders numbered ``$1, $2…`` (quoted literals left alone)."""
    return _compile(sql)[0]


@lru_cache(maxsize=2048)
def _compile(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` in PostgreSQL's numbered form, and the names of its ``:name`` parameters in
    number order (empty for ``?`` placeholders). Cached per statement text."""
    numbers = itertools.count(1)
    names: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        if match[0] == "?":
            return f"${next(numbers)}"
        if match[1] is not None:
            if match[1] not in names:
                names[match[1]] = next(numbers)
            return f"${names[match[1]]}"
        return match[0]

    return _TOKEN.sub(number, sql), tuple(names)


def statement(sql: str, params: Params) -> tuple[str, tuple[object, ...]]:
    """The numbered statement and its positional arguments."""
    text, names = _compile(sql)
    if isinstance(params, Mapping):
        return text, tuple(params[name] for name in names)
    return text, tuple(params)


def row_count(status: str) -> int:
    """The rows a command changed, from its status string ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0
