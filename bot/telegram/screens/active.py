"""/active's list: one message, one row per live number, each opening its card."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.buttons.activation import ActiveList
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.screens.activation import service_name
from storage.activations import Activation, ActivationState

_STATE_MARKS = {
    ActivationState.WAITING: "⏳",
    ActivationState.CODE_RECEIVED: "🔑",
    ActivationState.RETRY: "🔁",
}


def without_code(rows: Sequence[Activation]) -> list[Activation]:
    """The live numbers no code came to: those "cancel all" cancels (for a refund)."""
    return [r for r in rows if r.state is ActivationState.WAITING and not r.code_count]


def active_list_screen(
    render: Renderer, rows: Sequence[Activation], rents: int, notice: Html | None = None
) -> Screen:
    """The list: a line per number (state, phone, service), its button opening its card, and
    "cancel all without a code" when there are any."""
    lines = [render("active-header", count=len(rows) + rents)]
    buttons = []
    for row in rows:
        mark = _STATE_MARKS.get(row.state, "")
        lines.append(
            render("active-line", mark=mark, phone=row.phone or "", service=service_name(row))
        )
        label = f"{mark} +{row.phone or ''} · {service_name(row)}"
        buttons.append(
            [InlineKeyboardButton(label, callback_data=ActiveList("open", row.ledger_id).pack())]
        )
    codeless = without_code(rows)
    if codeless:
        buttons.append(
            [render.button("button-cancel-all", ActiveList("cancelall", 0), count=len(codeless))]
        )
    if notice is not None:
        lines.append(Html(f"\n{notice}"))
    keyboard = InlineKeyboardMarkup(buttons) if buttons else None
    return Screen(Html("\n".join(lines)), keyboard)


def cancel_all_screen(render: Renderer, rows: Sequence[Activation]) -> Screen:
    """Are you sure: the numbers that will be cancelled, Yes / Back."""
    codeless = without_code(rows)
    lines = [render("active-cancel-all-ask", count=len(codeless))]
    lines += [
        render("active-line", mark="⏳", phone=r.phone or "", service=service_name(r))
        for r in codeless
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [render.button("button-cancel-all-yes", ActiveList("confirm", 0), count=len(codeless))],
            [render.button("button-back", ActiveList("back", 0))],
        ]
    )
    return Screen(Html("\n".join(lines)), keyboard)
