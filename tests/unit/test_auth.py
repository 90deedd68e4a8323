"""Accounts, passwords, login throttling and server-side sessions (P1-P4, A6)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from support_portal.models import AuditEvent, AuthSession, LoginTicket, RateEvent, Role, utcnow
from support_portal.services import auth, security, session_endings, sessions
from support_portal.services.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    RateLimited,
)
from tests.unit.conftest import session_token_for

PASSWORD = "correct horse battery"


def register(db: Session, email: str = "carol@example.com", password: str = PASSWORD, **kw):
    return auth.create_user(db, name=kw.pop("name", "Carol"), email=email, password=password, **kw)


def session_row(db: Session, token: str) -> AuthSession:
    return db.exec(
        select(AuthSession).where(AuthSession.token_hash == security.token_hash(token))
    ).one()


# Registration


def test_a_new_customer_is_registered_with_a_clean_name_and_lowercased_email(db):
    user = register(db, email="  Carol@Example.COM ", name="  Carol \t  Smith\r\n")
    assert user.email == "carol@example.com"
    assert user.name == "Carol Smith"
    assert user.role == "customer"
    assert not user.email_verified


def test_the_public_user_never_carries_the_password_hash(db):
    user = register(db)
    assert not any("hash" in name for name in vars(user))


def test_an_email_can_register_only_once_whatever_its_case(db):
    register(db, email="carol@example.com")
    with pytest.raises(EmailTaken):
        register(db, email="CAROL@example.com")


@pytest.mark.parametrize(
    "email",
    ["", "carol", "carol@", "@example.com", "carol@example", "ca rol@example.com",
     "carol@exa@mple.com", "carol@example.com\r\nBcc: x@evil.test", "carol<x>@example.com",
     "a" * 250 + "@example.com"],
)  # fmt: skip
def test_invalid_emails_are_refused_on_the_email_field(db, email):
    with pytest.raises(InvalidInput) as refused:
        register(db, email=email)
    assert refused.value.field == "email"


@pytest.mark.parametrize("name", ["", "   ", "\r\n\t", "x" * 121])
def test_empty_or_overlong_names_are_refused(db, name):
    with pytest.raises(InvalidInput) as refused:
        register(db, name=name)
    assert refused.value.field == "name"


def test_control_characters_never_survive_in_a_name(db):
    with pytest.raises(InvalidInput):
        register(db, name="Eve\x00\x07")


def test_passwords_shorter_than_ten_characters_are_refused(db):
    with pytest.raises(InvalidInput) as refused:
        register(db, password="short")
    assert refused.value.field == "password"
    assert refused.value.params == {"min": 10}


def test_registration_is_audited(db):
    user = register(db)
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert actions == ["user.created"]


# Login (P2)


def test_the_right_password_logs_in(db):
    user = register(db)
    logged_in = auth.authenticate(db, email="Carol@Example.com ", password=PASSWORD, ip="1.2.3.4")
    assert logged_in.id == user.id


def test_unknown_email_and_wrong_password_get_the_same_answer(db):
    register(db)
    with pytest.raises(InvalidCredentials) as wrong_password:
        auth.authenticate(db, email="carol@example.com", password="not the password", ip=None)
    with pytest.raises(InvalidCredentials) as unknown_email:
        auth.authenticate(db, email="nobody@example.com", password="not the password", ip=None)
    assert str(wrong_password.value) == str(unknown_email.value)
    assert wrong_password.value.message == "Email or password is incorrect."
    assert wrong_password.value.params == unknown_email.value.params == {}


def test_an_unknown_email_is_still_checked_against_a_hash(db, monkeypatch):
    checked = []
    real_verify = security.passwords.verify
    monkeypatch.setattr(
        security.passwords, "verify", lambda pw, h: checked.append(h) or real_verify(pw, h)
    )
    with pytest.raises(InvalidCredentials):
        auth.authenticate(db, email="nobody@example.com", password="whatever123", ip=None)
    assert checked == [security._DUMMY_HASH]


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password(db):
    user = register(db)
    from support_portal.models import User

    db.get(User, user.id).is_active = False
    with pytest.raises(InvalidCredentials):
        auth.authenticate(db, email="carol@example.com", password=PASSWORD, ip=None)


@pytest.mark.real_hashing
def test_unknown_email_and_wrong_password_take_similar_time(db, monkeypatch):
    """P2 is a security property: the gap must not reveal whether the account exists."""
    monkeypatch.setattr(auth, "LOGIN_FAILURES_PER_ACCOUNT", 1000)
    register(db)

    def timed(email: str) -> float:
        start = time.perf_counter()
        with pytest.raises(InvalidCredentials):
            auth.authenticate(db, email=email, password="not the password", ip=None)
        return time.perf_counter() - start

    timed("carol@example.com")  # warm up
    known, unknown = [], []
    for _ in range(20):  # interleaved, so a busy machine slows both paths alike
        known.append(timed("carol@example.com"))
        unknown.append(timed("nobody@example.com"))
    # The fastest run of each path is its intrinsic cost; medians swing with machine load.
    assert abs(min(known) - min(unknown)) < 0.050


# Password storage (P1)


@pytest.mark.real_hashing
def test_passwords_are_stored_as_argon2id_with_64_mib_and_3_passes(db):
    from support_portal.models import User

    user = register(db)
    stored = db.get(User, user.id).password_hash
    _, variant, version, params, _salt, _digest = stored.split("$")
    assert variant == "argon2id"
    assert version == "v=19"
    parsed = dict(part.split("=") for part in params.split(","))
    assert int(parsed["m"]) == 65536
    assert int(parsed["t"]) == 3
    assert PASSWORD not in stored


def test_two_long_passwords_that_differ_after_byte_72_do_not_both_verify():
    first = "a" * 72 + "b" + "c" * 7
    second = "a" * 72 + "X" + "c" * 7
    assert len(first.encode()) == len(second.encode()) == 80
    stored = security.hash_password(first)
    assert security.verify_password(first, stored)
    assert not security.verify_password(second, stored)


def test_passphrases_of_64_characters_and_more_are_accepted(db):
    long_password = "a long passphrase that keeps going and going and going " * 3
    assert len(long_password) > 64
    register(db, password=long_password)
    assert auth.authenticate(db, email="carol@example.com", password=long_password, ip=None)


def test_a_corrupt_stored_hash_fails_closed():
    assert not security.verify_password("anything at all", "not-a-hash")


# Throttling (P3)


def fail_login(db: Session, email: str = "carol@example.com", ip: str | None = None) -> None:
    with pytest.raises(InvalidCredentials):
        auth.authenticate(db, email=email, password="wrong password", ip=ip)


def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_a_wait(db):
    register(db)
    for _ in range(auth.LOGIN_FAILURES_PER_ACCOUNT):
        fail_login(db)
    with pytest.raises(RateLimited) as limited:
        auth.authenticate(db, email="carol@example.com", password=PASSWORD, ip=None)
    assert 0 < limited.value.retry_after <= auth.LOGIN_WINDOW.total_seconds() + 1


def test_login_failures_survive_the_callers_rollback(db):
    register(db)
    db.commit()
    for _ in range(auth.LOGIN_FAILURES_PER_ACCOUNT):
        fail_login(db)
        db.rollback()
    failures = db.exec(
        select(func.count(RateEvent.id)).where(RateEvent.scope == "login_account")
    ).one()
    assert failures == auth.LOGIN_FAILURES_PER_ACCOUNT
    with pytest.raises(RateLimited):
        auth.authenticate(db, email="carol@example.com", password=PASSWORD, ip=None)


def test_the_account_limit_also_applies_to_unknown_emails(db):
    for _ in range(auth.LOGIN_FAILURES_PER_ACCOUNT):
        fail_login(db, email="nobody@example.com")
    with pytest.raises(RateLimited):
        auth.authenticate(db, email="nobody@example.com", password="anything", ip=None)


def test_one_ip_guessing_many_accounts_is_throttled(db):
    for n in range(auth.LOGIN_FAILURES_PER_IP):
        fail_login(db, email=f"user{n}@example.com", ip="203.0.113.9")
    with pytest.raises(RateLimited):
        auth.authenticate(db, email="fresh@example.com", password="anything", ip="203.0.113.9")
    fail_login(db, email="fresh@example.com", ip="198.51.100.1")  # another IP still may try


def test_a_successful_login_clears_the_account_failures(db):
    register(db)
    for _ in range(auth.LOGIN_FAILURES_PER_ACCOUNT - 1):
        fail_login(db)
    auth.authenticate(db, email="carol@example.com", password=PASSWORD, ip=None)
    for _ in range(auth.LOGIN_FAILURES_PER_ACCOUNT - 1):
        fail_login(db)
    assert auth.authenticate(db, email="carol@example.com", password=PASSWORD, ip=None)


def test_failures_older_than_the_window_no_longer_count(db, clock):
    register(db)
    for _ in range(auth.LOGIN_FAILURES_PER_ACCOUNT):
        fail_login(db)
    clock.advance(seconds=auth.LOGIN_WINDOW.total_seconds() + 1)
    assert auth.authenticate(db, email="carol@example.com", password=PASSWORD, ip=None)


def test_failed_logins_are_audited_without_the_password(db):
    register(db)
    fail_login(db, ip="192.0.2.7")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()
    assert event.ip == "192.0.2.7"
    assert "wrong password" not in str(event.detail)


# Sessions (P4, A6)


def test_a_login_ticket_becomes_a_session_for_that_user(db):
    user = register(db)
    ticket = sessions.create_login_ticket(db, user_id=user.id, next_path="/tickets/12345678")
    token, max_age, next_path = sessions.exchange_login_ticket(db, token=ticket, ip="192.0.2.1")
    viewer = sessions.viewer_for_token(db, session_token=token)
    assert viewer.user_id == user.id
    assert viewer.role == Role.customer
    assert not viewer.is_agent
    assert next_path == "/tickets/12345678"
    assert max_age == 30 * 24 * 3600


def test_the_database_keeps_only_hashes_of_session_and_login_tokens(db):
    user = register(db)
    ticket = sessions.create_login_ticket(db, user_id=user.id)
    stored_ticket = db.exec(select(LoginTicket)).one()
    assert stored_ticket.token_hash == security.token_hash(ticket) != ticket
    token = sessions.exchange_login_ticket(db, token=ticket)[0]
    assert session_row(db, token).token_hash != token


def test_a_login_ticket_works_only_once(db):
    user = register(db)
    ticket = sessions.create_login_ticket(db, user_id=user.id)
    sessions.exchange_login_ticket(db, token=ticket)
    with pytest.raises(NotAuthenticated):
        sessions.exchange_login_ticket(db, token=ticket)


def test_an_expired_login_ticket_is_refused(db):
    user = register(db)
    ticket = sessions.create_login_ticket(db, user_id=user.id)
    row = db.exec(select(LoginTicket)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    with pytest.raises(NotAuthenticated):
        sessions.exchange_login_ticket(db, token=ticket)


def test_a_made_up_login_ticket_is_refused(db):
    with pytest.raises(NotAuthenticated):
        sessions.exchange_login_ticket(db, token="made-up")


def test_a_login_ticket_bound_to_a_browser_works_only_with_that_browsers_nonce(db):
    """X5: an attacker's own ticket sent to a victim logs the victim into nothing."""
    user = register(db)
    ticket = sessions.create_login_ticket(db, user_id=user.id, binding="nonce-of-my-browser")
    with pytest.raises(NotAuthenticated):
        sessions.exchange_login_ticket(db, token=ticket)
    with pytest.raises(NotAuthenticated):
        sessions.exchange_login_ticket(db, token=ticket, binding="nonce-of-another-browser")
    token, _, _ = sessions.exchange_login_ticket(db, token=ticket, binding="nonce-of-my-browser")
    assert sessions.viewer_for_token(db, session_token=token).user_id == user.id


