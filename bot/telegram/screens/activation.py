"""Screens built from the ledger, shared by the handlers and the notifier's deliverer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.telegram.rendering import Html, Renderer, Screen
from storage.activations import Activation, ActivationLedger


def country_name(row: Activation, locale: str) -> str:
    return recorded_country_name(row.options, row.country, locale)


def recorded_country_name(options: Mapping[str, Any], country: int | None, locale: str) -> str:
    """The country's name as the provider gave it at purchase (kept in a ledger row's options),
    in the locale if it gave one."""
    names = options.get("country_names") or {}
    if isinstance(names, dict):
        name = names.get(locale) or names.get("en")
        if name:
            return str(name)
    return "" if country is None else f"#{country}"


def service_name(row: Activation) -> str:
    return str(row.options.get("service_name") or row.service)


async def activation_screen(ledger: ActivationLedger, render: Renderer, row: Activation) -> Screen:
    """The activation message for a row, with its latest code."""
    codes = await ledger.codes(row.ledger_id)
    last = next((c.code or c.text for c in reversed(codes) if c.code or c.text), None)
    screen = render.activation(
        row, country=country_name(row, render.locale), service=service_name(row), code=last
    )
    options = _option_lines(render, row)
    if not options:
        return screen
    return Screen(Html("\n".join((screen.text, *options))), screen.keyboard)


def _option_lines(render: Renderer, row: Activation) -> list[Html]:
    """What the number was bought with beyond a plain SMS number (the ledger's options)."""
    lines = []
    if row.options.get("verification"):
        lines.append(render("options-card-verification"))
    if row.options.get("forward"):
        number = row.options.get("forward_number")
        lines.append(render("options-card-forward", number=f"+{number}" if number else "—"))
    return lines
