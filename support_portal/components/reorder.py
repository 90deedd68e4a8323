"""The "move up" and "move down" buttons of an ordered list (categories, their fields)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from support_portal.components.i18n import T


def move_buttons(move: Callable[[int], rx.event.EventSpec], name: rx.Var, busy: rx.Var):
    """`move(-1)` / `move(1)` is the event; `name` says what moves, for screen readers."""
    return [
        rx.icon_button(
            rx.icon(icon, size=14),
            size="1",
            variant="soft",
            on_click=move(step),
            disabled=busy,
            aria_label=label,
        )
        for icon, step, label in (
            ("arrow-up", -1, T("Move {name} up", name=name)),
            ("arrow-down", 1, T("Move {name} down", name=name)),
        )
    ]
