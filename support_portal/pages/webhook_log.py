"""The delivery log of one webhook endpoint: its latest deliveries, filled in live."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.states.webhook_views import DeliveryView
from support_portal.states.webhooks import WebhooksState

S = WebhooksState


def _outcome(d: DeliveryView) -> rx.Component:
    badge = rx.match(
        d.status,
        ("sent", rx.badge(T("Delivered"), color_scheme="green", high_contrast=True)),
        ("failed", rx.badge(T("Failed"), color_scheme="red", high_contrast=True)),
        ("sending", rx.badge(T("Sending"), color_scheme="blue", high_contrast=True)),
        rx.badge(T("Waiting"), color_scheme="amber", high_contrast=True),
    )
    return rx.vstack(
        rx.hstack(
            badge,
            rx.cond(d.result != "", rx.code(d.result, word_break="break-word")),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            d.next_attempt != "",
            rx.text(T("Next attempt: {when}", when=d.next_attempt), size="1", color_scheme="gray"),
        ),
        spacing="1",
        align="start",
    )


def _row(d: DeliveryView) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(d.event, weight="medium")),
        rx.table.cell(
            rx.tooltip(rx.text(d.time, size="2", white_space="nowrap"), content=d.time_title)
        ),
        rx.table.cell(d.attempts),
        rx.table.cell(_outcome(d)),
        class_name="delivery-row",
        vertical_align="middle",
    )


def _table() -> rx.Component:
    return rx.cond(
        S.log.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(T("Event")),
                        rx.table.column_header_cell(T("Time")),
                        rx.table.column_header_cell(T("Attempts")),
                        rx.table.column_header_cell(T("Result")),
                    )
                ),
                rx.table.body(rx.foreach(S.log, _row)),
                variant="surface",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(
            T("Nothing has been sent to this endpoint yet."),
            color_scheme="gray",
            size="2",
            id="webhook-log-empty",
        ),
    )


def delivery_log() -> rx.Component:
    return rx.cond(
        S.log_id != 0,
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.vstack(
                        rx.heading(T("Delivery log"), size="4", as_="h2"),
                        rx.text(S.log_url, size="2", color_scheme="gray", word_break="break-all"),
                        spacing="1",
                        flex="1",
                        min_width="0",
                    ),
                    rx.button(
                        T("Close log"),
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.close_log,
                        high_contrast=True,
                    ),
                    spacing="3",
                    align="start",
                    width="100%",
                ),
                _table(),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="webhook-log",
        ),
    )
