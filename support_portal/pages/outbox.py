"""/admin/outbox: failed and waiting notification emails, with a retry (agents only)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import empty_state, error_callout, info_callout
from support_portal.i18n import _
from support_portal.states.notice_views import OutboxRowView
from support_portal.states.outbox import OutboxAdminState

STATUS_COLORS = {"failed": "red", "pending": "amber", "sending": "blue", "sent": "green"}


def outbox_status(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        (
            "failed",
            rx.badge(
                T("Failed"), color_scheme="red", class_name="outbox-status", high_contrast=True
            ),
        ),
        (
            "pending",
            rx.badge(
                T("Waiting"), color_scheme="amber", class_name="outbox-status", high_contrast=True
            ),
        ),
        (
            "sending",
            rx.badge(
                T("Sending"), color_scheme="blue", class_name="outbox-status", high_contrast=True
            ),
        ),
        (
            "sent",
            rx.badge(
                T("Sent"), color_scheme="green", class_name="outbox-status", high_contrast=True
            ),
        ),
        rx.badge(status, class_name="outbox-status", high_contrast=True),
    )


def template_label(template: rx.Var) -> rx.Component:
    return rx.match(
        template,
        ("ticket_received", T("Ticket received")),
        ("agent_replied", T("Agent replied")),
        ("info_requested", T("Information requested")),
        ("resolved", T("Resolved")),
        ("closed", T("Closed")),
        ("reminder", T("Reminder")),
        ("merged", T("Merged")),
        ("guest_links", T("Guest links")),
        template,
    )


def count_card(label: rx.Var, status: str, icon: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=20, color=f"var(--{STATUS_COLORS[status]}-11)", aria_hidden="true"),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.text(
                    OutboxAdminState.counts[status],
                    size="6",
                    weight="bold",
                    id=f"count-{status}",
                ),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        width="100%",
    )


def outbox_item(row: OutboxRowView) -> rx.Component:
    s = OutboxAdminState
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    outbox_status(row.status),
                    rx.text(template_label(row.template), weight="medium", size="2"),
                    rx.cond(
                        row.ticket_number > 0,
                        rx.link(
                            T("Ticket {number}", number=row.ticket_number),
                            href=row.ticket_href,
                            size="2",
                        ),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    row.to_email, size="2", class_name="outbox-recipient", word_break="break-all"
                ),
                rx.text(
                    T("Attempts: {n}", n=row.attempts),
                    rx.cond(
                        row.next_attempt != "",
                        rx.fragment(" · ", T("Next attempt: {when}", when=row.next_attempt)),
                    ),
                    " · ",
                    T("Queued {when}", when=row.created),
                    size="1",
                    color_scheme="gray",
                    title=row.next_attempt_title,
                ),
                rx.cond(
                    row.last_error != "",
                    rx.code(
                        row.last_error,
                        color_scheme=rx.cond(row.status == "failed", "red", "gray"),
                        variant="soft",
                        size="1",
                        white_space="pre-wrap",
                        word_break="break-word",
                        class_name="outbox-error",
                    ),
                ),
                spacing="1",
                align="start",
                min_width="0",
                flex="1",
            ),
            rx.cond(
                row.status == "failed",
                rx.button(
                    rx.icon("rotate-cw", size=14),
                    T("Retry"),
                    size="2",
                    variant="soft",
                    on_click=s.retry(row.id),
                    loading=s.retrying == row.id,
                    aria_label=T("Retry the email to {to}", to=row.to_email),
                    class_name="retry",
                ),
            ),
            spacing="3",
            align="start",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        width="100%",
        class_name="outbox-row",
    )


def _outbox_content() -> rx.Component:
    s = OutboxAdminState
    return rx.vstack(
        rx.flex(
            rx.vstack(
                rx.heading(T("Email outbox"), size="7", as_="h1"),
                rx.text(
                    T(
                        "Notification emails that failed or are still waiting to go out. "
                        "Temporary errors are retried automatically; failed emails need a retry."
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
                flex="1",
                min_width="16rem",
            ),
            rx.button(
                rx.icon("refresh-cw", size=16),
                T("Refresh"),
                variant="soft",
                on_click=s.refresh,
                loading=s.refreshing,
                id="refresh-outbox",
            ),
            align="end",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.grid(
            count_card(T("Failed"), "failed", "circle-x"),
            count_card(T("Waiting"), "pending", "clock"),
            count_card(T("Sending"), "sending", "send"),
            count_card(T("Sent"), "sent", "circle-check"),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        error_callout(s.error, id="outbox-error"),
        rx.cond(s.notice != "", info_callout(s.notice, icon="circle-check", role="status")),
        rx.cond(
            s.rows.length() > 0,
            rx.vstack(rx.foreach(s.rows, outbox_item), spacing="2", width="100%", id="outbox-rows"),
            rx.box(
                empty_state(
                    "mail-check",
                    T("Nothing is waiting"),
                    T("Every notification email has been delivered."),
                ),
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


@rx.page(
    route=routes.ADMIN_OUTBOX, title=page_title(_("Email outbox")), on_load=OutboxAdminState.load
)
def outbox_page() -> rx.Component:
    s = OutboxAdminState
    return dashboard_page(
        "outbox",
        _outbox_content(),
        loaded=s.loaded,
        refused_when=~s.allowed,
        refusal=empty_state(
            "shield-x",
            T("This page is for support agents"),
            T("Log in with an agent account to see the email outbox."),
        ),
        content_width="64rem",
    )
