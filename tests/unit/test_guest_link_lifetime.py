"""Guest links can be revoked (a new one is emailed) and expire after the ticket closes (X8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from support_portal.mail import sender
from support_portal.models import AuditEvent, OutboxEmail, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import guest, guest_links, tickets
from support_portal.services.errors import NotAuthenticated, NotFound, RateLimited
from support_portal.services.guest import InvalidLink, LinkExpired
from support_portal.settings import get_settings
from tests.unit.conftest import guest_viewer
from tests.unit.test_guest import GUS, guest_ticket


@pytest.fixture
def ticket(db) -> Ticket:
    return guest_ticket(db)


@pytest.fixture
def clock(clock, monkeypatch):
    """The shared clock, also for the link's own expiry check at send time."""
    monkeypatch.setattr(guest_links, "utcnow", clock.now)
    return clock


def works(db: Session, secret: str) -> bool:
    try:
        guest.resolve_link(db, secret=secret)
    except InvalidLink:
        return False
    return True


def emails(db: Session, template: str) -> list[OutboxEmail]:
    return list(db.exec(select(OutboxEmail).where(OutboxEmail.template == template)).all())


def rendered_text(db: Session, row: OutboxEmail) -> str:
    message = sender.render_row(db, row)
    return message.get_body(preferencelist=("plain",)).get_content()


# Revoking


@pytest.mark.parametrize("who", ["guest", "agent"])
def test_revoking_kills_the_old_link_at_once_and_emails_the_new_one(db, ticket, clock, agent, who):
    old = guest_links.link_secret(ticket)
    viewer = guest_viewer(db, GUS) if who == "guest" else agent
    clock.advance(minutes=2)

    masked = guest.revoke_link(db, viewer=viewer, number=ticket.number, ip="198.51.100.1")

    assert masked == "g***@example.net"
    assert not works(db, old)
    with pytest.raises(InvalidLink):
        guest.send_link_code(db, secret=old, ip=None)
    new = guest_links.link_secret(ticket)
    assert new != old and works(db, new)
    [email] = emails(db, "link_replaced")
    assert (email.to_email, email.to_name, email.ticket_id) == (GUS, None, ticket.id)
    text = rendered_text(db, email)
    assert guest_links.link_for(ticket) in text and old not in text
    assert "Earlier links no longer work" in text
    assert "Lisbon" not in text  # notification only: nothing the guest wrote
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "guest.link_revoked")).one()
    assert event.ticket_id == ticket.id and event.actor_kind == who


def test_emails_still_waiting_in_the_outbox_carry_the_new_link(db, ticket, clock, agent):
    [received] = emails(db, "ticket_received")
    old = guest_links.link_for(ticket)
    clock.advance(minutes=2)
    guest.revoke_link(db, viewer=agent, number=ticket.number, ip=None)
    text = rendered_text(db, received)
    assert old not in text and guest_links.link_for(ticket) in text


def test_only_the_tickets_guest_and_agents_may_revoke(db, ticket, clock, alice):
    before = ticket.guest_link_nonce
    other_guest = guest_viewer(db, "someone@example.net")
    for viewer in (other_guest, alice):
        with pytest.raises(NotFound):
            guest.revoke_link(db, viewer=viewer, number=ticket.number, ip=None)
    with pytest.raises(NotAuthenticated):
        guest.revoke_link(db, viewer=None, number=ticket.number, ip=None)
    assert ticket.guest_link_nonce == before
    assert emails(db, "link_replaced") == []


def test_an_accounts_own_ticket_has_no_guest_link_to_revoke(db, alice):
    number = tickets.create_ticket(
        db, viewer=alice, subject="Mine", category="other", description="Hello there"
    ).number
    with pytest.raises(NotFound):
        guest.revoke_link(db, viewer=alice, number=number, ip=None)


def test_one_new_link_a_minute_at_most(db, ticket, agent):
    guest.revoke_link(db, viewer=agent, number=ticket.number, ip=None)  # a new ticket: at once
    with pytest.raises(RateLimited) as refused:
        guest.revoke_link(db, viewer=guest_viewer(db, GUS), number=ticket.number, ip=None)
    assert 50 <= refused.value.retry_after <= 61
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "guest.link_revoked")).one()
    event.created_at -= timedelta(seconds=61)  # a minute later
    db.flush()
    guest.revoke_link(db, viewer=agent, number=ticket.number, ip=None)
    assert len(emails(db, "link_replaced")) == 2


