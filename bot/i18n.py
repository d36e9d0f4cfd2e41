"""Fluent translations, strict: a missing message or variable is an error, never a raw id.

Fluent's own default is to return the message id (or ``{$var}``) when something is missing;
that would put ``buy-confirm`` in front of a user and let a broken locale pass every test.
:class:`Translator` raises :class:`TranslationError` instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Final

from fluent.runtime import FluentBundle, FluentResource

SUPPORTED_LOCALES: Final = ("en", "ru", "es")
DEFAULT_LOCALE: Final = "en"
_VARIABLE: Final = re.compile(r"\{\s*\$([a-zA-Z][\w-]*)")


class TranslationError(LookupError):
    """A message id or one of its variables is missing in a locale."""


@dataclass(frozen=True, slots=True)
class _Locale:
    bundle: FluentBundle
    variables: Mapping[str, frozenset[str]]


def locales_dir() -> Path:
    """Where the ``.ftl`` files are: beside the package in a checkout, or installed data."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "locales", here / "locales"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the locales directory was not found")


class Translator:
    """Formats messages in the supported locales.

    Args:
        directory: holds ``<locale>/*.ftl``.
        locales: the locales to load; the first is the fallback for unknown languages.
    """

    def __init__(
        self, directory: Path | None = None, locales: Iterable[str] = SUPPORTED_LOCALES
    ) -> None:
        root = directory or locales_dir()
        self._locales: dict[str, _Locale] = {}
        for code in locales:
            bundle = FluentBundle([code], use_isolating=False)
            variables: dict[str, frozenset[str]] = {}
            for path in sorted((root / code).glob("*.ftl")):
                text = path.read_text(encoding="utf-8")
                bundle.add_resource(FluentResource(text))
                variables.update(_variables_by_message(text))
            self._locales[code] = _Locale(bundle, variables)
        self._fallback = next(iter(self._locales))

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self._locales)

    def message_ids(self, locale: str) -> frozenset[str]:
        return frozenset(self._locales[locale].variables)

    def variables(self, locale: str, message_id: str) -> frozenset[str]:
        return self._locales[locale].variables[message_id]

    def resolve(self, *candidates: str | None) -> str:
        """The first supported locale among candidates ("ru-RU" counts as "ru")."""
        for candidate in candidates:
            if candidate:
                code = candidate.replace("_", "-").split("-")[0].lower()
                if code in self._locales:
                    return code
        return self._fallback

    def t(self, locale: str, message_id: str, **args: object) -> str:
        """Formats one message.

        Raises:
            TranslationError: the locale lacks the message, or the message needs a variable
                that was not given, or formatting failed.
        """
        entry = self._locales.get(locale) or self._locales[self._fallback]
        message = (
            entry.bundle.get_message(message_id) if entry.bundle.has_message(message_id) else None
        )
        if message is None or message.value is None:
            raise TranslationError(f"{locale}: no message {message_id!r}")
        missing = entry.variables.get(message_id, frozenset()) - args.keys()
        if missing:
            raise TranslationError(f"{locale}: {message_id!r} needs {sorted(missing)}")
        text, errors = entry.bundle.format_pattern(
            message.value, {name: _fluent_value(value) for name, value in args.items()}
        )
        if errors:
            raise TranslationError(f"{locale}: {message_id!r}: {errors[0]}")
        return str(text)


def _fluent_value(value: object) -> object:
    # Fluent formats numbers (for plurals) and strings; Decimal money stays exact as text.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, bool) or value is None:
        return str(value)
    return value


def _variables_by_message(text: str) -> dict[str, frozenset[str]]:
    """Message ids of an FTL text and the variables each one uses (attributes included)."""
    result: dict[str, set[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith(("#", "-")) and "=" in line:
            current = line.split("=", 1)[0].strip()
            result[current] = set()
        elif line.startswith("-") or line.startswith("#"):
            current = None if line.startswith("-") else current
        if current is not None:
            result[current].update(_VARIABLE.findall(line))
    return {message_id: frozenset(names) for message_id, names in result.items()}
