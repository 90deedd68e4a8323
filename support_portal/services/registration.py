"""Creating an account: the form, then the emailed 6-digit code (X4, P2, G8).

The page answers the same for a known and an unknown address, in the same time: both paths
hash the password, keep a pending registration, issue a code under the same caps and send one
email. Only the email differs: an unknown address gets the code; a known one gets a notice that
someone tried to create an account with it (its code is never sent, so nobody can finish that
registration).

The account exists only once the code is entered, in the browser that submitted the form
(its pending id lives in that browser's server-side state): a registration in someone else's
name never becomes an account, and never holds an address hostage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, select, update

from support_portal.i18n import _
from support_portal.models import PendingRegistration, Ticket, User, utcnow
from support_portal.services import audit, codes, mailer, throttle
from support_portal.services.auth import check_password_rules, clean_name, normalize_email
from support_portal.services.errors import DomainError
from support_portal.services.security import hash_password
from support_portal.services.sessions import create_login_ticket

PURPOSE = "register"
PENDING_TTL = timedelta(hours=24)
# Each registration costs an argon2 hash (64 MiB) and an email: a household or an office
# rarely creates more than a few accounts an hour (RATE_LIMIT_IP_FACTOR scales it).
REGISTER_PER_IP = (5, timedelta(hours=1))
REGISTER_PER_EMAIL = (3, timedelta(hours=1))


class RegistrationExpired(DomainError):
    message = _("This registration has expired. Fill in the form again.")


@dataclass(frozen=True)
class RegistrationStarted:
    """What the page may show: the same for a known and an unknown address."""

    pending_id: int
    email: str
    expires_at: datetime
    resend_at: datetime


def start_registration(
    db: Session, *, name: str, email: str, password: str, locale: str | None, ip: str | None
) -> RegistrationStarted:
    name = clean_name(name)
    email = normalize_email(email)
    check_password_rules(password)
    limits = [throttle.Limit("register", email, *REGISTER_PER_EMAIL)]
    if ip:
        limits.append(throttle.Limit("register_ip", ip, *REGISTER_PER_IP))
    throttle.take(db, *limits)
    # Always hashed, known address or not: both answers cost the same (P2).
    pending = PendingRegistration(
        email=email,
        name=name,
        password_hash=hash_password(password),
        locale=locale,
        expires_at=utcnow() + PENDING_TTL,
    )
    db.add(pending)
    db.flush()
    assert pending.id is not None
    audit.record(db, action="registration.started", actor_kind="anonymous", ip=ip)
    return _send(db, pending=pending, ip=ip)


def resend_code(db: Session, *, pending_id: int | None, ip: str | None) -> RegistrationStarted:
    pending = _pending(db, pending_id)
    return _send(db, pending=pending, ip=ip)


def complete_registration(
    db: Session, *, pending_id: int | None, code: str, ip: str | None, binding: str | None
) -> str:
    """Check the code; create the verified account from this browser's pending registration,
    move that address's guest tickets into it, and return a login ticket bound to `binding`."""
    pending = _pending(db, pending_id)
    codes.verify_code(db, email=pending.email, purpose=PURPOSE, code=code, ip=ip)
    if db.exec(select(User.id).where(User.email == pending.email)).first() is not None:
        # Only a guessed code gets here: the code of a known address is never sent.
        raise codes.CodeRejected("wrong", attempts_left=0)
    user = User(
        name=pending.name,
        email=pending.email,
        password_hash=pending.password_hash,
        locale=pending.locale,
        email_verified=True,
    )
    db.add(user)
    db.flush()
    claimed = db.exec(
        update(Ticket)
        .where(Ticket.guest_email == user.email, Ticket.requester_id.is_(None))  # type: ignore[union-attr]
        .values(requester_id=user.id)
    )
    db.exec(delete(PendingRegistration).where(PendingRegistration.email == user.email))  # type: ignore[call-overload]
    audit.record(
        db,
        action="user.created",
        actor_id=user.id,
        actor_kind="user",
        ip=ip,
        detail={"role": "customer", "claimed_tickets": claimed.rowcount or 0},
    )
    from support_portal import routes

    return create_login_ticket(db, user_id=user.id, next_path=routes.MY_TICKETS, binding=binding)


def _pending(db: Session, pending_id: int | None) -> PendingRegistration:
    pending = db.get(PendingRegistration, pending_id) if pending_id else None
    if pending is None or pending.expires_at <= utcnow():
        raise RegistrationExpired()
    return pending


def _send(db: Session, *, pending: PendingRegistration, ip: str | None) -> RegistrationStarted:
    code, challenge = codes.issue_code(db, email=pending.email, purpose=PURPOSE, ip=ip)
    if db.exec(select(User.id).where(User.email == pending.email)).first() is not None:
        # The address has an account: its owner gets a notice, and nobody gets the code.
        mailer.send_account_exists(db, to_email=pending.email, locale=pending.locale)
    else:
        mailer.send_code(db, to_email=pending.email, code=code, number=None, locale=pending.locale)
    assert pending.id is not None
    return RegistrationStarted(
        pending_id=pending.id,
        email=pending.email,
        expires_at=challenge.expires_at,
        resend_at=challenge.created_at + codes.RESEND_COOLDOWN,
    )
