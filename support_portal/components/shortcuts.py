"""The agents' keyboard shortcuts: a "Keyboard shortcuts" button in the dashboard navigation
opens the list ("?" opens it too). The keys themselves are handled by assets/portal.js, which
clicks and focuses the same controls a mouse would use."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T

# (key, what it does); the same keys as AGENT_KEYS in assets/portal.js.
SHORTCUTS = (
    ("j", T("Next ticket in the queue")),
    ("k", T("Previous ticket in the queue")),
    ("Enter", T("Open the selected ticket")),
    ("r", T("Reply to the customer")),
    ("n", T("Write an internal note")),
    ("/", T("Insert a saved reply")),
    ("e", T("Resolve the ticket")),
    ("Ctrl+Enter", T("Send the reply or note")),
    ("?", T("Show this list")),
)


def _row(key: str, label: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(key, size="2")),
        rx.table.cell(rx.text(label, size="2")),
    )


def shortcuts_button() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("keyboard", size=16),
                T("Keyboard shortcuts"),
                variant="ghost",
                size="1",
                aria_keyshortcuts="?",
                id="shortcuts-button",
            )
        ),
        rx.dialog.content(
            rx.dialog.title(T("Keyboard shortcuts")),
            rx.dialog.description(
                T("They work whenever the cursor is not in a text field."), size="2"
            ),
            rx.table.root(
                rx.table.body(*(_row(key, label) for key, label in SHORTCUTS)),
                size="1",
                margin_top="0.75rem",
                id="shortcuts-list",
            ),
            rx.flex(
                rx.dialog.close(rx.button(T("Close"), variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
    )
