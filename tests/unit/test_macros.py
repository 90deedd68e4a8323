"""Macros: a saved reply plus actions, applied in one transaction (issue 15)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal.db import session_scope
from support_portal.models import AuditEvent, Message, Notification, SavedReply, Ticket, User
from support_portal.services import agent as agent_service
from support_portal.services import agent_page, macro_actions, macros, saved_replies, tickets
from support_portal.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.unit.conftest import make_viewer


def open_ticket(db: Session, viewer) -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject="Refund", category="other", description="Where is it?"
    ).number


def make_macro(db, viewer, texts=None, shared=False, **actions):
    return saved_replies.save_reply(
        db,
        viewer=viewer,
        title="Refund done",
        texts=texts or {"en": "Hi {customer_name}, refunded ({ticket_number})."},
        shared=shared,
        actions=macro_actions.clean(**actions),
    )


def actions_of(db, number) -> list[str]:
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    rows = db.exec(
        select(AuditEvent.action).where(AuditEvent.ticket_id == ticket.id).order_by(AuditEvent.id)
    )
    return list(rows)


def test_a_macro_replies_and_runs_each_action_audited(db, alice, agent, published):
    number = open_ticket(db, alice)
    macro = make_macro(
        db, agent, status="resolve", priority="high", tags="Refund, vip", assign="me"
    )
    applied = macros.apply(db, viewer=agent, number=number, macro_id=macro.id)
    assert applied.status == "resolved"
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    sent = db.exec(select(Message).where(Message.ticket_id == ticket.id)).all()
    assert sent[-1].body == f"Hi Alice, refunded ({number})."
    assert ticket.assignee_id == agent.user_id and ticket.priority == 2
    panels = agent_page.panels(db, viewer=agent, number=number)
    assert panels.tags == ("refund", "vip")
    done = actions_of(db, number)
    for action in ("message.reply", "ticket.priority", "ticket.tagged", "ticket.status"):
        assert action in done
    assert done.count("ticket.tagged") == 2
    events = {n.event for n in db.exec(select(Notification)).all()}
    assert {"agent_replied", "resolved"} <= {str(e) for e in events}
    assert db.get(SavedReply, macro.id).usage_count == 1


def test_the_reply_is_in_the_customers_language(db, agent):
    czech = make_viewer(db, name="Jana", email="jana@example.cz")
    db.get(User, czech.user_id).locale = "cs"
    number = tickets.create_ticket(
        db, viewer=czech, subject="Vklad", category="other", description="Kde je?", locale="cs"
    ).number
    macro = make_macro(
        db, agent, texts={"en": "Hello {customer_name}", "cs": "Dobrý den, {customer_name}"}
    )
    macros.apply(db, viewer=agent, number=number, macro_id=macro.id)
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    last = db.exec(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id))
    assert list(last)[-1].body == "Dobrý den, Jana"


def test_request_info_waits_for_the_customer_and_unassign_unassigns(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.assign(db, viewer=agent, number=number, assignee_id=agent.user_id)
    macro = make_macro(db, agent, status="request_info", assign="none")
    assert macros.apply(db, viewer=agent, number=number, macro_id=macro.id).status == (
        "awaiting_customer"
    )
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.assignee_id is None
    assert "message.request_info" in actions_of(db, number)


def test_a_refused_step_refuses_the_whole_macro_and_changes_nothing(engine, db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    macro = make_macro(db, agent, status="resolve", tags="refund", priority="urgent")
    db.commit()
    before = actions_of(db, number)
    with pytest.raises(macros.MacroRefused) as refused, session_scope() as scope:
        macros.apply(scope, viewer=agent, number=number, macro_id=macro.id)
    assert refused.value.params["title"] == "Refund done"
    assert "not possible" in refused.value.reason.message
    with Session(engine) as fresh:
        ticket = fresh.exec(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.status == "resolved" and ticket.priority == 1
        assert actions_of(fresh, number) == before
        assert len(fresh.exec(select(Message).where(Message.ticket_id == ticket.id)).all()) == 1
        assert fresh.get(SavedReply, macro.id).usage_count == 0


def test_a_closed_ticket_refuses_the_reply(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="close")
    macro = make_macro(db, agent, tags="late")
    with pytest.raises(macros.MacroRefused):
        macros.apply(db, viewer=agent, number=number, macro_id=macro.id)


def test_customers_and_other_agents_personal_macros_are_refused(db, alice, agent):
    number = open_ticket(db, alice)
    macro = make_macro(db, agent, status="resolve")
    with pytest.raises(PermissionDenied):
        macros.apply(db, viewer=alice, number=number, macro_id=macro.id)
    other = make_viewer(db, name="Otto", email="otto@support.test", role=agent.role)
    with pytest.raises(NotFound):
        macros.apply(db, viewer=other, number=number, macro_id=macro.id)


@pytest.mark.parametrize(
    ("actions", "field"),
    [
        ({"status": "reopen"}, "macro_status"),
        ({"assign": "someone"}, "macro_assign"),
        ({"priority": "asap"}, "macro_priority"),
        ({"tags": "x" * 41}, "macro_tags"),
    ],
)
def test_unknown_actions_are_refused_when_saving(actions, field):
    with pytest.raises(InvalidInput) as refused:
        macro_actions.clean(**actions)
    assert refused.value.field == field


def test_macros_are_listed_apart_and_actions_kept_on_edit(db, agent):
    make_macro(db, agent, status="close")
    saved_replies.save_reply(db, viewer=agent, title="Plain", texts={"en": "Hello"}, shared=False)
    found = saved_replies.list_replies(db, viewer=agent, macros_only=True)
    assert [r.title for r in found] == ["Refund done"]
    assert found[0].actions == macro_actions.MacroActions(status="close")
    edited = saved_replies.save_reply(
        db, viewer=agent, title="Refund", texts={"en": "Done"}, shared=False, reply_id=found[0].id
    )
    assert edited.actions.status == "close"