def test_the_binding_nonce_is_stored_only_as_a_hash(db):
    user = register(db)
    sessions.create_login_ticket(db, user_id=user.id, binding="nonce-of-my-browser")
    row = db.exec(select(LoginTicket)).one()
    assert row.binding_hash == security.token_hash("nonce-of-my-browser")


def test_a_login_ticket_is_for_a_user_or_a_guest_never_both(db):
    user = register(db)
    with pytest.raises(ValueError):
        sessions.create_login_ticket(db, user_id=user.id, guest_email="carol@example.com")
    with pytest.raises(ValueError):
        sessions.create_login_ticket(db)


def test_logout_ends_the_session_on_the_server(db):
    user = register(db)
    token = session_token_for(db, user_id=user.id)
    assert sessions.viewer_for_token(db, session_token=token) is not None
    sessions.revoke_session(db, session_token=token)
    assert sessions.viewer_for_token(db, session_token=token) is None


def test_revoking_all_sessions_ends_every_device(db):
    user = register(db)
    tokens = [session_token_for(db, user_id=user.id) for _ in range(3)]
    session_endings.revoke_all_sessions(db, user_id=user.id)
    assert [sessions.viewer_for_token(db, session_token=t) for t in tokens] == [None, None, None]


@pytest.mark.parametrize("token", [None, "", "not-a-session"])
def test_no_session_or_an_unknown_one_is_anonymous(db, token):
    assert sessions.viewer_for_token(db, session_token=token) is None


