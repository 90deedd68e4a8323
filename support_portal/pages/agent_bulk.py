"""Bulk actions in the agent queue: a checkbox per row and one for the page, a bar with the
action for the selected tickets, and the summary of what was done and what was refused."""

from __future__ import annotations

import reflex as rx

from support_portal.components.confirm import confirm_dialog
from support_portal.components.i18n import T
from support_portal.components.ui import error_callout
from support_portal.states.agent_bulk import BulkState, Choice, RefusedView
from support_portal.states.agent_queue import AgentQueueState
from support_portal.states.agent_views import QueueRow

B = BulkState


def row_checkbox(row: QueueRow) -> rx.Component:
    return rx.checkbox(
        checked=B.selected.contains(row.number),
        on_change=lambda checked: B.toggle(row.number, checked),
        aria_label=T("Select ticket {n}", n=row.number),
        class_name="row-select",
    )


def page_checkbox() -> rx.Component:
    rows = AgentQueueState.rows
    every = rows.map(lambda r: B.selected.contains(r.number))
    return rx.checkbox(
        checked=(rows.length() > 0) & ~every.contains(False),
        on_change=B.toggle_page,
        aria_label=T("Select all on this page"),
        id="select-page",
    )


def _choice(c: Choice) -> rx.Component:
    return rx.select.item(c.label, value=c.value)


def _value_select(name: str, label: rx.Var, items: list, default: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            id=f"bulk-{name}", aria_label=label, placeholder=label, min_width="10rem"
        ),
        rx.select.content(*items),
        name=name,
        default_value=default,
    )


def _value() -> rx.Component:
    return rx.match(
        B.action,
        (
            "status",
            _value_select(
                "value_status",
                T("New status"),
                [
                    rx.select.item(T("Resolve"), value="resolve"),
                    rx.select.item(T("Close"), value="close"),
                    rx.select.item(T("Reopen"), value="reopen"),
                ],
                "resolve",
            ),
        ),
        (
            "tag",
            rx.input(
                name="value_tag",
                id="bulk-value-tag",
                placeholder=T("Add a tag"),
                aria_label=T("Tag to add"),
                max_length=40,
                required=True,
            ),
        ),
        (
            "macro",
            rx.cond(
                B.macro_choices.length() > 0,
                _value_select(
                    "value_macro", T("Macro"), [rx.foreach(B.macro_choices, _choice)], ""
                ),
                rx.text(T("No macros yet."), size="2", color_scheme="gray"),
            ),
        ),
        _value_select(
            "value_assign",
            T("Assign to"),
            [
                rx.select.item(T("Me"), value="me"),
                rx.select.item(T("Nobody (unassign)"), value="none"),
                rx.foreach(B.agent_choices, _choice),
            ],
            "me",
        ),
    )


def bulk_bar() -> rx.Component:
    return rx.cond(
        B.selected_count > 0,
        rx.form(
            rx.flex(
                rx.text(
                    T("{n} selected", n=B.selected_count),
                    weight="medium",
                    size="2",
                    id="bulk-count",
                    role="status",
                ),
                rx.select.root(
                    rx.select.trigger(id="bulk-action", aria_label=T("Bulk action")),
                    rx.select.content(
                        rx.select.item(T("Assign"), value="assign"),
                        rx.select.item(T("Change status"), value="status"),
                        rx.select.item(T("Add tag"), value="tag"),
                        rx.select.item(T("Apply macro"), value="macro"),
                    ),
                    value=B.action,
                    on_change=B.set_action,
                ),
                rx.box(_value(), key=B.action),
                rx.button(T("Apply"), type="submit", loading=B.applying, id="bulk-apply"),
                rx.button(
                    T("Clear selection"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=B.clear,
                ),
                gap="2",
                wrap="wrap",
                align="center",
            ),
            on_submit=B.apply,
            reset_on_submit=False,
            id="bulk-bar",
            padding="0.5rem",
            border="1px solid var(--accent-7)",
            border_radius="var(--radius-3)",
            background="var(--accent-2)",
            width="100%",
        ),
    )


def close_dialog() -> rx.Component:
    """Closing is the one bulk action that asks first: customers can no longer answer."""
    return confirm_dialog(
        B.close_title != "",
        B.close_title,
        T(
            "Customers can no longer reply to a closed ticket: they have to open a new "
            "one. Only an agent can reopen it."
        ),
        T("Close tickets"),
        on_cancel=B.cancel_close,
        on_confirm=B.confirm_close,
        loading=B.applying,
        name="bulk-close",
    )


def _refused(r: RefusedView) -> rx.Component:
    return rx.el.li(rx.text.strong("#", r.number), ": ", r.reason, class_name="bulk-refused")


def bulk_summary() -> rx.Component:
    return rx.fragment(
        close_dialog(),
        error_callout(B.bulk_error, id="bulk-error"),
        rx.cond(
            B.summary_shown,
            rx.callout.root(
                rx.callout.text(
                    T(
                        "Done: {done}. Refused: {refused}.",
                        done=B.done_count,
                        refused=B.refused.length(),
                    ),
                    weight="medium",
                ),
                rx.cond(
                    B.refused.length() > 0,
                    rx.el.ul(
                        rx.foreach(B.refused, _refused),
                        style={"margin": "0", "padding_left": "1.25rem"},
                    ),
                ),
                rx.button(
                    T("Dismiss"), size="1", variant="soft", on_click=B.dismiss, width="fit-content"
                ),
                color_scheme=rx.cond(B.refused.length() > 0, "amber", "green"),
                role="status",
                id="bulk-summary",
                width="100%",
            ),
        ),
    )
