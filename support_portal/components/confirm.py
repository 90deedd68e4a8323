"""A confirmation before an irreversible or sweeping action: a Radix alert dialog with Cancel
and a red confirm button that stays, showing the wait, until the action is done."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T


def confirm_dialog(
    open_: rx.Var,
    title: rx.Var,
    text: rx.Var,
    confirm_label: rx.Var,
    *,
    on_cancel,
    on_confirm,
    loading: rx.Var,
    name: str,
) -> rx.Component:
    """Open while `open_`; Cancel, Escape or a click outside call `on_cancel`. The buttons'
    ids are `{name}-cancel` and `{name}-confirm`."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        T("Cancel"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=on_cancel,
                        id=f"{name}-cancel",
                    )
                ),
                # Not an auto-closing action: the dialog stays, showing the wait, until done.
                rx.button(
                    confirm_label,
                    color_scheme="red",
                    on_click=on_confirm,
                    loading=loading,
                    id=f"{name}-confirm",
                    high_contrast=True,
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
                wrap="wrap",
            ),
        ),
        open=open_,
        on_open_change=lambda _open: on_cancel(),
    )
