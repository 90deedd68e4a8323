"""A customer resolves and closes their own ticket (issue 14): the workflow's rules, the
audit and the notifications of an agent's change."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.models import AuditEvent, OutboxEmail
from support_portal.services import customer_status, tickets
from support_portal.services.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from tests.unit.conftest import guest_viewer


def open_ticket(db, viewer, **kw) -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject="Help", category="other", description="Please", **kw
    ).number


def test_resolve_then_close_with_audit_and_notifications(db, alice):
    number = open_ticket(db, alice)
    after = customer_status.change_own_status(db, viewer=alice, number=number, action="resolve")
    assert after.status == "resolved" and after.reply_due_at is None
    after = customer_status.change_own_status(db, viewer=alice, number=number, action="close")
    assert after.status == "closed"
    changes = db.exec(select(AuditEvent.detail).where(AuditEvent.action == "ticket.status")).all()
    assert [(d["to"], d["by_customer"]) for d in changes] == [("resolved", True), ("closed", True)]
    templates = db.exec(select(OutboxEmail.template)).all()
    assert "resolved" in templates and "closed" in templates


def test_the_workflow_decides(db, alice):
    number = open_ticket(db, alice)
    customer_status.change_own_status(db, viewer=alice, number=number, action="close")
    with pytest.raises(InvalidTransition):
        customer_status.change_own_status(db, viewer=alice, number=number, action="resolve")
    with pytest.raises(InvalidInput):
        customer_status.change_own_status(db, viewer=alice, number=number, action="reopen")


def test_only_the_tickets_own_customer_or_guest(db, alice, bob, agent):
    number = open_ticket(db, alice)
    with pytest.raises(NotFound):
        customer_status.change_own_status(db, viewer=bob, number=number, action="resolve")
    with pytest.raises(PermissionDenied):
        customer_status.change_own_status(db, viewer=agent, number=number, action="resolve")
    guest_number = open_ticket(db, None, guest_name="Gus", guest_email="gus@example.net")
    guest = guest_viewer(db, "gus@example.net")
    after = customer_status.change_own_status(
        db, viewer=guest, number=guest_number, action="resolve"
    )
    assert after.status == "resolved"
