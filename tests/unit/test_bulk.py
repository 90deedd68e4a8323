"""Bulk actions: each ticket on its own, audited and notified; refusals reported per ticket and
undoing only that ticket (issue 15)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal.db import session_scope
from support_portal.models import AuditEvent, Message, Notification, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import (
    agent_page,
    bulk,
    macro_actions,
    macros,
    saved_replies,
    ticket_tags,
    tickets,
)
from support_portal.services.errors import InvalidInput, InvalidTransition, PermissionDenied
from tests.unit.conftest import make_viewer


def open_tickets(db: Session, viewer, n: int) -> list[int]:
    return [
        tickets.create_ticket(
            db, viewer=viewer, subject=f"Help {i}", category="other", description="Please"
        ).number
        for i in range(n)
    ]


def ticket(db, number) -> Ticket:
    return db.exec(select(Ticket).where(Ticket.number == number)).one()


def audited(db, number, action) -> int:
    return len(
        db.exec(
            select(AuditEvent).where(
                AuditEvent.ticket_id == ticket(db, number).id, AuditEvent.action == action
            )
        ).all()
    )


def test_bulk_assign_audits_each_ticket(db, alice, agent):
    numbers = open_tickets(db, alice, 3)
    result = bulk.apply(db, viewer=agent, numbers=numbers, action="assign", value="me")
    assert result.done == tuple(numbers) and result.refused == ()
    for number in numbers:
        assert ticket(db, number).assignee_id == agent.user_id
        assert audited(db, number, "ticket.assigned") == 1
    other = make_viewer(db, name="Otto", email="otto@support.test", role=agent.role)
    bulk.apply(db, viewer=agent, numbers=numbers, action="assign", value=str(other.user_id))
    assert {ticket(db, n).assignee_id for n in numbers} == {other.user_id}


def test_a_refused_transition_leaves_the_others_done(engine, db, alice, agent, published):
    first, closed, third = open_tickets(db, alice, 3)
    agent_service.change_status(db, viewer=agent, number=closed, action="close")
    db.commit()
    published.clear()
    with session_scope() as scope:
        result = bulk.apply(
            scope,
            viewer=agent,
            numbers=[first, closed, third, 99999],
            action="status",
            value="resolve",
        )
    assert result.done == (first, third)
    assert [r.number for r in result.refused] == [closed, 99999]
    assert isinstance(result.refused[0].error, InvalidTransition)
    with Session(engine) as fresh:
        assert [ticket(fresh, n).status for n in (first, closed, third)] == [
            "resolved",
            "closed",
            "resolved",
        ]
        assert audited(fresh, first, "ticket.status") == 1
        assert audited(fresh, closed, "ticket.status") == 1  # only the close before
        resolved = [n for n in fresh.exec(select(Notification)).all() if str(n.event) == "resolved"]
        assert len(resolved) == 2
    # Live events only for the tickets done, published after the commit.
    changed = {e.ticket_id for e in published}
    assert ticket(db, closed).id not in changed
    assert {ticket(db, first).id, ticket(db, third).id} <= changed


def test_a_refused_macro_undoes_only_its_ticket(engine, db, alice, agent, published):
    fine, resolved, full = open_tickets(db, alice, 3)
    agent_service.change_status(db, viewer=agent, number=resolved, action="resolve")
    for i in range(20):  # its reply is sent before the tag is refused: all of it is undone
        ticket_tags.add_tag(db, viewer=agent, number=full, tag=f"t{i}")
    macro = saved_replies.save_reply(
        db,
        viewer=agent,
        title="Done",
        texts={"en": "Sorted, {customer_name}."},
        shared=False,
        actions=macro_actions.clean(status="resolve", tags="sorted"),
    )
    db.commit()
    published.clear()
    with session_scope() as scope:
        result = bulk.apply(
            scope, viewer=agent, numbers=[fine, resolved, full], action="macro", value=str(macro.id)
        )
    assert result.done == (fine,)
    assert [r.number for r in result.refused] == [resolved, full]
    assert all(isinstance(r.error, macros.MacroRefused) for r in result.refused)
    assert "at most" in result.refused[1].error.reason.message
    assert {e.ticket_id for e in published if e.ticket_id} == {ticket(db, fine).id}
    with Session(engine) as fresh:
        assert (
            len(
                fresh.exec(select(Message).where(Message.ticket_id == ticket(fresh, fine).id)).all()
            )
            == 2
        )
        for number in (resolved, full):
            untouched = ticket(fresh, number)
            assert (
                len(fresh.exec(select(Message).where(Message.ticket_id == untouched.id)).all()) == 1
            )
        assert ticket(fresh, full).status == "open"
        assert agent_page.panels(fresh, viewer=agent, number=resolved).tags == ()
        assert agent_page.panels(fresh, viewer=agent, number=fine).tags == ("sorted",)


def test_bulk_tag_and_limits(db, alice, agent):
    numbers = open_tickets(db, alice, 2)
    bulk.apply(db, viewer=agent, numbers=numbers, action="tag", value=" VIP ")
    assert all(agent_page.panels(db, viewer=agent, number=n).tags == ("vip",) for n in numbers)
    with pytest.raises(InvalidInput):
        bulk.apply(db, viewer=agent, numbers=list(range(1, 102)), action="tag", value="x")
    with pytest.raises(InvalidInput):
        bulk.apply(db, viewer=agent, numbers=[], action="tag", value="x")
    with pytest.raises(InvalidInput):
        bulk.apply(db, viewer=agent, numbers=numbers, action="delete", value="x")
    with pytest.raises(InvalidInput):
        bulk.apply(db, viewer=agent, numbers=numbers, action="assign", value=str(alice.user_id))
    with pytest.raises(InvalidInput):
        bulk.apply(db, viewer=agent, numbers=numbers, action="status", value="request_info")


def test_customers_cannot_bulk_anything(db, alice, agent):
    numbers = open_tickets(db, alice, 1)
    with pytest.raises(PermissionDenied):
        bulk.apply(db, viewer=alice, numbers=numbers, action="status", value="close")
    assert ticket(db, numbers[0]).status == "open"
