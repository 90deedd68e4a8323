"""/admin/replies: the saved replies an agent can insert (shared ones managed by administrators)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import card, empty_state, error_callout, field, required_note
from support_portal.i18n import _
from support_portal.pages.macro_fields import macro_fields
from support_portal.states.base import SessionState
from support_portal.states.saved_replies import FORM_ID, SavedRepliesState, SavedReplyView

S = SavedRepliesState
PLACEHOLDER_HINT = "{customer_name} · {ticket_number} · {agent_name}"


def reply_row(r: SavedReplyView) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(r.title, weight="medium"),
                    rx.cond(
                        r.shared,
                        rx.badge(T("Shared"), color_scheme="blue"),
                        rx.badge(T("Personal"), color_scheme="gray"),
                    ),
                    rx.cond(r.macro_summary != "", rx.badge(T("Macro"), color_scheme="amber")),
                    rx.cond(r.text_en != "", rx.badge("EN", variant="outline")),
                    rx.cond(r.text_cs != "", rx.badge("CS", variant="outline")),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(r.preview, size="2", color_scheme="gray", overflow_wrap="anywhere"),
                rx.cond(
                    r.macro_summary != "",
                    rx.text(r.macro_summary, size="1", class_name="macro-summary"),
                ),
                rx.text(T("Used {n} times", n=r.usage_count), size="1", color_scheme="gray"),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.cond(
                r.mine,
                rx.hstack(
                    rx.button(
                        T("Edit"),
                        size="1",
                        variant="soft",
                        on_click=S.edit(r.id),
                        aria_label=T("Edit {title}", title=r.title),
                    ),
                    rx.button(
                        T("Delete"),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.delete(r.id),
                        loading=S.deleting == r.id,
                        aria_label=T("Delete {title}", title=r.title),
                    ),
                    spacing="2",
                ),
            ),
            gap="3",
            align="start",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        padding_y="0.75rem",
        border_bottom="1px solid var(--gray-5)",
        class_name="saved-reply-row",
        width="100%",
    )


def _text_area(name: str, value: rx.Var, element_id: str) -> rx.Component:
    return rx.text_area(
        name=name, default_value=value, rows="5", max_length=20000, id=element_id, width="100%"
    )


def reply_form() -> rx.Component:
    errors = S.field_errors
    return card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.cond(S.editing_id != 0, T("Edit the saved reply"), T("New saved reply")),
                    size="4",
                    as_="h2",
                ),
                required_note(),
                field(
                    T("Title"),
                    rx.input(
                        name="title",
                        default_value=S.form_title,
                        required=True,
                        max_length=120,
                        id="saved-reply-title",
                        key=S.editing_id,
                    ),
                    error=errors.get("title", ""),
                ),
                field(
                    T("Text in English"),
                    _text_area("text_en", S.form_en, "saved-reply-en"),
                    error=errors.get("text_en", ""),
                    hint=T("Placeholders: {list}", list=PLACEHOLDER_HINT),
                ),
                field(
                    T("Text in Czech"),
                    _text_area("text_cs", S.form_cs, "saved-reply-cs"),
                    error=errors.get("text_cs", ""),
                ),
                macro_fields(),
                rx.cond(
                    SessionState.is_admin,
                    rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                name="shared",
                                default_checked=S.form_shared,
                                id="saved-reply-shared",
                                aria_labelledby="saved-reply-shared-label",
                            ),
                            rx.text(
                                T("Shared with every agent"),
                                size="2",
                                id="saved-reply-shared-label",
                            ),
                            align="center",
                            spacing="2",
                        ),
                        cursor="pointer",
                    ),
                ),
                rx.hstack(
                    rx.button(T("Save"), type="submit", loading=S.saving, id="saved-reply-save"),
                    rx.cond(
                        S.editing_id != 0,
                        rx.button(T("Cancel"), type="button", variant="soft", on_click=S.new),
                    ),
                    spacing="2",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
            id=FORM_ID,
            key=S.editing_id,
        ),
    )


def replies() -> rx.Component:
    return rx.vstack(
        rx.heading(T("Saved replies"), size="7", as_="h1"),
        rx.text(
            T("Insert them from the reply box of a ticket with the Saved replies button."),
            color_scheme="gray",
        ),
        error_callout(S.error, id="saved-replies-error"),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="check", color_scheme="green", role="status"),
        ),
        rx.cond(
            S.replies.length() > 0,
            rx.vstack(rx.foreach(S.replies, reply_row), spacing="0", width="100%"),
            empty_state(
                "message-square-text",
                T("No saved replies yet"),
                T("Write the answers you give often once, and insert them in one click."),
            ),
        ),
        reply_form(),
        spacing="4",
        width="100%",
        id="saved-replies",
    )


@rx.page(route=routes.SAVED_REPLIES, title=page_title(_("Saved replies")), on_load=S.load)
def saved_replies_page() -> rx.Component:
    return dashboard_page(
        "replies",
        replies(),
        loaded=S.loaded,
        refused_when=S.forbidden,
        content_width="60rem",
    )
