"""A merged ticket's page goes to the ticket it was merged into: on load, and live when the
merge happens while the page is open (issue 15)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T


def follow_merge(moved_to: rx.Var, path: rx.Var | str) -> rx.Component:
    return rx.cond(
        moved_to > 0,
        rx.callout(
            T("This ticket was merged into ticket {number}. Taking you there…", number=moved_to),
            icon="merge",
            color_scheme="blue",
            high_contrast=True,
            role="status",
            id="merged-notice",
            on_mount=rx.redirect(path, replace=True),
        ),
    )
