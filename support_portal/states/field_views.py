"""View models of categories and custom fields (issue 15): what a browser receives, labels
already in the viewer's language. Customers get only the fields visible to them (A5): the
services never hand the others to a customer's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date

from support_portal import i18n
from support_portal.services.categories import CategoryPublic, FieldDefinition, display_name
from support_portal.services.field_values import FieldValuePublic

FORM_PREFIX = "cf."  # the name of a custom field's input: cf.<key>


@dataclass
class CategoryOption:
    key: str
    name: str


@dataclass
class FieldInput:
    """One custom field as an input: on the new-ticket form, or in the agent's panel."""

    key: str
    name: str  # the input's name in its form
    element_id: str
    label: str
    kind: str
    options: list[str] = field(default_factory=list)
    required: bool = False
    value: str = ""  # canonical text (the agent's panel)
    checked: bool = False
    agent_only: bool = False


@dataclass
class FieldShown:
    """A field's value as read-only text."""

    key: str
    label: str
    text: str


def category_option(c: CategoryPublic, locale: str) -> CategoryOption:
    return CategoryOption(key=c.key, name=display_name(c.names, locale))


def field_input(f: FieldDefinition | FieldValuePublic, locale: str) -> FieldInput:
    value = f.value if isinstance(f, FieldValuePublic) else ""
    return FieldInput(
        key=f.key,
        name=FORM_PREFIX + f.key,
        element_id="cf-" + f.key,
        label=display_name(f.labels, locale),
        kind=f.kind,
        options=list(f.options),
        required=f.required,
        value=value,
        checked=value == "true",
        agent_only=not f.customer_visible,
    )


def field_shown(f: FieldValuePublic, locale: str) -> FieldShown:
    return FieldShown(key=f.key, label=display_name(f.labels, locale), text=value_text(f, locale))


def value_text(f: FieldValuePublic, locale: str) -> str:
    """The value as a person reads it: a date and a number in their language, Yes/No."""
    if not f.value:
        return ""
    if f.kind == "checkbox":
        return i18n.gettext(locale, "Yes") if f.value == "true" else i18n.gettext(locale, "No")
    if f.kind == "date":
        try:
            return format_date(date.fromisoformat(f.value), "medium", locale=locale)
        except ValueError:
            return f.value
    if f.kind == "number":
        try:
            return i18n.format_number(locale, float(f.value))
        except ValueError:
            return f.value
    return f.value


def submitted_fields(form: dict[str, str]) -> dict[str, str]:
    """The custom fields of a submitted form, by key."""
    return {k[len(FORM_PREFIX) :]: v for k, v in form.items() if k.startswith(FORM_PREFIX)}


def field_errors(errors: dict[str, tuple[str, dict]], translate) -> dict[str, str]:
    """FieldsInvalid's errors as the form's field_errors (by input name), translated."""
    shown = {}
    for key, (message, params) in errors.items():
        try:
            shown[FORM_PREFIX + key] = translate(message, **params)
        except (KeyError, IndexError):
            shown[FORM_PREFIX + key] = translate(message)
    return shown
