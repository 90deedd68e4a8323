"""The "Actions" section of the saved reply form: with any action set, the reply is a macro
that an agent applies from a ticket in one click."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import field
from support_portal.states.saved_replies import KEEP, SavedRepliesState

S = SavedRepliesState


def _select(name: str, label: rx.Var, value: rx.Var, choices: list[tuple[rx.Var, str]]):
    control_id = f"saved-reply-{name.replace('_', '-')}"
    return rx.flex(
        rx.el.label(
            label, html_for=control_id, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"
        ),
        rx.select.root(
            rx.select.trigger(id=control_id, width="100%"),
            rx.select.content(
                rx.select.item(T("Leave as it is"), value=KEEP),
                *[rx.select.item(text, value=v) for text, v in choices],
            ),
            name=name,
            default_value=value,
        ),
        direction="column",
        spacing="1",
        width="100%",
    )


def macro_fields() -> rx.Component:
    m, errors = S.form_macro, S.field_errors
    return rx.el.fieldset(
        rx.el.legend(rx.heading(T("Actions"), size="3", as_="span")),
        rx.text(
            T(
                "With an action the reply becomes a macro: "
                "Macros on a ticket sends it and does the rest."
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.grid(
            _select(
                "macro_status",
                T("Status"),
                m.macro_status,
                [
                    (T("Resolve"), "resolve"),
                    (T("Close"), "close"),
                    (T("Request more information"), "request_info"),
                ],
            ),
            _select(
                "macro_assign",
                T("Assignee"),
                m.macro_assign,
                [(T("Assign to me"), "me"), (T("Unassign"), "none")],
            ),
            _select(
                "macro_priority",
                T("Priority"),
                m.macro_priority,
                [
                    (T("Low"), "low"),
                    (T("Normal"), "normal"),
                    (T("High"), "high"),
                    (T("Urgent"), "urgent"),
                ],
            ),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        field(
            T("Add tags"),
            rx.input(
                name="macro_tags",
                default_value=m.macro_tags,
                id="saved-reply-macro-tags",
                placeholder="refund, vip",
                max_length=900,
            ),
            error=errors.get("macro_tags", ""),
            hint=T("Separate tags with commas."),
        ),
        rx.cond(
            errors.contains("macro_status")
            | errors.contains("macro_assign")
            | errors.contains("macro_priority"),
            rx.text(
                errors.get("macro_status", "")
                + errors.get("macro_assign", "")
                + errors.get("macro_priority", ""),
                size="1",
                color_scheme="red",
                role="alert",
            ),
        ),
        style={
            "border": "1px solid var(--gray-5)",
            "border_radius": "var(--radius-3)",
            "padding": "0.75rem",
            "display": "flex",
            "flex_direction": "column",
            "gap": "0.75rem",
            "min_width": "0",
        },
        id="saved-reply-actions",
    )
