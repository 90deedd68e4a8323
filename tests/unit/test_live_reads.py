"""What an open page re-reads on a live wake-up: one call per viewer, shared reads per event."""

from __future__ import annotations

import threading

import pytest

from support_portal.services import agent as agent_service
from support_portal.services import agent_page, conversation, live_reads, tickets
from support_portal.services.errors import PermissionDenied

from .conftest import session_token_for


@pytest.fixture(autouse=True)
def fresh_cache():
    live_reads.shared_reads.clear()
    live_reads.shared_details.clear()
    yield
    live_reads.shared_reads.clear()
    live_reads.shared_details.clear()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every message query the live re-read runs, with whether it included internal notes."""
    calls: list[bool] = []
    real = conversation.messages_of

    def counting(db, **kwargs):
        calls.append(kwargs["include_internal"])
        return real(db, **kwargs)

    monkeypatch.setattr(live_reads, "messages_of", counting)
    return calls


def test_many_tabs_of_one_ticket_run_the_message_query_once_per_event(db, alice, agent, counted):
    new = tickets.create_ticket(
        db, viewer=alice, subject="Live", category="other", description="Hi"
    )
    first = conversation.list_messages(db, viewer=alice, number=new.number)[-1].id
    counted.clear()
    tabs = [session_token_for(db, user_id=alice.user_id) for _ in range(5)]
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="Reply one")
    db.commit()

    for token in tabs:
        update = live_reads.conversation_update(
            db, session_token=token, number=new.number, after_id=first
        )
        assert [m.body for m in update.messages] == ["Reply one"]
    assert counted == [False]

    # The next event is a new read: nothing stale comes out of the cache.
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="Reply two")
    db.commit()
    for token in tabs:
        update = live_reads.conversation_update(
            db, session_token=token, number=new.number, after_id=first
        )
        assert [m.body for m in update.messages] == ["Reply one", "Reply two"]
    assert counted == [False, False]


def test_a_customer_never_gets_an_internal_note_an_agent_read_shared(db, alice, agent, counted):
    new = tickets.create_ticket(
        db, viewer=alice, subject="Live", category="other", description="Hi"
    )
    first = conversation.list_messages(db, viewer=alice, number=new.number)[-1].id
    counted.clear()
    customer = session_token_for(db, user_id=alice.user_id)
    agent_token = session_token_for(db, user_id=agent.user_id)
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="Note", internal=True)
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="Public")
    db.commit()

    seen_by_agent = agent_page.page_update(
        db, session_token=agent_token, number=new.number, after_id=first
    )
    seen_by_customer = live_reads.conversation_update(
        db, session_token=customer, number=new.number, after_id=first
    )
    assert [m.body for m in seen_by_agent.conversation.messages] == ["Note", "Public"]
    assert [m.body for m in seen_by_customer.messages] == ["Public"]
    assert sorted(counted) == [False, True]  # one read per permission, not one shared


def test_the_agent_page_update_has_the_panels_and_the_new_messages_in_one_call(
    db, alice, agent, bob
):
    new = tickets.create_ticket(
        db, viewer=alice, subject="Live", category="other", description="Hi"
    )
    agent_service.assign(db, viewer=agent, number=new.number, assignee_id=agent.user_id)
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="On it", internal=True)
    db.commit()
    token = session_token_for(db, user_id=agent.user_id)

    update = agent_page.page_update(db, session_token=token, number=new.number, after_id=0)

    assert [m.body for m in update.conversation.messages] == ["Hi", "On it"]
    assert update.conversation.detail.number == new.number
    assert update.customer.email == alice.email
    assert update.assignee_id == agent.user_id
    assert agent.user_id in {a.id for a in update.agents}
    assert update.history  # the assignment at least
    assert agent_page.page_update(db, session_token=None, number=new.number, after_id=0) is None
    with pytest.raises(PermissionDenied):  # a customer's session never gets the panels (A2)
        agent_page.page_update(
            db,
            session_token=session_token_for(db, user_id=bob.user_id),
            number=new.number,
            after_id=0,
        )


def test_marking_read_writes_once_for_many_tabs_and_again_after_a_new_reply(
    db, alice, agent, monkeypatch
):
    from support_portal.models import Ticket
    from support_portal.services import notifications

    real_update = notifications.update

    new = tickets.create_ticket(
        db, viewer=alice, subject="Live", category="other", description="Hi"
    )
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="Reply")
    db.commit()
    ticket = db.get(Ticket, new.ticket_id)

    conversation.mark_read(db, viewer=alice, number=new.number)
    first_read = ticket.customer_read_at
    assert first_read is not None
    writes: list[str] = []
    monkeypatch.setattr(
        notifications, "update", lambda *a: writes.append("notifications") or real_update(*a)
    )
    conversation.mark_read(db, viewer=alice, number=new.number)
    assert ticket.customer_read_at == first_read  # nothing new: no write
    assert writes == []  # and no UPDATE of the (already read) notifications either

    agent_service.agent_reply(db, viewer=agent, number=new.number, body="More")
    conversation.mark_read(db, viewer=alice, number=new.number)
    assert ticket.customer_read_at > first_read


def test_concurrent_misses_for_one_key_wait_for_a_single_read():
    reads = live_reads.SharedReads()
    release = threading.Event()
    started = threading.Event()

    def slow_read():
        started.set()
        release.wait(5)
        return ("messages",)

    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(reads.get("k", slow_read)))
    first.start()
    assert started.wait(5)
    others = [
        threading.Thread(target=lambda: results.append(reads.get("k", slow_read))) for _ in range(4)
    ]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert results == [("messages",)] * 5
    assert reads.reads == 1


def test_a_failed_read_is_not_cached_and_lets_the_next_viewer_read():
    reads = live_reads.SharedReads()

    def broken():
        raise RuntimeError("database is locked")

    with pytest.raises(RuntimeError):
        reads.get("k", broken)
    assert reads.get("k", lambda: "fine") == "fine"
