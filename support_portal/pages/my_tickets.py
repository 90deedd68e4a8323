"""/tickets: My tickets, open and closed, with a search over all of them (tab and search are
in the address: ?tab=closed&q=...)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.ui import (
    SEARCH_INPUT_FLEX,
    empty_state,
    error_callout,
    search_form,
    status_badge,
)
from support_portal.i18n import _
from support_portal.states.tickets import MyTicketsState
from support_portal.states.views import TicketRow

TICKETS_PANEL = "tickets-panel"


def ticket_row(row: TicketRow) -> rx.Component:
    # Phones: the time gets its own line under the number; wider: it sits under the status.
    return rx.link(
        rx.card(
            rx.grid(
                rx.vstack(
                    rx.hstack(
                        rx.cond(
                            row.unread,
                            rx.box(
                                width="8px",
                                height="8px",
                                border_radius="50%",
                                background="var(--red-9)",
                                aria_label=T("Unread"),
                                class_name="unread",
                            ),
                        ),
                        rx.text(row.subject, weight="bold", class_name="ticket-subject"),
                        align="center",
                        spacing="2",
                    ),
                    rx.text(
                        "#",
                        row.number,
                        " · ",
                        row.category,
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.cond(
                        (row.snippet_match != "") | (row.snippet_after != ""),
                        rx.text(
                            row.snippet_before,
                            rx.el.mark(row.snippet_match, class_name="search-match"),
                            row.snippet_after,
                            size="1",
                            color_scheme="gray",
                            class_name="search-snippet",
                            overflow_wrap="anywhere",
                        ),
                    ),
                    spacing="1",
                    align="start",
                    grid_area="main",
                    min_width="0",
                ),
                rx.box(status_badge(row.status), grid_area="status", justify_self="end"),
                rx.box(
                    rx.tooltip(
                        rx.text(row.last_activity, size="1", color_scheme="gray"),
                        content=row.last_activity_title,
                    ),
                    grid_area="time",
                    justify_self=rx.breakpoints(initial="start", sm="end"),
                    white_space="nowrap",
                ),
                grid_template_columns="minmax(0, 1fr) auto",
                grid_template_areas=rx.breakpoints(
                    initial='"main status" "time time"', sm='"main status" "main time"'
                ),
                grid_template_rows="auto 1fr",
                column_gap="var(--space-3)",
                row_gap="var(--space-1)",
            ),
            class_name="ticket-row",
        ),
        href=routes.ticket_path(row.number),
        underline="none",
        color="inherit",
        width="100%",
    )


@rx.page(route=routes.MY_TICKETS, title=page_title(_("My tickets")), on_load=MyTicketsState.load)
def my_tickets_page() -> rx.Component:
    s = MyTicketsState
    return page(
        rx.flex(
            rx.heading(T("My tickets"), size="7", as_="h1"),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=16),
                T("Submit a ticket"),
                on_click=rx.redirect(routes.NEW_TICKET),
            ),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.tabs.root(
            rx.tabs.list(
                *[
                    rx.tabs.trigger(
                        label,
                        " (",
                        s.counts[value],
                        ")",
                        value=value,
                        id=f"tab-{value}",
                        aria_controls=TICKETS_PANEL,
                    )
                    for value, label in (
                        ("open", T("Open")),
                        ("awaiting", T("Awaiting your reply")),
                        ("resolved", T("Resolved")),
                        ("closed", T("Closed")),
                    )
                ],
                # Four tabs wrap onto two rows on a phone rather than widen the page.
                flex_wrap="wrap",
            ),
            value=s.tab,
            on_change=s.set_tab,
            margin_top="1rem",
        ),
        rx.box(
            search_form(
                s,
                rx.input(
                    name="q",
                    placeholder=T("Search by number or subject"),
                    aria_label=T("Search tickets"),
                    id="ticket-search",
                    default_value=s.search,
                    **SEARCH_INPUT_FLEX,
                ),
                button=rx.button(
                    rx.icon("search", size=16), T("Search"), type="submit", variant="soft"
                ),
                margin_y="1rem",
            ),
            error_callout(s.error),
            rx.cond(
                s.search != "",
                rx.text(
                    T("Results from all your tickets, whatever their status."),
                    size="2",
                    color_scheme="gray",
                    id="search-scope",
                    margin_bottom="0.5rem",
                ),
            ),
            rx.cond(
                ~s.loaded,
                loading(),
                rx.cond(
                    s.rows.length() > 0,
                    rx.vstack(
                        rx.foreach(s.rows, ticket_row), spacing="2", width="100%", id="ticket-list"
                    ),
                    rx.cond(
                        s.search != "",
                        empty_state("search-x", T("No tickets match your search.")),
                        rx.match(
                            s.tab,
                            (
                                "awaiting",
                                empty_state("message-circle", T("Nothing waits for your reply.")),
                            ),
                            (
                                "resolved",
                                empty_state(
                                    "circle-check",
                                    T("No resolved tickets."),
                                    T("A resolved ticket stays here while you can still reply."),
                                ),
                            ),
                            ("closed", empty_state("archive", T("No closed tickets yet."))),
                            empty_state(
                                "inbox",
                                T("You have no open tickets."),
                                T("Need help? Submit a ticket and we will get back to you."),
                                rx.button(
                                    T("Submit a ticket"), on_click=rx.redirect(routes.NEW_TICKET)
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            rx.cond(
                (s.previous.length() > 0) | (s.next_cursor != ""),
                rx.hstack(
                    rx.button(
                        T("Previous"),
                        variant="soft",
                        on_click=s.previous_page,
                        disabled=s.previous.length() == 0,
                    ),
                    rx.button(
                        T("Next"),
                        variant="soft",
                        on_click=s.next_page,
                        disabled=s.next_cursor == "",
                    ),
                    justify="center",
                    width="100%",
                    margin_top="1rem",
                    id="ticket-pager",
                ),
            ),
            role="tabpanel",
            id=TICKETS_PANEL,
            aria_labelledby="tab-" + s.tab,
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
    )
