"""The account page's rules: name and language, the password change (current password needed,
other sessions end, the address is told), and the sessions list with log out per session and
everywhere else (A1, A6, P3, X2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from support_portal.models import AuditEvent, AuthSession, OutboxEmail, User
from support_portal.services import account_settings, auth, sessions
from support_portal.services.errors import (
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    RateLimited,
)
from tests.unit.conftest import guest_viewer, make_viewer, session_token_for

PASSWORD = "correct horse battery"  # make_viewer's
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def other_session(db: Session, user_id: int, *, ua: str = IPHONE, ip: str = "198.51.100.7"):
    """Another browser of the same account: (session token, viewer)."""
    ticket = sessions.create_login_ticket(db, user_id=user_id)
    token, _, _ = sessions.exchange_login_ticket(db, token=ticket, ip=ip, user_agent=ua)
    return token, sessions.viewer_for_token(db, session_token=token)


def test_devices_are_named_from_the_user_agent():
    assert account_settings.describe_device(FIREFOX) == ("Firefox", "Linux")
    assert account_settings.describe_device(IPHONE) == ("Safari", "iPhone")
    edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126"
    assert account_settings.describe_device(edge) == ("Edge", "Windows")
    assert account_settings.describe_device(None) == ("", "")


def test_the_overview_lists_this_session_first_then_the_others_without_their_keys(db, alice):
    token, _ = other_session(db, alice.user_id)
    bob = make_viewer(db, name="Bob", email="bob@example.com")
    found = account_settings.overview(db, viewer=alice)
    assert (found.name, found.email, found.locale) == ("Alice", "alice@example.com", None)
    assert [s.current for s in found.sessions] == [True, False]
    other = found.sessions[1]
    assert (other.browser, other.system, other.ip) == ("Safari", "iPhone", "198.51.100.7")
    assert bob.session_id not in [s.id for s in found.sessions]  # only the account's own
    assert sessions.session_key(token) not in repr(found)  # A5: never a key


def test_ended_and_expired_sessions_are_not_listed(db, alice):
    _, ended = other_session(db, alice.user_id)
    _, idle = other_session(db, alice.user_id)
    account_settings.end_session(db, viewer=alice, session_id=ended.session_id)
    db.get(AuthSession, idle.session_id).last_seen_at -= timedelta(days=30)
    listed = [s.id for s in account_settings.list_sessions(db, viewer=alice)]
    assert listed == [alice.session_id]


def test_logging_out_one_other_session_ends_it_and_nothing_else(db, alice):
    token_a, a = other_session(db, alice.user_id)
    token_b, _ = other_session(db, alice.user_id)
    ended = account_settings.end_session(db, viewer=alice, session_id=a.session_id)
    assert ended == [sessions.session_key(token_a)]
    assert sessions.viewer_for_token(db, session_token=token_a) is None
    assert sessions.viewer_for_token(db, session_token=token_b) is not None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "session.ended")).first()


def test_nobody_ends_another_accounts_session_by_its_id(db, alice, bob):
    """A1: another account's session id ends nothing, and looks like an ended one."""
    assert account_settings.end_session(db, viewer=alice, session_id=bob.session_id) == []
    assert db.get(AuthSession, bob.session_id).revoked_at is None
    # Its own session is ended with "Log out", not from this list.
    assert account_settings.end_session(db, viewer=alice, session_id=alice.session_id) == []
    assert db.get(AuthSession, alice.session_id).revoked_at is None


def test_log_out_everywhere_else_keeps_only_this_session(db, alice, bob):
    tokens = [other_session(db, alice.user_id)[0] for _ in range(3)]
    ended = account_settings.end_other_sessions(db, viewer=alice)
    assert sorted(ended) == sorted(sessions.session_key(t) for t in tokens)
    assert all(sessions.viewer_for_token(db, session_token=t) is None for t in tokens)
    assert db.get(AuthSession, alice.session_id).revoked_at is None
    assert db.get(AuthSession, bob.session_id).revoked_at is None


def test_guests_and_ended_sessions_get_no_account_page(db, alice):
    guest = guest_viewer(db, "gus@example.net")
    for call in (
        lambda v: account_settings.overview(db, viewer=v),
        lambda v: account_settings.end_other_sessions(db, viewer=v),
        lambda v: account_settings.save_profile(db, viewer=v, name="X", locale="en"),
    ):
        with pytest.raises(NotAuthenticated):
            call(guest)
        with pytest.raises(NotAuthenticated):
            call(None)
    db.get(User, alice.user_id).is_active = False
    with pytest.raises(NotAuthenticated):
        account_settings.overview(db, viewer=alice)


