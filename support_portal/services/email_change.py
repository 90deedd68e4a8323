"""Changing an account's email address: the current password, then a 6-digit code sent to the
new address; only the code makes the change, and the old address is told (G3-G7, P3, X4).

The code belongs to the account and the new address (one purpose per account), so a code never
crosses accounts. An address that already has an account answers the same on the page: its
owner gets the "you already have an account" notice instead of a code, so nobody can finish
that change, and the page cannot be used to find out which addresses have accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from support_portal.models import Ticket, User, utcnow
from support_portal.services import audit, codes, mailer, outbox
from support_portal.services.account_settings import account_of, check_current_password
from support_portal.services.auth import normalize_email
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput

NOTICE_TEMPLATE = "account_email_changed"


@dataclass(frozen=True)
class EmailChangeStarted:
    new_email: str
    expires_at: datetime
    resend_at: datetime


def _purpose(user_id: int) -> str:
    return f"change_email:{user_id}"


def mask_email(email: str) -> str:
    """ "n…@example.com": enough for the old address's owner to recognise, no more."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def start_change(
    db: Session, *, viewer: Viewer | None, new_email: str, password: str, ip: str | None
) -> EmailChangeStarted:
    """Check the current password, then send a code to the new address."""
    user = account_of(db, viewer)
    assert user.id is not None
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise InvalidInput("This is already your email address.", field="new_email")
    check_current_password(db, user=user, password=password)
    return _send(db, user=user, new_email=new_email, ip=ip)


def resend_code(
    db: Session, *, viewer: Viewer | None, new_email: str, ip: str | None
) -> EmailChangeStarted:
    """Another code for the change this browser started (the password was checked then)."""
    user = account_of(db, viewer)
    return _send(db, user=user, new_email=normalize_email(new_email), ip=ip)


def _send(db: Session, *, user: User, new_email: str, ip: str | None) -> EmailChangeStarted:
    assert user.id is not None
    code, challenge = codes.issue(
        db, ticket_id=None, email=new_email, purpose=_purpose(user.id), ip=ip
    )
    if db.exec(select(User.id).where(User.email == new_email)).first() is not None:
        mailer.send_account_exists(db, to_email=new_email, locale=user.locale)
    else:
        mailer.send_code(db, to_email=new_email, code=code, number=None, locale=user.locale)
    audit.record(db, action="email_change.requested", actor_id=user.id, actor_kind="user", ip=ip)
    return EmailChangeStarted(
        new_email=new_email,
        expires_at=challenge.expires_at,
        resend_at=challenge.created_at + codes.RESEND_COOLDOWN,
    )


def confirm_change(
    db: Session, *, viewer: Viewer | None, new_email: str, code: str, ip: str | None
) -> str:
    """Check the code sent to the new address; make the change, tell the old address, and move
    the new address's guest tickets into the account (it is verified now). Returns the new
    address."""
    user = account_of(db, viewer)
    assert user.id is not None
    new_email = normalize_email(new_email)
    codes.verify(
        db,
        ticket_id=None,
        email=new_email,
        purpose=_purpose(user.id),
        code=codes.clean_code_input(code),
        ip=ip,
    )
    if db.exec(select(User.id).where(User.email == new_email)).first() is not None:
        # Only a guessed code gets here: the code of a taken address is never sent.
        raise codes.CodeRejected("wrong", attempts_left=0)
    old_email = user.email
    user.email = new_email
    user.email_verified = True
    user.updated_at = utcnow()
    try:
        db.flush()  # the unique index decides a race for the same address
    except IntegrityError as exc:
        raise codes.CodeRejected("wrong", attempts_left=0) from exc
    claimed = db.exec(
        update(Ticket)
        .where(Ticket.guest_email == new_email, Ticket.requester_id.is_(None))  # type: ignore[union-attr]
        .values(requester_id=user.id)
    )
    outbox.enqueue(
        db,
        to_email=old_email,
        to_name=user.name,
        template=NOTICE_TEMPLATE,
        user_id=user.id,
        locale=user.locale,
        params={"new_email": mask_email(new_email)},
    )
    audit.record(
        db,
        action="email.changed",
        actor_id=user.id,
        actor_kind="user",
        ip=ip,
        detail={"claimed_tickets": claimed.rowcount or 0},
    )
    return new_email
