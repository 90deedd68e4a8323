"""Priority and tags (issue 15): agents only, audited, filtered and sorted in the queue."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal.models import AuditEvent, TicketTag
from support_portal.services import agent_page, agent_queue, ticket_lists, ticket_tags, tickets
from support_portal.services.errors import InvalidInput, NotAuthenticated, PermissionDenied
from tests.unit.conftest import guest_viewer


def open_ticket(db: Session, viewer, subject: str = "Help") -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject=subject, category="other", description="Please"
    ).number


def queue(db, viewer, **kw) -> list[int]:
    return [t.number for t in agent_queue.queue(db, viewer=viewer, view="all", **kw).items]


def test_tags_are_cleaned_kept_once_and_removed(db, alice, agent):
    number = open_ticket(db, alice)
    ticket_tags.add_tag(db, viewer=agent, number=number, tag="  VIP   Client ")
    ticket_tags.add_tag(db, viewer=agent, number=number, tag="vip client")
    ticket_tags.add_tag(db, viewer=agent, number=number, tag="refund")
    assert agent_page.panels(db, viewer=agent, number=number).tags == ("refund", "vip client")
    ticket_tags.remove_tag(db, viewer=agent, number=number, tag="VIP client")
    assert agent_page.panels(db, viewer=agent, number=number).tags == ("refund",)
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.action.like("ticket.%tag%"))).all()
    assert sorted(actions) == ["ticket.tagged", "ticket.tagged", "ticket.untagged"]


@pytest.mark.parametrize("tag", ["", "   ", "x" * 41])
def test_empty_or_long_tags_are_refused(db, alice, agent, tag):
    number = open_ticket(db, alice)
    with pytest.raises(InvalidInput):
        ticket_tags.add_tag(db, viewer=agent, number=number, tag=tag)
    assert db.exec(select(TicketTag)).all() == []


def test_a_ticket_has_at_most_twenty_tags(db, alice, agent):
    number = open_ticket(db, alice)
    for i in range(ticket_tags.MAX_TAGS_PER_TICKET):
        ticket_tags.add_tag(db, viewer=agent, number=number, tag=f"t{i}")
    with pytest.raises(InvalidInput):
        ticket_tags.add_tag(db, viewer=agent, number=number, tag="one more")


def test_priority_is_set_audited_and_refused_when_unknown(db, alice, agent):
    number = open_ticket(db, alice)
    assert agent_page.panels(db, viewer=agent, number=number).priority == "normal"
    after = agent_page.act(db, viewer=agent, number=number, do="priority", priority="urgent")
    assert after.priority == "urgent"
    assert "ticket.priority" in [e.action for e in after.history]
    with pytest.raises(InvalidInput):
        ticket_tags.set_priority(db, viewer=agent, number=number, priority="critical")


def test_customers_and_guests_can_neither_tag_nor_see_tags(db, alice, agent):
    number = open_ticket(db, alice)
    ticket_tags.add_tag(db, viewer=agent, number=number, tag="fraud suspect")
    for viewer in (alice, guest_viewer(db, "gus@example.net")):
        with pytest.raises(PermissionDenied):
            ticket_tags.add_tag(db, viewer=viewer, number=number, tag="x")
        with pytest.raises(PermissionDenied):
            ticket_tags.set_priority(db, viewer=viewer, number=number, priority="urgent")
        with pytest.raises(PermissionDenied):
            ticket_tags.suggest(db, viewer=viewer)
    with pytest.raises(NotAuthenticated):
        ticket_tags.remove_tag(db, viewer=None, number=number, tag="fraud suspect")
    # The customer's own list carries neither (A5).
    mine = ticket_lists.list_tickets(db, viewer=alice).items[0]
    assert mine.priority == "" and "fraud" not in repr(mine)


def test_the_queue_filters_by_tag_and_sorts_by_priority(db, alice, agent):
    low, urgent, normal, high = (open_ticket(db, alice, s) for s in ("a", "b", "c", "d"))
    for number, priority in ((low, "low"), (urgent, "urgent"), (high, "high")):
        ticket_tags.set_priority(db, viewer=agent, number=number, priority=priority)
    ticket_tags.add_tag(db, viewer=agent, number=urgent, tag="vip")
    ticket_tags.add_tag(db, viewer=agent, number=low, tag="vip")

    assert queue(db, agent, search="tag:vip") == [urgent, low]  # newest activity first
    assert queue(db, agent, search="tag:VIP b") == [urgent]  # with words: both must match
    assert queue(db, agent, search="tag:nothing") == []
    assert queue(db, agent, sort="priority") == [urgent, high, normal, low]
    rows = agent_queue.queue(db, viewer=agent, view="all", sort="priority").items
    assert [r.priority for r in rows] == ["urgent", "high", "normal", "low"]


def test_priority_pages_follow_one_another_without_gaps(db, alice, agent):
    numbers = [open_ticket(db, alice, f"t{i}") for i in range(7)]
    for i, number in enumerate(numbers):
        ticket_tags.set_priority(
            db, viewer=agent, number=number, priority=ticket_tags.PRIORITIES[i % 4]
        )
    seen, cursor = [], None
    while True:
        page = agent_queue.queue(
            db, viewer=agent, view="all", sort="priority", cursor=cursor, limit=3
        )
        seen += [t.number for t in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == queue(db, agent, sort="priority", limit=50) and len(seen) == 7
    with pytest.raises(InvalidInput):
        agent_queue.queue(db, viewer=agent, view="all", sort="priority", cursor="bm9wZQ")
