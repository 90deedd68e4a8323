"""Claiming due outbox rows: a lease per row, safe with several senders, in per-thread order.

Per-thread order: two emails to one address about one ticket (or two account emails to one
address) go out in the order they were queued. A row is claimed only together with, or after,
every earlier unsent row of its thread (same `to_email` and `ticket_id`): a later row whose
earlier sibling is waiting for a retry, or is held by another sender, stays in the outbox
until that sibling is sent or has failed for good. The sender then sends a thread's claimed
rows one after the other on one connection (mail/pool.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from support_portal.models import OutboxEmail, OutboxStatus, utcnow

LEASE = timedelta(minutes=2)
RECHECK = timedelta(seconds=1)
BATCH = 100
Thread = tuple[str, int | None]


def claim_due(db: Session, *, worker: str, limit: int = BATCH) -> list[int]:
    """Lease up to `limit` due rows to `worker`. Safe with several senders (SKIP LOCKED)."""
    now = utcnow()
    due = or_(
        and_(OutboxEmail.status == OutboxStatus.pending, OutboxEmail.next_attempt_at <= now),
        and_(OutboxEmail.status == OutboxStatus.sending, OutboxEmail.lease_until < now),
    )
    query = select(OutboxEmail.id).where(due)
    query = query.order_by(col(OutboxEmail.next_attempt_at), col(OutboxEmail.id)).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.exec(query).all())
    if not ids:
        return []
    # One compare-and-set for the batch: the UPDATE re-checks that each row is still due, so
    # a row another sender claimed, sent or rescheduled since the SELECT is left alone.
    taken = set(
        db.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id).in_(ids), due)
            .values(status=OutboxStatus.sending, lease_until=now + LEASE, claimed_by=worker)
            .returning(OutboxEmail.id)
        ).scalars()
    )
    out_of_order = _behind_unsent_siblings(db, taken)
    # Still inside this transaction: no other sender ever sees these rows as taken.
    defer_behind_siblings(db, out_of_order)
    return [row_id for row_id in ids if row_id in taken and row_id not in out_of_order]


def defer_behind_siblings(db: Session, ids: set[int] | list[int]) -> None:
    """Put leased rows back, untried, due when the earliest sibling ahead of them can move.

    Without the new due time a sender loop would claim and put back the same row every few
    milliseconds while its sibling waits out a backoff of up to an hour.
    """
    if not ids:
        return
    db.flush()
    now = utcnow()
    rows = db.exec(
        select(OutboxEmail).where(
            col(OutboxEmail.id).in_(ids), OutboxEmail.status == OutboxStatus.sending
        )
    ).all()
    if not rows:
        return
    ahead = db.exec(
        select(OutboxEmail).where(
            col(OutboxEmail.status).in_([OutboxStatus.pending, OutboxStatus.sending]),
            col(OutboxEmail.to_email).in_({row.to_email for row in rows}),
            col(OutboxEmail.id) < max(row.id for row in rows),  # type: ignore[type-var]
            col(OutboxEmail.id).not_in(ids),
        )
    ).all()
    for row in rows:
        waits = [
            _moves_at(other, now)
            for other in ahead
            if (other.to_email, other.ticket_id) == (row.to_email, row.ticket_id)
            and other.id < row.id  # type: ignore[operator]
        ]
        row.status, row.lease_until, row.claimed_by = OutboxStatus.pending, None, None
        row.next_attempt_at = max([row.next_attempt_at, *waits])
    db.flush()


def _moves_at(row: OutboxEmail, now: datetime) -> datetime:
    if row.status == OutboxStatus.pending:
        return row.next_attempt_at
    # Held by a sender: usually marked within milliseconds; its lease if that sender died.
    return min(row.lease_until or now, now + RECHECK)


def _behind_unsent_siblings(db: Session, taken: set[int]) -> set[int]:
    """The taken rows with an earlier row of their thread that is unsent and not taken here.

    Read after the UPDATE, in the same transaction: a sibling another sender has locked or
    leased (or that waits for its retry) is `pending` or `sending` here, so its followers wait.
    """
    if not taken:
        return set()
    mine = db.exec(
        select(OutboxEmail.id, OutboxEmail.to_email, OutboxEmail.ticket_id).where(
            col(OutboxEmail.id).in_(taken)
        )
    ).all()
    addresses = {to_email for _, to_email, _ in mine}
    unsent = db.exec(
        select(OutboxEmail.id, OutboxEmail.to_email, OutboxEmail.ticket_id).where(
            col(OutboxEmail.status).in_([OutboxStatus.pending, OutboxStatus.sending]),
            col(OutboxEmail.to_email).in_(addresses),
            col(OutboxEmail.id) < max(taken),
        )
    ).all()
    waiting: dict[Thread, list[int]] = defaultdict(list)
    for row_id, to_email, ticket_id in unsent:
        if row_id not in taken:
            waiting[(to_email, ticket_id)].append(row_id)
    return {
        row_id
        for row_id, to_email, ticket_id in mine
        if any(other < row_id for other in waiting.get((to_email, ticket_id), ()))
    }
