"""The custom fields part of /admin/categories: a category's fields and the form that adds or
changes one (issue 15)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.reorder import move_buttons
from support_portal.components.ticket_fields import NATIVE_SELECT
from support_portal.components.ui import field, required_note
from support_portal.i18n import _
from support_portal.states.categories_admin import (
    FIELD_FORM,
    CategoriesAdminState,
    CategoryAdminView,
    FieldAdminView,
)

S = CategoriesAdminState
KIND_LABELS = (
    ("short_text", _("Short text")),
    ("long_text", _("Long text")),
    ("number", _("Number")),
    ("dropdown", _("Dropdown")),
    ("date", _("Date")),
    ("checkbox", _("Checkbox")),
)
VISIBILITY_LABELS = (
    ("customer_fills", _("The customer fills it in")),
    ("customer_sees", _("The customer sees it, agents fill it in")),
    ("agents_only", _("Agents only")),
)


def _kind_label(kind: rx.Var) -> rx.Component:
    return rx.match(kind, *[(value, T(label)) for value, label in KIND_LABELS], kind)


def _visibility_label(visibility: rx.Var) -> rx.Component:
    return rx.match(
        visibility, *[(value, T(label)) for value, label in VISIBILITY_LABELS], visibility
    )


def field_row(c: CategoryAdminView, f: FieldAdminView) -> rx.Component:
    busy = S.busy != ""
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.text(f.label, weight="medium"),
                rx.badge(_kind_label(f.kind), variant="outline"),
                rx.cond(f.required, rx.badge(T("Required"), color_scheme="amber")),
                rx.cond(~f.is_active, rx.badge(T("Inactive"), color_scheme="gray")),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            rx.text(
                _visibility_label(f.visibility),
                " · ",
                rx.code("field:" + f.key + "=…"),
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
            min_width="0",
            flex="1",
        ),
        rx.hstack(
            *move_buttons(lambda step: S.move_field(f.id, step), f.label, busy),
            rx.button(
                T("Edit"),
                size="1",
                variant="soft",
                on_click=S.edit_field(c.id, f.id),
                aria_label=T("Edit {name}", name=f.label),
            ),
            rx.button(
                rx.cond(f.is_active, T("Deactivate"), T("Activate")),
                size="1",
                variant="soft",
                color_scheme=rx.cond(f.is_active, "red", "green"),
                on_click=S.set_field_active(f.id, ~f.is_active),
                disabled=busy,
                aria_label=rx.cond(
                    f.is_active,
                    T("Deactivate {name}", name=f.label),
                    T("Activate {name}", name=f.label),
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
        gap="2",
        direction=rx.breakpoints(initial="column", sm="row"),
        padding_y="0.5rem",
        border_top="1px solid var(--gray-4)",
        width="100%",
        class_name="field-row",
    )


def _native_select(name: str, element_id: str, value: rx.Var, choices, **props) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(T(label), value=v) for v, label in choices],
        name=name,
        id=element_id,
        default_value=value,
        style=NATIVE_SELECT,
        **props,
    )


def field_form() -> rx.Component:
    errors = S.field_errors
    editing = S.form_field_id != 0
    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(editing, T("Change the field"), T("New field")), size="3", as_="h3"),
            required_note(),
            rx.flex(
                field(
                    T("Label in English"),
                    rx.input(
                        name="label_en",
                        id="field-label-en",
                        default_value=S.form_label_en,
                        required=True,
                        max_length=80,
                    ),
                    error=errors.get("label_en", ""),
                ),
                field(
                    T("Label in Czech"),
                    rx.input(
                        name="label_cs",
                        id="field-label-cs",
                        default_value=S.form_label_cs,
                        max_length=80,
                    ),
                    error=errors.get("label_cs", ""),
                ),
                spacing="3",
                direction=rx.breakpoints(initial="column", sm="row"),
                width="100%",
            ),
            rx.el.label(T("Kind"), html_for="field-kind", class_name="rt-Text rt-r-size-2"),
            _native_select(
                "kind",
                "field-kind",
                S.form_kind,
                KIND_LABELS,
                disabled=editing,
                on_change=S.set_form_kind,
            ),
            rx.cond(
                editing,
                rx.text(T("The kind of a field does not change."), size="1", color_scheme="gray"),
            ),
            rx.cond(errors.get("kind", "") != "", rx.text(errors["kind"], color_scheme="red")),
            rx.cond(
                S.form_kind == "dropdown",
                field(
                    T("Choices, one per line"),
                    rx.text_area(
                        name="options", id="field-options", default_value=S.form_options, rows="4"
                    ),
                    error=errors.get("options", ""),
                ),
            ),
            rx.el.label(
                T("Who sees and fills it in"),
                html_for="field-visibility",
                class_name="rt-Text rt-r-size-2",
            ),
            _native_select("visibility", "field-visibility", S.form_visibility, VISIBILITY_LABELS),
            rx.cond(
                errors.get("visibility", "") != "",
                rx.text(errors["visibility"], color_scheme="red", size="1", role="alert"),
            ),
            rx.el.label(
                rx.hstack(
                    rx.el.input(
                        type="checkbox",
                        name="required",
                        id="field-required",
                        default_checked=S.form_required,
                    ),
                    rx.text(T("Required"), size="2"),
                    align="center",
                    spacing="2",
                ),
            ),
            rx.hstack(
                rx.button(T("Save field"), type="submit", loading=S.busy == "field"),
                rx.button(T("Cancel"), type="button", variant="soft", on_click=S.close_field_form),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.save_field,
        reset_on_submit=False,
        id=FIELD_FORM,
        key=S.form_field_id.to_string() + "-" + S.field_category_id.to_string(),
        padding="0.75rem",
        border="1px solid var(--gray-6)",
        border_radius="var(--radius-3)",
        width="100%",
    )


def category_fields(c: CategoryAdminView) -> rx.Component:
    return rx.vstack(
        rx.text(T("Fields"), size="2", weight="medium"),
        rx.cond(
            c.fields.length() > 0,
            rx.vstack(rx.foreach(c.fields, lambda f: field_row(c, f)), spacing="0", width="100%"),
            rx.text(T("No fields yet."), size="2", color_scheme="gray"),
        ),
        rx.cond(
            S.field_category_id == c.id,
            field_form(),
            rx.button(
                rx.icon("plus", size=14),
                T("Add a field"),
                size="1",
                variant="soft",
                on_click=S.new_field(c.id),
                aria_label=T("Add a field to {name}", name=c.name),
            ),
        ),
        spacing="2",
        width="100%",
    )
