"""/admin/categories: the ticket categories and their custom fields (administrators only)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.reorder import move_buttons
from support_portal.components.ui import card, error_callout, field, required_note
from support_portal.i18n import _
from support_portal.pages.category_fields import category_fields
from support_portal.states.categories_admin import (
    CATEGORY_FORM,
    CategoriesAdminState,
    CategoryAdminView,
)

S = CategoriesAdminState


def category_card(c: CategoryAdminView) -> rx.Component:
    busy = S.busy != ""
    return card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.hstack(
                        rx.heading(c.name_en, size="4", as_="h2"),
                        rx.cond(
                            c.is_active,
                            rx.badge(T("Active"), color_scheme="green", high_contrast=True),
                            rx.badge(T("Inactive"), color_scheme="gray"),
                        ),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.text(
                        rx.cond(c.name_cs != "", c.name_cs, T("No Czech name yet")),
                        " · ",
                        rx.code(c.key),
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    min_width="0",
                    flex="1",
                ),
                rx.hstack(
                    *move_buttons(lambda step: S.move_category(c.id, step), c.name_en, busy),
                    rx.button(
                        T("Rename"),
                        size="1",
                        variant="soft",
                        on_click=S.rename(c.id),
                        aria_label=T("Rename {name}", name=c.name_en),
                    ),
                    rx.button(
                        rx.cond(c.is_active, T("Deactivate"), T("Activate")),
                        size="1",
                        variant="soft",
                        color_scheme=rx.cond(c.is_active, "red", "green"),
                        on_click=S.set_category_active(c.id, ~c.is_active),
                        loading=S.busy == "active-" + c.id.to_string(),
                        disabled=busy,
                        aria_label=rx.cond(
                            c.is_active,
                            T("Deactivate {name}", name=c.name_en),
                            T("Activate {name}", name=c.name_en),
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                gap="2",
                direction=rx.breakpoints(initial="column", sm="row"),
                width="100%",
            ),
            category_fields(c),
            spacing="3",
            width="100%",
        ),
        class_name="category-card",
    )


def category_form() -> rx.Component:
    errors = S.field_errors
    editing = S.editing_id != 0
    return card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.cond(editing, T("Rename the category"), T("New category")),
                    size="4",
                    as_="h2",
                ),
                required_note(),
                rx.flex(
                    field(
                        T("Name in English"),
                        rx.input(
                            name="name_en",
                            id="category-name-en",
                            default_value=S.form_name_en,
                            required=True,
                            max_length=80,
                        ),
                        error=errors.get("name_en", ""),
                    ),
                    field(
                        T("Name in Czech"),
                        rx.input(
                            name="name_cs",
                            id="category-name-cs",
                            default_value=S.form_name_cs,
                            max_length=80,
                        ),
                        error=errors.get("name_cs", ""),
                    ),
                    spacing="3",
                    direction=rx.breakpoints(initial="column", sm="row"),
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        T("Save category"),
                        type="submit",
                        loading=S.busy == "save",
                        id="category-save",
                    ),
                    rx.cond(
                        editing,
                        rx.button(
                            T("Cancel"), type="button", variant="soft", on_click=S.new_category
                        ),
                    ),
                    spacing="2",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_category,
            reset_on_submit=False,
            id=CATEGORY_FORM,
            key=S.editing_id,
        ),
    )


def categories_section() -> rx.Component:
    return rx.vstack(
        rx.heading(T("Categories"), size="7", as_="h1"),
        rx.text(
            T(
                "Customers choose one of the active categories when they submit a ticket. "
                "An inactive category is no longer offered; its tickets keep it."
            ),
            color_scheme="gray",
        ),
        error_callout(S.error, id="categories-error"),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="check", color_scheme="green", role="status"),
        ),
        rx.vstack(rx.foreach(S.categories, category_card), spacing="3", width="100%"),
        category_form(),
        spacing="4",
        width="100%",
        id="categories",
    )


@rx.page(route=routes.ADMIN_CATEGORIES, title=page_title(_("Categories")), on_load=S.load)
def categories_page() -> rx.Component:
    return dashboard_page(
        "categories",
        categories_section(),
        loaded=S.loaded,
        refused_when=S.forbidden,
        content_width="60rem",
    )
