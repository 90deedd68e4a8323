"""Guest access: the unique link, one-time email codes and guest ticket caps (G1-G10).

Codes are sent straight to the mail server by the caller, never through the outbox, so the
database never holds a code in plaintext (G3).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from support_portal.i18n import _
from support_portal.models import AuditEvent, GuestChallenge, Ticket, User, utcnow
from support_portal.routes import ticket_path
from support_portal.services import access, audit, guest_links, mailer, outbox, throttle
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from support_portal.services.security import constant_time_equal, keyed_hash

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_COOLDOWN = timedelta(seconds=60)
SEND_LIMITS = (  # (limit, window) per ticket and per IP (G6)
    (3, timedelta(minutes=15)),
    (10, timedelta(days=1)),
)
VERIFY_PER_IP = (60, timedelta(hours=1))
SUBMIT_PER_EMAIL = (5, timedelta(hours=1))
SUBMIT_PER_IP = (10, timedelta(hours=1))
LOST_LINK_LIMIT = (3, timedelta(hours=1))
REVOKE_COOLDOWN = timedelta(minutes=1)


class InvalidLink(DomainError):
    message = _("This link is not valid any more.")


class LinkExpired(InvalidLink):
    """The ticket closed more than GUEST_LINK_DAYS_AFTER_CLOSE days ago: a fresh link is one
    "Lost your link?" away."""

    message = _("This link has expired.")


class CodeRejected(DomainError):
    """A refused code; `reason` says what to do next."""

    MESSAGES = {
        "wrong": _("That code is not correct. Check the latest email and try again."),
        "expired": _("This code has expired. Request a new code."),
        "used": _("This code was already used. Request a new code."),
        "burned": _("Too many wrong attempts. Request a new code."),
        "missing": _("Request a code first."),
    }

    def __init__(self, reason: str, *, attempts_left: int | None = None) -> None:
        super().__init__(self.MESSAGES[reason], attempts_left=attempts_left)
        self.reason = reason
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class LinkInfo:
    ticket_id: int
    number: int
    masked_email: str
    viewer_has_access: bool = False  # the browser's session may already open this ticket


@dataclass(frozen=True)
class CodeSent:
    """What the page may say after a code went out; the code itself stays in the service."""

    email: str
    number: int | None
    expires_at: datetime
    resend_at: datetime


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _code_hash(code: str, *, ticket_id: int | None, email: str, purpose: str) -> str:
    return keyed_hash(code, purpose=f"{purpose}:{ticket_id}:{email}")


def resolve_link(db: Session, *, secret: str) -> Ticket:
    parsed = guest_links.parse(secret)
    if parsed is None:
        raise InvalidLink()
    number, mac = parsed
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None or not guest_links.matches(ticket, mac):
        raise InvalidLink()
    if guest_links.is_expired(ticket, now=utcnow()):
        raise LinkExpired()
    return ticket


def link_info(db: Session, *, secret: str, viewer: Viewer | None = None) -> LinkInfo:
    """What the link page may show before verification: number and masked email. Read-only (G2).

    `viewer_has_access` tells whether the current session (a verified guest of this email, the
    account that claimed the ticket, an agent) may already open the ticket without a code.
    """
    ticket = resolve_link(db, secret=secret)
    return LinkInfo(
        ticket_id=ticket.id,
        number=ticket.number,  # type: ignore[arg-type]
        masked_email=mask_email(ticket.guest_email or ""),
        viewer_has_access=viewer is not None and access.can_view(viewer, ticket),
    )


def _send_limits(*, key: str, ip: str | None) -> list[throttle.Limit]:
    limits = [throttle.Limit("code_send", key, limit, window) for limit, window in SEND_LIMITS]
    if ip:
        limits += [
            throttle.Limit("code_send_ip", ip, limit * 3, window) for limit, window in SEND_LIMITS
        ]
    return limits


def _issue(
    db: Session, *, ticket_id: int | None, email: str, purpose: str, ip: str | None
) -> tuple[str, GuestChallenge]:
    key = f"{purpose}:{ticket_id}:{email}"
    # One lock per (purpose, ticket, email) for the cooldown and the caps: parallel "Send code"
    # clicks queue here and each sees the codes the previous ones issued (G6, X1).
    throttle.lock(db, scope="code_issue", key=key)
    now = utcnow()
    latest = db.exec(
        select(GuestChallenge)
        .where(
            GuestChallenge.ticket_id == ticket_id,
            GuestChallenge.email == email,
            GuestChallenge.purpose == purpose,
        )
        .order_by(col(GuestChallenge.id).desc())
        .limit(1)
    ).first()
    if latest is not None and latest.created_at + RESEND_COOLDOWN > now:
        wait = (latest.created_at + RESEND_COOLDOWN - now).total_seconds()
        raise throttle.RateLimited(retry_after=int(wait) + 1)
    throttle.take(db, *_send_limits(key=key, ip=ip))
    # A new code voids every older one (G5).
    db.exec(
        update(GuestChallenge)
        .where(
            GuestChallenge.ticket_id == ticket_id,
            GuestChallenge.email == email,
            GuestChallenge.purpose == purpose,
            GuestChallenge.used_at.is_(None),
            GuestChallenge.voided_at.is_(None),
        )  # type: ignore[union-attr]
        .values(voided_at=now)
    )
    code = new_code()
    challenge = GuestChallenge(
        ticket_id=ticket_id,
        email=email,
        purpose=purpose,
        code_hash=_code_hash(code, ticket_id=ticket_id, email=email, purpose=purpose),
        created_at=now,
        expires_at=now + CODE_TTL,
        ip=(ip or "")[:64] or None,
    )
    db.add(challenge)
    db.flush()
    return code, challenge


def send_link_code(
    db: Session, *, secret: str, ip: str | None, locale: str | None = None
) -> CodeSent:
    """The explicit "Send code" click (G2, G3, G6): the code is emailed once this commits."""
    ticket = resolve_link(db, secret=secret)
    email = ticket.guest_email or ""
    code, challenge = _issue(db, ticket_id=ticket.id, email=email, purpose="guest_link", ip=ip)
    audit.record(db, action="guest.code_sent", ticket_id=ticket.id, actor_kind="guest", ip=ip)
    mailer.send_code(
        db, to_email=email, code=code, number=ticket.number, locale=locale or ticket.locale
    )
    return CodeSent(
        email=email,
        number=ticket.number,
        expires_at=challenge.expires_at,
        resend_at=challenge.created_at + RESEND_COOLDOWN,
    )


def _verify(
    db: Session, *, ticket_id: int | None, email: str, purpose: str, code: str, ip: str | None
) -> None:
    """Spend one attempt atomically, then compare (G4-G7). Commits refusals itself."""
    if ip:
        limit, window = VERIFY_PER_IP
        throttle.take(db, throttle.Limit("code_verify_ip", ip, limit, window))
    code = "".join((code or "").split())
    challenge = db.exec(
        select(GuestChallenge)
        .where(
            GuestChallenge.ticket_id == ticket_id,
            GuestChallenge.email == email,
            GuestChallenge.purpose == purpose,
        )
        .order_by(col(GuestChallenge.id).desc())
        .limit(1)
    ).first()
    now = utcnow()
    if challenge is None or challenge.voided_at is not None:
        db.commit()
        raise CodeRejected("missing")
    if challenge.used_at is not None:
        db.commit()
        raise CodeRejected("used")
    if challenge.expires_at <= now:
        db.commit()
        raise CodeRejected("expired")
    # The counter moves in the database, so parallel guesses cannot exceed the limit (G7).
    spent = db.exec(
        update(GuestChallenge)
        .where(
            GuestChallenge.id == challenge.id,
            GuestChallenge.attempts < MAX_ATTEMPTS,
            GuestChallenge.used_at.is_(None),
            GuestChallenge.voided_at.is_(None),
        )  # type: ignore[union-attr]
        .values(attempts=GuestChallenge.attempts + 1)
    )
    db.commit()
    if spent.rowcount != 1:
        raise CodeRejected("burned")
    expected = _code_hash(code, ticket_id=ticket_id, email=email, purpose=purpose)
    if not (
        code.isdigit() and len(code) == 6 and constant_time_equal(expected, challenge.code_hash)
    ):
        db.refresh(challenge)
        left = max(0, MAX_ATTEMPTS - challenge.attempts)
        raise CodeRejected("burned" if left == 0 else "wrong", attempts_left=left)
    used = db.exec(
        update(GuestChallenge)
        .where(GuestChallenge.id == challenge.id, GuestChallenge.used_at.is_(None))  # type: ignore[union-attr]
        .values(used_at=now)
    )
    if used.rowcount != 1:
        db.commit()
        raise CodeRejected("used")


def verify_link_code(db: Session, *, secret: str, code: str, ip: str | None) -> tuple[str, int]:
    """Check the code for this link; returns (verified email, ticket number)."""
    ticket = resolve_link(db, secret=secret)
    email = ticket.guest_email or ""
    _verify(db, ticket_id=ticket.id, email=email, purpose="guest_link", code=code, ip=ip)
    audit.record(db, action="guest.verified", ticket_id=ticket.id, actor_kind="guest", ip=ip)
    return email, ticket.number


def sign_in_with_code(
    db: Session, *, secret: str, code: str, ip: str | None, binding: str | None = None
) -> str:
    """Verify the code and, in the same transaction, issue the one-time login ticket that the
    browser trades for a fresh guest session opening this ticket (G9), bound to that browser's
    nonce (X5)."""
    from support_portal.services.auth import create_login_ticket

    email, number = verify_link_code(db, secret=secret, code=code, ip=ip)
    return create_login_ticket(
        db, guest_email=email, next_path=ticket_path(number), binding=binding
    )


def check_submission_caps(db: Session, *, email: str, ip: str | None) -> None:
    """Guest ticket submissions per address and per IP, so the form cannot spam anyone."""
    limits = [throttle.Limit("guest_submit", email, *SUBMIT_PER_EMAIL)]
    if ip:
        limits.append(throttle.Limit("guest_submit_ip", ip, *SUBMIT_PER_IP))
    throttle.take(db, *limits)


def request_links(db: Session, *, email: str, ip: str | None) -> None:
    """ "Lost your link?": emails the links of that address's tickets, if any.

    The caller shows the same answer either way (G8); the work is similar on both paths.
    """
    from support_portal.services.auth import normalize_email

    email = normalize_email(email)
    limit, window = LOST_LINK_LIMIT
    limits = [throttle.Limit("lost_link", email, limit, window)]
    if ip:
        limits.append(throttle.Limit("lost_link_ip", ip, limit * 5, window))
    throttle.take(db, *limits)
    numbers = db.exec(
        select(Ticket.id)
        .where(Ticket.guest_email == email)
        .order_by(col(Ticket.last_activity_at).desc())
        .limit(20)
    ).all()
    if numbers:
        locale = db.exec(select(Ticket.locale).where(Ticket.id == numbers[0])).first()
        outbox.enqueue(
            db,
            to_email=email,
            template="guest_links",
            locale=locale,
            params={"ticket_ids": list(numbers), "guest": True},
        )


def rotate_link(db: Session, *, ticket: Ticket) -> None:
    """Revoke every link sent so far for this ticket."""
    guest_links.rotate(ticket, now=utcnow())


def revoke_link(db: Session, *, viewer: Viewer | None, number: int | str, ip: str | None) -> str:
    """ "Revoke this link and send a new one": for the verified guest and for agents.

    Every link sent so far fails at once; a notification-only email takes the new link to the
    ticket's guest address (never to whoever clicked). Returns the masked address.
    """
    if viewer is None:
        raise NotAuthenticated()
    ticket = access.ticket_for(db, viewer, number, lock=True)
    if not (viewer.is_agent or viewer.is_guest) or not ticket.guest_email:
        raise NotFound()  # an account's own ticket has no guest link to revoke
    last = db.exec(
        select(AuditEvent.created_at)
        .where(AuditEvent.ticket_id == ticket.id, AuditEvent.action == "guest.link_revoked")
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    now = utcnow()
    if last is not None and last + REVOKE_COOLDOWN > now:  # one new link a minute
        raise RateLimited(retry_after=int((last + REVOKE_COOLDOWN - now).total_seconds()) + 1)
    rotate_link(db, ticket=ticket)
    outbox.enqueue(
        db,
        to_email=ticket.guest_email,
        to_name=None,  # the address was never verified by an account: no typed name
        template="link_replaced",
        ticket_id=ticket.id,
        locale=ticket.locale,
        params={"guest": True},
    )
    audit.record(
        db,
        action="guest.link_revoked",
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind="agent" if viewer.is_agent else "guest",
        ip=ip,
    )
    return mask_email(ticket.guest_email)


# Codes for an email address without a ticket (registration, an account's email): the same
# machinery, caps and attempt counter as a guest link's code.


def issue_code(
    db: Session, *, email: str, purpose: str, ip: str | None
) -> tuple[str, GuestChallenge]:
    return _issue(db, ticket_id=None, email=email, purpose=purpose, ip=ip)


def verify_code(db: Session, *, email: str, purpose: str, code: str, ip: str | None) -> None:
    _verify(db, ticket_id=None, email=email, purpose=purpose, code=clean_code_input(code), ip=ip)


# Accounts: the same code step verifies a new account's email and claims its guest tickets.


def send_account_code(
    db: Session, *, viewer: Viewer | None, ip: str | None, locale: str | None = None
) -> CodeSent:
    user = _account(db, viewer)
    code, challenge = _issue(db, ticket_id=None, email=user.email, purpose="verify_email", ip=ip)
    mailer.send_code(db, to_email=user.email, code=code, number=None, locale=locale or user.locale)
    return CodeSent(
        email=user.email,
        number=None,
        expires_at=challenge.expires_at,
        resend_at=challenge.created_at + RESEND_COOLDOWN,
    )


def verify_account_code(db: Session, *, viewer: Viewer | None, code: str, ip: str | None) -> int:
    """Mark the email verified and move that email's guest tickets into the account."""
    user = _account(db, viewer)
    if user.email_verified:
        return 0
    _verify(db, ticket_id=None, email=user.email, purpose="verify_email", code=code, ip=ip)
    user.email_verified = True
    claimed = db.exec(
        update(Ticket)
        .where(Ticket.guest_email == user.email, Ticket.requester_id.is_(None))  # type: ignore[union-attr]
        .values(requester_id=user.id)
    )
    audit.record(
        db,
        action="user.email_verified",
        actor_id=user.id,
        actor_kind="user",
        ip=ip,
        detail={"claimed_tickets": claimed.rowcount},
    )
    return claimed.rowcount or 0


def _account(db: Session, viewer: Viewer | None) -> User:
    if viewer is None or viewer.user_id is None:
        raise NotAuthenticated()
    user = db.get(User, viewer.user_id)
    if user is None:
        raise NotAuthenticated()
    return user


def clean_code_input(code: str) -> str:
    value = "".join((code or "").split())
    if not value:
        raise InvalidInput("Enter the 6-digit code from the email.", field="code")
    return value
