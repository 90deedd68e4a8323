"""The agents page's "Erase a guest's data" card (administrators): the address, a look at what
would go, then the confirmation."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import card, email_field, error_callout, required_note
from support_portal.states.guest_erasure import GuestErasureState

S = GuestErasureState


def _address_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            required_note(),
            email_field(
                S.field_errors.get("email", ""),
                label=T("Guest's email address"),
                auto_complete="off",
                id="erase-email",
            ),
            rx.button(
                rx.icon("search", size=16),
                T("Look up"),
                type="submit",
                variant="soft",
                loading=S.looking,
                id="erase-look-up",
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=S.look_up,
        reset_on_submit=False,
        width="100%",
    )


def _confirm_step() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.vstack(
                rx.text(
                    T(
                        "{address}: tickets {tickets}, messages {messages}, files {files}.",
                        address=S.address,
                        tickets=S.tickets,
                        messages=S.messages,
                        files=S.files,
                    ),
                    weight="medium",
                    overflow_wrap="anywhere",
                ),
                rx.text(
                    T(
                        "The guest's name, address, messages and files are erased and their "
                        "open pages logged out. The tickets stay as Deleted customer. This "
                        "cannot be undone."
                    ),
                    size="2",
                ),
                spacing="1",
            ),
            icon="triangle-alert",
            color_scheme="red",
            high_contrast=True,
            id="erase-preview",
        ),
        rx.hstack(
            rx.button(
                T("Erase this guest's data"),
                color_scheme="red",
                on_click=S.erase,
                loading=S.erasing,
                id="erase-confirm",
            ),
            rx.button(T("Cancel"), variant="ghost", on_click=S.cancel, id="erase-cancel"),
            spacing="3",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def guest_erasure_card() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading(T("Erase a guest's data"), size="4", as_="h2"),
            rx.text(
                T(
                    "When someone who wrote to us as a guest asks to be forgotten. Customers "
                    "with an account delete it themselves under Account settings."
                ),
                size="2",
                color_scheme="gray",
            ),
            error_callout(S.error, id="erase-error"),
            rx.cond(
                S.notice != "",
                rx.callout(
                    S.notice, icon="check", color_scheme="green", role="status", id="erase-notice"
                ),
            ),
            rx.cond(S.step == "confirm", _confirm_step(), _address_step()),
            spacing="3",
            width="100%",
        ),
    )
