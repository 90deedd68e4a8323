"""The agent queue: view tabs with counts, search and sort, empty states and paging."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import (
    SEARCH_INPUT_FLEX,
    empty_state,
    error_callout,
    search_form,
)
from support_portal.i18n import _
from support_portal.pages.agent_bulk import bulk_bar, bulk_summary
from support_portal.pages.agent_queue_rows import queue_cards, queue_table
from support_portal.states.agent_queue import AgentQueueState

S = AgentQueueState

VIEW_LABELS = [
    ("unassigned", _("Unassigned")),
    ("mine", _("Mine")),
    ("open", _("Open")),
    ("awaiting", _("Awaiting customer")),
    ("resolved", _("Resolved")),
    ("closed", _("Closed")),
    ("all", _("All")),
]


QUEUE_PANEL = "queue-panel"


def view_tabs() -> rx.Component:
    tabs = rx.tabs.root(
        rx.tabs.list(
            *[
                rx.tabs.trigger(
                    rx.hstack(
                        T(label),
                        rx.badge(
                            S.counts[value],
                            variant="soft",
                            radius="full",
                            size="1",
                            high_contrast=True,
                        ),
                        spacing="2",
                        align="center",
                    ),
                    value=value,
                    id=f"view-{value}",
                    # One panel shows whichever view is chosen (Radix would point each tab at a
                    # panel of its own, which this page does not render).
                    aria_controls=QUEUE_PANEL,
                )
                for value, label in VIEW_LABELS
            ],
            # Wrapped rather than scrolled: a scrolling strip is a keyboard stop of its own.
            flex_wrap="wrap",
        ),
        value=S.view,
        on_change=S.set_view,
        display=["none", "none", "block"],
        width="100%",  # the underline spans the page, not just the tabs
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
    search = search_form(
        S,
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            name="q",
            type="search",
            placeholder=T("Number, words, id, email, or tag:name"),
            aria_label=T("Search tickets"),
            default_value=S.search,
            id="queue-search",
            max_length=100,
            **SEARCH_INPUT_FLEX,
        ),
        button=rx.button(T("Search"), type="submit", variant="soft", id="queue-search-button"),
        # Grows into the row but starts small, so "Sort by" stays beside it on a desktop.
        flex="1 1 16rem",
        min_width="0",
    )
    sort = rx.hstack(
        rx.el.label(rx.text(T("Sort by"), size="2", color_scheme="gray"), html_for="queue-sort"),
        rx.select.root(
            rx.select.trigger(id="queue-sort", aria_label=T("Sort by")),
            rx.select.content(
                rx.select.item(T("Last activity"), value="activity"),
                rx.select.item(T("Reply due"), value="waiting"),
                rx.select.item(T("Priority"), value="priority"),
                rx.cond(
                    S.search != "",
                    rx.select.item(T("Best match"), value="relevance"),
                ),
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
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
        margin_y="1rem",
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
    """Previous / Next, only when there is another page to go to."""
    return rx.cond(
        (S.previous.length() > 0) | (S.next_cursor != ""),
        _pager_buttons(),
    )


def _pager_buttons() -> rx.Component:
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
        rx.box(
            rx.vstack(
                toolbar(),
                error_callout(S.error, id="queue-error"),
                bulk_summary(),
                bulk_bar(),
                results,
                spacing="2",
                width="100%",
            ),
            role="tabpanel",
            id=QUEUE_PANEL,
            aria_labelledby=rx.cond(S.view != "", "view-" + S.view, ""),
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


@rx.page(route=routes.AGENT_QUEUE, title=page_title(_("Queue")), on_load=AgentQueueState.load)
def queue_page() -> rx.Component:
    s = AgentQueueState
    return dashboard_page("queue", queue(), loaded=s.loaded, refused_when=s.forbidden)
