"""Custom fields per category (issue 15): each kind checked on the server, required ones
enforced, agent-only ones never shown to the customer (A5), agents' edits audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from support_portal.models import AuditEvent, Role, Ticket, TicketFieldValue
from support_portal.services import (
    agent_page,
    agent_queue,
    categories,
    conversation,
    custom_fields,
    field_values,
    live_reads,
    ticket_fields,
    tickets,
)
from support_portal.services.errors import InvalidInput, PermissionDenied
from support_portal.services.field_values import FieldsInvalid
from tests.unit.conftest import make_viewer


@pytest.fixture
def admin(db: Session):
    return make_viewer(db, name="Ada Admin", email="ada@support.test", role=Role.admin)


def category_id(db: Session, key: str) -> int:
    return next(c.id for c in categories.offered(db) if c.key == key)


def add(db, admin, label, kind, category="deposits_withdrawals", **kw):
    return custom_fields.save_field(
        db, viewer=admin, category_id=category_id(db, category), labels={"en": label},
        kind=kind, **kw,
    )  # fmt: skip


def submit(db, viewer, fields=None, category="deposits_withdrawals"):
    return tickets.create_ticket(
        db, viewer=viewer, subject="Deposit", category=category, description="Help",
        fields=fields or {},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "raw", "typed"),
    [
        ("short_text", "  0x9f2c  e41a ", "0x9f2c e41a"),
        ("long_text", "line one\r\nline two", "line one\nline two"),
        ("number", "12,5", 12.5),
        ("number", "1 000", 1000.0),
        ("number", "-3", -3.0),
        ("date", "2026-12-02", date(2026, 12, 2)),
        ("checkbox", "on", True),
        ("checkbox", "", None),
        ("dropdown", "Bank transfer", "Bank transfer"),
        ("short_text", "", None),
    ],
)
def test_each_kind_parses_to_its_type(kind, raw, typed):
    assert field_values.parse(kind, raw, ("Card", "Bank transfer")) == typed


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("number", "twelve"),
        ("number", "nan"),
        ("number", "1e300"),
        ("date", "02.12.2026"),
        ("date", "2026-02-30"),
        ("checkbox", "maybe"),
        ("dropdown", "Cash"),
        ("short_text", "x" * 201),
        ("long_text", "x" * 5001),
    ],
)
def test_a_wrong_value_is_refused_with_a_message(kind, raw):
    with pytest.raises(InvalidInput) as refused:
        field_values.parse(kind, raw, ("Card", "Bank transfer"))
    assert refused.value.message


def test_canonical_text_round_trips():
    assert field_values.canonical("number", 12.0) == "12"
    assert field_values.canonical("number", 12.5) == "12.5"
    assert field_values.canonical("date", date(2026, 1, 2)) == "2026-01-02"
    assert field_values.canonical("checkbox", True) == "true"
    assert field_values.canonical("short_text", None) == ""


def test_a_missing_required_field_never_creates_a_ticket(db, admin, alice):
    add(db, admin, "Transaction ID", "short_text", required=True)
    add(db, admin, "Amount", "number")
    before = len(db.exec(select(Ticket)).all())
    with pytest.raises(FieldsInvalid) as refused:
        submit(db, alice, {"amount": "lots"})
    assert set(refused.value.errors) == {"transaction_id", "amount"}
    assert refused.value.errors["transaction_id"][0] == "This field is required."
    assert len(db.exec(select(Ticket)).all()) == before
    assert db.exec(select(TicketFieldValue)).all() == []
    created = submit(db, alice, {"transaction_id": "0x9f2c", "amount": "0,5"})
    values = {
        v.key: v.value for v in conversation.detail(db, viewer=alice, number=created.number).fields
    }
    assert values == {"transaction_id": "0x9f2c", "amount": "0.5"}


def test_a_required_checkbox_must_be_ticked(db, admin, alice):
    add(db, admin, "I confirm the address", "checkbox", required=True)
    with pytest.raises(FieldsInvalid) as refused:
        submit(db, alice, {})
    assert refused.value.errors["i_confirm_the_address"][0] == "Tick this box."
    submit(db, alice, {"i_confirm_the_address": "on"})


def test_the_customer_cannot_fill_or_see_agent_only_fields(db, admin, alice, agent):
    add(db, admin, "Transaction ID", "short_text", required=True)
    add(db, admin, "Risk score", "number", customer_visible=False, customer_editable=False)
    add(db, admin, "Reviewed", "checkbox", customer_editable=False)  # shown, filled by agents
    form = next(c for c in categories.offered(db) if c.key == "deposits_withdrawals")
    assert [f.key for f in form.fields] == ["transaction_id"]
    number = submit(
        db, alice, {"transaction_id": "T1", "risk_score": "99", "reviewed": "on"}
    ).number
    assert db.exec(select(TicketFieldValue)).all()[0].value_text == "T1"
    assert len(db.exec(select(TicketFieldValue)).all()) == 1  # the others were ignored (A3)
    ticket_fields.set_fields(
        db, viewer=agent, number=number, values={"risk_score": "80", "reviewed": "on"}
    )
    seen = conversation.detail(db, viewer=alice, number=number).fields
    assert {f.key for f in seen} == {"transaction_id", "reviewed"}
    assert "risk_score" not in repr(
        live_reads.update_for(db, viewer=alice, number=number, after_id=0)
    )
    panels = agent_page.panels(db, viewer=agent, number=number)
    assert {f.key: f.value for f in panels.fields} == {
        "transaction_id": "T1",
        "risk_score": "80",
        "reviewed": "true",
    }


def test_agents_edit_every_field_and_each_change_is_audited(db, admin, alice, agent, published):
    add(db, admin, "Transaction ID", "short_text", required=True)
    add(db, admin, "Amount", "number", customer_editable=False)
    number = submit(db, alice, {"transaction_id": "T1"}).number
    changed = ticket_fields.set_fields(
        db, viewer=agent, number=number, values={"transaction_id": "T2", "amount": "10"}
    )
    assert changed == 2
    history = db.exec(select(AuditEvent).where(AuditEvent.action == "ticket.field")).all()
    assert sorted((e.detail["field"], e.detail["from"], e.detail["to"]) for e in history) == [
        ("amount", "", "10"),
        ("transaction_id", "T1", "T2"),
    ]
    assert ticket_fields.set_fields(db, viewer=agent, number=number, values={"amount": "10"}) == 0
    with pytest.raises(FieldsInvalid) as refused:  # a required value cannot be emptied
        ticket_fields.set_fields(db, viewer=agent, number=number, values={"transaction_id": ""})
    assert "transaction_id" in refused.value.errors
    with pytest.raises(FieldsInvalid):
        ticket_fields.set_fields(db, viewer=agent, number=number, values={"amount": "ten"})
    with pytest.raises(PermissionDenied):
        ticket_fields.set_fields(db, viewer=alice, number=number, values={"amount": "1"})


def test_field_definitions_are_checked(db, admin, agent):
    with pytest.raises(PermissionDenied):
        add(db, agent, "Order ID", "short_text", category="trading")
    with pytest.raises(InvalidInput) as no_kind:
        add(db, admin, "Odd", "colour")
    assert no_kind.value.field == "kind"
    with pytest.raises(InvalidInput) as no_options:
        add(db, admin, "Method", "dropdown", options=[" ", ""])
    assert no_options.value.field == "options"
    with pytest.raises(InvalidInput) as hidden_but_asked:
        add(db, admin, "Secret", "short_text", customer_visible=False, customer_editable=True)
    assert hidden_but_asked.value.field == "visibility"
    method = add(db, admin, "Method", "dropdown", options=["Card", "Card", " Bank "])
    assert method.options == ("Card", "Bank")
    again = add(db, admin, "Method", "short_text")
    assert again.key == "method_2"  # keys are unique everywhere (queue searches use them)
    changed = custom_fields.save_field(
        db, viewer=admin, category_id=category_id(db, "deposits_withdrawals"), field_id=method.id,
        labels={"en": "Payment method", "cs": "Způsob platby"}, kind="number", options=["Card"],
    )  # fmt: skip
    assert (changed.key, changed.kind, changed.options) == ("method", "dropdown", ("Card",))


def test_a_deactivated_field_is_no_longer_asked_but_keeps_its_values(db, admin, alice, agent):
    order = add(db, admin, "Order ID", "short_text", category="trading", required=True)
    number = submit(db, alice, {"order_id": "A-1"}, category="trading").number
    custom_fields.set_field_active(db, viewer=admin, field_id=order.id, active=False)
    submit(db, alice, {}, category="trading")  # no longer required
    assert [f.value for f in agent_page.panels(db, viewer=agent, number=number).fields] == ["A-1"]


def test_moving_a_field(db, admin):
    first = add(db, admin, "First", "short_text")
    add(db, admin, "Second", "short_text")
    custom_fields.move_field(db, viewer=admin, field_id=first.id, offset=1)
    listed = categories.list_categories(db, viewer=admin)
    deposits = next(c for c in listed if c.key == "deposits_withdrawals")
    assert [f.key for f in deposits.fields] == ["second", "first"]


@pytest.mark.parametrize("listed", [500, 1])  # 1: more matches than are listed by id
def test_the_queue_filters_by_a_field_value(db, admin, alice, agent, monkeypatch, listed):
    from support_portal.services import field_search

    monkeypatch.setattr(field_search, "LISTED", listed)
    add(db, admin, "Order ID", "short_text", category="trading")
    add(db, admin, "Amount", "number", category="trading")
    add(db, admin, "Urgent", "checkbox", category="trading")
    one = submit(db, alice, {"order_id": "123", "amount": "5", "urgent": "on"}, "trading").number
    two = submit(db, alice, {"order_id": "456", "amount": "5,0"}, "trading").number
    submit(db, alice, {}, "other")

    def found(search: str) -> list[int]:
        page = agent_queue.queue(db, viewer=agent, view="all", search=search)
        return sorted(t.number for t in page.items)

    assert found("field:order_id=123") == [one]
    assert found("field:amount=5") == sorted([one, two])
    assert found("field:urgent=yes") == [one]
    assert found("field:urgent=no") == [two]
    assert found("field:order_id=999") == []
    assert found("Deposit field:order_id=456") == [two]  # with words of the subject
    with pytest.raises(InvalidInput):
        found("field:nothing=1")
    with pytest.raises(InvalidInput):
        found("field:amount=lots")


def test_split_field_keeps_the_rest_of_the_search():
    from support_portal.services.field_search import split_field

    assert split_field("refund field:Order_ID=A-1 late") == ("refund late", "order_id", "A-1")
    assert split_field("field:no-equals") == ("field:no-equals", "", "")


def test_the_history_names_the_field_in_the_agents_language(db, admin, alice, agent):
    from support_portal.clock import utcnow
    from support_portal.states.agent_views import history_view

    custom_fields.save_field(
        db, viewer=admin, category_id=category_id(db, "trading"), kind="short_text",
        labels={"en": "Order ID", "cs": "ID pokynu"},
    )  # fmt: skip
    number = submit(db, alice, {"order_id": "A-1"}, category="trading").number
    ticket_fields.set_fields(db, viewer=agent, number=number, values={"order_id": "A-2"})
    entry = next(e for e in agent_page.panels(db, viewer=agent, number=number).history
                 if e.action == "ticket.field")  # fmt: skip
    assert history_view(entry, "cs", None, utcnow()).text == "Změnil(a) ID pokynu z „A-1“ na „A-2“"
    assert history_view(entry, "en", None, utcnow()).text == "Changed Order ID from “A-1” to “A-2”"
