"""Changing the email address: the current password, a code to the new address, the old one
told; a taken address answers the same and gets no code (G3-G7, P3, X4)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal.models import AuthSession, OutboxEmail, Ticket, User
from support_portal.services import auth, codes, email_change, sessions, tickets
from support_portal.services.errors import InvalidInput, NotAuthenticated
from tests.fakes import code_sent
from tests.unit.conftest import guest_viewer

PASSWORD = "correct horse battery"  # make_viewer's
NEW = "alice.new@example.org"


def start(db: Session, viewer, new_email: str = NEW, password: str = PASSWORD):
    return email_change.start_change(
        db, viewer=viewer, new_email=new_email, password=password, ip="192.0.2.1"
    )


def confirm(db: Session, viewer, code: str, new_email: str = NEW) -> str:
    return email_change.confirm_change(
        db, viewer=viewer, new_email=new_email, code=code, ip="192.0.2.1"
    )


def alice_token(db: Session, viewer) -> str:
    from tests.unit.conftest import session_token_for

    return session_token_for(db, user_id=viewer.user_id)


def test_the_code_sent_to_the_new_address_changes_it_and_the_old_one_is_told(db, alice, mails):
    started = start(db, alice, "  Alice.New@Example.org ")
    code = code_sent(db)
    assert started.new_email == NEW
    assert [(m.kind, m.to_email) for m in mails.sent] == [("code", NEW)]
    assert db.get(User, alice.user_id).email == "alice@example.com"  # not before the code
    assert confirm(db, alice, code) == NEW
    user = db.get(User, alice.user_id)
    assert (user.email, user.email_verified) == (NEW, True)
    assert auth.authenticate(db, email=NEW, password=PASSWORD, ip=None)
    [notice] = db.exec(select(OutboxEmail)).all()
    assert (notice.to_email, notice.template) == ("alice@example.com", "account_email_changed")
    from support_portal.mail.sender import render_row

    text = render_row(db, notice).get_body(("plain",)).get_content()
    assert "a…@example.org" in text and NEW not in text
    # Sessions go on (nothing is revoked), and show the new address.
    assert db.get(AuthSession, alice.session_id).revoked_at is None
    assert sessions.viewer_for_token(db, session_token=alice_token(db, alice)).email == NEW


def test_the_current_password_is_required(db, alice, mails):
    with pytest.raises(InvalidInput) as wrong:
        start(db, alice, password="not it")
    assert wrong.value.field == "current_password"
    db.commit()
    assert mails.sent == []


def test_a_taken_address_answers_the_same_and_gets_a_notice_not_a_code(db, alice, bob, mails):
    free = start(db, alice)
    db.commit()
    taken = email_change.start_change(
        db, viewer=bob, new_email="alice@example.com", password=PASSWORD, ip=None
    )
    db.commit()
    assert set(vars(free)) == set(vars(taken))
    assert [(m.kind, m.to_email) for m in mails.sent] == [
        ("code", NEW),
        ("account_exists", "alice@example.com"),
    ]
    with pytest.raises(codes.CodeRejected):
        confirm(db, bob, "000000", new_email="alice@example.com")
    assert db.get(User, bob.user_id).email == "bob@example.com"


def test_the_same_address_is_refused_with_a_field_error(db, alice):
    with pytest.raises(InvalidInput) as same:
        start(db, alice, "ALICE@example.com")
    assert same.value.field == "new_email"


def test_a_code_never_crosses_accounts(db, alice, bob):
    start(db, alice)
    code = code_sent(db)
    email_change.start_change(db, viewer=bob, new_email=NEW, password=PASSWORD, ip=None)
    db.commit()
    with pytest.raises(codes.CodeRejected):
        confirm(db, bob, code)
    assert db.get(User, bob.user_id).email == "bob@example.com"


def test_the_code_works_once_and_expires(db, alice, clock):
    start(db, alice)
    code = code_sent(db)
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(codes.CodeRejected) as late:
        confirm(db, alice, code)
    assert late.value.reason == "expired"
    clock.advance(minutes=2)
    email_change.resend_code(db, viewer=alice, new_email=NEW, ip=None)
    fresh = code_sent(db)
    confirm(db, alice, fresh)
    with pytest.raises(codes.CodeRejected):
        confirm(db, alice, fresh)


def test_the_new_address_brings_its_guest_tickets_into_the_account(db, alice):
    created = tickets.create_ticket(
        db,
        viewer=None,
        subject="Deposit missing",
        category="deposits_withdrawals",
        description="It did not arrive.",
        guest_name="Alice",
        guest_email=NEW,
    )
    start(db, alice)
    confirm(db, alice, code_sent(db))
    assert db.get(Ticket, created.ticket_id).requester_id == alice.user_id


def test_guests_cannot_change_an_email(db):
    guest = guest_viewer(db, "gus@example.net")
    with pytest.raises(NotAuthenticated):
        start(db, guest)


def test_the_old_address_is_masked_in_the_notice():
    assert email_change.mask_email("nora@example.com") == "n…@example.com"
