"""Tickets and conversations as customers see them (A1, A5, R1)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select, update

from support_portal.models import Message, Ticket, TicketStatus, utcnow
from support_portal.services import agent as agent_service
from support_portal.services import attachments, conversation, ticket_lists, tickets
from support_portal.services.attachments import IncomingFile
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotFound, TicketClosed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def open_ticket(
    db: Session,
    viewer: Viewer,
    subject: str = "Deposit missing",
    *,
    category: str = "deposits_withdrawals",
    description: str = "I sent 1 BTC yesterday",
    key: str | None = None,
    **kw,
) -> int:
    return tickets.create_ticket(
        db,
        viewer=viewer,
        subject=subject,
        category=category,
        description=description,
        idempotency_key=key,
        **kw,
    ).number


def numbers(page) -> list[int]:
    return [t.number for t in page.items]


def status_of(db: Session, number: int) -> str:
    return db.exec(select(Ticket.status).where(Ticket.number == number)).one()


def count(db: Session, model, *where) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


# Creating and listing


def test_a_new_ticket_is_open_with_its_description_as_the_first_message(db, alice):
    new = tickets.create_ticket(
        db,
        viewer=alice,
        subject="  Deposit \r\n missing ",
        category="deposits_withdrawals",
        description="I sent 1 BTC\r\nyesterday\x00",
        idempotency_key="create-1",
    )
    assert new.created
    assert 10_000_000 <= new.number < 100_000_000
    found = conversation.detail(db, viewer=alice, number=new.number)
    assert (found.subject, found.status, found.category) == (
        "Deposit missing",
        "open",
        "deposits_withdrawals",
    )
    assert found.requester_name == "Alice"
    [first] = conversation.list_messages(db, viewer=alice, number=new.number)
    assert first.body == "I sent 1 BTC\nyesterday"
    assert (first.author_kind, first.author_name) == ("customer", "Alice")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("subject", {"subject": "   "}),
        ("subject", {"subject": "x" * 201}),
        ("category", {"category": "lottery"}),
        ("description", {"description": " \n "}),
        ("description", {"description": "x" * 20_001}),
    ],
)
def test_a_ticket_with_a_missing_or_invalid_field_is_refused_on_that_field(
    db, alice, field, kwargs
):
    with pytest.raises(InvalidInput) as refused:
        open_ticket(db, alice, **kwargs)
    assert refused.value.field == field
    assert count(db, Ticket) == 0


def test_a_strange_idempotency_key_is_refused(db, alice):
    with pytest.raises(InvalidInput):
        open_ticket(db, alice, key="../../etc")


def test_each_tab_holds_whose_turn_it_is(db, alice, agent):
    still_open = open_ticket(db, alice, "Still open")
    awaiting = open_ticket(db, alice, "Awaiting")
    resolved = open_ticket(db, alice, "Resolved")
    closed = open_ticket(db, alice, "Closed")
    agent_service.agent_reply(db, viewer=agent, number=awaiting, body="?", request_info=True)
    agent_service.change_status(db, viewer=agent, number=resolved, action="resolve")
    agent_service.change_status(db, viewer=agent, number=closed, action="close")

    def tab(name):
        return numbers(ticket_lists.list_tickets(db, viewer=alice, tab=name))

    assert (set(tab("open")), tab("awaiting"), tab("resolved"), tab("closed")) == (
        {still_open, awaiting},
        [awaiting],
        [resolved],  # it can still be answered: not hidden under Closed
        [closed],
    )
    assert set(tab("nonsense")) == {still_open, awaiting}
    assert ticket_lists.tab_counts(db, viewer=alice) == {
        "open": 2,
        "awaiting": 1,
        "resolved": 1,
        "closed": 1,
    }


def test_customers_see_only_their_own_tickets_newest_activity_first(db, alice, bob):
    first = open_ticket(db, alice, "First")
    open_ticket(db, bob, "Bob's")
    second = open_ticket(db, alice, "Second")
    assert numbers(ticket_lists.list_tickets(db, viewer=alice)) == [second, first]
    tickets.add_customer_reply(db, viewer=alice, number=first, body="bump")
    assert numbers(ticket_lists.list_tickets(db, viewer=alice)) == [first, second]
    counts = ticket_lists.tab_counts(db, viewer=bob)
    assert counts["open"] == sum(counts.values()) == 1


def test_a_list_without_a_viewer_is_refused(db):
    from support_portal.services.errors import NotAuthenticated

    with pytest.raises(NotAuthenticated):
        ticket_lists.list_tickets(db, viewer=None)


# Search


def test_tickets_are_found_by_number_with_or_without_the_hash(db, alice):
    wanted = open_ticket(db, alice, "Card declined")
    open_ticket(db, alice, "Something else")
    assert numbers(ticket_lists.list_tickets(db, viewer=alice, search=str(wanted))) == [wanted]
    assert numbers(ticket_lists.list_tickets(db, viewer=alice, search=f" #{wanted} ")) == [wanted]


def test_tickets_are_found_by_part_of_the_subject_in_any_case(db, alice):
    wanted = open_ticket(db, alice, "Withdrawal stuck in review")
    open_ticket(db, alice, "Password reset")
    assert numbers(ticket_lists.list_tickets(db, viewer=alice, search="STUCK in")) == [wanted]
    counts = ticket_lists.tab_counts(db, viewer=alice, search="stuck")
    assert counts["open"] == sum(counts.values()) == 1


@pytest.mark.parametrize(
    ("search", "expected"),
    [("100%", "100% refund"), ("a_b", "a_b error"), ("c:\\temp", "c:\\temp path")],
)
def test_like_wildcards_in_a_search_match_only_themselves(db, alice, search, expected):
    for subject in ("100% refund", "1000 refund", "a_b error", "axb error", "c:\\temp path"):
        open_ticket(db, alice, subject)
    found = ticket_lists.list_tickets(db, viewer=alice, search=search).items
    assert [t.subject for t in found] == [expected]


def test_search_never_finds_another_customers_ticket(db, alice, bob):
    bobs = open_ticket(db, bob, "Bob's secret trade")
    assert ticket_lists.list_tickets(db, viewer=alice, search=str(bobs)).items == []
    assert ticket_lists.list_tickets(db, viewer=alice, search="secret").items == []


# Pagination


def test_pages_walk_every_ticket_exactly_once_when_activity_times_are_identical(db, alice):
    created = {open_ticket(db, alice, f"Ticket {n}") for n in range(45)}
    db.exec(update(Ticket).values(last_activity_at=utcnow()))
    db.commit()

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = ticket_lists.list_tickets(db, viewer=alice, cursor=cursor, limit=20)
        seen += numbers(page)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 45
    assert set(seen) == created


def test_a_page_that_ends_exactly_at_the_last_ticket_has_no_next_page(db, alice):
    for n in range(4):
        open_ticket(db, alice, f"Ticket {n}")
    first = ticket_lists.list_tickets(db, viewer=alice, limit=2)
    second = ticket_lists.list_tickets(db, viewer=alice, limit=2, cursor=first.next_cursor)
    assert len(second.items) == 2
    assert second.next_cursor is None


def test_a_forged_cursor_is_refused_with_a_clear_message(db, alice):
    with pytest.raises(InvalidInput) as refused:
        ticket_lists.list_tickets(db, viewer=alice, cursor="not-a-cursor!")
    assert refused.value.message == "This page link is no longer valid."


# Ownership (A1)


def test_another_customers_ticket_looks_exactly_like_a_missing_one(db, alice, bob):
    alices = open_ticket(db, alice, "Alice's ticket")
    with pytest.raises(NotFound) as forbidden:
        conversation.detail(db, viewer=bob, number=alices)
    with pytest.raises(NotFound) as missing:
        conversation.detail(db, viewer=bob, number=99_999_999)
    assert str(forbidden.value) == str(missing.value)
    assert forbidden.value.params == missing.value.params


@pytest.mark.parametrize(
    "call",
    [
        lambda db, v, n: conversation.detail(db, viewer=v, number=n),
        lambda db, v, n: conversation.list_messages(db, viewer=v, number=n),
        lambda db, v, n: tickets.add_customer_reply(db, viewer=v, number=n, body="mine now"),
        lambda db, v, n: conversation.mark_read(db, viewer=v, number=n),
        lambda db, v, n: tickets.create_ticket(
            db, viewer=v, subject="Follow", category="other", description="x", follow_up_of=n
        ),
    ],
    ids=["detail", "messages", "reply", "mark_read", "follow_up"],
)
def test_bob_cannot_touch_alices_ticket_in_any_way(db, alice, bob, call):
    alices = open_ticket(db, alice, "Alice's ticket")
    with pytest.raises(NotFound):
        call(db, bob, alices)
    assert count(db, Message) == 1
    assert count(db, Ticket) == 1


@pytest.mark.parametrize("number", ["abc", "", "1 OR 1=1", "12.5"])
def test_a_malformed_ticket_number_is_just_not_found(db, alice, number):
    with pytest.raises(NotFound):
        conversation.detail(db, viewer=alice, number=number)


def test_another_customers_attachment_looks_like_a_missing_one(db, alice, bob, uploads):
    files = attachments.store([IncomingFile("receipt.png", PNG)])
    number = open_ticket(db, alice, "With a file", files=files)
    [message] = conversation.list_messages(db, viewer=alice, number=number)
    attachment_id = message.attachments[0].id
    assert tickets.attachment_for_download(db, viewer=alice, attachment_id=attachment_id)
    with pytest.raises(NotFound) as forbidden:
        tickets.attachment_for_download(db, viewer=bob, attachment_id=attachment_id)
    with pytest.raises(NotFound) as missing:
        tickets.attachment_for_download(db, viewer=bob, attachment_id=attachment_id + 100)
    assert str(forbidden.value) == str(missing.value)
    with pytest.raises(NotFound):
        tickets.attachment_for_download(db, viewer=None, attachment_id=attachment_id)


def test_an_agent_may_not_post_as_a_customer_on_someone_elses_ticket(db, alice, agent):
    number = open_ticket(db, alice)
    with pytest.raises(NotFound):
        tickets.add_customer_reply(db, viewer=agent, number=number, body="impersonating")


# Replies and idempotency (R1)


def test_the_same_creation_key_twice_opens_one_ticket(db, alice):
    first = tickets.create_ticket(
        db, viewer=alice, subject="Twice", category="other", description="x", idempotency_key="k1"
    )
    again = tickets.create_ticket(
        db, viewer=alice, subject="Twice", category="other", description="x", idempotency_key="k1"
    )
    assert not again.created
    assert again.number == first.number
    assert count(db, Ticket) == 1
    assert count(db, Message) == 1


def test_the_same_creation_key_from_another_customer_opens_their_own_ticket(db, alice, bob):
    alices = open_ticket(db, alice, key="same-key")
    bobs = open_ticket(db, bob, key="same-key")
    assert alices != bobs


def test_the_same_reply_key_twice_stores_one_message(db, alice):
    number = open_ticket(db, alice)
    first = tickets.add_customer_reply(
        db, viewer=alice, number=number, body="txid 123", idempotency_key="r1"
    )
    again = tickets.add_customer_reply(
        db, viewer=alice, number=number, body="txid 123", idempotency_key="r1"
    )
    assert again.id == first.id
    assert [m.body for m in conversation.list_messages(db, viewer=alice, number=number)] == [
        "I sent 1 BTC yesterday",
        "txid 123",
    ]


def test_a_replayed_reply_discards_its_new_upload(db, alice, uploads):
    number = open_ticket(db, alice)
    tickets.add_customer_reply(db, viewer=alice, number=number, body="x", idempotency_key="r1")
    files = attachments.store([IncomingFile("again.png", PNG)])
    tickets.add_customer_reply(
        db, viewer=alice, number=number, body="x", idempotency_key="r1", files=files
    )
    assert not (uploads / files[0].storage_name).exists()


def test_a_closed_ticket_refuses_customer_replies(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="close")
    with pytest.raises(TicketClosed):
        tickets.add_customer_reply(db, viewer=alice, number=number, body="hello?")
    assert count(db, Message) == 1


def test_a_reply_to_a_resolved_ticket_reopens_it(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    tickets.add_customer_reply(db, viewer=alice, number=number, body="Still broken")
    assert status_of(db, number) == TicketStatus.open
    assert numbers(ticket_lists.list_tickets(db, viewer=alice, tab="open")) == [number]
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.resolved_at is None
    assert ticket.waiting_since is not None


def test_answering_a_question_hands_the_ticket_back_to_the_team(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Which?", request_info=True)
    assert status_of(db, number) == TicketStatus.awaiting_customer
    tickets.add_customer_reply(db, viewer=alice, number=number, body="That one")
    assert status_of(db, number) == TicketStatus.open


def test_a_reply_may_be_only_an_attachment_but_not_empty(db, alice, uploads):
    number = open_ticket(db, alice)
    with pytest.raises(InvalidInput):
        tickets.add_customer_reply(db, viewer=alice, number=number, body="  ")
    files = attachments.store([IncomingFile("screenshot.png", PNG)])
    reply = tickets.add_customer_reply(db, viewer=alice, number=number, body="", files=files)
    assert [a.filename for a in reply.attachments] == ["screenshot.png"]


# Suggestions and follow-ups


def test_an_open_ticket_in_the_same_category_is_suggested_instead_of_a_new_one(db, alice, bob):
    older = open_ticket(db, alice, "Older", category="trading")
    newer = open_ticket(db, alice, "Newer", category="trading")
    open_ticket(db, bob, "Bob's", category="account")
    suggestion = ticket_lists.open_ticket_in_category(db, viewer=alice, category="trading")
    assert suggestion.number == newer != older
    assert ticket_lists.open_ticket_in_category(db, viewer=alice, category="account") is None
    assert ticket_lists.open_ticket_in_category(db, viewer=alice, category="nonsense") is None
    assert ticket_lists.open_ticket_in_category(db, viewer=None, category="trading") is None


def test_a_closed_ticket_is_not_suggested(db, alice, agent):
    number = open_ticket(db, alice, category="security")
    agent_service.change_status(db, viewer=agent, number=number, action="close")
    assert ticket_lists.open_ticket_in_category(db, viewer=alice, category="security") is None


def test_a_follow_up_links_back_to_the_original_and_the_original_lists_it(db, alice, agent):
    original = open_ticket(db, alice, "Original")
    agent_service.change_status(db, viewer=agent, number=original, action="close")
    follow_up = open_ticket(db, alice, "Same problem again", follow_up_of=original)
    assert conversation.detail(db, viewer=alice, number=follow_up).follow_up_of_number == original
    assert conversation.detail(db, viewer=alice, number=original).follow_up_numbers == [follow_up]


# Unread marker


def test_an_agent_reply_marks_the_ticket_unread_until_the_customer_reads_it(db, alice, agent):
    number = open_ticket(db, alice)
    assert not ticket_lists.list_tickets(db, viewer=alice).items[0].unread
    agent_service.agent_reply(db, viewer=agent, number=number, body="Found it")
    assert ticket_lists.list_tickets(db, viewer=alice).items[0].unread
    conversation.mark_read(db, viewer=alice, number=number)
    assert not ticket_lists.list_tickets(db, viewer=alice).items[0].unread


def test_an_internal_note_does_not_mark_the_ticket_unread(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.agent_reply(db, viewer=agent, number=number, body="VIP", internal=True)
    assert not ticket_lists.list_tickets(db, viewer=alice).items[0].unread


# Internal notes (A5)


def test_internal_notes_are_never_shown_to_the_customer(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.agent_reply(
        db, viewer=agent, number=number, body="Looks like fraud", internal=True
    )
    agent_service.agent_reply(db, viewer=agent, number=number, body="We are checking")
    seen_by_customer = conversation.list_messages(db, viewer=alice, number=number)
    seen_by_agent = conversation.list_messages(db, viewer=agent, number=number)
    assert [m.body for m in seen_by_customer] == ["I sent 1 BTC yesterday", "We are checking"]
    assert not any(m.is_internal for m in seen_by_customer)
    assert "Looks like fraud" in [m.body for m in seen_by_agent]


def test_paging_through_messages_never_reveals_internal_notes(db, alice, agent):
    number = open_ticket(db, alice)
    for n in range(3):
        agent_service.agent_reply(db, viewer=agent, number=number, body=f"note {n}", internal=True)
    reply = agent_service.agent_reply(db, viewer=agent, number=number, body="Public")
    windows = [
        conversation.list_messages(db, viewer=alice, number=number, limit=1),
        conversation.list_messages(db, viewer=alice, number=number, before_id=reply.id),
        conversation.list_messages(db, viewer=alice, number=number, after_id=0),
    ]
    assert [[m.body for m in window] for window in windows] == [
        ["Public"],
        ["I sent 1 BTC yesterday"],
        ["I sent 1 BTC yesterday", "Public"],
    ]


def test_attachments_on_internal_notes_cannot_be_downloaded_by_the_customer(
    db, alice, agent, uploads
):
    number = open_ticket(db, alice)
    files = attachments.store([IncomingFile("kyc-check.png", PNG)])
    note = agent_service.agent_reply(
        db, viewer=agent, number=number, body="KYC scan", internal=True, files=files
    )
    attachment_id = note.attachments[0].id
    assert tickets.attachment_for_download(db, viewer=agent, attachment_id=attachment_id)
    with pytest.raises(NotFound):
        tickets.attachment_for_download(db, viewer=alice, attachment_id=attachment_id)


def test_a_customer_reusing_an_internal_notes_key_does_not_get_the_note_back(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.agent_reply(
        db, viewer=agent, number=number, body="Looks like fraud", internal=True,
        idempotency_key="note-key",
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        tickets.add_customer_reply(
            db, viewer=alice, number=number, body="hi", idempotency_key="note-key"
        )
