""" "Saved replies" in the agent's reply box: a searchable list; arrows move, Enter or a click
inserts the reply at the cursor (in the customer's language, placeholders filled), Escape
closes."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T
from support_portal.states.saved_replies import ReplyPickerState, SavedReplyView

P = ReplyPickerState


def _choice(r: SavedReplyView, index: rx.Var) -> rx.Component:
    chosen = index == P.highlighted
    return rx.el.button(
        rx.text(r.title, weight="medium", size="2"),
        rx.text(r.preview, size="1", color_scheme="gray", overflow_wrap="anywhere"),
        type="button",
        role="option",
        aria_selected=rx.cond(chosen, "true", "false"),
        on_click=P.insert(r.id),
        class_name="reply-choice",
        style={
            "display": "block",
            "width": "100%",
            "text_align": "left",
            "padding": "0.5rem",
            "border_radius": "var(--radius-2)",
            "background": rx.cond(chosen, "var(--accent-4)", "transparent"),
            "cursor": "pointer",
        },
    )


def reply_picker() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("message-square-text", size=16),
                T("Saved replies"),
                type="button",
                variant="soft",
                size=rx.breakpoints(initial="2", sm="3"),
                id="saved-replies-button",
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.input(
                    placeholder=T("Search saved replies"),
                    aria_label=T("Search saved replies"),
                    value=P.query,
                    on_change=P.search.debounce(250),
                    on_key_down=P.key_down,
                    auto_focus=True,
                    role="combobox",
                    aria_controls="reply-choices",
                    aria_expanded="true",
                    id="reply-search",
                    width="100%",
                ),
                rx.cond(
                    P.choices.length() > 0,
                    rx.box(
                        rx.foreach(P.choices, _choice),
                        role="listbox",
                        aria_label=T("Saved replies"),
                        id="reply-choices",
                        max_height="16rem",
                        overflow_y="auto",
                        width="100%",
                    ),
                    rx.text(
                        rx.cond(
                            P.query != "",
                            T("No saved reply matches."),
                            T("No saved replies yet."),
                        ),
                        " ",
                        rx.link(T("Manage saved replies"), href=routes.SAVED_REPLIES),
                        size="2",
                        id="reply-choices-empty",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="min(24rem, 90vw)",
        ),
        open=P.picker_open,
        on_open_change=P.set_open,
    )
