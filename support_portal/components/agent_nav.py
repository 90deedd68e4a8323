"""Pieces every dashboard page shares: the dashboard navigation and the refusal page."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T
from support_portal.components.not_found import not_found
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
    """Queue | Saved replies | Email outbox | Reports | Agents (admins only) | API tokens."""
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
            _nav_link(
                T("API tokens"),
                routes.ADMIN_API_TOKENS,
                "key-round",
                current=current == "api-tokens",
            ),
            spacing="5",
            align="center",
            wrap="wrap",
        ),
        aria_label=T("Agent dashboard"),
        id="admin-nav",
        margin_bottom="1rem",
    )


def refused() -> rx.Component:
    """What customers and guests see on a dashboard page: the ordinary not-found page."""
    return not_found()


def page_ready(loaded: rx.Var) -> rx.Component:
    return rx.cond(loaded, rx.box(id="page-ready", display="none"))
