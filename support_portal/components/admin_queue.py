"""The agent queue: view tabs with counts, search and sort, the ticket table (cards on phones)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import empty_state, error_callout, status_badge
from support_portal.states.admin import AdminQueueState
from support_portal.states.admin_views import QueueRow

S = AdminQueueState

VIEW_LABELS = [
    ("unassigned", "Unassigned"),
    ("mine", "Mine"),
    ("open", "Open"),
    ("awaiting", "Awaiting customer"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("all", "All"),
]


def _href(row: QueueRow) -> rx.Var:
    return "/admin/tickets/" + row.number.to_string()


def view_tabs() -> rx.Component:
    tabs = rx.tabs.root(
        rx.tabs.list(
            *[
                rx.tabs.trigger(
                    rx.hstack(
                        T(label),
                        rx.badge(S.counts[value], variant="soft", radius="full", size="1"),
                        spacing="2",
                        align="center",
                    ),
                    value=value,
                    id=f"view-{value}",
                )
                for value, label in VIEW_LABELS
            ],
            overflow_x="auto",
        ),
        value=S.view,
        on_change=S.set_view,
        display=["none", "none", "block"],
    )
    phone = rx.box(
        rx.select.root(
            rx.select.trigger(aria_label=T("View"), width="100%", id="view-select"),
            rx.select.content(
                *[
                    rx.select.item(
                        T("{label} ({count})", label=T(label), count=S.counts[value]),
                        value=value,
                    )
                    for value, label in VIEW_LABELS
                ]
            ),
            value=S.view,
            on_change=S.set_view,
        ),
        display=["block", "block", "none"],
        width="100%",
    )
    return rx.fragment(tabs, phone)


def toolbar() -> rx.Component:
    search = rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="q",
                type="search",
                placeholder=T("Number, subject, customer email or name"),
                aria_label=T("Search tickets"),
                default_value=S.search,
                id="queue-search",
                width="100%",
                max_length=100,
            ),
            rx.button(T("Search"), type="submit", variant="soft", id="queue-search-button"),
            rx.cond(
                S.search != "",
                rx.button(T("Clear"), type="button", variant="ghost", on_click=S.clear_search),
            ),
            width="100%",
            align="center",
        ),
        on_submit=S.run_search,
        reset_on_submit=False,
        flex_grow="1",
        min_width="16rem",
        role="search",
    )
    sort = rx.hstack(
        rx.el.label(rx.text(T("Sort by"), size="2", color_scheme="gray"), html_for="queue-sort"),
        rx.select.root(
            rx.select.trigger(id="queue-sort", aria_label=T("Sort by")),
            rx.select.content(
                rx.select.item(T("Last activity"), value="activity"),
                rx.select.item(T("Waiting time"), value="waiting"),
            ),
            value=S.sort,
            on_change=S.set_sort,
        ),
        align="center",
        spacing="2",
    )
    return rx.flex(
        search,
        sort,
        rx.cond(S.loading, rx.spinner(size="2", aria_label=T("Loading…"))),
        gap="3",
        align="center",
        wrap="wrap",
        width="100%",
        margin_y="1rem",
    )


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


def _activity(row: QueueRow) -> rx.Component:
    return rx.tooltip(
        rx.text(row.last_activity, size="2", color_scheme="gray"),
        content=row.last_activity_title,
    )


def table_row(row: QueueRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#", row.number, href=_href(row), class_name="ticket-number")),
        rx.table.row_header_cell(
            rx.link(row.subject, href=_href(row), weight="medium", class_name="ticket-subject"),
            max_width="22rem",
            overflow_wrap="anywhere",
        ),
        rx.table.cell(_customer(row)),
        rx.table.cell(status_badge(row.status, agent=True)),
        rx.table.cell(_assignee(row)),
        rx.table.cell(_activity(row)),
        rx.table.cell(_waiting(row)),
        class_name="queue-row",
        data_number=row.number,
        vertical_align="middle",
    )


def queue_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
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


def queue_card(row: QueueRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.text("#", row.number, size="2", color_scheme="gray"),
                    status_badge(row.status, agent=True),
                    justify="between",
                    width="100%",
                ),
                rx.text(row.subject, weight="bold", overflow_wrap="anywhere"),
                _customer(row),
                rx.flex(
                    _assignee(row),
                    rx.cond(
                        row.waiting != "",
                        rx.hstack(
                            rx.icon("hourglass", size=14, color="var(--gray-9)"),
                            _waiting(row),
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
        width="100%",
    )


def queue_cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(S.rows, queue_card),
        spacing="2",
        width="100%",
        display=["flex", "flex", "none"],
        id="queue-cards",
    )


def _empty_view() -> rx.Component:
    return rx.match(
        S.view,
        ("unassigned", empty_state("circle-check", T("Every ticket has an agent."))),
        ("mine", empty_state("inbox", T("No active tickets are assigned to you."))),
        ("open", empty_state("inbox", T("No open tickets."))),
        ("awaiting", empty_state("hourglass", T("No tickets are waiting for a customer."))),
        ("resolved", empty_state("circle-check", T("No resolved tickets."))),
        ("closed", empty_state("archive", T("No closed tickets."))),
        empty_state("inbox", T("No tickets yet.")),
    )


def _empty_search() -> rx.Component:
    return empty_state(
        "search-x",
        T("No tickets in this view match “{search}”.", search=S.search),
        T("Try the ticket number, the customer's email, or another view."),
        rx.hstack(
            rx.cond(
                S.view != "all",
                rx.button(T("Search all tickets"), on_click=S.search_everywhere, id="search-all"),
            ),
            rx.button(T("Clear search"), variant="soft", on_click=S.clear_search),
            spacing="2",
        ),
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("chevron-left", size=16),
            T("Previous"),
            variant="soft",
            on_click=S.previous_page,
            disabled=(S.previous.length() == 0) | S.loading,
            id="queue-previous",
        ),
        rx.button(
            T("Next"),
            rx.icon("chevron-right", size=16),
            variant="soft",
            on_click=S.next_page,
            disabled=(S.next_cursor == "") | S.loading,
            id="queue-next",
        ),
        justify="center",
        width="100%",
        margin_top="1rem",
    )


def queue() -> rx.Component:
    results = rx.cond(
        S.rows.length() > 0,
        rx.box(
            queue_table(),
            queue_cards(),
            pager(),
            opacity=rx.cond(S.loading, "0.6", "1"),
            aria_busy=rx.cond(S.loading, "true", "false"),
            width="100%",
        ),
        rx.cond(S.search != "", _empty_search(), _empty_view()),
    )
    return rx.vstack(
        rx.heading(T("Tickets"), size="7", as_="h1"),
        view_tabs(),
        toolbar(),
        error_callout(S.error, id="queue-error"),
        results,
        spacing="2",
        width="100%",
    )
