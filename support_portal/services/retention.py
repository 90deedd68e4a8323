"""Deleting short-lived rows once nothing can use them any more (X11).

Each table keeps its rows for a grace period after they stopped being usable, so a support
question about "yesterday's login" can still be looked up, and then they go:

| table | deleted when |
|---|---|
| rate_events | older than 2 days (the longest throttle window is 1 day) |
| sessions | expired (absolute or idle lifetime) or revoked more than 1 day ago |
| login_tickets | expired or used more than 1 day ago (they live 2 minutes) |
| guest_challenges | expired, used or replaced more than 1 day ago (codes live 10 minutes) |
| pending_registrations | as soon as they expire (24 hours; they hold a password hash) |
| data_exports | when their download link expires (a day), failed ones a day after |

Closed tickets older than RETENTION_CLOSED_DAYS are anonymised in the same run (unset: kept;
services/gdpr.py, `support-portal retention --dry-run` shows which).

The app runs `prune` every hour (support_portal/lifespan.py); `support-portal prune` runs it
once. Every delete is a plain bulk DELETE on an indexed or small set of rows, safe to run in
several workers at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, delete, select

from support_portal.models import (
    AuthSession,
    GuestChallenge,
    LoginTicket,
    PendingRegistration,
    RateEvent,
    utcnow,
)
from support_portal.services import data_export, gdpr

RATE_EVENTS_KEPT = timedelta(days=2)
SESSIONS_KEPT = timedelta(days=1)
LOGIN_TICKETS_KEPT = timedelta(days=1)
CHALLENGES_KEPT = timedelta(days=1)


def prune(db: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Delete every row past its retention; returns how many went, per table."""
    now = now or utcnow()
    return {
        "rate_events": _rate_events(db, now),
        "sessions": _sessions(db, now),
        "login_tickets": _login_tickets(db, now),
        "guest_challenges": _challenges(db, now),
        "pending_registrations": _pending_registrations(db, now),
        "data_exports": data_export.prune(db, now=now),
        "anonymised_tickets": len(gdpr.anonymise_closed(db, now=now).numbers),
    }


def _count(result) -> int:
    return max(result.rowcount or 0, 0)


def _rate_events(db: Session, now: datetime) -> int:
    return _count(db.exec(delete(RateEvent).where(RateEvent.created_at < now - RATE_EVENTS_KEPT)))


def _sessions(db: Session, now: datetime) -> int:
    cutoff = now - SESSIONS_KEPT
    ended = _count(
        db.exec(
            delete(AuthSession).where(
                or_(AuthSession.revoked_at < cutoff, AuthSession.expires_at < cutoff)  # type: ignore[operator]
            )
        )
    )
    # A session also ends after its own `idle_minutes` without a request (a few distinct
    # values: one per kind of session and setting).
    for idle in db.exec(select(AuthSession.idle_minutes).distinct()).all():
        ended += _count(
            db.exec(
                delete(AuthSession).where(
                    AuthSession.idle_minutes == idle,
                    AuthSession.last_seen_at < cutoff - timedelta(minutes=idle),
                )
            )
        )
    return ended


def _login_tickets(db: Session, now: datetime) -> int:
    cutoff = now - LOGIN_TICKETS_KEPT
    return _count(
        db.exec(
            delete(LoginTicket).where(
                or_(LoginTicket.expires_at < cutoff, LoginTicket.used_at < cutoff)  # type: ignore[operator]
            )
        )
    )


def _challenges(db: Session, now: datetime) -> int:
    cutoff = now - CHALLENGES_KEPT
    return _count(
        db.exec(
            delete(GuestChallenge).where(
                or_(
                    GuestChallenge.expires_at < cutoff,
                    GuestChallenge.used_at < cutoff,  # type: ignore[operator]
                    GuestChallenge.voided_at < cutoff,  # type: ignore[operator]
                )
            )
        )
    )


def _pending_registrations(db: Session, now: datetime) -> int:
    # Nobody can finish an expired registration; it holds a password hash: no grace period.
    return _count(db.exec(delete(PendingRegistration).where(PendingRegistration.expires_at <= now)))
