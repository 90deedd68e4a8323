"""The agent ticket page's "Priority and tags" panel (issue 15): agents only."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.pages.side_panel import side_panel
from support_portal.states.agent_ticket import AgentTicketState

S = AgentTicketState
PRIORITY_COLORS = {"low": "gray", "normal": "blue", "high": "orange", "urgent": "red"}


def _tag_chip(tag: rx.Var) -> rx.Component:
    return rx.badge(
        tag,
        rx.el.button(
            rx.icon("x", size=12),
            type="button",
            on_click=S.remove_tag(tag),
            aria_label=T("Remove the tag {tag}", tag=tag),
            disabled=S.busy != "",
            style={"cursor": "pointer", "display": "inline-flex"},
        ),
        variant="soft",
        size="2",
        class_name="ticket-tag",
    )


def labels_panel() -> rx.Component:
    return side_panel(
        T("Priority and tags"),
        rx.vstack(
            rx.el.label(
                T("Priority"), html_for="priority-select", class_name="rt-Text rt-r-size-2"
            ),
            rx.select.root(
                rx.select.trigger(id="priority-select", width="100%"),
                rx.select.content(
                    rx.select.item(T("Low"), value="low"),
                    rx.select.item(T("Normal"), value="normal"),
                    rx.select.item(T("High"), value="high"),
                    rx.select.item(T("Urgent"), value="urgent"),
                ),
                value=S.priority,
                on_change=S.set_priority,
                disabled=S.busy != "",
            ),
            rx.flex(
                rx.foreach(S.tags, _tag_chip),
                spacing="2",
                wrap="wrap",
                id="ticket-tags",
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="tag",
                        id="tag-input",
                        placeholder=T("Add a tag"),
                        aria_label=T("Add a tag"),
                        max_length=40,
                        auto_complete="off",
                        list="known-tags",
                        flex="1",
                    ),
                    rx.button(T("Add"), type="submit", variant="soft", loading=S.busy == "tag"),
                    width="100%",
                ),
                rx.el.datalist(
                    rx.foreach(S.known_tags, lambda t: rx.el.option(value=t)), id="known-tags"
                ),
                on_submit=S.add_tag,
                reset_on_submit=False,
                width="100%",
            ),
            rx.cond(
                S.tag_error != "",
                rx.text(S.tag_error, color_scheme="red", size="2", role="alert", id="tag-error"),
            ),
            spacing="2",
            width="100%",
        ),
        panel_id="labels-panel",
    )


def merge_panel() -> rx.Component:
    """Merge this ticket, a duplicate, into another open ticket of the customer."""
    return side_panel(
        T("Merge into another ticket"),
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.input(
                        name="into",
                        id="merge-into",
                        placeholder=T("Ticket number"),
                        aria_label=T("Merge into ticket number"),
                        input_mode="numeric",
                        max_length=12,
                        flex="1",
                    ),
                    rx.button(
                        T("Merge"),
                        type="submit",
                        variant="soft",
                        loading=S.merging,
                        id="merge-submit",
                    ),
                    width="100%",
                ),
                rx.cond(
                    S.merge_confirm,
                    rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                name="confirm",
                                id="merge-confirm",
                                aria_labelledby="merge-confirm-label",
                            ),
                            rx.text(T("Merge anyway"), size="2", id="merge-confirm-label"),
                            spacing="2",
                            align="center",
                        ),
                    ),
                ),
                rx.cond(
                    S.merge_error != "",
                    rx.text(
                        S.merge_error, color_scheme="red", size="2", role="alert", id="merge-error"
                    ),
                ),
                rx.text(
                    T("Its messages move to that ticket, and the customer is told once."),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.merge,
            reset_on_submit=False,
            width="100%",
        ),
        panel_id="merge-panel",
    )
