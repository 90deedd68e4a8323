"""On a phone the side panels come after the whole conversation: a compact summary of who the
customer is, who has the ticket and its priority sits at the top, with a link down to them."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.pages.due_panel import due_line
from support_portal.states.agent_ticket import AgentTicketState as S

PRIORITY = {"low": T("Low"), "normal": T("Normal"), "high": T("High"), "urgent": T("Urgent")}


def _item(label: rx.Var, value: rx.Component | rx.Var) -> rx.Component:
    return rx.text(
        rx.text.span(label, ": ", color_scheme="gray"),
        rx.text.span(value, weight="medium"),
        size="2",
    )


def phone_summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            _item(
                T("Customer"),
                rx.cond(
                    S.customer_has_account,
                    S.customer_name,
                    T("{name} (guest)", name=S.customer_name),
                ),
            ),
            _item(
                T("Assignee"),
                rx.cond(S.assignee_name != "", S.assignee_name, T("Unassigned")),
            ),
            _item(
                T("Priority"),
                rx.match(S.priority, *PRIORITY.items(), T("Normal")),
            ),
            due_line(T("Reply"), S.reply_due, S.reply_late, "due-reply"),
            rx.link(
                T("Customer, assignee and history"),
                rx.icon("arrow-down", size=14),
                href="#ticket-panels",
                size="2",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        display=rx.breakpoints(initial="block", md="none"),
        id="phone-summary",
    )
