"""The right to erasure: "Delete my account" (password, everything personal gone, tickets kept
as "Deleted customer", every session ended, an audit event without the address), an
administrator erasing a guest's address, and the retention rule for closed tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import String, inspect
from sqlmodel import Session, select, text

from support_portal.models import (
    Attachment,
    AuditEvent,
    AuthSession,
    Message,
    Notification,
    NotificationPreference,
    OutboxEmail,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import agent as agent_service
from support_portal.services import (
    attachments,
    auth,
    erasure,
    gdpr,
    notifications,
    retention,
    sessions,
    tickets,
)
from support_portal.services.attachments import IncomingFile
from support_portal.services.errors import (
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
)
from tests.unit.conftest import guest_viewer

PASSWORD = "correct horse battery"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def open_ticket(db: Session, viewer, **kw) -> int:
    return tickets.create_ticket(
        db,
        viewer=viewer,
        subject=kw.pop("subject", "Deposit missing"),
        category="deposits_withdrawals",
        description=kw.pop("description", "I sent 1 BTC yesterday"),
        **kw,
    ).number


def guest_ticket(db: Session, email: str = "gus@example.net", name: str = "Gus Guest") -> int:
    return open_ticket(db, None, guest_name=name, guest_email=email)


def text_holding(db: Session, needle: str) -> list[str]:
    """Every text column of every table that holds `needle`: "table.column" (SQLite)."""
    found = []
    for table in inspect(db.get_bind()).get_table_names():
        for column in inspect(db.get_bind()).get_columns(table):
            if isinstance(column["type"], String) or "JSON" in str(column["type"]):
                hit = db.exec(
                    text(f'SELECT 1 FROM "{table}" WHERE lower(CAST("{column["name"]}" AS TEXT))'
                         " LIKE :needle LIMIT 1"),
                    params={"needle": f"%{needle.lower()}%"},
                ).first()  # fmt: skip
                if hit:
                    found.append(f"{table}.{column['name']}")
    return found


def test_deleting_an_account_needs_the_right_password_and_changes_nothing_without(db, alice):
    open_ticket(db, alice)
    with pytest.raises(InvalidInput) as wrong:
        gdpr.delete_account(db, viewer=alice, password="not it", ip=None)
    assert wrong.value.field == "current_password"
    user = db.get(User, alice.user_id)
    assert (user.email, user.is_active) == ("alice@example.com", True)
    assert db.get(AuthSession, alice.session_id).revoked_at is None


def test_a_deleted_account_leaves_no_trace_of_its_name_address_or_words(db, alice, agent, uploads):
    files = attachments.store([IncomingFile("passport.png", PNG)])
    number = open_ticket(db, alice, subject="Alice's deposit", files=files, description="Alice ID")
    agent_service.agent_reply(db, viewer=agent, number=number, body="Sent to alice@example.com")
    agent_service.agent_reply(db, viewer=agent, number=number, body="Checked", internal=True)
    notifications.set_preference(db, viewer=alice, event="agent_replied", email=False)
    stored = uploads / files[0].storage_name
    db.commit()

    ended = gdpr.delete_account(db, viewer=alice, password=PASSWORD, ip="192.0.2.7")
    db.commit()

    assert len(ended) == 1  # this browser's session: the page purges its tabs with the key
    assert text_holding(db, "alice@example.com") == []
    assert text_holding(db, "Alice ID") == []
    assert not stored.exists() and db.exec(select(Attachment)).all() == []
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    assert (ticket.guest_name, ticket.requester_id, ticket.status) == (
        erasure.DELETED_NAME,
        None,
        TicketStatus.closed,  # nobody would read an answer
    )
    bodies = [m.body for m in db.exec(select(Message).order_by(Message.id)).all()]
    assert bodies == [erasure.REMOVED_TEXT, f"Sent to {erasure.REMOVED_EMAIL}", "Checked"]
    assert db.exec(select(Notification).where(Notification.user_id == alice.user_id)).all() == []
    assert db.exec(select(NotificationPreference)).all() == []
    assert db.exec(select(OutboxEmail).where(OutboxEmail.user_id == alice.user_id)).all() == []
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "account.deleted")).all()
    assert event.detail == {"tickets": 1, "messages": 1, "attachments": 1, "sessions": 1}
    assert event.ip is None


def test_after_deletion_every_session_is_over_and_nobody_can_log_in(db, alice):
    other = sessions.exchange_login_ticket(
        db, token=sessions.create_login_ticket(db, user_id=alice.user_id)
    )[0]
    db.commit()
    ended = gdpr.delete_account(db, viewer=alice, password=PASSWORD, ip=None)
    db.commit()
    assert len(ended) == 2
    assert sessions.viewer_for_token(db, session_token=other) is None
    assert db.exec(select(AuthSession)).all() == []
    with pytest.raises(InvalidCredentials):
        auth.authenticate(db, email="alice@example.com", password=PASSWORD, ip=None)
    with pytest.raises(NotAuthenticated):
        gdpr.delete_account(db, viewer=alice, password=PASSWORD, ip=None)


def test_the_address_is_free_again_after_deletion(db, alice):
    gdpr.delete_account(db, viewer=alice, password=PASSWORD, ip=None)
    again = auth.create_user(db, name="Alice", email="alice@example.com", password=PASSWORD)
    assert again.id != alice.user_id


def test_other_customers_keep_everything(db, alice, bob):
    theirs = open_ticket(db, bob, description="Bob's words")
    gdpr.delete_account(db, viewer=alice, password=PASSWORD, ip=None)
    ticket = db.exec(select(Ticket).where(Ticket.number == theirs)).one()
    assert ticket.requester_id == bob.user_id and ticket.subject == "Deposit missing"
    assert db.exec(select(Message.body).where(Message.ticket_id == ticket.id)).all() == [
        "Bob's words"
    ]


def test_an_agent_account_is_not_deleted_from_the_account_page(db, agent):
    with pytest.raises(InvalidInput):
        gdpr.delete_account(db, viewer=agent, password=PASSWORD, ip=None)
    assert db.get(User, agent.user_id).is_active


def test_only_an_administrator_erases_a_guests_address(db, agent, alice):
    guest_ticket(db)
    with pytest.raises(PermissionDenied):
        gdpr.erase_guest(db, viewer=agent, email="gus@example.net")
    with pytest.raises(PermissionDenied):
        gdpr.erase_guest(db, viewer=alice, email="gus@example.net")
    assert db.exec(select(Ticket.guest_email)).all() == ["gus@example.net"]
    denied = db.exec(select(AuditEvent.action).where(AuditEvent.action.like("denied.%"))).all()
    assert set(denied) == {"denied.guest.erase"}


def test_an_administrator_erases_a_guests_tickets_and_ends_their_sessions(db, admin, uploads):
    number = open_ticket(
        db,
        None,
        guest_name="Gus Guest",
        guest_email="gus@example.net",
        files=attachments.store([IncomingFile("id.png", PNG)]),
    )
    other = guest_ticket(db, "other@example.net", "Olga Other")
    guest = guest_viewer(db, "gus@example.net")
    preview = gdpr.preview_guest_erasure(db, viewer=admin, email=" GUS@example.net ")
    assert (preview.tickets, preview.messages, preview.attachments) == (1, 1, 1)
    done = gdpr.erase_guest(db, viewer=admin, email="GUS@example.net")
    db.commit()
    assert (done.erased.tickets, done.erased.sessions, len(done.ended_sessions)) == (1, 1, 1)
    assert db.get(AuthSession, guest.session_id) is None
    assert text_holding(db, "gus@example.net") == []
    assert text_holding(db, "Gus Guest") == []
    erased = db.exec(select(Ticket).where(Ticket.number == number)).one()
    assert (erased.guest_email, erased.guest_link_nonce) == (None, None)
    kept = db.exec(select(Ticket).where(Ticket.number == other)).one()
    assert kept.guest_email == "other@example.net"
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "guest.erased")).all()
    assert "gus" not in str(event.detail)


def test_an_address_with_an_account_is_not_erased_as_a_guest(db, admin, alice):
    with pytest.raises(InvalidInput) as refused:
        gdpr.erase_guest(db, viewer=admin, email="alice@example.com")
    assert refused.value.field == "email"
    with pytest.raises(InvalidInput):
        gdpr.erase_guest(db, viewer=admin, email="not an address")


def close(db: Session, number: int, days_ago: float) -> None:
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    ticket.status, ticket.is_active = TicketStatus.closed, False
    ticket.closed_at = utcnow() - timedelta(days=days_ago)


def test_without_a_retention_setting_closed_tickets_are_kept(db, alice):
    close(db, open_ticket(db, alice), days_ago=4000)
    report = gdpr.anonymise_closed(db)
    assert (report.days, report.numbers) == (None, [])
    assert retention.prune(db)["anonymised_tickets"] == 0


def test_tickets_closed_longer_ago_than_the_setting_are_anonymised_once(
    db, alice, monkeypatch: pytest.MonkeyPatch
):
    from support_portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "retention_closed_days", 30)
    old = open_ticket(db, alice, description="old words")
    recent = open_ticket(db, alice, description="recent words")
    still_open = guest_ticket(db)
    close(db, old, days_ago=31)
    close(db, recent, days_ago=29)
    dry = gdpr.anonymise_closed(db, dry_run=True)
    assert (dry.numbers, dry.erased.messages) == ([old], 1)
    assert db.exec(select(Ticket.guest_name).where(Ticket.number == old)).one() is None
    assert retention.prune(db)["anonymised_tickets"] == 1
    assert retention.prune(db)["anonymised_tickets"] == 0  # idempotent
    bodies = set(db.exec(select(Message.body)).all())
    assert "old words" not in bodies and "recent words" in bodies
    for number in (recent, still_open):
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.subject == "Deposit missing"
    # The account stays; only the old ticket left it.
    assert db.get(User, alice.user_id).is_active
    assert [
        t.number for t in db.exec(select(Ticket).where(Ticket.requester_id == alice.user_id))
    ] == [recent]


def test_the_retention_command_lists_in_a_dry_run_then_anonymises(
    db, alice, capsys, monkeypatch: pytest.MonkeyPatch
):
    from support_portal import cli

    number = open_ticket(db, alice, description="keep me a while")
    close(db, number, days_ago=10)
    db.commit()
    assert cli.main(["retention", "--dry-run"]) == 0
    assert "closed tickets are kept" in capsys.readouterr().out  # the setting is unset
    assert cli.main(["retention", "--dry-run", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "Would anonymise 1 tickets" in out and str(number) in out
    db.expire_all()
    assert db.exec(select(Ticket.subject).where(Ticket.number == number)).one() != "[Removed]"
    assert cli.main(["retention", "--days", "7"]) == 0
    assert "Anonymised 1 tickets" in capsys.readouterr().out
    db.expire_all()
    assert db.exec(select(Ticket.subject).where(Ticket.number == number)).one() == "[Removed]"
    assert cli.main(["retention", "--days", "7"]) == 0
    assert "Anonymised 0 tickets" in capsys.readouterr().out


def test_what_the_customer_filled_in_goes_and_agents_fields_lose_the_address(db, alice, agent):
    from support_portal.models import CategoryField, TicketCategory, TicketFieldValue
    from support_portal.services import field_values

    category = db.exec(
        select(TicketCategory).where(TicketCategory.key == "deposits_withdrawals")
    ).one()
    theirs = CategoryField(category_id=category.id, key="transaction_id", kind="short_text")
    ours = CategoryField(
        category_id=category.id, key="kyc_note", kind="long_text", customer_editable=False
    )
    db.add_all([theirs, ours])
    db.flush()
    number = open_ticket(db, alice)
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    field_values.write(db, ticket_id=ticket.id, item=theirs, value="TX-ALICE-4711")
    field_values.write(db, ticket_id=ticket.id, item=ours, value="Asked alice@example.com for ID")
    db.commit()

    gdpr.delete_account(db, viewer=alice, password=PASSWORD, ip=None)
    db.commit()

    assert text_holding(db, "TX-ALICE-4711") == []
    assert text_holding(db, "alice@example.com") == []
    [kept] = db.exec(select(TicketFieldValue)).all()
    assert kept.value_long == f"Asked {erasure.REMOVED_EMAIL} for ID"


def test_the_retention_setting_reads_empty_as_unset(monkeypatch: pytest.MonkeyPatch):
    from support_portal.settings import Settings

    monkeypatch.setenv("RETENTION_CLOSED_DAYS", "")
    assert Settings().retention_closed_days is None
    monkeypatch.setenv("RETENTION_CLOSED_DAYS", "365")
    assert Settings().retention_closed_days == 365
    monkeypatch.setenv("RETENTION_CLOSED_DAYS", "0")
    with pytest.raises(ValueError):
        Settings()


def test_a_satisfaction_comment_goes_with_the_account_and_the_rating_stays(db, alice, agent):
    from support_portal.models import SatisfactionSurvey

    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    survey = db.exec(select(SatisfactionSurvey)).one()
    survey.rating, survey.comment = "good", "Thanks, Alice from Brno"
    db.commit()

    gdpr.delete_account(db, viewer=alice, password=PASSWORD, ip=None)
    db.commit()

    assert text_holding(db, "Alice from Brno") == []
    kept = db.exec(select(SatisfactionSurvey)).one()
    assert (kept.rating, kept.comment) == ("good", None)
