"""Issue 14: "My tickets" search looks in all the customer's tickets, whatever the tab."""

from __future__ import annotations

from support_portal.services import agent as agent_service
from support_portal.services import ticket_lists
from tests.unit.test_tickets import numbers, open_ticket


def test_a_search_from_the_open_tab_finds_resolved_and_closed_tickets_with_their_status(
    db, alice, agent
):
    resolved = open_ticket(db, alice, "Refund for order 77")
    closed = open_ticket(db, alice, "Refund for order 78")
    still_open = open_ticket(db, alice, "Refund for order 79")
    agent_service.change_status(db, viewer=agent, number=resolved, action="resolve")
    agent_service.change_status(db, viewer=agent, number=closed, action="close")

    by_number = ticket_lists.list_tickets(db, viewer=alice, tab="open", search=str(closed))
    assert [(t.number, t.status) for t in by_number.items] == [(closed, "closed")]

    by_subject = ticket_lists.list_tickets(db, viewer=alice, tab="open", search="refund")
    assert {(t.number, t.status) for t in by_subject.items} == {
        (resolved, "resolved"),
        (closed, "closed"),
        (still_open, "open"),
    }
    from_closed = ticket_lists.list_tickets(db, viewer=alice, tab="closed", search="order 79")
    assert numbers(from_closed) == [still_open]


def test_without_a_search_the_tabs_still_split_open_from_resolved(db, alice, agent):
    resolved = open_ticket(db, alice, "Resolved one")
    still_open = open_ticket(db, alice, "Open one")
    agent_service.change_status(db, viewer=agent, number=resolved, action="resolve")
    assert numbers(ticket_lists.list_tickets(db, viewer=alice, tab="open")) == [still_open]
    assert numbers(ticket_lists.list_tickets(db, viewer=alice, tab="resolved", search="  ")) == [
        resolved
    ]


def test_a_search_across_tabs_still_never_shows_another_customers_ticket(db, alice, bob, agent):
    bobs = open_ticket(db, bob, "Bob's closed trade")
    agent_service.change_status(db, viewer=agent, number=bobs, action="close")
    for tab in ("open", "closed"):
        assert ticket_lists.list_tickets(db, viewer=alice, tab=tab, search=str(bobs)).items == []
