"""Issue 19: agents search message bodies, ids and emails; customers search their own tickets.

These tests take the `db`, `alice`, `bob` and `agent` fixtures only, so
tests/integration/test_search_backends.py runs the same ones on migrated SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import delete, select

from support_portal.models import Message, Notification, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import agent_queue, search_text, ticket_lists, ticket_tags, tickets
from tests.unit.test_tickets import numbers, open_ticket

NASTY = [
    '"', '""', "'", "*", "-", "--", "-refund", "refund*", "(", ")", "(refund", "a:b",
    "{subject}: x", "subject:refund", "NEAR(a b)", "AND", "OR", "NOT", "a AND", "^", "\\",
    "%", "_", "100%", "%_%", "\x00", "tag:", "tag:vip", "#", "##12", "&", "|", "!", "<->",
    "'a':*", "a'b", "::", "1e999", "ß", "İ", "🙂", "x" * 500, "    ", "\t\n",
]  # fmt: skip


def agent_search(db, agent, text: str, *, sort: str = "relevance", view: str = "all", **kw):
    return agent_queue.queue(db, viewer=agent, view=view, search=text, sort=sort, **kw)


def reply(db, viewer, number: int, body: str) -> None:
    tickets.add_customer_reply(db, viewer=viewer, number=number, body=body)


def note(db, agent, number: int, body: str) -> None:
    agent_service.agent_reply(db, viewer=agent, number=number, body=body, internal=True)


def by_number(page, number: int):
    return next(t for t in page.items if t.number == number)


def test_an_agent_finds_a_transaction_id_and_a_phrase_in_a_message_body(db, alice, agent):
    number = open_ticket(db, alice, "Deposit missing")
    reply(db, alice, number, "The bank reference is TX-2026-88421-ZQ; they say it left Monday.")
    open_ticket(db, alice, "Something else", description="Nothing to see")

    for text in ("TX-2026-88421-ZQ", "tx-2026-88421-zq", "left monday", "bank reference"):
        page = agent_search(db, agent, text)
        assert numbers(page) == [number], text
        snippet = page.items[0].snippet
        assert snippet is not None and not snippet.is_note
        found = snippet.before + snippet.match + snippet.after
        assert "TX-2026-88421-ZQ" in found
        assert snippet.match.lower() in text.lower()


def test_parts_of_an_id_and_of_an_email_match(db, alice, agent):
    number = open_ticket(db, alice, "Card payment", description="Order ref ABCD-123456-XYZ failed")
    guest = tickets.create_ticket(
        db, viewer=None, subject="Locked out", category="security", description="Help please",
        guest_name="Petra Nováková", guest_email="petra.novakova@mail.example",
    ).number  # fmt: skip
    assert numbers(agent_search(db, agent, "123456")) == [number]
    assert numbers(agent_search(db, agent, "456-XY")) == [number]
    assert numbers(agent_search(db, agent, "novakova@mail")) == [guest]
    assert numbers(agent_search(db, agent, "alice@exa")) == [number]  # the requester's email
    assert numbers(agent_search(db, agent, "Nováková")) == [guest]


def test_results_come_best_match_first(db, alice, agent):
    in_body = open_ticket(db, alice, "Question", description="When does my withdrawal arrive?")
    in_subject = open_ticket(db, alice, "Withdrawal stuck", description="Please check it")
    open_ticket(db, alice, "Unrelated", description="Password reset")
    page = agent_search(db, agent, "withdrawal")
    assert numbers(page) == [in_subject, in_body]
    assert by_number(page, in_body).snippet.match.lower() == "withdrawal"

    # The number typed exactly comes before everything that merely mentions it.
    mentions = open_ticket(db, alice, "Refund", description=f"Same as ticket {in_body}")
    assert numbers(agent_search(db, agent, str(in_body)))[0] == in_body
    assert mentions in numbers(agent_search(db, agent, str(in_body)))


def test_internal_notes_are_found_by_agents_only(db, alice, agent):
    number = open_ticket(db, alice, "Deposit missing")
    note(db, agent, number, "Suspicious chargeback pattern, check with compliance")

    page = agent_search(db, agent, "chargeback")
    assert numbers(page) == [number]
    assert page.items[0].snippet.is_note
    for text in ("chargeback", "compliance", "Suspicious chargeback"):
        assert ticket_lists.list_tickets(db, viewer=alice, search=text).items == []
        assert not any(ticket_lists.tab_counts(db, viewer=alice, search=text).values())


def test_a_customer_never_finds_another_customers_ticket(db, alice, bob, agent):
    bobs = open_ticket(db, bob, "Bob's margin call", description="My secret phrase is ZEBRA-42")
    alices = open_ticket(db, alice, "Alice's deposit", description="Nothing secret")
    for text in ("margin call", "ZEBRA-42", "zebra", str(bobs), "bob@example.com", "Bob"):
        assert ticket_lists.list_tickets(db, viewer=alice, search=text).items == [], text
    page = ticket_lists.list_tickets(db, viewer=alice, search="secret")
    assert numbers(page) == [alices]
    assert page.items[0].snippet.match.lower() == "secret"
    assert numbers(ticket_lists.list_tickets(db, viewer=bob, search="secret")) == [bobs]


def test_my_tickets_search_reads_message_bodies_in_every_tab_with_the_status(db, alice, agent):
    iban = "About IBAN CZ6508000000192000145399"
    closed = open_ticket(db, alice, "Old question", description=iban)
    agent_service.change_status(db, viewer=agent, number=closed, action="close")
    agent_service.agent_reply(db, viewer=agent, number=open_ticket(db, alice), body="Try the IBAN")
    page = ticket_lists.list_tickets(db, viewer=alice, tab="open", search="CZ65080000")
    assert [(t.number, t.status) for t in page.items] == [(closed, "closed")]
    counts = ticket_lists.tab_counts(db, viewer=alice, search="iban")
    assert (sum(counts.values()), counts["closed"]) == (2, 1)


def test_special_characters_never_raise_and_are_only_characters(db, alice, agent):
    percent = open_ticket(db, alice, "100% refund please", description='He said "NEAR(x)" -- ok')
    other = open_ticket(db, alice, "Partial 10 refund", description="Nothing special")
    for text in NASTY:
        for sort in ("relevance", "activity", "waiting", "priority"):
            agent_search(db, agent, text, sort=sort)
        ticket_lists.list_tickets(db, viewer=alice, search=text)
        ticket_lists.tab_counts(db, viewer=alice, search=text)
    assert numbers(agent_search(db, agent, "100%")) == [percent]
    assert numbers(agent_search(db, agent, '"NEAR(x)"')) == [percent]
    assert set(numbers(agent_search(db, agent, "refund"))) == {percent, other}
    assert numbers(agent_search(db, agent, "0% ref")) == [percent]  # "%" is no wildcard


def test_tag_search_still_filters_and_combines_with_words(db, alice, agent):
    vip = open_ticket(db, alice, "Refund for a VIP", description="The refund is late")
    plain = open_ticket(db, alice, "Refund", description="The refund is late")
    ticket_tags.add_tag(db, viewer=agent, number=vip, tag="vip")
    assert numbers(agent_search(db, agent, "tag:vip")) == [vip]
    assert numbers(agent_search(db, agent, "tag:vip late")) == [vip]
    assert set(numbers(agent_search(db, agent, "late"))) == {vip, plain}
    assert numbers(agent_search(db, agent, "tag:vip", sort="activity")) == [vip]


def test_relevance_pages_and_the_other_sorts_page_through_the_matches(db, alice, agent):
    made = {open_ticket(db, alice, f"Payout {i}", description="payout delayed") for i in range(5)}
    open_ticket(db, alice, "Something else", description="no match")
    for sort in ("relevance", "activity", "priority", "waiting"):
        seen, cursor = [], None
        while True:
            page = agent_search(db, agent, "payout delayed", sort=sort, limit=2, cursor=cursor)
            seen += numbers(page)
            assert all(t.snippet is not None for t in page.items)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(made), sort
    with pytest.raises(Exception, match="no longer valid"):
        agent_search(db, agent, "payout", cursor="bm90IGEgY3Vyc29y")


def test_the_index_follows_changed_and_deleted_messages(db, alice, agent):
    number = open_ticket(db, alice, "Card", description="First words")
    message = db.exec(select(Message).join(Ticket).where(Ticket.number == number)).one()
    message.body = "Completely different words"
    db.add(message)
    db.flush()
    assert agent_search(db, agent, "First words").items == []
    assert numbers(agent_search(db, agent, "different words")) == [number]
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    ticket.subject = "Renamed subject"
    db.add(ticket)
    db.flush()
    assert numbers(agent_search(db, agent, "renamed")) == [number]
    db.exec(delete(Notification).where(Notification.message_id == message.id))
    db.delete(message)
    db.flush()
    assert agent_search(db, agent, "different words").items == []


def test_czech_text_is_found_whatever_the_case(db, alice, agent):
    number = open_ticket(db, alice, "Platba", description="Příliš žluťoučký kůň úpěl ďábelské ódy")
    for text in ("žluťoučký", "ŽLUŤOUČKÝ kůň", "ďábelské"):
        assert numbers(agent_search(db, agent, text)) == [number], text
        assert numbers(ticket_lists.list_tickets(db, viewer=alice, search=text)) == [number]


def test_parse_keeps_only_plain_pieces():
    terms = search_text.parse("  Refund\x00 'x':* #123 ")
    assert terms.text == "Refund 'x':* #123"
    assert terms.words == ("refund", "x", "123")
    assert search_text.tsquery(terms) == "'refund' & 'x' & '123'"
    assert search_text.parse("#123").number == 123
    assert search_text.fts5_string('a"b') == '"a""b"'
    assert not search_text.parse(" \t ")


def test_the_excerpt_centres_on_the_match():
    body = "word " * 60 + "the TX-99 id " + "tail " * 60
    part = search_text.excerpt(body, search_text.parse("tx-99"))
    assert part.match == "TX-99"
    assert part.before.startswith("…") and part.after.endswith("…")
    assert len(part.before + part.match + part.after) < 250


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120))
def test_no_query_string_raises(db, alice, agent, text):
    agent_search(db, agent, text)
    agent_search(db, agent, text, sort="activity")
    ticket_lists.list_tickets(db, viewer=alice, search=text)
