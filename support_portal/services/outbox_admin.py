"""What agents see of the mail outbox: counts, stuck and failed emails, and a manual retry.

Every function re-checks the agent role (A2). The email body is rendered at send time, so a
row holds no message text and no guest link: showing it to agents reveals only the address,
the template and the SMTP error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from support_portal.db import after_commit
from support_portal.models import OutboxEmail, OutboxStatus, Ticket, utcnow
from support_portal.services import access, audit, outbox
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotFound

ATTENTION = (OutboxStatus.failed, OutboxStatus.sending, OutboxStatus.pending)
_FAILED_FIRST = case(
    (OutboxEmail.status == OutboxStatus.failed, 0),
    (OutboxEmail.status == OutboxStatus.sending, 1),
    else_=2,
)


@dataclass(frozen=True)
class OutboxRowPublic:
    id: int
    status: str
    to_email: str
    template: str
    ticket_number: int | None
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    created_at: datetime


def status_counts(db: Session, *, viewer: Viewer | None) -> dict[str, int]:
    """How many emails are in each status (every status present, zero when none)."""
    access.require_agent(db, viewer, action="outbox.view")
    counts = {str(status): 0 for status in OutboxStatus}
    rows = db.exec(
        select(OutboxEmail.status, func.count(OutboxEmail.id)).group_by(OutboxEmail.status)
    ).all()
    for status, count in rows:
        counts[str(status)] = count
    return counts


def attention_rows(
    db: Session, *, viewer: Viewer | None, status: str | None = None, limit: int = 100
) -> list[OutboxRowPublic]:
    """Failed rows first, then those still waiting to go out; newest first within each."""
    access.require_agent(db, viewer, action="outbox.view")
    try:
        wanted = (OutboxStatus(status),) if status else ATTENTION
    except ValueError:
        raise InvalidInput("Unknown email status.") from None
    query = (
        select(OutboxEmail, Ticket.number)
        .join(Ticket, Ticket.id == OutboxEmail.ticket_id, isouter=True)
        .where(col(OutboxEmail.status).in_(wanted))
        .order_by(_FAILED_FIRST, col(OutboxEmail.id).desc())
        .limit(min(max(limit, 1), 500))
    )
    return [_public(row, number) for row, number in db.exec(query).all()]


@dataclass(frozen=True)
class OutboxOverview:
    """What the outbox page shows: the count per status and the rows that need attention."""

    counts: dict[str, int]
    rows: list[OutboxRowPublic]


def overview(db: Session, *, viewer: Viewer | None) -> OutboxOverview:
    """The outbox page in one read (agents only)."""
    return OutboxOverview(
        counts=status_counts(db, viewer=viewer), rows=attention_rows(db, viewer=viewer)
    )


def retry_and_show(db: Session, *, viewer: Viewer | None, email_id: int) -> OutboxOverview:
    """ "Retry": the email goes back in the queue, and the page as it is now."""
    retry(db, viewer=viewer, email_id=email_id)
    return overview(db, viewer=viewer)


def retry(db: Session, *, viewer: Viewer | None, email_id: int) -> None:
    """Put a failed email back in the queue for an immediate attempt with a fresh budget."""
    viewer = access.require_agent(db, viewer, action="outbox.retry")
    row = db.get(OutboxEmail, email_id)
    if row is None:
        raise NotFound("This email no longer exists.")
    if row.status != OutboxStatus.failed:
        raise InvalidInput("Only failed emails can be retried.")
    previous_attempts, previous_error = row.attempts, row.last_error
    row.status = OutboxStatus.pending
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.lease_until = None
    row.claimed_by = None
    audit.record(
        db,
        action="outbox.retry",
        actor_kind="agent",
        actor_id=viewer.user_id,
        ticket_id=row.ticket_id,
        detail={
            "email_id": row.id,
            "attempts": previous_attempts,
            "last_error": (previous_error or "")[:200],
        },
    )
    after_commit(db, outbox.wake_sender)


def _public(row: OutboxEmail, ticket_number: int | None) -> OutboxRowPublic:
    waiting = row.status in (OutboxStatus.pending, OutboxStatus.sending)
    return OutboxRowPublic(
        id=row.id,  # type: ignore[arg-type]
        status=str(row.status),
        to_email=row.to_email,
        template=row.template,
        ticket_number=ticket_number,
        attempts=row.attempts,
        last_error=row.last_error or "",
        next_attempt_at=(row.lease_until or row.next_attempt_at) if waiting else None,
        created_at=row.created_at,
    )
