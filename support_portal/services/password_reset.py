"""Forgot password: an emailed 6-digit code, then a new password (P2, G3-G8, X4).

The request answers the same for a known and an unknown address, in the same time: both paths
issue a code under the same caps and cooldown (services.codes) and send one email straight to
the mail server. Only the email differs: an account's address gets the code; any other address
gets a note that there is no account with it (its code is never sent, so nobody can use it).

The code and the new password come together: the password rules are checked first (a typo
costs no attempt), then the code (hashed, 10 minutes, once, 5 tries, services.codes). A reset
ends every session of the account, tells the address by email (the outbox), and logs in only
the browser that entered the code (a login ticket bound to it, X5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from support_portal.models import User
from support_portal.services import audit, codes, mailer, session_endings, throttle
from support_portal.services.auth import check_password_rules, normalize_email
from support_portal.services.security import hash_password
from support_portal.services.sessions import create_login_ticket, landing_path

PURPOSE = "password_reset"
NOTICE_TEMPLATE = "account_password_reset"


@dataclass(frozen=True)
class ResetStarted:
    """What the page may show: the same for a known and an unknown address."""

    email: str
    expires_at: datetime
    resend_at: datetime


@dataclass(frozen=True)
class ResetDone:
    """A login ticket for the browser that reset the password, and the keys of the sessions
    the reset ended (server-side only: the UI layer purges their tabs' state, X2)."""

    login_ticket: str
    ended_sessions: list[str] = field(default_factory=list)


def start_reset(db: Session, *, email: str, locale: str | None, ip: str | None) -> ResetStarted:
    """Send a reset code to `email` if it has an account, else a note that it has none."""
    email = normalize_email(email)
    # The caps, the cooldown and the new code: the same work for every address (G6, X1).
    code, challenge = codes.issue_code(db, email=email, purpose=PURPOSE, ip=ip)
    user = db.exec(select(User).where(User.email == email)).first()
    if user is not None and user.is_active:
        mailer.send_reset_code(db, to_email=email, code=code, locale=user.locale or locale)
    else:
        mailer.send_no_account(db, to_email=email, locale=locale)
    audit.record(db, action="password_reset.requested", actor_kind="anonymous", ip=ip)
    return ResetStarted(
        email=email,
        expires_at=challenge.expires_at,
        resend_at=challenge.created_at + codes.RESEND_COOLDOWN,
    )


def complete_reset(
    db: Session, *, email: str, code: str, password: str, ip: str | None, binding: str | None
) -> ResetDone:
    """Check the new password's rules, then the code; set the password, end every session of
    the account, queue the notice, and return a login ticket bound to `binding`."""
    email = normalize_email(email)
    check_password_rules(password)  # before the code: a short password costs no attempt
    codes.verify_code(db, email=email, purpose=PURPOSE, code=code, ip=ip)
    user = db.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active or user.id is None:
        # Only a guessed code gets here: the code of an address without an account is never
        # sent. It reads like any wrong code.
        raise codes.CodeRejected("wrong", attempts_left=0)
    ended = session_endings.new_password(
        db,
        user,
        password_hash=hash_password(password),
        action="password.reset",
        notice_template=NOTICE_TEMPLATE,
        ip=ip,
    )
    # Failed logins before the reset no longer slow the account down.
    throttle.clear(db, scope="login_account", key=email)
    ticket = create_login_ticket(
        db, user_id=user.id, next_path=landing_path(str(user.role)), binding=binding
    )
    return ResetDone(login_ticket=ticket, ended_sessions=ended)
