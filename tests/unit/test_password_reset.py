"""Forgot password: the emailed code, then a new password; the same answer and time for known
and unknown addresses; a reset ends every session and tells the address (P2, G3-G8, X4)."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, func, select

from support_portal.models import AuthSession, GuestChallenge, OutboxEmail, User
from support_portal.services import auth, codes, password_reset, sessions
from support_portal.services.errors import (
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    RateLimited,
)
from tests.fakes import code_sent
from tests.unit.conftest import session_token_for

OLD = "the old password 1"
NEW = "a brand new passphrase"


@pytest.fixture
def kim(db: Session):
    return auth.create_user(
        db, name="Kim Known", email="kim@example.com", password=OLD, email_verified=True
    )


def start(db: Session, email: str = "kim@example.com", ip: str | None = "192.0.2.1"):
    return password_reset.start_reset(db, email=email, locale="en", ip=ip)


def complete(db: Session, code: str, *, email="kim@example.com", password=NEW, binding="nonce"):
    return password_reset.complete_reset(
        db, email=email, code=code, password=password, ip="192.0.2.1", binding=binding
    )


def test_a_known_address_gets_a_reset_code_and_the_code_sets_the_new_password(db, kim, mails):
    started = start(db, "  Kim@Example.com ")
    code = code_sent(db)
    assert started.email == "kim@example.com"
    assert [(m.kind, m.to_email) for m in mails.sent] == [("reset_code", "kim@example.com")]
    assert len(code) == 6 and code.isdigit()
    # Stored hashed only (G3).
    stored = db.exec(select(GuestChallenge)).one()
    assert code not in stored.code_hash
    done = complete(db, code)
    assert auth.authenticate(db, email="kim@example.com", password=NEW, ip=None)
    with pytest.raises(InvalidCredentials):
        auth.authenticate(db, email="kim@example.com", password=OLD, ip=None)
    # The browser that entered the code is logged in, and only that browser (X5).
    token, _, next_path = sessions.exchange_login_ticket(
        db, token=done.login_ticket, binding="nonce"
    )
    assert next_path == "/tickets"
    assert sessions.viewer_for_token(db, session_token=token).user_id == kim.id


def test_an_unknown_address_gets_the_same_answer_and_a_note_instead_of_a_code(db, kim, mails):
    known = start(db, "kim@example.com")
    unknown = start(db, "nobody@example.com")
    db.commit()
    assert set(vars(known)) == set(vars(unknown))
    assert known.expires_at - known.resend_at == unknown.expires_at - unknown.resend_at
    assert [(m.kind, m.to_email) for m in mails.sent] == [
        ("reset_code", "kim@example.com"),
        ("no_account", "nobody@example.com"),
    ]
    # Both paths did the same work: one code each, under the same caps.
    assert db.exec(select(func.count()).select_from(GuestChallenge)).one() == 2
    # Even a guessed code of the unknown address creates nothing.
    with pytest.raises(codes.CodeRejected):
        complete(db, "000000", email="nobody@example.com")
    assert db.exec(select(func.count()).select_from(User)).one() == 1


@pytest.mark.real_hashing
def test_known_and_unknown_addresses_take_similar_time(db, kim, clock):
    """P2 / G8 / X4: the gap must not reveal whether the address has an account."""

    def timed(email: str) -> float:
        clock.advance(days=2)  # past every cap and cooldown of the previous round
        began = time.perf_counter()
        start(db, email, ip=None)
        db.commit()  # the email goes out after the commit: part of what the page waits for
        return time.perf_counter() - began

    timed("nobody@example.com")  # warm up
    known, unknown = [], []
    for _ in range(20):  # interleaved, so a busy machine slows both paths alike
        known.append(timed("kim@example.com"))
        unknown.append(timed("nobody@example.com"))
    # The fastest run of each path is its intrinsic cost; medians swing with machine load.
    assert abs(min(known) - min(unknown)) < 0.050


def test_a_reset_ends_every_session_of_the_account_and_queues_a_notice(db, kim, mails):
    first = session_token_for(db, user_id=kim.id)
    second = session_token_for(db, user_id=kim.id)
    start(db)
    done = complete(db, code_sent(db))
    assert sessions.viewer_for_token(db, session_token=first) is None
    assert sessions.viewer_for_token(db, session_token=second) is None
    assert sorted(done.ended_sessions) == sorted(
        [sessions.session_key(first), sessions.session_key(second)]
    )
    [notice] = db.exec(select(OutboxEmail)).all()
    assert (notice.to_email, notice.template) == ("kim@example.com", "account_password_reset")
    # The notice says what happened and never holds a secret.
    from support_portal.mail.sender import render_row

    message = render_row(db, notice)
    text = message.get_body(("plain",)).get_content()
    assert "password" in message["Subject"].lower()
    assert "logged out" in text and NEW not in text


def test_a_short_new_password_is_refused_before_the_code_is_spent(db, kim):
    start(db)
    code = code_sent(db)
    with pytest.raises(InvalidInput) as refused:
        complete(db, code, password="short")
    assert refused.value.field == "password"
    challenge = db.exec(select(GuestChallenge)).one()
    assert challenge.attempts == 0 and challenge.used_at is None
    complete(db, code)  # the same code still works


def test_the_code_works_once(db, kim):
    start(db)
    code = code_sent(db)
    complete(db, code)
    with pytest.raises(codes.CodeRejected) as replay:
        complete(db, code, password="yet another passphrase")
    assert replay.value.reason == "used"
    assert auth.authenticate(db, email="kim@example.com", password=NEW, ip=None)


def test_the_code_expires_after_ten_minutes(db, kim, clock):
    start(db)
    code = code_sent(db)
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(codes.CodeRejected) as late:
        complete(db, code)
    assert late.value.reason == "expired"


def test_five_wrong_codes_burn_it(db, kim):
    start(db)
    code = code_sent(db)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(codes.CodeRejected) as refused:
            complete(db, wrong)
        assert refused.value.attempts_left == left
    with pytest.raises(codes.CodeRejected):
        complete(db, wrong)
    with pytest.raises(codes.CodeRejected) as burned:
        complete(db, code)
    assert burned.value.reason == "burned"
    with pytest.raises(InvalidCredentials):
        auth.authenticate(db, email="kim@example.com", password=NEW, ip=None)


def test_a_new_code_voids_the_old_one(db, kim, clock):
    start(db)
    first = code_sent(db)
    clock.advance(minutes=2)  # past the resend cooldown
    start(db)
    second = code_sent(db)
    if first != second:
        with pytest.raises(codes.CodeRejected):
            complete(db, first)
    complete(db, second)


def test_a_registration_code_is_no_reset_code(db, kim, mails):
    """Codes never cross purposes: a code for another use of the address fails here."""
    other, _ = codes.issue_code(db, email="kim@example.com", purpose="register", ip=None)
    start(db)
    db.commit()
    with pytest.raises(codes.CodeRejected):
        complete(db, other)


def test_requests_are_rate_limited_with_the_wait_time(db, kim, clock):
    start(db)
    with pytest.raises(RateLimited) as cooldown:
        start(db)  # within the resend cooldown
    assert 0 < cooldown.value.retry_after <= 60
    for _ in range(2):
        clock.advance(minutes=2)
        start(db)
    clock.advance(minutes=2)
    with pytest.raises(RateLimited):
        start(db)  # the 4th within 15 minutes (G6)


def test_a_deactivated_account_gets_no_code(db, kim, mails):
    db.get(User, kim.id).is_active = False
    start(db)
    db.commit()
    assert [m.kind for m in mails.sent] == ["no_account"]


def test_an_invalid_address_is_refused_with_a_field_error(db):
    with pytest.raises(InvalidInput) as refused:
        start(db, "not-an-email")
    assert refused.value.field == "email"
    assert db.exec(select(func.count()).select_from(AuthSession)).one() == 0


def test_a_login_ticket_from_before_the_reset_no_longer_opens_a_session(db, kim):
    """Someone who passed the old password a moment before the reset gets no session."""
    earlier = sessions.log_in(
        db, email="kim@example.com", password=OLD, ip=None, requested_next=None, binding="theirs"
    )
    start(db)
    done = complete(db, code_sent(db))
    with pytest.raises(NotAuthenticated):
        sessions.exchange_login_ticket(db, token=earlier, binding="theirs")
    token, _, _ = sessions.exchange_login_ticket(db, token=done.login_ticket, binding="nonce")
    assert sessions.viewer_for_token(db, session_token=token).user_id == kim.id
