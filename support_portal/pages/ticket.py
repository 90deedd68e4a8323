"""/tickets/[number]: one ticket, its conversation and the reply box."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.conversation import (
    composer,
    conversation,
    ticket_header,
)
from support_portal.components.csat import csat_card
from support_portal.components.guest import link_panel
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.moved import follow_merge
from support_portal.components.ticket_fields import fields_shown
from support_portal.components.ui import empty_state, error_callout, info_callout
from support_portal.i18n import _
from support_portal.states.ticket import TicketState


def _ticket_header() -> rx.Component:
    s = TicketState
    follow_up_of = rx.cond(
        s.follow_up_of_number > 0,
        rx.text(
            T("Follow-up to"),
            " ",
            rx.link("#", s.follow_up_of_number, href=routes.ticket_path(s.follow_up_of_number)),
            size="2",
        ),
    )
    return ticket_header(
        s, back_label=T("My tickets"), back_href=routes.MY_TICKETS, extra=follow_up_of
    )


def _own_status() -> rx.Component:
    """The customer closes their own ticket: "Mark as resolved", then "Close"."""
    s = TicketState
    button = {"variant": "soft", "size": "2", "disabled": s.changing_status != ""}
    return rx.vstack(
        rx.cond(
            (s.status == "open") | (s.status == "awaiting_customer"),
            rx.button(
                rx.icon("circle-check", size=16),
                T("Mark as resolved"),
                on_click=TicketState.change_status("resolve"),
                loading=s.changing_status == "resolve",
                id="mark-resolved",
                **button,
            ),
        ),
        rx.cond(
            s.status == "resolved",
            rx.button(
                rx.icon("lock", size=16),
                T("Close ticket"),
                on_click=TicketState.change_status("close"),
                loading=s.changing_status == "close",
                id="close-ticket",
                **button,
            ),
        ),
        error_callout(s.status_error, id="status-error"),
        rx.cond(
            s.status_notice != "",
            rx.text(s.status_notice, size="2", role="status", id="status-notice"),
        ),
        spacing="2",
        align="start",
    )


def _promise() -> rx.Component:
    """When to expect a reply, while the customer waits on us (issue 16)."""
    s = TicketState
    return rx.cond(
        s.reply_by != "",
        rx.cond(
            s.reply_overdue,
            rx.callout(
                T("This is taking longer than we promised. We will reply as soon as we can."),
                icon="clock-alert",
                color_scheme="amber",
                id="reply-expectation",
            ),
            info_callout(
                T("We will reply by {when}.", when=s.reply_by), icon="clock", id="reply-expectation"
            ),
        ),
    )


def _closed_notice() -> rx.Component:
    # The one action is the page's primary button: outside the grey callout, whose colour a
    # button inside would take (grey on grey).
    return rx.vstack(
        rx.callout(
            rx.vstack(
                rx.text(T("This ticket is closed"), weight="bold"),
                rx.text(
                    T(
                        "Replies are no longer possible here. If you still need help, create a "
                        "follow-up: our team will see this conversation."
                    )
                ),
                spacing="2",
            ),
            icon="lock",
            color_scheme="gray",
            id="closed-notice",
            width="100%",
        ),
        rx.button(
            T("Create a follow-up"),
            on_click=rx.redirect(TicketState.follow_up_href),
            size="3",
            id="create-follow-up",
        ),
        spacing="3",
        width="100%",
    )


@rx.page(route=routes.TICKET, title=page_title(_("Ticket")), on_load=TicketState.load)
def ticket_page() -> rx.Component:
    s = TicketState
    return page(
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(
                s.not_found,
                empty_state(
                    "file-question",
                    T("We could not find that ticket."),
                    T("Check the number, or open it from My tickets."),
                    rx.button(T("My tickets"), on_click=rx.redirect(routes.MY_TICKETS)),
                ),
                rx.vstack(
                    follow_merge(s.moved_to, routes.ticket_path(s.moved_to)),
                    _ticket_header(),
                    fields_shown(s.custom_fields),
                    _promise(),
                    _own_status(),
                    rx.cond(
                        s.status == "awaiting_customer",
                        rx.callout(
                            T("Our team needs more information from you. Please reply below."),
                            icon="message-circle-question",
                            color_scheme="amber",
                            id="awaiting-notice",
                            high_contrast=True,
                        ),
                    ),
                    rx.cond(
                        s.status == "resolved",
                        info_callout(
                            T(
                                "This issue was marked as resolved. If it is not, "
                                "reply below and the ticket reopens."
                            ),
                            icon="circle-check",
                        ),
                    ),
                    csat_card(s),
                    conversation(s),
                    rx.cond(
                        s.support_writing,
                        rx.hstack(
                            rx.spinner(size="1"),
                            rx.text(
                                T("Support is writing a reply…"), size="2", color_scheme="gray"
                            ),
                            id="support-writing",
                            align="center",
                        ),
                    ),
                    rx.cond(s.is_closed, _closed_notice(), rx.card(composer(s), width="100%")),
                    rx.cond(s.is_guest, link_panel()),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
    )