def test_a_session_idle_for_longer_than_its_idle_lifetime_expires(db):
    user = register(db)
    token = session_token_for(db, user_id=user.id)
    row = session_row(db, token)
    row.last_seen_at = utcnow() - timedelta(minutes=row.idle_minutes, seconds=1)
    assert sessions.viewer_for_token(db, session_token=token) is None


def test_using_a_session_keeps_it_alive(db):
    user = register(db)
    token = session_token_for(db, user_id=user.id)
    row = session_row(db, token)
    row.last_seen_at = utcnow() - timedelta(minutes=row.idle_minutes - 1)
    assert sessions.viewer_for_token(db, session_token=token) is not None
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_a_session_past_its_absolute_lifetime_expires_even_when_in_use(db):
    user = register(db)
    token = session_token_for(db, user_id=user.id)
    row = session_row(db, token)
    row.expires_at = utcnow() - timedelta(seconds=1)
    row.last_seen_at = utcnow()
    assert sessions.viewer_for_token(db, session_token=token) is None


def test_sessions_expire_by_the_clock_without_anyone_touching_the_rows(db, clock):
    user = register(db)
    token = session_token_for(db, user_id=user.id)
    clock.advance(days=6)
    assert sessions.viewer_for_token(db, session_token=token) is not None  # touched at day 6
    clock.advance(days=6)
    assert sessions.viewer_for_token(db, session_token=token) is not None  # touched at day 12
    clock.advance(days=19)
    assert sessions.viewer_for_token(db, session_token=token) is None  # past 30 days in all


