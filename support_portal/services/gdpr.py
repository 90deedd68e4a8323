"""The right to erasure as use cases: "Delete my account", an administrator erasing a guest's
address, and the retention rule that anonymises tickets closed longer ago than
RETENTION_CLOSED_DAYS (the hourly cleanup, or `support-portal retention`). The erasing itself
is in `erasure`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from support_portal.models import (
    Attachment,
    AuthorKind,
    Message,
    Role,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import access, audit, erasure
from support_portal.services.account_settings import account_of, check_current_password
from support_portal.services.auth import normalize_email
from support_portal.services.dto import Viewer
from support_portal.services.erasure import Erased
from support_portal.services.errors import InvalidInput, NotAuthenticated
from support_portal.settings import get_settings

RETENTION_BATCH = 500  # tickets per cleanup run; the next run goes on


@dataclass(frozen=True)
class GuestErasure:
    erased: Erased
    ended_sessions: list[str] = field(default_factory=list)  # server-side only: for the purge


@dataclass(frozen=True)
class RetentionReport:
    days: int | None  # None: the setting is unset, nothing is anonymised
    cutoff: datetime | None
    numbers: list[int]  # the tickets anonymised (or, in a dry run, that would be)
    erased: Erased


def delete_account(
    db: Session, *, viewer: Viewer | None, password: str, ip: str | None
) -> list[str]:
    """The owner deletes the account, confirmed with the password (checked like a login, P3).
    Returns the keys of every session of the account, this one included, which all end."""
    user = account_of(db, viewer)
    if user.role != Role.customer:
        raise InvalidInput("Agent accounts are removed by an administrator.")
    check_current_password(db, user=user, password=password)
    # One erasure, however many browsers confirm at once: the row is locked (PostgreSQL) or
    # re-read in the write transaction (SQLite), and a second one finds it gone.
    db.refresh(user, with_for_update=True)
    if not user.is_active:
        raise NotAuthenticated()
    erased, keys = erasure.erase_user(db, user)
    audit.record(
        db, action="account.deleted", actor_id=user.id, actor_kind="user", detail=erased.detail()
    )
    return keys


def _guest_address(db: Session, viewer: Viewer | None, email: str, action: str) -> tuple:
    viewer = access.require_admin(db, viewer, action=action)
    address = normalize_email(email)
    if db.exec(select(User.id).where(User.email == address)).first() is not None:
        raise InvalidInput(
            "This address belongs to an account: its owner deletes it under Account settings.",
            field="email",
        )
    return viewer, address


def preview_guest_erasure(db: Session, *, viewer: Viewer | None, email: str) -> Erased:
    """What erasing a guest's address would touch (administrators only)."""
    _, address = _guest_address(db, viewer, email, "guest.erase_preview")
    return _counts(db, Ticket.guest_email == address, col(Ticket.requester_id).is_(None))


def erase_guest(db: Session, *, viewer: Viewer | None, email: str) -> GuestErasure:
    """An administrator erases a guest's address on request: its tickets are anonymised and its
    sessions end. Audited with counts only (never the address)."""
    viewer, address = _guest_address(db, viewer, email, "guest.erase")
    erased, keys = erasure.erase_guest_address(db, email=address)
    audit.record(
        db,
        action="guest.erased",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail=erased.detail(),
    )
    return GuestErasure(erased=erased, ended_sessions=keys)


def _counts(db: Session, *where) -> Erased:
    ids = list(db.exec(select(Ticket.id).where(*where)).all())
    if not ids:
        return Erased()
    mine = (col(Message.ticket_id).in_(ids), Message.author_kind == AuthorKind.customer)
    messages = db.exec(select(func.count(Message.id)).where(*mine)).one()
    files = db.exec(
        select(func.count(Attachment.id))
        .join(Message, col(Message.id) == Attachment.message_id)
        .where(*mine)
    ).one()
    return Erased(tickets=len(ids), messages=messages, attachments=files)


def _due(cutoff: datetime):
    return (
        Ticket.status == TicketStatus.closed,
        col(Ticket.closed_at) < cutoff,
        or_(col(Ticket.requester_id).is_not(None), col(Ticket.guest_email).is_not(None)),
    )


def anonymise_closed(
    db: Session, *, now: datetime | None = None, days: int | None = None, dry_run: bool = False
) -> RetentionReport:
    """Anonymise the tickets closed more than `days` (default RETENTION_CLOSED_DAYS) ago that
    still have a customer. Running it again touches nothing new; several cleanups at once skip
    each other's rows (PostgreSQL)."""
    days = days if days is not None else get_settings().retention_closed_days
    if not days:
        return RetentionReport(days=None, cutoff=None, numbers=[], erased=Erased())
    cutoff = (now or utcnow()) - timedelta(days=days)
    query = select(Ticket).where(*_due(cutoff)).order_by(col(Ticket.id)).limit(RETENTION_BATCH)
    if dry_run:
        tickets = list(db.exec(query).all())
        counts = _counts(db, col(Ticket.id).in_([t.id for t in tickets]))
        return RetentionReport(days, cutoff, [t.number for t in tickets], counts)
    tickets = list(db.exec(query.with_for_update(skip_locked=True)).all())
    numbers = [t.number for t in tickets]
    erased = erasure.anonymise_tickets(db, tickets, emails=set())
    if tickets:
        audit.record(
            db,
            action="retention.anonymised",
            actor_kind="system",
            detail={**erased.detail(), "days": days},
        )
    return RetentionReport(days, cutoff, numbers, erased)