def test_the_name_and_language_are_saved_and_checked(db, alice):
    saved = account_settings.save_profile(db, viewer=alice, name="  Alice   Novak ", locale="cs")
    assert (saved.name, saved.locale) == ("Alice Novak", "cs")
    user = db.get(User, alice.user_id)
    assert (user.name, user.locale) == ("Alice Novak", "cs")
    with pytest.raises(InvalidInput) as empty:
        account_settings.save_profile(db, viewer=alice, name="   ", locale="cs")
    assert empty.value.field == "name"
    with pytest.raises(InvalidInput) as header:
        account_settings.save_profile(db, viewer=alice, name="x" * 121, locale="cs")
    assert header.value.field == "name"
    with pytest.raises(InvalidInput) as language:
        account_settings.save_profile(db, viewer=alice, name="Alice", locale="xx")
    assert language.value.field == "locale"


def test_changing_the_password_needs_the_current_one(db, alice):
    with pytest.raises(InvalidInput) as wrong:
        account_settings.change_password(
            db, viewer=alice, current_password="not it", new_password="a new passphrase", ip=None
        )
    assert wrong.value.field == "current_password"
    assert auth.authenticate(db, email="alice@example.com", password=PASSWORD, ip=None)


def test_the_new_password_follows_the_length_rules(db, alice):
    with pytest.raises(InvalidInput) as short:
        account_settings.change_password(
            db, viewer=alice, current_password=PASSWORD, new_password="short", ip=None
        )
    assert short.value.field == "password"
    with pytest.raises(InvalidInput):
        account_settings.change_password(
            db, viewer=alice, current_password=PASSWORD, new_password="x" * 1025, ip=None
        )


def test_a_password_change_ends_the_other_sessions_and_tells_the_address(db, alice, bob):
    token, _ = other_session(db, alice.user_id)
    ended = account_settings.change_password(
        db, viewer=alice, current_password=PASSWORD, new_password="a new passphrase", ip=None
    )
    assert ended == [sessions.session_key(token)]
    assert sessions.viewer_for_token(db, session_token=token) is None
    assert db.get(AuthSession, alice.session_id).revoked_at is None  # this browser stays in
    assert db.get(AuthSession, bob.session_id).revoked_at is None
    assert auth.authenticate(db, email="alice@example.com", password="a new passphrase", ip=None)
    with pytest.raises(InvalidCredentials):
        auth.authenticate(db, email="alice@example.com", password=PASSWORD, ip=None)
    [notice] = db.exec(select(OutboxEmail)).all()
    assert (notice.to_email, notice.template) == ("alice@example.com", "account_password_changed")


def test_wrong_current_passwords_are_throttled_per_account(db, alice):
    for _ in range(account_settings.PASSWORD_CHECKS[0]):
        with pytest.raises(InvalidInput):
            account_settings.change_password(
                db, viewer=alice, current_password="guess", new_password="a new passphrase", ip=None
            )
    with pytest.raises(RateLimited):
        account_settings.change_password(
            db, viewer=alice, current_password=PASSWORD, new_password="a new passphrase", ip=None
        )
    assert auth.authenticate(db, email="alice@example.com", password=PASSWORD, ip=None)


def test_the_right_current_password_gives_its_slot_back(db, alice):
    for n in range(account_settings.PASSWORD_CHECKS[0] + 1):
        account_settings.change_password(
            db,
            viewer=alice,
            current_password=PASSWORD if n % 2 == 0 else "another passphrase",
            new_password="another passphrase" if n % 2 == 0 else PASSWORD,
            ip=None,
        )


def test_the_time_zone_is_one_from_the_list_or_the_browsers(db, alice):
    saved = account_settings.save_profile(
        db, viewer=alice, name="Alice", locale="en", timezone="Europe/Prague"
    )
    assert saved.timezone == "Europe/Prague"
    assert db.get(User, alice.user_id).timezone == "Europe/Prague"
    # The viewer carries it, so every page shows dates in it.
    token = session_token_for(db, user_id=alice.user_id)
    assert sessions.viewer_for_token(db, session_token=token).timezone == "Europe/Prague"
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "US/Eastern"):
        with pytest.raises(InvalidInput) as refused:
            account_settings.save_profile(db, viewer=alice, name="Alice", locale="en", timezone=bad)
        assert refused.value.field == "timezone"
    cleared = account_settings.save_profile(db, viewer=alice, name="Alice", locale="en")
    assert cleared.timezone is None and db.get(User, alice.user_id).timezone is None


def test_a_login_ticket_from_before_the_change_no_longer_opens_a_session(db, alice):
    earlier = sessions.log_in(
        db, email="alice@example.com", password=PASSWORD, ip=None, requested_next=None,
        binding="theirs",
    )  # fmt: skip
    account_settings.change_password(
        db, viewer=alice, current_password=PASSWORD, new_password="a new passphrase", ip=None
    )
    with pytest.raises(NotAuthenticated):
        sessions.exchange_login_ticket(db, token=earlier, binding="theirs")
