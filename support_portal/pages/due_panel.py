"""The service-level panel of the agent's ticket page (issue 16): when the customer's reply
and the resolution are due, in red once overdue. Agents only (A5); shown while something is
due."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.pages.side_panel import side_panel
from support_portal.states.agent_ticket import AgentTicketState as S


def due_line(label: rx.Var, text: rx.Var, late: rx.Var, class_name: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.text(
            rx.text.span(label, ": ", color_scheme="gray"),
            rx.text.span(
                text,
                weight=rx.cond(late, "bold", "medium"),
                color=rx.cond(late, "var(--red-11)", "inherit"),
            ),
            size="2",
            class_name=class_name,
        ),
    )


def due_panel() -> rx.Component:
    return rx.cond(
        (S.reply_due != "") | (S.resolution_due != ""),
        side_panel(
            T("Service level"),
            due_line(T("Reply"), S.reply_due, S.reply_late, "due-reply"),
            due_line(T("Resolution"), S.resolution_due, S.resolution_late, "due-resolution"),
            panel_id="due-panel",
        ),
    )
