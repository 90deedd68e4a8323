"""Pieces every dashboard page shares: the dashboard navigation and the refusal page."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T
from support_portal.components.layout import loading, page
from support_portal.components.not_found import not_found
from support_portal.components.shortcuts import shortcuts_button
from support_portal.states.base import SessionState

WIDE = "72rem"  # as wide as the header


def _nav_link(label: rx.Var, href: str, icon: str, *, current: bool) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), label, align="center", spacing="1"),
        href=href,
        weight="bold" if current else "regular",
        underline="always" if current else "hover",
        aria_current="page" if current else "false",
        size="2",
    )


def agent_nav(current: str) -> rx.Component:
    """Queue | Saved replies | Email outbox | Reports | Agents, Categories, Tags, Service levels
    and Webhooks (administrators) | API tokens."""
    return rx.el.nav(
        rx.hstack(
            _nav_link(T("Queue"), routes.AGENT_QUEUE, "inbox", current=current == "queue"),
            _nav_link(
                T("Saved replies"),
                routes.SAVED_REPLIES,
                "message-square-text",
                current=current == "replies",
            ),
            _nav_link(
                T("Email outbox"), routes.ADMIN_OUTBOX, "mail-warning", current=current == "outbox"
            ),
            _nav_link(
                T("Reports"), routes.AGENT_REPORTS, "chart-column", current=current == "reports"
            ),
            rx.cond(
                SessionState.is_admin,
                _nav_link(T("Agents"), routes.ADMIN_AGENTS, "users", current=current == "agents"),
            ),
            rx.cond(
                SessionState.is_admin,
                _nav_link(
                    T("Categories"),
                    routes.ADMIN_CATEGORIES,
                    "tags",
                    current=current == "categories",
                ),
            ),
            rx.cond(
                SessionState.is_admin,
                _nav_link(T("Tags"), routes.ADMIN_TAGS, "tag", current=current == "tags"),
            ),
            rx.cond(
                SessionState.is_admin,
                _nav_link(
                    T("Service levels"),
                    routes.ADMIN_SERVICE_LEVELS,
                    "timer",
                    current=current == "service-levels",
                ),
            ),
            _nav_link(
                T("API tokens"),
                routes.ADMIN_API_TOKENS,
                "key-round",
                current=current == "api-tokens",
            ),
            rx.cond(
                SessionState.is_admin,
                _nav_link(
                    T("Webhooks"), routes.ADMIN_WEBHOOKS, "webhook", current=current == "webhooks"
                ),
            ),
            rx.box(shortcuts_button(), display=rx.breakpoints(initial="none", sm="block")),
            spacing="5",
            align="center",
            wrap="wrap",
        ),
        aria_label=T("Agent dashboard"),
        id="admin-nav",
        margin_bottom="1rem",
    )


def dashboard_page(
    current: str,
    body: rx.Component,
    *,
    loaded: rx.Var,
    refused_when: rx.Var,
    refusal: rx.Component | None = None,
    content_width: str | None = None,
) -> rx.Component:
    """The frame of every dashboard page: the navigation (drawn as soon as the session says
    agent, so it stays put while the next page loads), then a spinner, the page, or for
    customers and guests the refusal (the not-found page unless `refusal` is given). Every
    dashboard page has the same width, so the navigation never moves; a page of forms keeps
    its own narrower `content_width`."""
    if content_width is not None:
        body = rx.box(body, max_width=content_width, width="100%")
    return page(
        rx.cond(
            loaded & refused_when,
            refusal if refusal is not None else refused(),
            rx.fragment(
                rx.cond(SessionState.is_agent, agent_nav(current)),
                rx.cond(loaded, body, loading()),
            ),
        ),
        page_ready(loaded),
        width=WIDE,
    )


def refused() -> rx.Component:
    """What customers and guests see on a dashboard page: the ordinary not-found page."""
    return not_found()


def page_ready(loaded: rx.Var) -> rx.Component:
    return rx.cond(loaded, rx.box(id="page-ready", display="none"))
