"""/login, /register and /verify-email."""

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
    info_callout,
    required_note,
    submit_button,
)
from support_portal.i18n import _
from support_portal.states.auth import LoginState, RegisterState, VerifyEmailState


def _auth_card(*children: rx.Component) -> rx.Component:
    return page(rx.card(rx.vstack(*children, spacing="4", width="100%"), size="3"), width="28rem")


@rx.page(route=routes.LOGIN, title=page_title(_("Log in")), on_load=LoginState.load)
def login_page() -> rx.Component:
    return _auth_card(
        rx.heading(T("Log in"), size="6", as_="h1"),
        rx.cond(LoginState.notice != "", info_callout(LoginState.notice)),
        error_callout(LoginState.error, id="login-error"),
        rx.cond(LoginState.step == "code", _code_step(), _password_step()),
        rx.text(
            T("No account yet?"), " ", rx.link(T("Create account"), href=routes.REGISTER), size="2"
        ),
        rx.text(
            T("Submitted a ticket without an account?"),
            " ",
            rx.link(T("Find your ticket link"), href=routes.GUEST_LINK_LOST),
            size="2",
        ),
        rx.cond(LoginState.session_checked, rx.box(id="page-ready", display="none")),
    )


def _code_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                T(
                    "Enter the 6-digit code from your authenticator app, or one of your recovery "
                    "codes."
                ),
                color_scheme="gray",
            ),
            required_note(),
            field(
                T("Authentication code"),
                rx.input(
                    name="code",
                    required=True,
                    auto_complete="one-time-code",
                    input_mode="text",
                    max_length=32,
                    id="totp-code",
                    size="3",
                ),
            ),
            submit_button(T("Verify"), loading=LoginState.submitting, id="totp-submit"),
            rx.button(
                T("Back"), type="button", variant="ghost", on_click=LoginState.start_over, size="2"
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=LoginState.verify_code,
        reset_on_submit=True,
    )


def _password_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            required_note(),
            email_field(auto_complete="username", id="email", auto_focus=True, size="3"),
            field(
                T("Password"),
                rx.input(
                    name="password",
                    type="password",
                    required=True,
                    auto_complete="current-password",
                    id="password",
                    size="3",
                ),
            ),
            rx.link(T("Forgot password?"), href=routes.FORGOT_PASSWORD, size="2", id="forgot"),
            submit_button(T("Log in"), loading=LoginState.submitting, id="login-submit"),
            spacing="4",
            width="100%",
        ),
        on_submit=LoginState.login,
        reset_on_submit=False,
    )


@rx.page(route=routes.REGISTER, title=page_title(_("Create account")), on_load=RegisterState.load)
def register_page() -> rx.Component:
    return _auth_card(
        rx.heading(T("Create account"), size="6", as_="h1"),
        rx.cond(RegisterState.step == "code", _register_code_step(), _register_form()),
        rx.cond(RegisterState.session_checked, rx.box(id="page-ready", display="none")),
    )


def _register_form() -> rx.Component:
    errors = RegisterState.field_errors
    return rx.vstack(
        rx.text(T("With an account, all your tickets are in one place."), color_scheme="gray"),
        error_callout(RegisterState.error, id="register-error"),
        rx.form(
            rx.vstack(
                required_note(),
                field(
                    T("Name"),
                    rx.input(
                        name="name",
                        required=True,
                        auto_complete="name",
                        id="name",
                        size="3",
                        max_length=120,
                    ),
                    error=errors.get("name", ""),
                ),
                email_field(errors.get("email", ""), id="email", size="3"),
                field(
                    T("Password"),
                    rx.input(
                        name="password",
                        type="password",
                        required=True,
                        auto_complete="new-password",
                        id="password",
                        min_length=10,
                        size="3",
                    ),
                    error=errors.get("password", ""),
                    hint=T("At least 10 characters. A long passphrase is best."),
                ),
                submit_button(
                    T("Create account"), loading=RegisterState.submitting, id="register-submit"
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=RegisterState.register,
            reset_on_submit=False,
        ),
        rx.text(
            T("Already have an account?"), " ", rx.link(T("Log in"), href=routes.LOGIN), size="2"
        ),
        spacing="4",
        width="100%",
    )


def _register_code_step() -> rx.Component:
    s = RegisterState
    return emailed_code_step(
        prefix="register",
        notice=s.notice,
        error=s.code_error,
        error_id="register-code-error",
        fields=[
            required_note(),
            code_field("register-code", auto_focus=True),
            submit_button(T("Create account"), loading=s.verifying, id="register-verify"),
        ],
        on_submit=s.verify,
        reset_on_submit=True,
        resend=s.resend,
        resending=s.resending,
        start_over=s.start_over,
        start_over_label=T("Change the details"),
    )


@rx.page(
    route=routes.VERIFY_EMAIL,
    title=page_title(_("Verify your email")),
    on_load=VerifyEmailState.load,
)
def verify_email_page() -> rx.Component:
    s = VerifyEmailState
    return _auth_card(
        rx.heading(T("Verify your email"), size="6", as_="h1"),
        rx.cond(
            s.email_verified,
            rx.vstack(
                info_callout(T("Your email address is verified."), icon="circle-check"),
                rx.cond(
                    s.claimed > 0, rx.text(T("Tickets you sent as a guest are now in My tickets."))
                ),
                rx.button(T("Go to My tickets"), on_click=rx.redirect(routes.MY_TICKETS)),
                spacing="3",
            ),
            rx.vstack(
                rx.text(
                    T(
                        "We send a 6-digit code to {email}. Verifying lets us connect tickets "
                        "you sent as a guest to your account.",
                        email=s.viewer_email,
                    )
                ),
                rx.cond(s.notice != "", info_callout(s.notice)),
                error_callout(s.error, id="verify-error"),
                rx.button(
                    rx.cond(s.code_sent, T("Resend code"), T("Send code")),
                    on_click=s.send_code,
                    loading=s.sending,
                    variant="soft",
                    id="send-code",
                ),
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="code",
                            placeholder="123456",
                            input_mode="numeric",
                            auto_complete="one-time-code",
                            max_length=6,
                            id="code",
                            aria_label=T("Verification code"),
                            size="3",
                        ),
                        rx.button(
                            T("Verify"), type="submit", loading=s.verifying, size="3", id="verify"
                        ),
                        width="100%",
                    ),
                    on_submit=s.verify,
                    reset_on_submit=True,
                    width="100%",
                ),
                rx.link(T("Skip for now"), href=routes.MY_TICKETS, size="2"),
                spacing="3",
                width="100%",
            ),
        ),
        rx.cond(s.session_checked, rx.box(id="page-ready", display="none")),
    )