def test_guest_sessions_are_short_and_scoped_to_the_email(db):
    ticket = sessions.create_login_ticket(db, guest_email="guest@example.com")
    token, max_age, _ = sessions.exchange_login_ticket(db, token=ticket)
    viewer = sessions.viewer_for_token(db, session_token=token)
    assert viewer.is_guest
    assert viewer.email == "guest@example.com"
    assert viewer.user_id is None
    assert not viewer.is_agent
    assert max_age == 12 * 3600
    assert session_row(db, token).idle_minutes == 30


def test_a_deactivated_users_sessions_stop_working(db):
    from support_portal.models import User

    user = register(db)
    token = session_token_for(db, user_id=user.id)
    db.get(User, user.id).is_active = False
    assert sessions.viewer_for_token(db, session_token=token) is None


# Redirects after login


@pytest.mark.parametrize(
    "path",
    [None, "", "//evil.test", "//evil.test/tickets", "https://x", "http://evil.test/",
     "javascript:alert(1)", "/\\evil.test", "\\\\evil.test", "/tickets\\..\\x",
     "tickets", "/tickets\r\nSet-Cookie: x=1", "/\t/evil.test"],
)  # fmt: skip
def test_next_paths_that_could_leave_the_site_fall_back_to_home(path):
    assert auth.safe_next_path(path) == "/"


@pytest.mark.parametrize("path", ["/", "/tickets", "/tickets/12345678?tab=closed#m5"])
def test_same_site_paths_are_kept(path):
    assert auth.safe_next_path(path) == path


def test_a_login_ticket_never_stores_an_unsafe_next_path(db):
    user = register(db)
    ticket = sessions.create_login_ticket(db, user_id=user.id, next_path="//evil.test")
    assert sessions.exchange_login_ticket(db, token=ticket)[2] == "/"


def test_a_login_is_one_call_that_leads_to_the_right_page(db):
    """The login form's use case: the password check and the ticket, bound to the browser."""
    register(db)
    ticket = sessions.log_in(
        db,
        email="carol@example.com",
        password=PASSWORD,
        ip="192.0.2.1",
        requested_next="//evil.test",
        binding="my-browser",
    )
    _, _, next_path = sessions.exchange_login_ticket(db, token=ticket, binding="my-browser")
    assert next_path == "/tickets"
    with pytest.raises(InvalidCredentials):
        sessions.log_in(
            db, email="carol@example.com", password="wrong", ip=None, requested_next=None,
            binding="my-browser",
        )  # fmt: skip
    assert sessions.landing_path("agent") == "/admin"
    assert sessions.landing_path("customer", "/tickets/12345678") == "/tickets/12345678"
