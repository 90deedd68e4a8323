"""The ordinary "not found" body: unknown pages, and pages someone may not see (so that they
learn nothing about what exists there)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T


def not_found() -> rx.Component:
    return rx.vstack(
        rx.heading(T("Page not found"), size="7", as_="h1"),
        rx.text(T("The page you are looking for does not exist.")),
        rx.link(T("Go to the start page"), href=routes.HOME),
        spacing="3",
        padding_y="3rem",
        id="not-found",
    )
