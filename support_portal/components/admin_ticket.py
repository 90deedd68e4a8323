"""An agent's ticket view: conversation with internal notes, composer, actions, side panels."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.conversation import composer, conversation
from support_portal.components.i18n import T
from support_portal.components.ui import card, category_label, error_callout, status_badge
from support_portal.states.admin_ticket import UNASSIGNED, AdminTicketState
from support_portal.states.admin_views import AgentView, HistoryView, OtherTicketView

S = AdminTicketState
SUBMIT_REPLY = "document.getElementById('reply-form')?.requestSubmit()"


def _ticket_link(number: rx.Var) -> rx.Component:
    return rx.link("#", number, href="/admin/tickets/" + number.to_string())


def header() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), T("Queue"), align="center"),
            href=routes.ADMIN,
            size="2",
        ),
        rx.flex(
            rx.heading(S.subject, size="6", as_="h1", id="ticket-subject"),
            rx.box(status_badge(S.status, agent=True), id="ticket-status"),
            align="center",
            gap="3",
            wrap="wrap",
        ),
        rx.text(
            T("Ticket {number}", number=S.ticket_number),
            " · ",
            category_label(S.category),
            " · ",
            T("Created {when}", when=S.created),
            size="2",
            color_scheme="gray",
            id="ticket-number",
        ),
        spacing="2",
        width="100%",
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
                gap="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def actions() -> rx.Component:
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
        gap="2",
        wrap="wrap",
        align="center",
        id="status-actions",
    )


def feedback() -> rx.Component:
    return rx.fragment(
        error_callout(S.action_error, id="action-error"),
        rx.cond(
            S.notice != "",
            rx.callout(
                S.notice, icon="check", color_scheme="green", role="status", id="action-notice"
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


def reply_box() -> rx.Component:
    request_info = rx.cond(
        S.internal_mode,
        rx.fragment(),
        rx.button(
            rx.icon("message-circle-question", size=16),
            T("Send and request more information"),
            type="button",
            variant="soft",
            color_scheme="amber",
            size="3",
            disabled=S.sending | S.is_closed,
            on_click=[S.arm_request_info, rx.call_script(SUBMIT_REPLY)],
            id="send-request-info",
        ),
    )
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(
                    rx.cond(S.internal_mode, T("Internal note"), T("Reply to the customer")),
                    size="3",
                    as_="h2",
                ),
                rx.spacer(),
                _internal_switch(),
                align="center",
                gap="3",
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
                ),
            ),
            composer(
                S,
                extra_controls=request_info,
                submit_label=rx.cond(S.internal_mode, T("Add internal note"), T("Send")),
                placeholder=rx.cond(
                    S.internal_mode,
                    T("Write a note for the team (the customer never sees it)…"),
                    T("Write your reply to the customer…"),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        background=rx.cond(S.internal_mode, "var(--amber-2)", "var(--color-panel-solid)"),
        border=rx.cond(S.internal_mode, "1px dashed var(--amber-8)", "none"),
        id="reply-box",
    )


def _panel(title: rx.Var, *children: rx.Component, **props) -> rx.Component:
    return card(
        rx.vstack(rx.heading(title, size="3", as_="h2"), *children, spacing="2", width="100%"),
        **props,
    )


def _other_ticket(t: OtherTicketView) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.link(t.subject, href="/admin/tickets/" + t.number.to_string(), size="2"),
            rx.text("#", t.number, " · ", t.last_activity, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        status_badge(t.status, agent=True),
        justify="between",
        align="center",
        gap="2",
        width="100%",
        class_name="other-ticket",
    )


def customer_panel() -> rx.Component:
    return _panel(
        T("Customer"),
        rx.text(S.customer_name, weight="bold", id="customer-name"),
        rx.text(S.customer_email, size="2", overflow_wrap="anywhere", id="customer-email"),
        rx.flex(
            rx.cond(
                S.customer_has_account,
                rx.badge(T("Account"), color_scheme="blue"),
                rx.badge(T("Guest"), color_scheme="gray", class_name="guest-badge"),
            ),
            rx.cond(
                S.customer_verified,
                rx.badge(
                    rx.icon("badge-check", size=12), T("Email verified"), color_scheme="green"
                ),
                rx.badge(T("Email not verified"), color_scheme="amber"),
            ),
            gap="2",
            wrap="wrap",
        ),
        rx.separator(size="4"),
        rx.text(T("Other tickets"), size="2", weight="medium"),
        rx.cond(
            S.other_tickets.length() > 0,
            rx.vstack(rx.foreach(S.other_tickets, _other_ticket), spacing="2", width="100%"),
            rx.text(T("No other tickets."), size="2", color_scheme="gray"),
        ),
        id="customer-panel",
    )


def _agent_option(a: AgentView) -> rx.Component:
    return rx.select.item(
        rx.cond(a.is_active, a.name, T("{name} (deactivated)", name=a.name)),
        value=a.id.to_string(),
        disabled=~a.is_active,
    )


def assignment_panel() -> rx.Component:
    return _panel(
        T("Assignee"),
        rx.select.root(
            rx.select.trigger(width="100%", aria_label=T("Assignee"), id="assignee-select"),
            rx.select.content(
                rx.select.item(T("Unassigned"), value=UNASSIGNED),
                rx.foreach(S.agents, _agent_option),
            ),
            value=S.assignee,
            on_change=S.assign_to,
            disabled=S.busy != "",
        ),
        rx.cond(
            ~S.assigned_to_me,
            rx.button(
                rx.icon("user-check", size=16),
                T("Assign to me"),
                variant="soft",
                width="100%",
                on_click=S.assign_to_me,
                loading=S.busy == "assign",
                disabled=S.busy != "",
                id="assign-to-me",
            ),
        ),
        id="assignment-panel",
    )


def related_panel() -> rx.Component:
    return rx.cond(
        (S.follow_up_of_number > 0) | (S.follow_up_numbers.length() > 0),
        _panel(
            T("Related tickets"),
            rx.cond(
                S.follow_up_of_number > 0,
                rx.text(T("Follow-up to"), " ", _ticket_link(S.follow_up_of_number), size="2"),
            ),
            rx.cond(
                S.follow_up_numbers.length() > 0,
                rx.flex(
                    rx.text(T("Follow-ups:"), size="2"),
                    rx.foreach(S.follow_up_numbers, lambda n: rx.text(_ticket_link(n), size="2")),
                    gap="2",
                    wrap="wrap",
                ),
            ),
            id="related-panel",
        ),
    )


def _history_item(h: HistoryView) -> rx.Component:
    return rx.vstack(
        rx.text(h.text, size="2"),
        rx.text(
            h.actor,
            " · ",
            rx.tooltip(rx.text(h.time, as_="span"), content=h.time_title),
            size="1",
            color_scheme="gray",
        ),
        spacing="0",
        class_name="history-entry",
    )


def history_panel() -> rx.Component:
    return _panel(
        T("History"),
        rx.vstack(rx.foreach(S.events, _history_item), spacing="3", width="100%"),
        id="history-panel",
    )


def side_panels() -> rx.Component:
    return rx.el.aside(
        rx.vstack(
            customer_panel(),
            assignment_panel(),
            related_panel(),
            history_panel(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def ticket_view() -> rx.Component:
    main = rx.vstack(
        header(),
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
        gap="5",
        width="100%",
        align_items="start",
    )
