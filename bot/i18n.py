"""Fluent translations, strict: a missing message or variable is an error, never a raw id.

Fluent's own default is to return the message id (or ``{$var}``) when something is missing;
that would put ``buy-confirm`` in front of a user and let a broken locale pass every test.
:class:`Translator` raises :class:`TranslationError` instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Final

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast as ftl
from fluent.syntax.visitor import Visitor

SUPPORTED_LOCALES: Final = ("en", "ru", "es")
DEFAULT_LOCALE: Final = "en"


class TranslationError(LookupError):
    """A message id or one of its variables is missing in a locale."""


@dataclass(frozen=True, slots=True)
class _Locale:
    bundle: FluentBundle
    variables: Mapping[str, frozenset[str]]


def locales_dir() -> Path:
    """Where the ``.ftl`` files are: beside the package in a checkout, or installed data."""
    here = Path(__file__).resolve().parent
    installed = Path(sys.prefix) / "share" / "smsbot" / "locales"
    for candidate in (here.parent / "locales", installed):
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
            resources = [
                FluentResource(path.read_text(encoding="utf-8"))
                for path in sorted((root / code).glob("*.ftl"))
            ]
            for resource in resources:
                bundle.add_resource(resource)
            self._locales[code] = _Locale(bundle, _variables_by_message(*resources))
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


def _variables_by_message(*sources: str | ftl.Resource) -> dict[str, frozenset[str]]:
    """Message ids of FTL sources and the variables each one needs, read from the Fluent AST.

    Counts what the bundle will hold: the first definition of an id wins (as in
    ``FluentBundle.add_resource``), and an entry with a syntax error (Junk) is no message.
    Variables are taken from the value and the attributes, wherever they occur (selectors,
    function and term arguments), plus those of the messages it references, which are
    formatted with the same arguments. Comments and terms contribute nothing.
    """
    direct: dict[str, set[str]] = {}
    references: dict[str, set[str]] = {}
    for source in sources:
        resource = FluentResource(source) if isinstance(source, str) else source
        for entry in resource.body:
            if isinstance(entry, ftl.Message) and entry.id.name not in direct:
                collector = _References()
                collector.visit(entry.value)
                collector.visit(entry.attributes)
                direct[entry.id.name] = collector.variables
                references[entry.id.name] = collector.messages
    result: dict[str, frozenset[str]] = {}
    for message_id in direct:
        names: set[str] = set()
        seen: set[str] = set()
        pending = [message_id]
        while pending:
            current = pending.pop()
            if current in seen or current not in direct:
                continue
            seen.add(current)
            names |= direct[current]
            pending.extend(references[current])
        result[message_id] = frozenset(names)
    return result


class _References(Visitor):
    """Collects the variables and the message references in a part of a Fluent AST."""

    def __init__(self) -> None:
        self.variables: set[str] = set()
        self.messages: set[str] = set()

    def visit_VariableReference(self, node: ftl.VariableReference) -> None:
        self.variables.add(node.id.name)

    def visit_MessageReference(self, node: ftl.MessageReference) -> None:
        self.messages.add(node.id.name)
        self.generic_visit(node)
