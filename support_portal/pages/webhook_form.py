"""The form that registers a webhook endpoint: its URL and the events it wants."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import card, field, required_note
from support_portal.states.webhook_views import CHOICES, EVENT_LABELS
from support_portal.states.webhooks import FORM_ID, WebhooksState

S = WebhooksState


def _event_box(event: str) -> rx.Component:
    box_id = "webhook-event-" + event.replace(".", "-").replace("_", "-")
    label = EVENT_LABELS[event]  # marked with _() there
    return rx.el.label(
        rx.hstack(
            rx.checkbox(name=event, default_checked=True, id=box_id),
            rx.text(T(label), size="2"),
            align="center",
            spacing="2",
        ),
        html_for=box_id,
        cursor="pointer",
    )


def endpoint_form() -> rx.Component:
    errors = S.field_errors
    return card(
        rx.form(
            rx.vstack(
                rx.heading(T("Add an endpoint"), size="4", as_="h2"),
                required_note(),
                field(
                    T("URL"),
                    rx.input(
                        name="url",
                        type="url",
                        required=True,
                        max_length=2000,
                        placeholder="https://crm.example.com/hooks/support",
                        id="webhook-url",
                    ),
                    error=errors.get("url", ""),
                    hint=T(
                        "Loopback and private network addresses are refused unless the server "
                        "sets WEBHOOK_ALLOW_PRIVATE=true."
                    ),
                ),
                rx.el.fieldset(
                    rx.el.legend(rx.text(T("Events"), size="2", weight="medium")),
                    rx.flex(
                        *[_event_box(event) for event in CHOICES],
                        spacing="4",
                        wrap="wrap",
                        margin_top="0.5rem",
                    ),
                    rx.cond(
                        errors.contains("events"),
                        rx.text(
                            errors.get("events", ""), color_scheme="red", size="2", role="alert"
                        ),
                    ),
                    border="none",
                    padding="0",
                    margin="0",
                ),
                rx.button(
                    rx.icon("webhook", size=16),
                    T("Add endpoint"),
                    type="submit",
                    loading=S.submitting,
                    id="add-webhook",
                ),
                spacing="3",
                align="start",
                width="100%",
            ),
            on_submit=S.register,
            reset_on_submit=False,
            id=FORM_ID,
        )
    )
