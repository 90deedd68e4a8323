"""Notification emails through the outbox to a real SMTP server, parsed as sent (R2, R4, C4)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.mail.sender import OutboxSender
from support_portal.models import Message, Notification, OutboxStatus
from support_portal.services import guest_links
from tests.integration.conftest import MAIL_FROM, PUBLIC_URL, use_smtp
from tests.integration.helpers import (
    agent_reply,
    header_block,
    open_ticket,
    outbox_rows,
    parse,
    parts,
    ticket,
)

pytestmark = pytest.mark.integration

SECRET_BODY = "My seed phrase is correct horse battery staple"
AGENT_BODY = "Please send us the transaction id 0xDEADBEEF"


@pytest.fixture
def sender(monkeypatch, settings, smtp):
    use_smtp(monkeypatch, settings, smtp)
    return OutboxSender(settings, worker="it-sender")


async def test_an_agent_reply_is_delivered_as_one_notification_only_email(
    sender, smtp, db, alice, agent
):
    number = open_ticket(alice, description=SECRET_BODY)
    assert await sender.run_once() == 1  # "received"
    agent_reply(agent, number, AGENT_BODY)
    assert await sender.run_once() == 1

    received, updated = [parse(raw) for raw in smtp.raw]
    assert updated["From"] == MAIL_FROM
    assert updated["To"] == "Alice Customer <alice@example.com>"
    assert updated["Subject"] == f"New reply on your support ticket {number}"
    assert received["Subject"] == f"Your support ticket {number} was received"
    assert updated["Auto-Submitted"] == "auto-generated"
    assert updated.get_content_type() == "multipart/alternative"

    rows = outbox_rows(db)
    assert [r.status for r in rows] == [OutboxStatus.sent, OutboxStatus.sent]
    assert [m["Message-ID"] for m in (received, updated)] == [r.message_id_header for r in rows]
    assert received["Message-ID"] != updated["Message-ID"]
    thread = f"<ticket-{number}@portal.test>"
    assert received["References"] == updated["References"] == thread

    text, html = parts(updated)
    link = f"{PUBLIC_URL}/tickets/{number}"
    assert "Our support team replied to your ticket" in text
    assert link in text and f'href="{link}"' in html
    assert "notification only" in text and "notification only" in html
    for raw in smtp.raw:
        assert b"0xDEADBEEF" not in raw and b"seed phrase" not in raw
    for body in (text, html):
        assert "0xDEADBEEF" not in body and "seed phrase" not in body

    # The in-app side of the same event, committed with the reply.
    events = db.exec(select(Notification.event).where(Notification.user_id == alice.user_id))
    assert sorted(events.all()) == ["agent_replied", "ticket_received"]


async def test_asking_for_information_says_so_without_quoting_the_question(
    sender, smtp, alice, agent
):
    number = open_ticket(alice)
    agent_reply(agent, number, "Which wallet did you use?", request_info=True)
    assert await sender.run_once() == 2
    text, html = parts(parse(smtp.raw[-1]))
    assert f"We need more information from you on ticket {number}." in text
    assert "wallet" not in text and "wallet" not in html


async def test_a_guest_gets_the_unique_guest_link_never_the_account_page(sender, smtp, db, agent):
    number = open_ticket(None, guest_name="Gus Guest", guest_email="gus@example.net")
    agent_reply(agent, number, AGENT_BODY)
    assert await sender.run_once() == 2
    link = guest_links.link_for(ticket(db, number))
    assert link.startswith(f"{PUBLIC_URL}/t/")
    for raw in smtp.raw:
        message = parse(raw)
        # An unverified address gets no name typed by a person in its headers.
        assert message["To"] == "gus@example.net"
        text, html = parts(message)
        assert link in text and link in html
        assert f"{PUBLIC_URL}/tickets/{number}" not in text
    # Rendered at send time: the stored row never held the link (G1).
    assert all(link not in str(row.params) for row in outbox_rows(db))


async def test_a_name_cannot_inject_headers_into_the_raw_message(sender, smtp, db):
    open_ticket(None, guest_name="Eve\r\nBcc: a@evil.test", guest_email="eve@example.net")
    assert await sender.run_once() == 1
    head = header_block(smtp.raw[0])
    assert b"\nBcc" not in head and not head.startswith(b"Bcc")
    assert b"evil.test" not in head.replace(b"Eve Bcc: a@evil.test", b"")
    assert parse(smtp.raw[0])["Bcc"] is None
    assert smtp.recipients == [["eve@example.net"]]
    assert parse(smtp.raw[0])["To"].addresses[0].addr_spec == "eve@example.net"


@pytest.mark.parametrize("name", ["Zoë, <x@evil.test>", "Žofie a@b.c, d@e.f", "Eve, <x@evil.test>"])
async def test_an_account_name_like_an_address_list_reaches_one_recipient(
    sender, smtp, engine, name
):
    import email as email_package
    from email.header import decode_header, make_header
    from email.utils import getaddresses

    from tests.integration.conftest import make_viewer

    open_ticket(make_viewer(engine, name=name, email="zoe@example.net"))
    assert await sender.run_once() == 1
    assert smtp.recipients == [["zoe@example.net"]]  # the SMTP envelope
    message = parse(smtp.raw[0])
    assert [a.addr_spec for a in message["To"].addresses] == ["zoe@example.net"]
    # A mail program that decodes the encoded name before splitting the list reads one address.
    to = email_package.message_from_bytes(smtp.raw[0])["To"]
    decoded = str(make_header(decode_header(to)))
    assert [addr for _, addr in getaddresses([decoded]) if addr] == ["zoe@example.net"]


async def test_the_sender_keeps_its_connections_open_for_many_emails(sender, smtp, alice, agent):
    numbers = [open_ticket(alice) for _ in range(4)]
    for number in numbers:
        agent_reply(agent, number, AGENT_BODY)
    assert await sender.run_once() == 8
    # MAIL_CONNECTIONS=4 (the default): one ticket's two emails per connection.
    assert sender.mailer.connections_opened == 4
    for number in numbers:
        agent_reply(agent, number, AGENT_BODY)
    assert await sender.run_once() == 4
    assert sender.mailer.connections_opened == smtp.connections == 4
    assert len(smtp.messages) == 12
    await sender.mailer.close()


async def test_with_one_connection_every_email_goes_over_it(sender, settings, smtp, alice, agent):
    single = OutboxSender(settings, worker="it-single", connections=1)
    for number in [open_ticket(alice) for _ in range(4)]:
        agent_reply(agent, number, AGENT_BODY)
    assert await single.run_once() == 8
    assert single.mailer.connections_opened == smtp.connections == 1
    await single.mailer.close()


async def test_an_internal_note_sends_nothing(sender, smtp, alice, agent, db):
    number = open_ticket(alice)
    await sender.run_once()
    agent_reply(agent, number, "Internal: looks like fraud", internal=True)
    assert await sender.run_once() == 0
    assert len(smtp.messages) == 1
    assert db.exec(select(Message).where(Message.is_internal == True)).one()
