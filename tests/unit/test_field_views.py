"""What the browser receives for custom fields: labels and values in the viewer's language,
errors by input name (issue 15)."""

from __future__ import annotations

from support_portal import i18n
from support_portal.services.field_values import FieldValuePublic
from support_portal.states.field_views import (
    field_errors,
    field_input,
    field_shown,
    submitted_fields,
)


def value(kind: str, text: str, **kw) -> FieldValuePublic:
    return FieldValuePublic(key="k", labels={"en": "Amount", "cs": "Částka"}, kind=kind,
                            value=text, **kw)  # fmt: skip


def test_values_read_in_the_viewers_language():
    assert field_shown(value("number", "1234.5"), "cs").text == "1\xa0234,5"
    assert field_shown(value("number", "1234.5"), "en").text == "1,234.5"
    assert field_shown(value("checkbox", "true"), "cs").text == "Ano"
    assert field_shown(value("date", "2026-12-02"), "en").text == "Dec 2, 2026"
    assert field_shown(value("short_text", "A-1"), "cs").label == "Částka"


def test_an_input_carries_its_value_and_whether_agents_only():
    shown = field_input(value("checkbox", "true", customer_visible=False), "en")
    assert (shown.name, shown.element_id, shown.checked, shown.agent_only) == (
        "cf.k",
        "cf-k",
        True,
        True,
    )


def test_the_forms_fields_and_their_errors_by_input_name():
    assert submitted_fields({"subject": "x", "cf.order_id": "1"}) == {"order_id": "1"}
    errors = {"amount": ("At most {n} characters.", {"n": 200})}
    assert field_errors(errors, lambda m, **p: i18n.gettext("cs", m, **p)) == {
        "cf.amount": "Nejvýše 200 znaků."
    }
