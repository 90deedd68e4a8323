"""Guest access: the unique link, one-time email codes and guest ticket caps (G1-G10).

The codes themselves are `codes`: sent straight to the mail server after commit, never through
the outbox, so the database never holds a code in plaintext (G3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select, update

from support_portal.i18n import _
from support_portal.models import AuditEvent, Ticket, User, utcnow
from support_portal.routes import ticket_path
from support_portal.services import access, audit, codes, guest_links, mailer, outbox, throttle
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    RateLimited,
)

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


@dataclass(frozen=True)
class LinkInfo:
    ticket_id: int
    number: int
    masked_email: str
    viewer_has_access: bool = False  # the browser's session may already open this ticket


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


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


def send_link_code(
    db: Session, *, secret: str, ip: str | None, locale: str | None = None
) -> codes.CodeSent:
    """The explicit "Send code" click (G2, G3, G6): the code is emailed once this commits."""
    ticket = resolve_link(db, secret=secret)
    email = ticket.guest_email or ""
    code, challenge = codes.issue(db, ticket_id=ticket.id, email=email, purpose="guest_link", ip=ip)
    audit.record(db, action="guest.code_sent", ticket_id=ticket.id, actor_kind="guest", ip=ip)
    mailer.send_code(
        db, to_email=email, code=code, number=ticket.number, locale=locale or ticket.locale
    )
    return codes.CodeSent(
        email=email,
        number=ticket.number,
        expires_at=challenge.expires_at,
        resend_at=challenge.created_at + codes.RESEND_COOLDOWN,
    )


def verify_link_code(db: Session, *, secret: str, code: str, ip: str | None) -> tuple[str, int]:
    """Check the code for this link; returns (verified email, ticket number)."""
    ticket = resolve_link(db, secret=secret)
    email = ticket.guest_email or ""
    codes.verify(db, ticket_id=ticket.id, email=email, purpose="guest_link", code=code, ip=ip)
    audit.record(db, action="guest.verified", ticket_id=ticket.id, actor_kind="guest", ip=ip)
    return email, ticket.number


def sign_in_with_code(
    db: Session, *, secret: str, code: str, ip: str | None, binding: str | None = None
) -> str:
    """Verify the code and, in the same transaction, issue the one-time login ticket that the
    browser trades for a fresh guest session opening this ticket (G9), bound to that browser's
    nonce (X5)."""
    from support_portal.services.sessions import create_login_ticket

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


# Accounts: the same code step verifies a new account's email and claims its guest tickets.


def send_account_code(
    db: Session, *, viewer: Viewer | None, ip: str | None, locale: str | None = None
) -> codes.CodeSent:
    user = _account(db, viewer)
    code, challenge = codes.issue(
        db, ticket_id=None, email=user.email, purpose="verify_email", ip=ip
    )
    mailer.send_code(db, to_email=user.email, code=code, number=None, locale=locale or user.locale)
    return codes.CodeSent(
        email=user.email,
        number=None,
        expires_at=challenge.expires_at,
        resend_at=challenge.created_at + codes.RESEND_COOLDOWN,
    )


def verify_account_code(db: Session, *, viewer: Viewer | None, code: str, ip: str | None) -> int:
    """Mark the email verified and move that email's guest tickets into the account."""
    user = _account(db, viewer)
    if user.email_verified:
        return 0
    codes.verify(db, ticket_id=None, email=user.email, purpose="verify_email", code=code, ip=ip)
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
