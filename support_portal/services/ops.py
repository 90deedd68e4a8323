"""What operations read: the mail outbox's backlog and whether the database answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from support_portal.models import OutboxEmail, OutboxStatus, WebhookDelivery, utcnow


@dataclass(frozen=True)
class Backlog:
    by_status: dict[str, int]
    oldest_age_seconds: float  # age of the oldest email not yet sent; 0: none


def outbox_backlog(db: Session) -> Backlog:
    """Emails per status, and the age of the oldest one waiting (pending or being sent)."""
    counts = dict(
        db.exec(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all()
    )
    by_status = {str(status): int(counts.get(status, 0)) for status in OutboxStatus}
    oldest = db.exec(
        select(func.min(OutboxEmail.created_at)).where(
            col(OutboxEmail.status).in_([OutboxStatus.pending, OutboxStatus.sending])
        )
    ).one()
    age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(by_status=by_status, oldest_age_seconds=age)


WEBHOOK_STATUSES = ("pending", "sending", "sent", "failed")


def webhook_backlog(db: Session) -> Backlog:
    """Webhook deliveries per status, and the age of the oldest one not yet delivered."""
    counts = dict(
        db.exec(select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).all()
    )
    by_status = {status: int(counts.get(status, 0)) for status in WEBHOOK_STATUSES}
    oldest = db.exec(
        select(func.min(WebhookDelivery.created_at)).where(
            col(WebhookDelivery.status).in_(["pending", "sending"])
        )
    ).one()
    age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(by_status=by_status, oldest_age_seconds=age)


def database_answers(db: Session) -> None:
    """Raises when the database does not answer a trivial query."""
    db.exec(text("SELECT 1"))  # type: ignore[call-overload]