# Expiry after the ticket closes


def close(db: Session, ticket: Ticket, agent) -> None:
    agent_service.change_status(db, viewer=agent, number=ticket.number, action="close")
    db.flush()


def test_a_link_works_until_the_set_days_after_the_ticket_closed(db, ticket, clock, agent):
    secret = guest_links.link_secret(ticket)
    clock.advance(days=400)
    assert works(db, secret)  # open tickets' links do not expire
    close(db, ticket, agent)
    assert get_settings().guest_link_days_after_close == 90
    clock.advance(days=89, hours=23)
    assert works(db, secret)
    clock.advance(hours=1, seconds=1)
    with pytest.raises(LinkExpired) as refused:
        guest.resolve_link(db, secret=secret)
    assert refused.value.message == "This link has expired."
    with pytest.raises(LinkExpired):
        guest.send_link_code(db, secret=secret, ip=None)
    with pytest.raises(LinkExpired):
        guest.link_info(db, secret=secret)


def test_the_days_come_from_the_setting(db, ticket, clock, agent, monkeypatch):
    monkeypatch.setattr(get_settings(), "guest_link_days_after_close", 3)
    secret = guest_links.link_secret(ticket)
    close(db, ticket, agent)
    clock.advance(days=2)
    assert works(db, secret)
    clock.advance(days=1, seconds=1)
    assert not works(db, secret)


def test_reopening_the_ticket_makes_the_link_work_again(db, ticket, clock, agent):
    secret = guest_links.link_secret(ticket)
    close(db, ticket, agent)
    clock.advance(days=91)
    assert not works(db, secret)
    agent_service.change_status(db, viewer=agent, number=ticket.number, action="reopen")
    assert works(db, secret)


def test_lost_link_sends_a_fresh_link_for_an_expired_ticket(db, ticket, clock, agent):
    old = guest_links.link_secret(ticket)
    close(db, ticket, agent)
    clock.advance(days=91)
    assert not works(db, old)

    guest.request_links(db, email=GUS, ip=None)
    [email] = emails(db, "guest_links")
    text = rendered_text(db, email)  # the link is made when the email is sent

    new = guest_links.link_secret(ticket)
    assert new != old and guest_links.link_for(ticket) in text and old not in text
    assert works(db, new) and not works(db, old)
    clock.advance(days=89)
    assert works(db, new)  # a fresh link gets the full period again
    clock.advance(days=2)
    assert not works(db, new)


def test_a_link_that_still_works_is_sent_again_unchanged(db, ticket, clock, agent):
    secret = guest_links.link_secret(ticket)
    close(db, ticket, agent)
    clock.advance(days=10)
    guest.request_links(db, email=GUS, ip=None)
    [email] = emails(db, "guest_links")
    assert guest_links.link_for(ticket) in rendered_text(db, email)
    assert guest_links.link_secret(ticket) == secret


def test_a_link_from_before_the_issue_time_was_recorded_still_works_and_expires(
    db, ticket, clock, agent
):
    ticket.guest_link_nonce = "0123456789abcdef0123456789abcdef"
    secret = guest_links.link_secret(ticket)
    assert guest_links.issued_at(ticket.guest_link_nonce) is None
    assert works(db, secret)
    close(db, ticket, agent)
    clock.advance(days=91)
    assert not works(db, secret)


def test_the_issue_time_is_part_of_the_signed_nonce(ticket):
    when = ticket.created_at
    nonce = guest_links.new_nonce(when)
    assert guest_links.issued_at(nonce) == when.replace(microsecond=0)
    assert len(nonce.partition(".")[0]) * 4 >= 128
    ticket.guest_link_nonce = nonce
    secret = guest_links.link_secret(ticket)
    ticket.guest_link_nonce = nonce.rpartition(".")[0] + ".9999999999"  # a later issue time
    assert not guest_links.matches(ticket, secret.partition("-")[2])
