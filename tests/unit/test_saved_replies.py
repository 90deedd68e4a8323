"""Saved replies: shared and personal, a text per language, placeholders (issue 15)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select, update

from support_portal.models import Role, SavedReply, User
from support_portal.services import saved_replies, tickets
from support_portal.services.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from tests.unit.conftest import make_viewer

GREETING = {"en": "Hello {customer_name}, about ticket {ticket_number}: {agent_name}"}


def open_ticket(db: Session, viewer, **kw) -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject="Card", category="other", description="Help", **kw
    ).number


def save(db, viewer, title="Greeting", texts=None, shared=False, **kw):
    return saved_replies.save_reply(
        db, viewer=viewer, title=title, texts=texts or GREETING, shared=shared, **kw
    )


def test_insert_fills_the_placeholders_for_this_ticket(db, alice, agent):
    number = open_ticket(db, alice)
    reply = save(db, agent)
    text = saved_replies.insert_reply(db, viewer=agent, reply_id=reply.id, number=number)
    assert text == f"Hello Alice, about ticket {number}: Agnes Agent"


def test_a_guest_ticket_uses_the_guests_name(db, agent):
    number = open_ticket(db, None, guest_name="Gus Guest", guest_email="gus@example.net")
    reply = save(db, agent, texts={"en": "Hi {customer_name}"})
    assert saved_replies.insert_reply(db, viewer=agent, reply_id=reply.id, number=number) == (
        "Hi Gus Guest"
    )


@pytest.mark.parametrize("body", ["Hi {custmer_name}", "Hi {}", "Total: {amount}"])
def test_unknown_placeholders_are_refused_when_saving(db, agent, body):
    with pytest.raises(InvalidInput) as refused:
        save(db, agent, texts={"en": body})
    assert refused.value.field == "text_en"
    assert db.exec(select(SavedReply)).all() == []


def test_a_title_and_one_text_are_required(db, agent):
    with pytest.raises(InvalidInput) as refused:
        save(db, agent, title="  ")
    assert refused.value.field == "title"
    with pytest.raises(InvalidInput):
        save(db, agent, texts={"en": "   ", "cs": ""})


def test_the_customers_language_is_picked_then_the_default(db, agent):
    czech = make_viewer(db, name="Petr", email="petr@example.cz")
    db.exec(update(User).where(User.id == czech.user_id).values(locale="cs"))
    english = open_ticket(db, make_viewer(db, name="Ann", email="ann@example.com"))
    in_czech = open_ticket(db, czech)
    reply = save(
        db, agent, texts={"en": "Hello {customer_name}", "cs": "Dobrý den, {customer_name}"}
    )
    assert saved_replies.insert_reply(db, viewer=agent, reply_id=reply.id, number=in_czech) == (
        "Dobrý den, Petr"
    )
    assert saved_replies.insert_reply(db, viewer=agent, reply_id=reply.id, number=english) == (
        "Hello Ann"
    )
    only_czech = save(db, agent, title="Jen česky", texts={"cs": "Ahoj"})
    assert saved_replies.insert_reply(db, viewer=agent, reply_id=only_czech.id, number=english) == (
        "Ahoj"  # no text in the customer's or the default language: the one there is
    )


def test_inserting_counts_uses_and_the_most_used_come_first(db, alice, agent):
    number = open_ticket(db, alice)
    first = save(db, agent, title="A first")
    second = save(db, agent, title="B second")
    for _ in range(2):
        saved_replies.insert_reply(db, viewer=agent, reply_id=second.id, number=number)
    listed = saved_replies.list_replies(db, viewer=agent)
    assert [(r.id, r.usage_count) for r in listed] == [(second.id, 2), (first.id, 0)]


def test_search_finds_titles_and_texts(db, agent):
    save(db, agent, title="Refund policy", texts={"en": "Refunds take 5 days"})
    save(db, agent, title="Password", texts={"en": "Use the reset link"})
    assert [r.title for r in saved_replies.list_replies(db, viewer=agent, query="refund")] == [
        "Refund policy"
    ]
    assert [r.title for r in saved_replies.list_replies(db, viewer=agent, query="RESET")] == [
        "Password"
    ]


def test_personal_replies_are_their_owners_alone(db, alice, agent):
    other = make_viewer(db, name="Otto", email="otto@support.test", role=Role.agent)
    mine = save(db, agent)
    assert saved_replies.list_replies(db, viewer=other) == []
    number = open_ticket(db, alice)
    with pytest.raises(NotFound):
        saved_replies.insert_reply(db, viewer=other, reply_id=mine.id, number=number)
    with pytest.raises(NotFound):
        saved_replies.delete_reply(db, viewer=other, reply_id=mine.id)
    with pytest.raises(NotFound):
        save(db, other, title="Taken over", reply_id=mine.id)


def test_shared_replies_are_seen_by_all_agents_and_managed_by_admins(db, agent, admin):
    with pytest.raises(PermissionDenied):
        save(db, agent, shared=True)
    shared = save(db, admin, title="Team greeting", shared=True)
    listed = saved_replies.list_replies(db, viewer=agent)
    assert [(r.title, r.shared, r.mine) for r in listed] == [("Team greeting", True, False)]
    with pytest.raises(PermissionDenied):
        save(db, agent, title="Changed", reply_id=shared.id)
    with pytest.raises(PermissionDenied):
        saved_replies.delete_reply(db, viewer=agent, reply_id=shared.id)
    changed = save(db, admin, title="Changed", reply_id=shared.id, texts={"cs": "Dobrý den"})
    assert (changed.title, changed.texts) == ("Changed", {"cs": "Dobrý den"})
    saved_replies.delete_reply(db, viewer=admin, reply_id=shared.id)
    assert saved_replies.list_replies(db, viewer=agent) == []


def test_customers_guests_and_nobody_get_nothing(db, alice):
    number = open_ticket(db, alice)
    with pytest.raises(PermissionDenied):
        saved_replies.list_replies(db, viewer=alice)
    with pytest.raises(NotAuthenticated):
        saved_replies.list_replies(db, viewer=None)
    with pytest.raises(PermissionDenied):
        saved_replies.insert_reply(db, viewer=alice, reply_id=1, number=number)
    with pytest.raises(PermissionDenied):
        save(db, alice)
