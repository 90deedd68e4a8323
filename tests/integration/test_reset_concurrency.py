"""Password reset and password change hold their limits when 50 clients hit them at once, on
SQLite and on PostgreSQL (X1, G5-G7, P3): the same 50-thread harness as the throttle tests."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import GuestChallenge, RateEvent
from support_portal.services import account_settings, auth, codes, password_reset, sessions
from support_portal.services.errors import InvalidCredentials
from tests.integration.test_throttle_concurrency import (  # noqa: F401  (the backend fixture)
    CLIENTS,
    PASSWORD,
    at_once,
    backend,
    count,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("backend")]
EMAIL = "carol@example.com"
NEW = "a brand new passphrase"


def carol() -> int:
    with session_scope() as db:
        return auth.create_user(
            db, name="Carol", email=EMAIL, password=PASSWORD, email_verified=True
        ).id


def reset_code(mails) -> str:
    with session_scope() as db:
        password_reset.start_reset(db, email=EMAIL, locale="en", ip="192.0.2.1")
    return mails.last_code(EMAIL)


def complete(code: str, i: int) -> None:
    with session_scope() as db:
        password_reset.complete_reset(
            db, email=EMAIL, code=code, password=NEW, ip=f"198.51.100.{i}", binding=f"b{i}"
        )


def password_is(password: str) -> bool:
    with session_scope() as db:
        try:
            auth.authenticate(db, email=EMAIL, password=password, ip="203.0.113.9")
        except InvalidCredentials:
            return False
        return True


def attempts() -> int:
    with session_scope() as db:
        return db.exec(select(GuestChallenge.attempts)).one()


def test_fifty_parallel_reset_requests_for_one_address_send_exactly_one_code(mails):
    carol()

    def request(i: int) -> None:
        with session_scope() as db:
            password_reset.start_reset(db, email=EMAIL, locale="en", ip=f"198.51.100.{i}")

    outcomes = at_once(request)
    assert outcomes == {"ok": 1, "RateLimited": CLIENTS - 1}
    assert count(GuestChallenge) == 1
    assert [m.kind for m in mails.sent] == ["reset_code"]


def test_the_same_code_from_fifty_browsers_at_once_resets_exactly_once(mails):
    carol()
    code = reset_code(mails)
    outcomes = at_once(lambda i: complete(code, i))
    assert outcomes == {"ok": 1, "CodeRejected": CLIENTS - 1}
    assert password_is(NEW)


def test_fifty_parallel_wrong_codes_spend_exactly_five_attempts_and_burn_it(mails):
    carol()
    code = reset_code(mails)
    wrong = "000000" if code != "000000" else "111111"
    outcomes = at_once(lambda i: complete(wrong, i))
    assert outcomes == {"CodeRejected": CLIENTS}
    assert attempts() == codes.MAX_ATTEMPTS
    with pytest.raises(codes.CodeRejected) as burned:
        complete(code, 99)
    assert burned.value.reason == "burned"
    assert password_is(PASSWORD)


def test_the_right_code_among_fifty_parallel_guesses_never_adds_guesses(mails):
    carol()
    code = reset_code(mails)
    wrong = "000000" if code != "000000" else "111111"
    outcomes = at_once(lambda i: complete(code if i == 25 else wrong, i))
    # The right code got in only if it was among the five attempts the counter allowed.
    assert outcomes["ok"] <= 1
    assert outcomes["CodeRejected"] == CLIENTS - outcomes["ok"]
    assert attempts() <= codes.MAX_ATTEMPTS
    assert password_is(NEW) == (outcomes["ok"] == 1)


def test_fifty_parallel_wrong_current_passwords_reach_the_check_exactly_five_times():
    user_id = carol()
    with session_scope() as db:
        ticket = sessions.create_login_ticket(db, user_id=user_id)
        token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
        viewer = sessions.viewer_for_token(db, session_token=token)

    def change(_i: int) -> None:
        with session_scope() as db:
            account_settings.change_password(
                db, viewer=viewer, current_password="guess", new_password=NEW, ip=None
            )

    outcomes = at_once(change)
    limit = account_settings.PASSWORD_CHECKS[0]
    assert outcomes == {"InvalidInput": limit, "RateLimited": CLIENTS - limit}
    assert count(RateEvent, RateEvent.scope == "password_check") == limit
    assert password_is(PASSWORD)
