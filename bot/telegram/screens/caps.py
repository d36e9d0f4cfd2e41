"""Spending caps on screens: a refused purchase's answer, and the caps' lines in /settings."""

from __future__ import annotations

from decimal import Decimal

from bot.services.spending import Remaining, SpendingCapError
from bot.telegram.rendering import Html, Renderer


def cap_refusal(render: Renderer, capped: SpendingCapError) -> Html:
    """"Not bought: it would pass your daily cap of 50.00; 12.00 left today (this costs 15.00)".
    Nothing was recorded or paid."""
    return render(
        "cap-refused",
        period=capped.period,
        cap=render.money(capped.cap),
        remaining=render.money(capped.remaining),
        price=render.money(capped.price),
    )


def cap_lines(
    render: Renderer, day: Decimal | None, month: Decimal | None, left: Remaining
) -> list[str]:
    """The caps and what is left under each, for /settings."""
    lines = []
    for period, cap, remaining in (("day", day, left.day), ("month", month, left.month)):
        if cap is None:
            lines.append(str(render("settings-cap-none", period=period)))
        else:
            text = render(
                "settings-cap",
                period=period,
                cap=render.money(cap),
                remaining=render.money(remaining),
            )
            lines.append(str(text))
    return lines
