"""The account page's "Email address" card: the address, and its change by emailed code."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import (
    code_field,
    error_callout,
    field,
    info_callout,
    required_note,
)
from support_portal.rules import MAX_PASSWORD_LENGTH
from support_portal.states.account import AccountState
from support_portal.states.email_change import EmailChangeState


def _error(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.text(message, size="1", color_scheme="red", role="alert"))


def _form_step() -> rx.Component:
    s = EmailChangeState
    errors = s.field_errors
    return rx.form(
        rx.vstack(
            required_note(),
            field(
                T("New email address"),
                rx.input(
                    name="new_email",
                    type="email",
                    required=True,
                    auto_complete="email",
                    id="new-email",
                    auto_focus=True,
                    size="3",
                ),
                error=errors.get("new_email", errors.get("email", "")),
            ),
            field(
                T("Current password"),
                rx.input(
                    name="current_password",
                    type="password",
                    required=True,
                    auto_complete="current-password",
                    id="email-current-password",
                    max_length=MAX_PASSWORD_LENGTH,
                    size="3",
                ),
                error=errors.get("current_password", ""),
            ),
            rx.hstack(
                rx.button(T("Send code"), type="submit", loading=s.sending, id="email-send"),
                rx.button(
                    T("Cancel"),
                    type="button",
                    variant="ghost",
                    on_click=s.cancel,
                    id="email-cancel",
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.send_code,
        reset_on_submit=False,
        width="100%",
    )


def _code_step() -> rx.Component:
    s = EmailChangeState
    return rx.vstack(
        info_callout(s.notice, id="email-notice"),
        rx.form(
            rx.vstack(
                required_note(),
                code_field("email-code", auto_focus=True),
                _error(s.field_errors.get("code", "")),
                rx.hstack(
                    rx.button(
                        T("Confirm"), type="submit", loading=s.confirming, id="email-confirm"
                    ),
                    rx.button(
                        T("Send the email again"),
                        type="button",
                        variant="soft",
                        on_click=s.resend,
                        loading=s.resending,
                        id="email-resend",
                    ),
                    rx.button(T("Cancel"), type="button", variant="ghost", on_click=s.cancel),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.confirm,
            reset_on_submit=True,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def email_card() -> rx.Component:
    s = EmailChangeState
    return rx.card(
        rx.heading(T("Email address"), size="4", as_="h2", margin_bottom="0.75rem"),
        rx.vstack(
            rx.text(AccountState.email, id="account-email", weight="medium"),
            rx.text(
                T("A new address takes effect once you enter the code we send to it."),
                size="2",
                color_scheme="gray",
            ),
            error_callout(s.error, id="email-error"),
            rx.cond(
                s.done != "",
                rx.callout(s.done, icon="circle-check", color_scheme="green", role="status"),
            ),
            rx.match(
                s.step,
                ("form", _form_step()),
                ("code", _code_step()),
                rx.button(
                    T("Change email"),
                    variant="soft",
                    on_click=s.open_form,
                    id="email-change",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
