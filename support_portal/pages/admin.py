"""/admin (queue), /admin/tickets/[number] (one ticket) and /admin/agents."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.admin_agents import agents
from support_portal.components.admin_common import admin_nav, page_ready, refused
from support_portal.components.admin_queue import queue
from support_portal.components.admin_ticket import ticket_view
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.ui import empty_state
from support_portal.i18n import _
from support_portal.states.admin import AdminQueueState
from support_portal.states.admin_agents import AdminAgentsState
from support_portal.states.admin_ticket import AdminTicketState

WIDE = "72rem"  # as wide as the header


@rx.page(route=routes.ADMIN, title=page_title(_("Queue")), on_load=AdminQueueState.load)
def queue_page() -> rx.Component:
    s = AdminQueueState
    return page(
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(s.forbidden, refused(), rx.fragment(admin_nav("queue"), queue())),
        ),
        page_ready(s.loaded),
        width=WIDE,
    )


@rx.page(route=routes.ADMIN_TICKET, title=page_title(_("Ticket")), on_load=AdminTicketState.load)
def admin_ticket_page() -> rx.Component:
    s = AdminTicketState
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
                        rx.button(T("Queue"), on_click=rx.redirect(routes.ADMIN)),
                    ),
                    ticket_view(),
                ),
            ),
        ),
        page_ready(s.loaded),
        width=WIDE,
    )


@rx.page(route=routes.ADMIN_AGENTS, title=page_title(_("Agents")), on_load=AdminAgentsState.load)
def agents_page() -> rx.Component:
    s = AdminAgentsState
    return page(
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(s.forbidden, refused(), rx.fragment(admin_nav("agents"), agents())),
        ),
        page_ready(s.loaded),
        width="60rem",
    )
