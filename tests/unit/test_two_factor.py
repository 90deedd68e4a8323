"""Two-factor authentication for agents (issue 17): enrolment, the login's second step, codes
used once, recovery codes, throttling, admin reset."""

from __future__ import annotations

import pyotp
import pytest
from sqlmodel import select

from support_portal.models import AuditEvent, User
from support_portal.services import sessions, two_factor
from support_portal.services.errors import InvalidInput, PermissionDenied, RateLimited
from support_portal.services.login_challenge import SecondFactorNeeded

PASSWORD = "correct horse battery"


def enrol(db, viewer) -> tuple[str, list[str]]:
    started = two_factor.start(db, viewer=viewer)
    assert started.qr_svg.startswith("<?xml") or "<svg" in started.qr_svg
    assert started.secret in started.uri
    codes = two_factor.confirm(
        db, viewer=viewer, secret=started.secret, code=pyotp.TOTP(started.secret).now()
    )
    return started.secret, codes


def log_in(db, viewer, binding="nonce-1"):
    return sessions.log_in(
        db, email=viewer.email, password=PASSWORD, ip="203.0.113.9", requested_next=None,
        binding=binding,
    )  # fmt: skip


def test_without_two_factor_the_password_is_enough(db, agent):
    assert isinstance(log_in(db, agent), str)


def test_enrolment_needs_a_right_code_and_gives_ten_recovery_codes(db, agent):
    started = two_factor.start(db, viewer=agent)
    with pytest.raises(two_factor.WrongCode):
        two_factor.confirm(db, viewer=agent, secret=started.secret, code="000000")
    assert db.get(User, agent.user_id).totp_secret is None
    secret, codes = enrol(db, agent)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert db.get(User, agent.user_id).totp_secret == secret
    assert two_factor.recovery_codes_left(db, viewer=agent) == 10


def test_login_then_asks_for_a_code_and_accepts_each_code_once(db, agent):
    secret, _ = enrol(db, agent)
    # The code of the current step went to enrolment: the login needs the next one.
    step = pyotp.TOTP(secret)
    db.get(User, agent.user_id).totp_last_step = step.timecode(two_factor.utcnow()) - 2
    needed = log_in(db, agent)
    assert isinstance(needed, SecondFactorNeeded)
    code = step.now()
    ticket = two_factor.complete_login(db, challenge=needed.challenge, code=code, binding="nonce-1")
    assert isinstance(ticket, str)
    with pytest.raises(two_factor.WrongCode):  # the same code again
        two_factor.complete_login(db, challenge=needed.challenge, code=code, binding="nonce-1")


def test_the_challenge_is_bound_to_the_browser_and_cannot_be_forged(db, agent):
    secret, _ = enrol(db, agent)
    needed = log_in(db, agent, binding="mine")
    code = pyotp.TOTP(secret).now()
    with pytest.raises(two_factor.LoginExpired):
        two_factor.complete_login(db, challenge=needed.challenge, code=code, binding="theirs")
    with pytest.raises(two_factor.LoginExpired):
        two_factor.complete_login(db, challenge=needed.challenge + "x", code=code, binding="mine")


def test_a_recovery_code_works_once(db, agent):
    _, codes = enrol(db, agent)
    needed = log_in(db, agent)
    two_factor.complete_login(db, challenge=needed.challenge, code=codes[0], binding="nonce-1")
    with pytest.raises(two_factor.WrongCode):
        two_factor.complete_login(db, challenge=needed.challenge, code=codes[0], binding="nonce-1")
    assert two_factor.recovery_codes_left(db, viewer=agent) == 9
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "two_factor.recovery_used")).all()


def test_wrong_codes_are_throttled_after_five(db, agent):
    enrol(db, agent)
    needed = log_in(db, agent)
    for _ in range(5):
        with pytest.raises(two_factor.WrongCode):
            two_factor.complete_login(
                db, challenge=needed.challenge, code="123456", binding="nonce-1"
            )
    with pytest.raises(RateLimited):
        two_factor.complete_login(db, challenge=needed.challenge, code="123456", binding="nonce-1")


def test_disable_needs_the_password_and_admins_can_reset(db, agent, admin):
    enrol(db, agent)
    with pytest.raises(InvalidInput):
        two_factor.disable(db, viewer=agent, password="wrong")
    two_factor.disable(db, viewer=agent, password=PASSWORD)
    assert not two_factor.is_enabled(db, viewer=agent)
    enrol(db, agent)
    with pytest.raises(PermissionDenied):
        two_factor.reset(db, viewer=agent, user_id=agent.user_id)
    two_factor.reset(db, viewer=admin, user_id=agent.user_id)
    assert isinstance(log_in(db, agent), str)
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "two_factor.reset")).one()


def test_customers_cannot_enrol(db, alice):
    with pytest.raises(PermissionDenied):
        two_factor.start(db, viewer=alice)


def test_the_viewer_says_whether_two_factor_is_on(db, agent):
    enrol(db, agent)
    token = sessions.exchange_login_ticket(
        db, token=sessions.create_login_ticket(db, user_id=agent.user_id)
    )[0]
    assert sessions.viewer_for_token(db, session_token=token).two_factor
