"""The side panels of an agent's ticket view: customer, assignee, related tickets, history; and
who else is on the ticket (above the composer)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T
from support_portal.components.ui import status_badge
from support_portal.pages.agent_csat_panel import csat_panel
from support_portal.pages.due_panel import due_panel
from support_portal.pages.fields_panel import fields_panel
from support_portal.pages.labels_panel import labels_panel, merge_panel
from support_portal.pages.side_panel import side_panel
from support_portal.states.agent_ticket import UNASSIGNED, AgentTicketState
from support_portal.states.agent_views import AgentView, HistoryView, OtherTicketView

S = AgentTicketState


def _ticket_link(number: rx.Var) -> rx.Component:
    return rx.link("#", number, href=routes.agent_ticket_path(number))


def _other_ticket(t: OtherTicketView) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.link(t.subject, href=routes.agent_ticket_path(t.number), size="2"),
            rx.text("#", t.number, " · ", t.last_activity, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        status_badge(t.status, agent=True),
        justify="between",
        align="center",
        spacing="2",
        width="100%",
        class_name="other-ticket",
    )


def customer_panel() -> rx.Component:
    return side_panel(
        T("Customer"),
        rx.text(S.customer_name, weight="bold", id="customer-name"),
        rx.text(S.customer_email, size="2", overflow_wrap="anywhere", id="customer-email"),
        rx.flex(
            rx.cond(
                S.customer_has_account,
                rx.badge(T("Account"), color_scheme="blue", high_contrast=True),
                rx.badge(T("Guest"), color_scheme="gray", class_name="guest-badge"),
            ),
            rx.cond(
                S.customer_verified,
                rx.badge(
                    rx.icon("badge-check", size=12),
                    T("Email verified"),
                    color_scheme="green",
                    high_contrast=True,
                ),
                rx.badge(T("Email not verified"), color_scheme="amber", high_contrast=True),
            ),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            S.has_guest_link,
            rx.button(
                rx.icon("link-2-off", size=16),
                T("Revoke this link and send a new one"),
                variant="soft",
                size="1",
                on_click=S.revoke_guest_link,
                loading=S.busy == "revoke_link",
                disabled=S.busy != "",
                id="revoke-link",
            ),
        ),
        rx.separator(size="4"),
        rx.text(T("Other tickets"), size="2", weight="medium"),
        rx.cond(
            S.other_tickets.length() > 0,
            rx.vstack(rx.foreach(S.other_tickets, _other_ticket), spacing="2", width="100%"),
            rx.text(T("No other tickets."), size="2", color_scheme="gray"),
        ),
        panel_id="customer-panel",
    )


def _agent_option(a: AgentView) -> rx.Component:
    return rx.select.item(
        rx.cond(a.is_active, a.name, T("{name} (deactivated)", name=a.name)),
        value=a.id.to_string(),
        disabled=~a.is_active,
    )


def assignment_panel() -> rx.Component:
    return side_panel(
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
        panel_id="assignment-panel",
    )


def related_panel() -> rx.Component:
    return rx.cond(
        (S.follow_up_of_number > 0) | (S.follow_up_numbers.length() > 0),
        side_panel(
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
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            panel_id="related-panel",
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
    return side_panel(
        T("History"),
        rx.vstack(rx.foreach(S.events, _history_item), spacing="3", width="100%"),
        panel_id="history-panel",
    )


def side_panels() -> rx.Component:
    return rx.el.aside(
        rx.vstack(
            customer_panel(),
            assignment_panel(),
            due_panel(),
            labels_panel(),
            fields_panel(),
            rx.cond(~S.is_closed, merge_panel()),
            related_panel(),
            csat_panel(S),
            history_panel(),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="ticket-panels",
    )


def _collaborator(c) -> rx.Component:
    return rx.match(
        c.activity,
        (
            "reply",
            rx.callout(
                T(
                    "{name} is writing a reply to this customer. Check before you "
                    "send, to avoid answering twice.",
                    name=c.name,
                ),
                icon="triangle-alert",
                color_scheme="orange",
                size="1",
                class_name="collaborator writing",
                high_contrast=True,
            ),
        ),
        (
            "note",
            rx.text(
                T("{name} is writing an internal note.", name=c.name),
                size="1",
                color_scheme="gray",
                class_name="collaborator",
            ),
        ),
        rx.text(
            T("{name} is viewing this ticket.", name=c.name),
            size="1",
            color_scheme="gray",
            class_name="collaborator",
        ),
    )


def collaborators() -> rx.Component:
    """Other agents on this ticket, live: a collision warning before sending."""
    return rx.cond(
        S.collaborators.length() > 0,
        rx.vstack(
            rx.foreach(S.collaborators, _collaborator),
            spacing="1",
            width="100%",
            id="collaborators",
        ),
    )
