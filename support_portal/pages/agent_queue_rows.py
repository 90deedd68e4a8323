"""Queue rows: a table on wide screens, cards on phones."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T
from support_portal.components.ui import status_badge
from support_portal.pages.agent_bulk import page_checkbox, row_checkbox
from support_portal.states.agent_queue import AgentQueueState
from support_portal.states.agent_views import QueueRow

S = AgentQueueState


def _href(row: QueueRow) -> rx.Var:
    return routes.agent_ticket_path(row.number)


def _customer(row: QueueRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.customer_name, size="2", weight="medium"),
            rx.cond(
                row.is_guest,
                rx.badge(T("guest"), color_scheme="gray", size="1", class_name="guest-badge"),
            ),
            spacing="2",
            align="center",
        ),
        rx.text(row.customer_email, size="1", color_scheme="gray", overflow_wrap="anywhere"),
        spacing="0",
        align="start",
    )


def _assignee(row: QueueRow) -> rx.Component:
    return rx.cond(
        row.assignee_name != "",
        rx.text(row.assignee_name, size="2"),
        rx.text(T("Unassigned"), size="2", color_scheme="gray"),
    )


def _waiting(row: QueueRow) -> rx.Component:
    return rx.cond(
        row.waiting != "",
        rx.tooltip(
            rx.text(
                row.waiting,
                size="2",
                color_scheme=rx.cond(row.waiting_long, "red", "gray"),
                weight=rx.cond(row.waiting_long, "bold", "regular"),
                class_name="waiting",
            ),
            content=T("Waiting since {when}", when=row.waiting_title),
        ),
        rx.text("—", size="2", color_scheme="gray", aria_label=T("Nobody is waiting")),
    )


def _due(row: QueueRow) -> rx.Component:
    return rx.cond(
        row.due != "",
        rx.text(
            row.due,
            size="1",
            color_scheme=rx.cond(row.overdue, "red", "gray"),
            weight=rx.cond(row.overdue, "bold", "regular"),
            class_name="due",
        ),
    )


def _activity(row: QueueRow) -> rx.Component:
    return rx.tooltip(
        rx.text(row.last_activity, size="2", color_scheme="gray"),
        content=row.last_activity_title,
    )


def _snippet(row: QueueRow) -> rx.Component:
    """Where a search matched in the ticket's messages, the match highlighted."""
    return rx.cond(
        (row.snippet_match != "") | (row.snippet_after != ""),
        rx.text(
            rx.cond(
                row.snippet_note,
                rx.badge(
                    T("Internal note"), color_scheme="amber", size="1", margin_right="0.25rem"
                ),
            ),
            row.snippet_before,
            rx.el.mark(row.snippet_match, class_name="search-match"),
            row.snippet_after,
            size="1",
            color_scheme="gray",
            class_name="search-snippet",
            overflow_wrap="anywhere",
        ),
    )


def table_row(row: QueueRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row_checkbox(row), width="2rem"),
        rx.table.cell(rx.link("#", row.number, href=_href(row), class_name="ticket-number")),
        rx.table.row_header_cell(
            rx.link(row.subject, href=_href(row), weight="medium", class_name="ticket-subject"),
            _snippet(row),
            max_width="22rem",
            overflow_wrap="anywhere",
        ),
        rx.table.cell(_customer(row)),
        rx.table.cell(rx.hstack(status_badge(row.status, agent=True), _priority(row), spacing="1")),
        rx.table.cell(_assignee(row)),
        rx.table.cell(_activity(row)),
        rx.table.cell(rx.vstack(_waiting(row), _due(row), spacing="0")),
        class_name="queue-row",
        data_number=row.number,
        vertical_align="middle",
    )


def queue_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(page_checkbox()),
                rx.table.column_header_cell(T("Ticket")),
                rx.table.column_header_cell(T("Subject")),
                rx.table.column_header_cell(T("Customer")),
                rx.table.column_header_cell(T("Status")),
                rx.table.column_header_cell(T("Assignee")),
                rx.table.column_header_cell(T("Last activity")),
                rx.table.column_header_cell(T("Waiting")),
            )
        ),
        rx.table.body(rx.foreach(S.rows, table_row)),
        variant="surface",
        width="100%",
        id="queue-table",
        display=["none", "none", "table"],
    )


def _priority(row: QueueRow) -> rx.Component:
    """Only what stands out: high and urgent tickets."""
    return rx.match(
        row.priority,
        ("urgent", rx.badge(T("Urgent"), color_scheme="red", class_name="priority-badge")),
        ("high", rx.badge(T("High"), color_scheme="orange", class_name="priority-badge")),
        rx.fragment(),
    )


def queue_card(row: QueueRow) -> rx.Component:
    return rx.hstack(
        rx.box(row_checkbox(row), padding_top="1rem"),
        _card_link(row),
        spacing="2",
        align="start",
        width="100%",
    )


def _card_link(row: QueueRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.text("#", row.number, size="2", color_scheme="gray"),
                    rx.hstack(status_badge(row.status, agent=True), _priority(row), spacing="1"),
                    justify="between",
                    width="100%",
                ),
                rx.text(row.subject, weight="bold", overflow_wrap="anywhere"),
                _snippet(row),
                _customer(row),
                rx.flex(
                    _assignee(row),
                    rx.cond(
                        row.waiting != "",
                        rx.hstack(
                            rx.icon("hourglass", size=14, color="var(--gray-9)"),
                            _waiting(row),
                            _due(row),
                            spacing="1",
                            align="center",
                            aria_label=T("Waiting"),
                        ),
                    ),
                    rx.hstack(
                        rx.icon("activity", size=14, color="var(--gray-9)"),
                        _activity(row),
                        spacing="1",
                        align="center",
                        aria_label=T("Last activity"),
                    ),
                    column_gap="1rem",
                    row_gap="0.25rem",
                    wrap="wrap",
                    align="center",
                ),
                spacing="2",
                width="100%",
            ),
            class_name="queue-card",
            width="100%",
        ),
        href=_href(row),
        underline="none",
        color="inherit",
        data_number=row.number,
        flex="1",
        min_width="0",
    )


def queue_cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(S.rows, queue_card),
        spacing="2",
        width="100%",
        display=["flex", "flex", "none"],
        id="queue-cards",
    )
