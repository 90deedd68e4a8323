"""/admin/tags: administrators rename, merge and delete the tags agents put on tickets."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.confirm import confirm_dialog
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import (
    SEARCH_INPUT_FLEX,
    empty_state,
    error_callout,
    info_callout,
    search_form,
)
from support_portal.i18n import _
from support_portal.states.tag_admin import MAX_LISTED, RENAME_INPUT, TagAdminState, TagRow

S = TagAdminState


def _rename_form(t: TagRow) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                name="new_name",
                default_value=t.tag,
                required=True,
                max_length=40,
                id=RENAME_INPUT,
                aria_label=T("New name for {tag}", tag=t.tag),
                aria_invalid=rx.cond(S.rename_error != "", "true", "false"),
                aria_describedby="tag-rename-error",
                flex="1 1 10rem",
                min_width="0",
            ),
            rx.button(T("Save"), type="submit", size="2", loading=S.busy == "rename"),
            rx.button(
                T("Cancel"),
                type="button",
                size="2",
                variant="soft",
                color_scheme="gray",
                on_click=S.cancel_rename,
            ),
            gap="2",
            wrap="wrap",
            align="center",
        ),
        rx.cond(
            S.rename_error != "",
            rx.text(S.rename_error, color_scheme="red", size="2", id="tag-rename-error"),
        ),
        on_submit=S.rename,
        reset_on_submit=False,
        id="tag-rename-form",
        width="100%",
    )


def _row(t: TagRow) -> rx.Component:
    editing = S.editing == t.tag
    return rx.table.row(
        rx.table.row_header_cell(
            rx.cond(
                editing,
                _rename_form(t),
                rx.text(t.tag, class_name="tag-name", overflow_wrap="anywhere"),
            ),
        ),
        rx.table.cell(rx.text(t.tickets, class_name="tag-count"), text_align="right"),
        rx.table.cell(
            rx.cond(
                editing,
                rx.fragment(),
                rx.flex(
                    rx.button(
                        T("Rename"),
                        size="1",
                        variant="soft",
                        on_click=S.start_rename(t.tag),
                        aria_label=T("Rename {tag}", tag=t.tag),
                        class_name="tag-rename",
                    ),
                    rx.button(
                        T("Delete"),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.ask_delete(t.tag),
                        aria_label=T("Delete {tag}", tag=t.tag),
                        class_name="tag-delete",
                    ),
                    gap="2",
                    wrap="wrap",
                    justify="end",
                ),
            ),
        ),
        class_name="tag-row",
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(T("Tag")),
                rx.table.column_header_cell(T("Tickets"), text_align="right"),
                rx.table.column_header_cell(rx.el.span(T("Actions"), class_name="rt-sr-only")),
            ),
        ),
        rx.table.body(rx.foreach(S.tags, _row)),
        variant="surface",
        size="1",
        width="100%",
        id="tag-table",
    )


def dialogs() -> rx.Component:
    return rx.fragment(
        confirm_dialog(
            S.merge_from != "",
            T("Merge the tags?"),
            S.merge_text,
            T("Merge"),
            on_cancel=S.cancel_merge,
            on_confirm=S.confirm_merge,
            loading=S.busy == "merge",
            name="tag-merge",
        ),
        confirm_dialog(
            S.delete_name != "",
            T("Delete the tag “{tag}”?", tag=S.delete_name),
            S.delete_text,
            T("Delete"),
            on_cancel=S.cancel_delete,
            on_confirm=S.confirm_delete,
            loading=S.busy == "delete",
            name="tag-delete",
        ),
    )


def tags() -> rx.Component:
    return rx.cond(
        S.admin_only,
        info_callout(
            T("Only administrators can manage tags."), icon="shield-alert", id="admin-only"
        ),
        tags_view(),
    )


def tags_view() -> rx.Component:
    return rx.vstack(
        rx.heading(T("Tags"), size="7", as_="h1"),
        rx.text(
            T(
                "Rename a tag on every ticket at once. Renaming it to a tag that exists "
                "merges the two."
            ),
            color_scheme="gray",
        ),
        search_form(
            S,
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="q",
                type="search",
                placeholder=T("Search tags"),
                aria_label=T("Search tags"),
                default_value=S.search,
                id="tag-search",
                max_length=40,
                **SEARCH_INPUT_FLEX,
            ),
            button=rx.button(T("Search"), type="submit", variant="soft", id="tag-search-button"),
        ),
        error_callout(S.error, id="tags-error"),
        rx.cond(
            S.notice != "",
            rx.callout(
                S.notice, icon="check", color_scheme="green", role="status", id="tags-notice"
            ),
        ),
        rx.cond(
            S.tags.length() > 0,
            _table(),
            rx.cond(
                S.search != "",
                empty_state("search-x", T("No tag matches “{q}”", q=S.search)),
                empty_state(
                    "tag",
                    T("No tags yet"),
                    T("Agents add tags on a ticket's page; they are listed here."),
                ),
            ),
        ),
        rx.cond(
            S.more,
            rx.text(
                T("Only the first {n} tags are listed. Search to find the others.", n=MAX_LISTED),
                size="2",
                color_scheme="gray",
            ),
        ),
        dialogs(),
        spacing="4",
        width="100%",
        id="tag-admin",
    )


@rx.page(route=routes.ADMIN_TAGS, title=page_title(_("Tags")), on_load=S.load)
def tags_page() -> rx.Component:
    return dashboard_page(
        "tags",
        tags(),
        loaded=S.loaded,
        refused_when=S.forbidden,
        content_width="48rem",
    )
