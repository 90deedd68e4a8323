"""Merging a duplicate ticket (issue 15)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.models import AuditEvent, OutboxEmail, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import conversation, ticket_merge, tickets
from support_portal.services.errors import InvalidInput, PermissionDenied
from tests.unit.conftest import guest_viewer


def open_ticket(db, viewer, subject="Help", **kw) -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject=subject, category="other", description=subject, **kw
    ).number


def row(db, number) -> Ticket:
    return db.exec(select(Ticket).where(Ticket.number == number)).one()


def test_messages_move_in_time_order_marked_with_their_ticket(db, alice, agent):
    target = open_ticket(db, alice, "Withdrawal stuck")
    duplicate = open_ticket(db, alice, "Withdrawal still stuck")
    tickets.add_customer_reply(db, viewer=alice, number=target, body="Any news?")
    tickets.add_customer_reply(db, viewer=alice, number=duplicate, body="Hello??")

    done = ticket_merge.merge(db, viewer=agent, number=duplicate, into=target)
    assert (done.source_number, done.target_number, done.moved_messages) == (duplicate, target, 2)

    messages = conversation.list_messages(db, viewer=alice, number=target)
    assert [(m.body, m.merged_from) for m in messages] == [
        ("Withdrawal stuck", None),
        ("Withdrawal still stuck", duplicate),
        ("Any news?", None),
        ("Hello??", duplicate),
    ]
    source = conversation.detail(db, viewer=alice, number=duplicate)
    assert (source.status, source.merged_into_number) == ("closed", target)
    assert row(db, target).message_count == 4


def test_both_histories_record_it_and_the_customer_is_told_once(db, alice, agent):
    target, duplicate = open_ticket(db, alice), open_ticket(db, alice)
    before = len(db.exec(select(OutboxEmail)).all())
    ticket_merge.merge(db, viewer=agent, number=duplicate, into=target)
    merged = db.exec(select(AuditEvent).where(AuditEvent.action == "ticket.merged")).all()
    assert {e.ticket_id for e in merged} == {row(db, target).id, row(db, duplicate).id}
    mails = db.exec(select(OutboxEmail)).all()[before:]
    assert [m.template for m in mails] == ["merged"]


def test_refusals(db, alice, bob, agent):
    target, duplicate = open_ticket(db, alice), open_ticket(db, alice)
    with pytest.raises(InvalidInput, match="itself"):
        ticket_merge.merge(db, viewer=agent, number=target, into=target)
    with pytest.raises(InvalidInput):
        ticket_merge.merge(db, viewer=agent, number=duplicate, into=99999999)
    closed = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=closed, action="close")
    with pytest.raises(InvalidInput, match="Closed"):
        ticket_merge.merge(db, viewer=agent, number=closed, into=target)
    with pytest.raises(InvalidInput, match="Closed"):
        ticket_merge.merge(db, viewer=agent, number=duplicate, into=closed)
    with pytest.raises(PermissionDenied):
        ticket_merge.merge(db, viewer=alice, number=duplicate, into=target)


def test_another_customers_ticket_needs_a_confirmation(db, alice, bob, agent):
    mine, theirs = open_ticket(db, alice), open_ticket(db, bob)
    with pytest.raises(ticket_merge.OtherCustomer):
        ticket_merge.merge(db, viewer=agent, number=theirs, into=mine)
    assert row(db, theirs).status == "open"
    ticket_merge.merge(db, viewer=agent, number=theirs, into=mine, other_customer_confirmed=True)
    assert row(db, theirs).merged_into_id == row(db, mine).id


def test_guest_tickets_of_one_address_merge_without_confirmation(db, agent):
    first = open_ticket(db, None, guest_name="Gus", guest_email="gus@example.net")
    second = open_ticket(db, None, guest_name="Gus", guest_email="GUS@example.net")
    ticket_merge.merge(db, viewer=agent, number=second, into=first)
    guest = guest_viewer(db, "gus@example.net")
    assert conversation.detail(db, viewer=guest, number=second).merged_into_number == first
