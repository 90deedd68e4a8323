"""Bulk actions on the migrated SQLite file and on PostgreSQL: each ticket's savepoint undoes
only that ticket, the others commit (issue 15)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, SQLModel, select

from support_portal import db as db_module
from support_portal.db import make_engine, session_scope
from support_portal.models import Message, Role, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import bulk, macro_actions, saved_replies, ticket_tags, tickets
from tests.integration.conftest import make_viewer

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request):
    if request.param == "sqlite":
        yield request.getfixturevalue("engine")
        return
    engine = make_engine(request.getfixturevalue("pg_server").create_database("bulk"))
    SQLModel.metadata.create_all(engine)
    db_module.set_engine(engine)
    yield engine
    db_module.set_engine(None)
    engine.dispose()


def test_refusals_undo_only_their_ticket(any_engine):
    engine = any_engine
    alice = make_viewer(engine, name="Alice Customer", email="alice@example.com")
    agent = make_viewer(engine, name="Agnes Agent", email="agnes@support.test", role=Role.agent)
    with session_scope(engine) as s:
        numbers = [
            tickets.create_ticket(
                s, viewer=alice, subject=f"Help {i}", category="other", description="Please"
            ).number
            for i in range(3)
        ]
        fine, closed, full = numbers
        agent_service.change_status(s, viewer=agent, number=closed, action="close")
        for i in range(20):
            ticket_tags.add_tag(s, viewer=agent, number=full, tag=f"t{i}")
        macro = saved_replies.save_reply(
            s,
            viewer=agent,
            title="Done",
            texts={"en": "Sorted."},
            shared=False,
            actions=macro_actions.clean(tags="sorted", priority="high"),
        )
    with session_scope(engine) as s:
        result = bulk.apply(s, viewer=agent, numbers=numbers, action="macro", value=str(macro.id))
    assert result.done == (fine,)
    assert [r.number for r in result.refused] == [closed, full]
    with Session(engine) as db:
        rows = {t.number: t for t in db.exec(select(Ticket).where(Ticket.number.in_(numbers)))}  # type: ignore[attr-defined]
        assert rows[fine].priority == 2 and rows[full].priority == 1
        sent = {
            n: len(db.exec(select(Message).where(Message.ticket_id == rows[n].id)).all())
            for n in numbers
        }
        assert sent == {fine: 2, closed: 1, full: 1}
