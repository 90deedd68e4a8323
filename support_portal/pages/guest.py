"""/tickets/submitted/N (guest confirmation), /t/<secret> (the unique link) and /t (lost links)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.guest import code_step, lost_link_form, send_step
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.ui import empty_state, info_callout
from support_portal.i18n import _
from support_portal.states.guest import GuestLinkState, LostLinkState, SubmittedState


def _card(*children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(*children, spacing="4", width="100%"), size="3", width="100%")


def _ready(flag: rx.Var) -> rx.Component:
    """The marker tests wait for: only after this load's on_load ran (not a stale flag)."""
    return rx.cond(rx.State.is_hydrated & flag, rx.box(id="page-ready", display="none"))


def _loaded(flag: rx.Var) -> rx.Var:
    return rx.State.is_hydrated & flag


def _next_steps() -> rx.Component:
    steps = [
        T("Our team reviews your ticket and replies as soon as possible."),
        T(
            "Every time there is news, we email you. The email is only an alert: you cannot "
            "reply to it."
        ),
        T(
            "To read the reply and answer, open the link in the email. We then send a code to "
            "the same address to confirm it is you."
        ),
    ]
    return rx.vstack(
        rx.heading(T("What happens next"), size="4", as_="h2"),
        rx.el.ol(
            *[rx.el.li(rx.text(step), margin_bottom="0.5rem") for step in steps],
            padding_left="1.25rem",
            margin="0",
            list_style_type="decimal",
        ),
        spacing="2",
        width="100%",
    )


def _account_nudge() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T("Keep all your tickets in one place"), size="3", as_="h2"),
            rx.text(
                T(
                    "Create an account with the same email address. Once you verify it, this "
                    "ticket appears in My tickets and you get notifications in the portal too."
                ),
                size="2",
            ),
            rx.flex(
                rx.button(
                    T("Create account"), on_click=rx.redirect(routes.REGISTER), id="nudge-register"
                ),
                rx.button(T("Log in"), variant="soft", on_click=rx.redirect(routes.LOGIN)),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
        ),
        variant="surface",
        width="100%",
    )


@rx.page(
    route=routes.TICKET_SUBMITTED,
    title=page_title(_("Ticket submitted")),
    on_load=SubmittedState.load,
)
def submitted_page() -> rx.Component:
    s = SubmittedState
    done = rx.vstack(
        rx.hstack(
            rx.icon("circle-check", size=28, color="var(--green-9)"),
            rx.heading(T("Your ticket is submitted"), size="6", as_="h1"),
            align="center",
            spacing="2",
        ),
        rx.text(
            T("Ticket number"),
            " ",
            rx.text.strong(s.submitted_number, id="submitted-number"),
            size="4",
        ),
        rx.cond(
            s.masked_email != "",
            info_callout(
                rx.vstack(
                    rx.text(
                        T(
                            "Check your email: we sent a confirmation with a link to your "
                            "ticket to {email}. If it is not there in a few minutes, look in "
                            "your spam folder.",
                            email=s.masked_email,
                        )
                    ),
                    rx.link(
                        T("Wrong address? Start again"),
                        href=routes.NEW_TICKET,
                        id="wrong-address",
                    ),
                    spacing="1",
                ),
                icon="mail",
                id="check-email",
            ),
            info_callout(
                T(
                    "Check your email: we sent a confirmation with a link to your ticket to "
                    "the address you entered. If it is not there in a few minutes, look in "
                    "your spam folder."
                ),
                icon="mail",
                id="check-email",
            ),
        ),
        _next_steps(),
        _account_nudge(),
        rx.text(
            T("No email?"),
            " ",
            rx.link(T("Send me my links again"), href=routes.GUEST_LINK_LOST),
            size="2",
        ),
        spacing="4",
        width="100%",
    )
    return page(
        rx.cond(
            ~_loaded(s.loaded),
            loading(),
            rx.cond(
                s.submitted_number > 0,
                _card(done),
                empty_state(
                    "file-question",
                    T("We could not find that ticket."),
                    action=rx.link(T("Find your ticket link"), href=routes.GUEST_LINK_LOST),
                ),
            ),
        ),
        _ready(s.loaded),
        width="36rem",
    )


def _expired_link() -> rx.Component:
    return _card(
        rx.hstack(
            rx.icon("clock-alert", size=24, color="var(--amber-9)"),
            rx.heading(T("This link has expired"), size="6", as_="h1", id="link-expired"),
            align="center",
            spacing="2",
        ),
        rx.text(
            T(
                "Links to a ticket stop working {days} days after the ticket is closed. Enter "
                "your email address and we will send you a fresh link to each of your tickets.",
                days=GuestLinkState.link_days,
            )
        ),
        lost_link_form(),
    )


def _invalid_link() -> rx.Component:
    return _card(
        rx.hstack(
            rx.icon("link-2-off", size=24, color="var(--red-9)"),
            rx.heading(T("This link does not work"), size="6", as_="h1"),
            align="center",
            spacing="2",
        ),
        rx.text(
            T(
                "It may be incomplete, or it was replaced by a newer link. Enter your email "
                "address and we will send you current links to your tickets."
            )
        ),
        lost_link_form(),
    )


@rx.page(
    route=routes.GUEST_LINK, title=page_title(_("Your support ticket")), on_load=GuestLinkState.load
)
def guest_link_page() -> rx.Component:
    s = GuestLinkState
    return page(
        rx.cond(
            ~_loaded(s.loaded),
            loading(),
            rx.cond(
                s.invalid,
                rx.cond(s.expired, _expired_link(), _invalid_link()),
                _card(
                    rx.heading(
                        T("Your support ticket {number}", number=s.ticket_no),
                        size="6",
                        as_="h1",
                        id="link-title",
                    ),
                    rx.cond(s.code_sent, code_step(), send_step()),
                ),
            ),
        ),
        _ready(s.loaded),
        width="30rem",
    )


@rx.page(
    route=routes.GUEST_LINK_LOST,
    title=page_title(_("Find your ticket link")),
    on_load=LostLinkState.load,
)
def lost_link_page() -> rx.Component:
    return page(
        _card(
            rx.heading(T("Find your ticket link"), size="6", as_="h1"),
            rx.text(
                T(
                    "Enter the email address you used when you submitted the ticket. We will "
                    "email you the links to your tickets."
                )
            ),
            lost_link_form(),
            rx.text(T("Have an account?"), " ", rx.link(T("Log in"), href=routes.LOGIN), size="2"),
        ),
        _ready(LostLinkState.session_checked),
        width="30rem",
    )
