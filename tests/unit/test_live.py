"""Live updates: who is told that a ticket changed, and only after commit (A4)."""

from __future__ import annotations

import threading

from support_portal.live.hub import AGENTS_TOPIC, Hub, LiveEvent, ticket_topic, user_topic
from support_portal.services import agent as agent_service
from support_portal.services import live_reads, sessions, tickets


def test_an_agent_reply_reaches_the_ticket_the_agents_and_its_owner_but_not_others(
    db, alice, bob, agent, published
):
    new = tickets.create_ticket(db, viewer=alice, subject="Help", category="other", description="x")
    db.commit()
    published.clear()
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="Hi")
    db.commit()
    topics = {event.topic for event in published}
    assert {ticket_topic(new.ticket_id), AGENTS_TOPIC, user_topic(alice.user_id)} <= topics
    assert user_topic(bob.user_id) not in topics
    assert all(event.kind != "message" or event.ticket_id == new.ticket_id for event in published)


def test_live_events_carry_ids_only_never_content(db, alice, agent, published):
    new = tickets.create_ticket(
        db, viewer=alice, subject="Secret subject", category="other", description="x"
    )
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="Secret body")
    db.commit()
    assert published
    for event in published:
        assert "Secret" not in repr(event)


def test_nothing_is_announced_for_a_rolled_back_change(db, alice, published):
    tickets.create_ticket(db, viewer=alice, subject="Help", category="other", description="x")
    db.rollback()
    db.commit()
    assert published == []


async def test_a_subscriber_receives_only_its_topics():
    hub = Hub()
    with hub.subscribe(user_topic(1)) as mine:
        hub.publish(LiveEvent(topic=user_topic(2), kind="notification", user_id=2))
        hub.publish(LiveEvent(topic=user_topic(1), kind="notification", user_id=1))
        events = await mine.wait(timeout=1)
    assert [e.user_id for e in events] == [1]


async def test_events_published_from_a_worker_thread_reach_the_subscriber():
    hub = Hub()
    event = LiveEvent(topic=ticket_topic(7), kind="message", ticket_id=7)
    with hub.subscribe(ticket_topic(7)) as sub:
        worker = threading.Thread(target=hub.publish, args=(event,))
        worker.start()
        worker.join()
        assert await sub.wait(timeout=1) == [event]


async def test_a_closed_subscription_receives_nothing_more():
    hub = Hub()
    with hub.subscribe(ticket_topic(7)) as sub:
        assert hub.subscriber_count() == 1
    assert hub.subscriber_count() == 0
    hub.publish(LiveEvent(topic=ticket_topic(7), kind="message", ticket_id=7))
    assert sub.events == []


async def test_a_broken_forwarder_falls_back_to_local_delivery():
    hub = Hub()

    def redis_down(event: LiveEvent) -> None:
        raise ConnectionError("redis is down")

    hub.set_forwarder(redis_down)
    event = LiveEvent(topic=AGENTS_TOPIC, kind="message", ticket_id=1)
    with hub.subscribe(AGENTS_TOPIC) as sub:
        hub.publish(event)
        assert await sub.wait(timeout=1) == [event]


def test_a_live_re_read_returns_the_new_messages_and_marks_them_read(db, alice, agent):
    """The call each open customer page makes on a live wake-up (services.conversation)."""
    from support_portal.services import ticket_lists, tickets

    new = tickets.create_ticket(
        db, viewer=alice, subject="Live", category="other", description="First"
    )
    agent_service.agent_reply(db, viewer=agent, number=new.number, body="We are on it")
    token = sessions.exchange_login_ticket(
        db, token=sessions.create_login_ticket(db, user_id=alice.user_id)
    )[0]
    assert ticket_lists.list_tickets(db, viewer=alice).items[0].unread
    update = live_reads.conversation_update(db, session_token=token, number=new.number, after_id=0)
    assert [m.body for m in update.messages] == ["First", "We are on it"]
    assert not ticket_lists.list_tickets(db, viewer=alice).items[0].unread
