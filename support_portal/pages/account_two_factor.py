"""The account page's two-factor card, for agents (issue 17)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import error_callout, field, required_note
from support_portal.states.base import SessionState
from support_portal.states.two_factor import TwoFactorState

S = TwoFactorState


def _setup() -> rx.Component:
    return rx.vstack(
        rx.text(
            T(
                "Scan the code with an authenticator app, or type the key, then enter the code "
                "the app shows."
            ),
            size="2",
        ),
        rx.image(src=S.qr_src, alt=T("QR code for the authenticator app"), width="12rem"),
        rx.text(
            T("Key: {key}", key=S.secret_text), size="2", font_family="monospace", id="totp-key"
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="code",
                    required=True,
                    auto_complete="one-time-code",
                    max_length=8,
                    id="totp-confirm-code",
                    aria_label=T("Code from the app"),
                    placeholder=T("Code from the app"),
                ),
                rx.button(T("Turn on"), type="submit", loading=S.busy, id="totp-confirm"),
                wrap="wrap",
            ),
            on_submit=S.confirm,
            reset_on_submit=True,
        ),
        spacing="3",
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        S.recovery_codes.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(
                    T(
                        "Keep these recovery codes somewhere safe. Each works once, instead of "
                        "the app. They are shown only now."
                    ),
                    weight="medium",
                ),
                rx.grid(
                    rx.foreach(S.recovery_codes, lambda c: rx.code(c, class_name="recovery-code")),
                    columns="2",
                    spacing="2",
                ),
                spacing="2",
            ),
            icon="key-round",
            color_scheme="amber",
            id="recovery-codes",
        ),
    )


def _turn_off() -> rx.Component:
    return rx.form(
        required_note(),
        rx.hstack(
            field(
                T("Password"),
                rx.input(
                    name="password",
                    type="password",
                    required=True,
                    auto_complete="current-password",
                    id="totp-off-password",
                ),
            ),
            rx.button(
                T("Turn off"), type="submit", variant="soft", color_scheme="red", loading=S.busy
            ),
            align="end",
            wrap="wrap",
        ),
        on_submit=S.turn_off,
        reset_on_submit=True,
    )


def two_factor_card() -> rx.Component:
    return rx.cond(
        SessionState.is_agent,
        rx.card(
            rx.vstack(
                rx.heading(T("Two-factor authentication"), size="4", as_="h2"),
                error_callout(S.error, id="two-factor-error"),
                rx.cond(
                    S.notice != "",
                    rx.callout(S.notice, icon="check", color_scheme="green", role="status"),
                ),
                _recovery_codes(),
                rx.cond(
                    S.enabled,
                    rx.vstack(
                        rx.text(
                            T("On. Recovery codes left: {n}", n=S.codes_left),
                            id="two-factor-status",
                        ),
                        _turn_off(),
                        spacing="3",
                    ),
                    rx.cond(
                        S.setting_up,
                        _setup(),
                        rx.vstack(
                            rx.text(
                                T(
                                    "Off. After your password, a code from an app on your phone "
                                    "will be asked for as well."
                                ),
                                id="two-factor-status",
                            ),
                            rx.button(
                                T("Set up two-factor authentication"),
                                on_click=S.begin,
                                loading=S.busy,
                                id="totp-begin",
                            ),
                            spacing="3",
                        ),
                    ),
                ),
                spacing="3",
                width="100%",
                on_mount=S.load,
            ),
            width="100%",
            id="two-factor",
        ),
    )
