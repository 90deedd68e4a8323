"""Who is told what, in-app and by email (R1, R2, R4)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from support_portal.db import session_scope
from support_portal.live.hub import AGENTS_TOPIC, user_topic
from support_portal.models import Message, Notification, OutboxEmail, Role, User
from support_portal.services import agent as agent_service
from support_portal.services import conversation, notifications, tickets
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotAuthenticated
from support_portal.services.outbox import OUTBOX_TOPIC
from tests.unit.conftest import guest_viewer, make_viewer


def open_ticket(db: Session, viewer: Viewer | None, **kw) -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject="Help", category="other", description="Please", **kw
    ).number


def notified(db: Session) -> list[tuple[int, str]]:
    rows = db.exec(select(Notification).order_by(Notification.id)).all()
    return [(n.user_id, str(n.event)) for n in rows]


def emailed(db: Session) -> list[tuple[str, str]]:
    rows = db.exec(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    return [(e.to_email, e.template) for e in rows]


def clear(db: Session) -> None:
    for model in (Notification, OutboxEmail):
        for row in db.exec(select(model)).all():
            db.delete(row)
    db.flush()


@pytest.fixture
def second_agent(db) -> Viewer:
    return make_viewer(db, name="Otto Other", email="otto@support.test", role=Role.agent)


# Which events notify whom


def test_a_new_ticket_tells_the_customer_in_app_and_by_email_and_every_agent_in_app(
    db, alice, agent, second_agent
):
    open_ticket(db, alice)
    assert notified(db) == [
        (alice.user_id, "ticket_received"),
        (agent.user_id, "new_ticket"),
        (second_agent.user_id, "new_ticket"),
    ]
    assert emailed(db) == [("alice@example.com", "ticket_received")]
    email = db.exec(select(OutboxEmail)).one()
    assert (email.to_name, email.user_id, email.params) == (
        "Alice",
        alice.user_id,
        {"event": "ticket_received", "guest": False},
    )


def test_a_guest_ticket_emails_the_guest_and_creates_no_in_app_notification_for_them(db, agent):
    open_ticket(db, None, guest_name="Gus", guest_email="gus@example.net")
    assert notified(db) == [(agent.user_id, "new_ticket")]
    email = db.exec(select(OutboxEmail)).one()
    assert (email.to_email, email.to_name, email.template, email.user_id) == (
        "gus@example.net",
        None,
        "ticket_received",
        None,
    )
    assert email.params == {"event": "ticket_received", "guest": True}


def test_every_outbox_email_gets_its_own_message_id(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Hi")
    ids = db.exec(select(OutboxEmail.message_id_header)).all()
    assert len(ids) == len(set(ids)) == 2
    assert all(i.startswith("<") and i.endswith(">") and "@" in i for i in ids)


@pytest.mark.parametrize(
    ("act", "event"),
    [
        (lambda db, a, n: agent_service.agent_reply(db, viewer=a, number=n, body="Hi"),
         "agent_replied"),
        (lambda db, a, n: agent_service.agent_reply(
            db, viewer=a, number=n, body="Which?", request_info=True), "info_requested"),
        (lambda db, a, n: agent_service.change_status(db, viewer=a, number=n, action="resolve"),
         "resolved"),
        (lambda db, a, n: agent_service.change_status(db, viewer=a, number=n, action="close"),
         "closed"),
    ],
    ids=["reply", "request_info", "resolve", "close"],
)  # fmt: skip
def test_each_agent_action_tells_the_customer_once_in_app_and_by_email(
    db, alice, agent, act, event
):
    number = open_ticket(db, alice)
    clear(db)
    act(db, agent, number)
    assert notified(db) == [(alice.user_id, event)]
    assert emailed(db) == [("alice@example.com", event)]


def test_the_same_agent_action_on_a_guest_ticket_only_emails_the_guest(db, agent):
    number = open_ticket(db, None, guest_name="Gus", guest_email="gus@example.net")
    clear(db)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Hi")
    assert notified(db) == []
    assert emailed(db) == [("gus@example.net", "agent_replied")]


def test_an_internal_note_tells_nobody(db, alice, agent):
    number = open_ticket(db, alice)
    clear(db)
    agent_service.agent_reply(db, viewer=agent, number=number, body="VIP", internal=True)
    assert notified(db) == []
    assert emailed(db) == []


def test_reopening_tells_nobody_and_auto_close_tells_the_customer(db, alice, agent):
    from datetime import timedelta

    from support_portal.models import utcnow

    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="close")
    clear(db)
    agent_service.change_status(db, viewer=agent, number=number, action="reopen")
    assert (notified(db), emailed(db)) == ([], [])
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    clear(db)
    agent_service.auto_close(db, now=utcnow() + timedelta(days=30))
    assert notified(db) == [(alice.user_id, "closed")]
    assert emailed(db) == [("alice@example.com", "closed")]


def test_a_customer_reply_on_an_unassigned_ticket_tells_every_active_agent(
    db, alice, agent, second_agent
):
    inactive = make_viewer(db, name="Ivy Gone", email="ivy@support.test", role=Role.agent)
    db.get(User, inactive.user_id).is_active = False
    number = open_ticket(db, alice)
    clear(db)
    tickets.add_customer_reply(db, viewer=alice, number=number, body="More info")
    assert sorted(notified(db)) == [
        (agent.user_id, "customer_replied"),
        (second_agent.user_id, "customer_replied"),
    ]
    assert emailed(db) == []  # agents are told in the app only


def test_a_customer_reply_on_an_assigned_ticket_tells_only_the_assignee(
    db, alice, agent, second_agent
):
    number = open_ticket(db, alice)
    agent_service.assign(db, viewer=agent, number=number, assignee_id=second_agent.user_id)
    clear(db)
    tickets.add_customer_reply(db, viewer=alice, number=number, body="More info")
    assert notified(db) == [(second_agent.user_id, "customer_replied")]


def test_a_guest_reply_tells_the_agents(db, agent):
    number = open_ticket(db, None, guest_name="Gus", guest_email="gus@example.net")
    clear(db)
    tickets.add_customer_reply(
        db, viewer=guest_viewer(db, "gus@example.net"), number=number, body="Hi"
    )
    assert notified(db) == [(agent.user_id, "customer_replied")]


def test_a_deactivated_customer_gets_nothing(db, alice, agent):
    number = open_ticket(db, alice)
    db.get(User, alice.user_id).is_active = False
    clear(db)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Hi")
    assert (notified(db), emailed(db)) == ([], [])


# Preferences


def test_turning_an_email_off_keeps_the_in_app_notification(db, alice, agent):
    number = open_ticket(db, alice)
    notifications.set_preference(db, viewer=alice, event="agent_replied", email=False)
    clear(db)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Hi")
    assert notified(db) == [(alice.user_id, "agent_replied")]
    assert emailed(db) == []
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    assert emailed(db) == [("alice@example.com", "resolved")]  # other emails still come


def test_preferences_default_to_on_and_remember_changes(db, alice):
    assert notifications.preferences(db, viewer=alice) == {
        "ticket_received": True, "agent_replied": True, "info_requested": True,
        "resolved": True, "closed": True, "reminder": True, "merged": True,
    }  # fmt: skip
    notifications.set_preference(db, viewer=alice, event="resolved", email=False)
    notifications.set_preference(db, viewer=alice, event="resolved", email=False)
    assert notifications.preferences(db, viewer=alice)["resolved"] is False
    notifications.set_preference(db, viewer=alice, event="resolved", email=True)
    assert notifications.preferences(db, viewer=alice)["resolved"] is True


@pytest.mark.parametrize("event", ["new_ticket", "customer_replied", "spam"])
def test_only_customer_emails_can_be_switched(db, alice, event):
    with pytest.raises(InvalidInput):
        notifications.set_preference(db, viewer=alice, event=event, email=False)


def test_guests_have_no_preferences_or_notification_list(db):
    gus = guest_viewer(db, "gus@example.net")
    with pytest.raises(NotAuthenticated):
        notifications.preferences(db, viewer=gus)
    with pytest.raises(NotAuthenticated):
        notifications.list_for(db, viewer=gus)
    assert notifications.unread_count(db, viewer=gus) == 0


# Reading


def test_unread_counts_drop_when_a_ticket_or_everything_is_read(db, alice, agent):
    first = open_ticket(db, alice)
    second = open_ticket(db, alice)
    agent_service.agent_reply(db, viewer=agent, number=first, body="Hi")
    assert notifications.unread_count(db, viewer=alice) == 3
    conversation.mark_read(db, viewer=alice, number=first)
    assert notifications.unread_count(db, viewer=alice) == 1
    listed = notifications.list_for(db, viewer=alice)
    assert [(n.ticket_number, n.event, n.read) for n in listed] == [
        (first, "agent_replied", True),
        (second, "ticket_received", False),
        (first, "ticket_received", True),
    ]
    assert notifications.mark_all_read(db, viewer=alice) == 1
    assert notifications.unread_count(db, viewer=alice) == 0
    assert notifications.mark_all_read(db, viewer=alice) == 0


def test_reading_never_touches_someone_elses_notifications(db, alice, bob, agent):
    open_ticket(db, alice)
    open_ticket(db, bob)
    notifications.mark_all_read(db, viewer=alice)
    assert notifications.unread_count(db, viewer=bob) == 1
    assert notifications.unread_count(db, viewer=agent) == 2
    assert all(n.for_agent for n in notifications.list_for(db, viewer=agent))


def test_an_agent_reading_a_ticket_clears_their_own_notifications_only(db, alice, agent):
    number = open_ticket(db, alice)
    conversation.mark_read(db, viewer=agent, number=number)
    assert notifications.unread_count(db, viewer=agent) == 0
    assert notifications.unread_count(db, viewer=alice) == 1


# One transaction (R1, R2)


def table_counts(db: Session) -> tuple[int, int, int]:
    return tuple(
        db.exec(select(func.count()).select_from(model)).one()
        for model in (Message, Notification, OutboxEmail)
    )


def test_a_reply_and_its_notifications_and_email_roll_back_together(
    db, engine, alice, agent, published
):
    number = open_ticket(db, alice)
    db.commit()
    before = table_counts(db)
    published.clear()

    with pytest.raises(RuntimeError), session_scope(engine) as other:
        agent_service.agent_reply(db=other, viewer=agent, number=number, body="Lost?")
        assert table_counts(other) != before  # written inside the transaction ...
        raise RuntimeError("the database went away before commit")

    assert table_counts(db) == before  # ... and gone with it
    assert published == []  # nobody was told about data that does not exist


def test_a_committed_reply_announces_itself_after_commit_only(db, alice, agent, published):
    number = open_ticket(db, alice)
    db.commit()
    published.clear()
    agent_service.agent_reply(db, viewer=agent, number=number, body="Hi")
    assert published == []
    db.commit()
    topics = {event.topic for event in published}
    assert {user_topic(alice.user_id), AGENTS_TOPIC, OUTBOX_TOPIC} <= topics
