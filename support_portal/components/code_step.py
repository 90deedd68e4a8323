"""The step after "we emailed you a code" that registration and password reset share: what was
sent where, the form with the code (and whatever else the step asks for), "Send the email
again" and a way back to change the address."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import error_callout, info_callout


def emailed_code_step(
    *,
    prefix: str,
    notice: rx.Var,
    error: rx.Var,
    fields: list[rx.Component],
    on_submit: rx.EventHandler,
    reset_on_submit: bool,
    resend: rx.EventHandler,
    resending: rx.Var,
    start_over: rx.EventHandler,
    start_over_label: rx.Var,
    error_id: str | None = None,
) -> rx.Component:
    """Ids are `{prefix}-notice`, `{prefix}-error` (or `error_id`), `{prefix}-resend` and
    `{prefix}-start-over`."""
    return rx.vstack(
        info_callout(notice, id=f"{prefix}-notice"),
        rx.text(
            T("The code expires in 10 minutes. No email? Check the spam folder or send it again."),
            color_scheme="gray",
            size="2",
        ),
        error_callout(error, id=error_id or f"{prefix}-error"),
        rx.form(
            rx.vstack(*fields, spacing="4", width="100%"),
            on_submit=on_submit,
            reset_on_submit=reset_on_submit,
            width="100%",
        ),
        rx.hstack(
            rx.button(
                T("Send the email again"),
                on_click=resend,
                loading=resending,
                variant="soft",
                type="button",
                id=f"{prefix}-resend",
            ),
            rx.button(
                start_over_label,
                on_click=start_over,
                variant="ghost",
                type="button",
                id=f"{prefix}-start-over",
            ),
            spacing="3",
            wrap="wrap",
        ),
        spacing="4",
        width="100%",
    )
