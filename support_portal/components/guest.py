"""The pieces of the guest pages: the "Send code" step, the code step and the lost-link form."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import (
    code_field,
    email_field,
    error_callout,
    info_callout,
    required_note,
    submit_button,
)
from support_portal.states.guest import GuestLinkState, LostLinkState
from support_portal.states.ticket import TicketState


def _notice(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="mail-check",
            color_scheme="green",
            role="status",
            id="notice",
            high_contrast=True,
        ),
    )


def send_step() -> rx.Component:
    """Before any code: only the masked address and an explicit button (G2)."""
    s = GuestLinkState
    return rx.vstack(
        rx.text(
            T(
                "To keep your ticket private, we first confirm that this is your email address. "
                "We will send a 6-digit code to:"
            )
        ),
        rx.hstack(
            rx.icon("mail", size=18, color="var(--gray-10)"),
            rx.text(s.masked_email, weight="bold", id="masked-email"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            s.is_logged_in,
            info_callout(
                T(
                    "You are logged in with an account that does not own this ticket. "
                    "Verifying opens it as a guest and logs you out of that account."
                )
            ),
        ),
        error_callout(s.error, id="link-error"),
        rx.button(
            rx.cond(
                s.cooldown > 0,
                T("Send code in {wait}", wait=s.cooldown_text),
                T("Send code"),
            ),
            on_click=s.send_code,
            loading=s.sending,
            disabled=s.cooldown > 0,
            size="3",
            width="100%",
            id="send-code",
        ),
        spacing="4",
        width="100%",
    )


def code_step() -> rx.Component:
    """After "Send code": the code field; Enter submits; "Resend code" counts down."""
    s = GuestLinkState
    return rx.vstack(
        _notice(s.notice),
        error_callout(s.error, id="link-error"),
        rx.form(
            rx.vstack(
                required_note(),
                # After too many wrong codes, or when the code expired, this code is spent:
                # the field and Verify wait for a new one (the error above says so once).
                code_field(
                    "code",
                    hint=T("The 6-digit code from the email we just sent."),
                    auto_focus=True,
                    letter_spacing="0.2em",
                    disabled=s.needs_new_code,
                ),
                submit_button(
                    T("Verify"), loading=s.verifying, disabled=s.needs_new_code, id="verify"
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.verify,
            reset_on_submit=True,
            width="100%",
        ),
        rx.flex(
            rx.cond(
                ~s.needs_new_code,
                rx.text(
                    T("No code after a few minutes? Check your spam folder, or ask for a new one."),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.button(
                rx.cond(
                    s.cooldown > 0,
                    T("Resend code in {wait}", wait=s.cooldown_text),
                    T("Resend code"),
                ),
                on_click=s.send_code,
                loading=s.sending,
                disabled=s.cooldown > 0,
                variant=rx.cond(s.needs_new_code, "solid", "soft"),
                size="2",
                id="resend-code",
            ),
            direction="column",
            align="start",
            spacing="2",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def lost_link_form() -> rx.Component:
    """Email in, the same neutral answer out, whether or not that email has tickets (G8)."""
    s = LostLinkState
    return rx.cond(
        s.sent,
        rx.vstack(
            rx.callout(
                T(
                    "Thank you. If we have tickets for that address, we have just emailed their "
                    "links to it. The email can take a few minutes; check your spam folder too."
                ),
                icon="mail-check",
                color_scheme="green",
                role="status",
                id="links-sent",
                high_contrast=True,
            ),
            rx.button(
                T("Use another email address"), variant="soft", on_click=s.start_over, size="2"
            ),
            spacing="3",
            width="100%",
        ),
        rx.form(
            rx.vstack(
                required_note(),
                email_field(s.field_error, id="lost-email", size="3"),
                error_callout(s.error, id="lost-error"),
                submit_button(T("Send me my links"), loading=s.submitting, id="send-links"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.request_links,
            reset_on_submit=False,
            width="100%",
        ),
    )


def link_panel() -> rx.Component:
    """On a verified guest's ticket page: replace the link the emails carry (X8)."""
    s = TicketState
    return rx.card(
        rx.vstack(
            rx.heading(T("Your ticket link"), size="3", as_="h2"),
            rx.text(
                T(
                    "Every email about this ticket carries a private link to it. If you "
                    "forwarded one of those emails, or someone else may have the link, replace "
                    "it: the old link stops working at once and we email you the new one."
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                s.link_notice != "",
                rx.callout(
                    s.link_notice,
                    icon="mail-check",
                    color_scheme="green",
                    role="status",
                    id="link-notice",
                    high_contrast=True,
                ),
            ),
            error_callout(s.link_error, id="revoke-error"),
            rx.button(
                rx.icon("link-2-off", size=16),
                T("Revoke this link and send a new one"),
                variant="soft",
                on_click=s.revoke_link,
                loading=s.revoking_link,
                id="revoke-link",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
        id="link-panel",
    )
