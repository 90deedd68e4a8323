"""Two-factor under 50 clients at once (issue 17, X1), on SQLite and PostgreSQL: one right code
logs in once; wrong codes stop at five."""

from __future__ import annotations

import pyotp
import pytest
from sqlmodel import func, select

from support_portal.db import session_scope
from support_portal.models import LoginTicket, Role, User
from support_portal.services import auth, sessions, two_factor
from tests.integration.test_throttle_concurrency import at_once, backend  # noqa: F401

pytestmark = pytest.mark.integration


def agent_with_two_factor() -> tuple[str, str]:
    with session_scope() as db:
        user = auth.create_user(
            db, name="Tess", email="tess@support.test", password="correct horse", role=Role.agent
        )
        secret = pyotp.random_base32()
        db.get(User, user.id).totp_secret = secret
        needed = sessions.log_in(
            db, email="tess@support.test", password="correct horse", ip=None,
            requested_next=None, binding="b",
        )  # fmt: skip
    return secret, needed.challenge


def test_one_right_code_sent_fifty_times_logs_in_once(backend):  # noqa: F811
    secret, challenge = agent_with_two_factor()
    code = pyotp.TOTP(secret).now()

    def attempt(_i: int) -> None:
        with session_scope() as db:
            two_factor.complete_login(db, challenge=challenge, code=code, binding="b")

    outcomes = at_once(attempt)
    assert outcomes["ok"] == 1
    assert set(outcomes) <= {"ok", "WrongCode", "RateLimited"}
    with session_scope() as db:
        assert db.exec(select(func.count()).select_from(LoginTicket)).one() == 1


def test_fifty_wrong_codes_at_once_are_checked_five_times(backend):  # noqa: F811
    _, challenge = agent_with_two_factor()

    def attempt(i: int) -> None:
        with session_scope() as db:
            two_factor.complete_login(db, challenge=challenge, code=f"{i:06d}", binding="b")

    outcomes = at_once(attempt)
    assert outcomes == {"WrongCode": 5, "RateLimited": 45}
