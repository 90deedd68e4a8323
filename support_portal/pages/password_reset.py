"""/forgot-password: the address, then the emailed code and a new password."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.code_step import emailed_code_step
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import page
from support_portal.components.ui import (
    code_field,
    email_field,
    error_callout,
    field,
    required_note,
    submit_button,
)
from support_portal.i18n import _
from support_portal.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from support_portal.states.password_reset import ForgotPasswordState


def _email_step() -> rx.Component:
    s = ForgotPasswordState
    return rx.vstack(
        rx.text(
            T("Enter the email address of your account. We send you a code to set a new password."),
            color_scheme="gray",
        ),
        error_callout(s.error, id="reset-error"),
        rx.form(
            rx.vstack(
                required_note(),
                email_field(
                    s.field_errors.get("email", ""),
                    auto_complete="username",
                    id="email",
                    auto_focus=True,
                    size="3",
                ),
                submit_button(T("Send code"), loading=s.requesting, id="reset-request"),
                spacing="4",
                width="100%",
            ),
            on_submit=s.request_code,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(T("Remembered it?"), " ", rx.link(T("Log in"), href=routes.LOGIN), size="2"),
        spacing="4",
        width="100%",
    )


def _code_step() -> rx.Component:
    s = ForgotPasswordState
    errors = s.field_errors
    return emailed_code_step(
        prefix="reset",
        notice=s.notice,
        error=s.error,
        fields=[
            required_note(),
            rx.box(
                code_field("reset-code", auto_focus=True),
                rx.cond(
                    errors.get("code", "") != "",
                    rx.text(errors.get("code", ""), size="1", color_scheme="red", role="alert"),
                ),
                width="100%",
            ),
            field(
                T("New password"),
                rx.input(
                    name="password",
                    type="password",
                    required=True,
                    auto_complete="new-password",
                    id="new-password",
                    min_length=MIN_PASSWORD_LENGTH,
                    max_length=MAX_PASSWORD_LENGTH,
                    size="3",
                ),
                error=errors.get("password", ""),
                hint=T("At least 10 characters. A long passphrase is best."),
            ),
            submit_button(T("Set new password"), loading=s.resetting, id="reset-submit"),
        ],
        on_submit=s.set_password,
        reset_on_submit=False,
        resend=s.resend,
        resending=s.resending,
        start_over=s.start_over,
        start_over_label=T("Use another address"),
    )


@rx.page(
    route=routes.FORGOT_PASSWORD,
    title=page_title(_("Reset password")),
    on_load=ForgotPasswordState.load,
)
def forgot_password_page() -> rx.Component:
    return page(
        rx.card(
            rx.vstack(
                rx.heading(T("Reset password"), size="6", as_="h1"),
                rx.cond(ForgotPasswordState.step == "code", _code_step(), _email_step()),
                spacing="4",
                width="100%",
            ),
            size="3",
        ),
        rx.cond(ForgotPasswordState.session_checked, rx.box(id="page-ready", display="none")),
        width="28rem",
    )
