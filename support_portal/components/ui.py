"""Small building blocks: status badges, form fields, alerts, empty states."""

from __future__ import annotations

import reflex as rx
from reflex.components.radix.themes.components.select import SelectRoot, SelectTrigger
from reflex.vars.base import LiteralVar

from support_portal.components.i18n import T

STATUS_COLORS = {
    "open": "blue",
    "awaiting_customer": "amber",
    "resolved": "green",
    "closed": "gray",
}


def status_badge(status: rx.Var, *, agent: bool = False) -> rx.Component:
    awaiting = T("Awaiting customer") if agent else T("Awaiting your reply")
    return rx.match(
        status,
        (
            "open",
            rx.badge(T("Open"), color_scheme="blue", class_name="status-badge", high_contrast=True),
        ),
        (
            "awaiting_customer",
            rx.badge(awaiting, color_scheme="amber", class_name="status-badge", high_contrast=True),
        ),
        (
            "resolved",
            rx.badge(
                T("Resolved"), color_scheme="green", class_name="status-badge", high_contrast=True
            ),
        ),
        ("closed", rx.badge(T("Closed"), color_scheme="gray", class_name="status-badge")),
        rx.badge(status, class_name="status-badge", high_contrast=True),
    )


def error_callout(message: rx.Var, **props) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            **props,
            high_contrast=True,
        ),
    )


def email_field(
    error: rx.Var | None = None, *, label: rx.Var | None = None, **input_props
) -> rx.Component:
    """The "Email" field of a form (name `email`, required); `input_props` adds the input's
    id, auto_complete (default "email"), size..."""
    input_props.setdefault("auto_complete", "email")
    control = rx.input(name="email", type="email", required=True, **input_props)
    return field(T("Email") if label is None else label, control, error=error)


def submit_button(label: rx.Var, *, loading: rx.Var, **props) -> rx.Component:
    """The one full-width button that submits a small form (log in, verify, ...)."""
    return rx.button(label, type="submit", size="3", width="100%", loading=loading, **props)


def info_callout(message: rx.Var | str, icon: str = "info", **props) -> rx.Component:
    return rx.callout(message, icon=icon, color_scheme="blue", **props, high_contrast=True)


def _labelled(control: rx.Component) -> rx.Component:
    """The element a field's label points at: the control, or a select's trigger."""
    if isinstance(control, SelectRoot):
        for child in control.children:
            if isinstance(child, SelectTrigger):
                return child
    return control


def _labelled_id(control: rx.Component) -> str | None:
    """The id a field's label points at: the control's own, or for a select (whose root
    renders no element) its trigger's, the button that opens it."""
    control_id = getattr(control, "id", None)
    if control_id is not None or not isinstance(control, SelectRoot):
        return control_id
    for child in control.children:
        if isinstance(child, SelectTrigger):
            return getattr(child, "id", None)
    return None


def required_mark(required: rx.Var | bool = True) -> rx.Component:
    """The asterisk after a required field's label: seen, not read (the control itself says
    it is required). a11y.css draws it, so it is no part of the label's text either."""
    mark = rx.el.span(aria_hidden="true", class_name="required-mark")
    return mark if isinstance(required, bool) else rx.cond(required, mark)


def required_note() -> rx.Component:
    """Said once by every form with required fields: what the asterisk means."""
    return rx.text(T("* required"), size="1", color_scheme="gray", class_name="required-note")


def _required(control: rx.Component) -> rx.Var | bool:
    """Whether the control is required: True/False, or a Var when only the browser knows."""
    required = getattr(control, "required", None)
    if required is None:
        return False
    if isinstance(required, LiteralVar):
        return bool(required._var_value)
    return required


def field(
    label: rx.Var | str,
    control: rx.Component,
    *,
    error: rx.Var | None = None,
    hint: rx.Var | str | None = None,
) -> rx.Component:
    control_id = _labelled_id(control)
    required = _required(control)
    mark = [] if required is False else [required_mark(required)]
    text = rx.text(label, *mark, size="2", weight="medium")
    if required is not False:  # a select's trigger says it too, not only its hidden <select>
        _labelled(control).custom_attrs["aria-required"] = (
            "true" if required is True else rx.cond(required, "true", "false")
        )
    parts = [rx.el.label(text, html_for=control_id) if control_id else text, control]
    if hint is not None:
        parts.append(rx.text(hint, size="1", color_scheme="gray"))
    if error is not None:
        error_id = f"{control_id}-error" if control_id else None
        parts.append(
            rx.cond(
                error != "",
                rx.text(error, size="1", color_scheme="red", role="alert", id=error_id),
            )
        )
        if control_id:  # the control says it is invalid and which text says why
            target = _labelled(control)
            target.custom_attrs["aria-invalid"] = rx.cond(error != "", "true", "false")
            target.custom_attrs["aria-describedby"] = rx.cond(error != "", error_id, "")
    return rx.flex(*parts, direction="column", spacing="1", width="100%")


def code_field(id: str, *, hint: rx.Var | str | None = None, **props) -> rx.Component:
    """The "Verification code" field of every code step (guest link, registration)."""
    control = rx.input(
        name="code",
        id=id,
        placeholder="123456",
        input_mode="numeric",
        auto_complete="one-time-code",
        required=True,
        size="3",
        **{"max_length": 12, **props},
    )
    return field(T("Verification code"), control, hint=hint)


def empty_state(
    icon: str,
    title: rx.Var | str,
    text: rx.Var | str | None = None,
    action: rx.Component | None = None,
) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=32, color="var(--gray-9)"),
            rx.text(title, weight="medium"),
            rx.text(text, color_scheme="gray", size="2") if text is not None else rx.fragment(),
            action or rx.fragment(),
            align="center",
            spacing="2",
        ),
        padding="3rem",
        class_name="empty-state",
    )


def card(*children: rx.Component, **props) -> rx.Component:
    return rx.card(*children, width="100%", **props)


def search_form(
    state, search_input: rx.Component, *, button: rx.Component, **form_props
) -> rx.Component:
    """A search row: the input (the whole row on a phone, so its placeholder fits), the
    Search button and, while a search is active, Clear. `state` has `search`, `run_search`
    and `clear_search`."""
    return rx.form(
        rx.flex(
            search_input,
            button,
            rx.cond(
                state.search != "",
                rx.button(
                    T("Clear"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=state.clear_search,
                ),
            ),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        on_submit=state.run_search,
        reset_on_submit=False,
        role="search",
        **form_props,
    )


# For a search_form's input: the whole row on phones, sharing it with the buttons above.
SEARCH_INPUT_FLEX = {"flex": rx.breakpoints(initial="1 1 100%", sm="1 1 0%"), "min_width": "0"}
