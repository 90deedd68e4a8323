"""An agent's ticket view: conversation with internal notes, composer and status actions."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import WIDE, page_ready, refused
from support_portal.components.conversation import (
    FULL_ON_PHONE,
    composer,
    conversation,
    ticket_header,
)
from support_portal.components.files import send_event
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.moved import follow_merge
from support_portal.components.shortcuts import shortcuts_button
from support_portal.components.ui import empty_state, error_callout
from support_portal.i18n import _
from support_portal.pages.agent_ticket_panels import collaborators, side_panels
from support_portal.pages.agent_ticket_summary import phone_summary
from support_portal.pages.macro_menu import macro_menu
from support_portal.pages.reply_picker import reply_picker
from support_portal.settings import get_settings
from support_portal.states.agent_ticket import AgentTicketState

S = AgentTicketState


def header() -> rx.Component:
    return ticket_header(
        S,
        back_label=T("Queue"),
        back_href=routes.AGENT_QUEUE,
        agent=True,
        extra=rx.box(shortcuts_button(), display=rx.breakpoints(initial="none", sm="block")),
    )


def _close_button() -> rx.Component:
    """Closing makes the ticket read-only for the customer: ask first."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("lock", size=16),
                T("Close"),
                variant="soft",
                color_scheme="gray",
                loading=S.busy == "close",
                disabled=S.busy != "",
                id="action-close",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T("Close this ticket?")),
            rx.alert_dialog.description(
                T(
                    "The customer can no longer reply here; they can create a follow-up. "
                    "You can reopen it later."
                )
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(T("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        T("Close ticket"),
                        on_click=S.change_status("close"),
                        id="confirm-close",
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def _status_actions() -> rx.Component:
    return rx.flex(
        rx.cond(
            S.allowed.contains("resolve"),
            rx.button(
                rx.icon("circle-check", size=16),
                T("Resolve"),
                color_scheme="green",
                on_click=S.change_status("resolve"),
                loading=S.busy == "resolve",
                disabled=S.busy != "",
                id="action-resolve",
                high_contrast=True,
            ),
        ),
        rx.cond(S.allowed.contains("close"), _close_button()),
        rx.cond(
            S.allowed.contains("reopen"),
            rx.button(
                rx.icon("rotate-ccw", size=16),
                T("Reopen"),
                variant="soft",
                on_click=S.change_status("reopen"),
                loading=S.busy == "reopen",
                disabled=S.busy != "",
                id="action-reopen",
            ),
        ),
        spacing="2",
        wrap="wrap",
        align="center",
        id="status-actions",
    )


def actions() -> rx.Component:
    """The status changes the workflow allows, then the macros (not a status action)."""
    return rx.flex(_status_actions(), macro_menu(), spacing="2", wrap="wrap", align="center")


def feedback() -> rx.Component:
    return rx.fragment(
        error_callout(S.action_error, id="action-error"),
        rx.cond(
            S.notice != "",
            rx.callout(
                S.notice,
                icon="check",
                color_scheme="green",
                role="status",
                id="action-notice",
                high_contrast=True,
            ),
        ),
    )


def _internal_switch() -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(
                checked=S.internal_mode,
                on_change=S.set_internal_mode,
                color_scheme="amber",
                id="internal-toggle",
            ),
            rx.text(T("Internal note"), size="2", weight="medium"),
            rx.cond(
                S.internal_mode,
                rx.text(T("Only agents see it"), size="1", color_scheme="amber"),
            ),
            align="center",
            spacing="2",
        ),
        cursor="pointer",
    )


def _composer() -> rx.Component:
    """The reply form with the agent's buttons.

    A public reply or a request for information on a closed ticket is refused by the
    workflow, an internal note is not: in reply mode on a closed ticket Send is disabled like
    "request more information", with the hint above saying why.
    """
    reply_closed = S.is_closed & ~S.internal_mode
    request_info = rx.cond(
        S.internal_mode,
        rx.fragment(),
        rx.button(
            rx.icon("message-circle-question", size=16),
            T("Send and request more information"),
            type="button",
            variant="soft",
            color_scheme="amber",
            size=rx.breakpoints(initial="2", sm="3"),
            width=FULL_ON_PHONE,
            disabled=S.sending | S.uploading | S.is_closed,
            on_click=send_event(S.send_and_request_info, S),
            id="send-request-info",
            high_contrast=True,
        ),
    )
    return composer(
        S,
        on_typing=S.typing,
        extra_controls=rx.fragment(reply_picker(), request_info),
        submit_label=rx.cond(S.internal_mode, T("Add internal note"), T("Send")),
        placeholder=rx.cond(
            S.internal_mode,
            T("Write a note for the team (the customer never sees it)…"),
            T("Write your reply to the customer…"),
        ),
        send_disabled=reply_closed,
        # The note's button is amber like the note mode itself.
        send_color=rx.cond(S.internal_mode, "amber", get_settings().brand_accent),
        send_described_by=rx.cond(reply_closed, "reply-closed-hint", ""),
        stack_on_phone=True,
    )


def reply_box() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(
                    rx.cond(S.internal_mode, T("Note for the team"), T("Reply to the customer")),
                    size="3",
                    as_="h2",
                ),
                rx.spacer(),
                _internal_switch(),
                align="center",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                S.is_closed & ~S.internal_mode,
                rx.callout(
                    T(
                        "This ticket is closed: reopen it to reply to the customer. "
                        "Internal notes are still possible."
                    ),
                    icon="lock",
                    color_scheme="gray",
                    size="1",
                    id="reply-closed-hint",
                ),
            ),
            collaborators(),
            _composer(),
            spacing="3",
            width="100%",
        ),
        width="100%",
        background=rx.cond(S.internal_mode, "var(--amber-2)", "var(--color-panel-solid)"),
        border=rx.cond(S.internal_mode, "1px dashed var(--amber-8)", "none"),
        id="reply-box",
    )


def ticket_view() -> rx.Component:
    main = rx.vstack(
        follow_merge(S.moved_to, routes.agent_ticket_path(S.moved_to)),
        header(),
        phone_summary(),
        actions(),
        feedback(),
        conversation(S, agent_view=True),
        reply_box(),
        spacing="4",
        width="100%",
        min_width="0",
    )
    return rx.grid(
        main,
        side_panels(),
        columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 20rem"),
        spacing="5",
        width="100%",
        align_items="start",
    )


@rx.page(route=routes.AGENT_TICKET, title=page_title(_("Ticket")), on_load=AgentTicketState.load)
def agent_ticket_page() -> rx.Component:
    s = AgentTicketState
    return page(
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(
                s.forbidden,
                refused(),
                rx.cond(
                    s.not_found,
                    empty_state(
                        "file-question",
                        T("We could not find that ticket."),
                        T("Check the number, or find the ticket in the queue."),
                        rx.button(T("Queue"), on_click=rx.redirect(routes.AGENT_QUEUE)),
                    ),
                    ticket_view(),
                ),
            ),
        ),
        page_ready(s.loaded),
        width=WIDE,
    )
