"""Custom fields on screen (issue 15): as inputs (the new-ticket form, the agent's panel) and as
read-only values (the customer's ticket page)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import required_mark
from support_portal.states.field_views import FieldInput

# A native select (its value goes with the form, its label is a plain <label>), drawn like the
# Radix inputs around it.
NATIVE_SELECT = {
    "height": "var(--space-6)",
    "padding": "0 0.5rem",
    "width": "100%",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-2)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    "font_size": "var(--font-size-2)",
}


def _control(f: FieldInput, *, read_only: rx.Var | bool = False) -> rx.Component:
    common = {
        "name": f.name,
        "id": f.element_id,
        "required": f.required,
        "aria_required": rx.cond(f.required, "true", "false"),
    }
    return rx.match(
        f.kind,
        (
            "long_text",
            rx.text_area(
                default_value=f.value, rows="4", max_length=5000, read_only=read_only, **common
            ),
        ),
        (
            "number",
            rx.input(
                default_value=f.value,
                input_mode="decimal",
                max_length=40,
                read_only=read_only,
                **common,
            ),
        ),
        ("date", rx.input(type="date", default_value=f.value, read_only=read_only, **common)),
        (
            "dropdown",
            rx.el.select(
                rx.el.option(T("Choose…"), value=""),
                rx.foreach(f.options, lambda o: rx.el.option(o, value=o)),
                default_value=f.value,
                style=NATIVE_SELECT,
                **common,
            ),
        ),
        (
            "checkbox",
            rx.el.input(
                type="checkbox",
                default_checked=f.checked,
                value="on",
                style={"width": "1.1rem", "height": "1.1rem", "align_self": "start"},
                **common,
            ),
        ),
        rx.input(default_value=f.value, max_length=200, read_only=read_only, **common),
    )


def field_inputs(
    fields: rx.Var, errors: rx.Var, *, read_only: rx.Var | bool = False, agent: bool = False
) -> rx.Component:
    """One labelled input per field; a field's error (from the server) shows under it."""

    def one(f: FieldInput) -> rx.Component:
        error = errors.get(f.name, "")
        return rx.flex(
            rx.hstack(
                rx.el.label(
                    rx.text(f.label, required_mark(f.required), size="2", weight="medium"),
                    html_for=f.element_id,
                ),
                rx.cond(f.agent_only, rx.badge(T("Agents only"), color_scheme="gray", size="1"))
                if agent
                else rx.fragment(),
                spacing="2",
                align="center",
            ),
            _control(f, read_only=read_only),
            rx.cond(
                error != "",
                rx.text(
                    error,
                    size="1",
                    color_scheme="red",
                    role="alert",
                    class_name="field-error",
                    id=f.element_id + "-error",
                ),
            ),
            direction="column",
            spacing="1",
            width="100%",
            class_name="custom-field",
            key=f.name,  # another category's fields are new inputs, not these refilled
        )

    return rx.vstack(rx.foreach(fields, one), spacing="3", width="100%", id="custom-fields")


def any_required(fields: rx.Var) -> rx.Var:
    """Whether one of these fields is required (then its form says what the asterisk means)."""
    return fields.map(lambda f: f.required).contains(True)


def fields_shown(fields: rx.Var) -> rx.Component:
    """The values of the fields visible to the customer, read-only."""
    return rx.cond(
        fields.length() > 0,
        rx.el.dl(
            rx.foreach(
                fields,
                lambda f: rx.fragment(
                    rx.el.dt(f.label, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
                    rx.el.dd(
                        f.text,
                        class_name="rt-Text rt-r-size-2",
                        style={"margin": "0 0 0.5rem 0", "overflow_wrap": "anywhere"},
                    ),
                ),
            ),
            id="ticket-fields",
            style={"margin": "0"},
        ),
    )
