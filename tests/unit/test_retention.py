"""Short-lived rows are deleted once past their retention, on a schedule and from the CLI (X11)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from support_portal import cli, lifespan
from support_portal.models import (
    AuthSession,
    GuestChallenge,
    LoginTicket,
    PendingRegistration,
    RateEvent,
    SessionKind,
    utcnow,
)
from support_portal.services import retention, sessions

NOW = utcnow()
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def rate_event(db: Session, age: timedelta, scope: str = "login") -> None:
    db.add(RateEvent(scope=scope, key=f"k-{secrets.token_hex(4)}", created_at=NOW - age))


def session_row(
    db: Session,
    *,
    created: timedelta,
    lifetime: timedelta = 30 * DAY,
    idle_minutes: int = 60 * 24 * 7,
    last_seen: timedelta | None = None,
    revoked: timedelta | None = None,
    kind: SessionKind = SessionKind.user,
) -> str:
    marker = secrets.token_hex(8)
    db.add(
        AuthSession(
            token_hash=marker,
            kind=kind,
            guest_email="g@example.net" if kind == SessionKind.guest else None,
            created_at=NOW - created,
            last_seen_at=NOW - (last_seen if last_seen is not None else created),
            expires_at=NOW - created + lifetime,
            idle_minutes=idle_minutes,
            revoked_at=None if revoked is None else NOW - revoked,
        )
    )
    return marker


def login_ticket(db: Session, *, created: timedelta, used: bool = False) -> str:
    marker = secrets.token_hex(8)
    db.add(
        LoginTicket(
            token_hash=marker,
            kind=SessionKind.user,
            created_at=NOW - created,
            expires_at=NOW - created + sessions.LOGIN_TICKET_TTL,
            used_at=NOW - created + timedelta(seconds=5) if used else None,
        )
    )
    return marker


def challenge(
    db: Session, *, created: timedelta, used: bool = False, voided: timedelta | None = None
) -> str:
    marker = secrets.token_hex(8)
    db.add(
        GuestChallenge(
            email="g@example.net",
            purpose="verify_email",
            code_hash=marker,
            created_at=NOW - created,
            expires_at=NOW - created + timedelta(minutes=10),
            used_at=NOW - created + timedelta(minutes=1) if used else None,
            voided_at=None if voided is None else NOW - voided,
        )
    )
    return marker


def pending_registration(db: Session, *, created: timedelta) -> str:
    marker = f"{secrets.token_hex(4)}@example.com"
    db.add(
        PendingRegistration(
            email=marker,
            name="Pat Pending",
            password_hash="$argon2id$...",
            created_at=NOW - created,
            expires_at=NOW - created + timedelta(hours=24),
        )
    )
    return marker


def left(db: Session, column) -> set[str]:
    return set(db.exec(select(column)).all())


def test_rate_events_go_after_two_days_and_the_day_windows_keep_theirs(db):
    rate_event(db, 3 * DAY)
    rate_event(db, 2 * DAY + HOUR, scope="code_send")
    rate_event(db, 2 * DAY - HOUR, scope="code_send")  # not yet two days old: kept
    rate_event(db, 23 * HOUR, scope="code_send")  # counted by the 1-day send cap: kept
    rate_event(db, timedelta(minutes=1))
    db.flush()
    assert retention.prune(db, now=NOW)["rate_events"] == 2
    ages = sorted(NOW - t for t in db.exec(select(RateEvent.created_at)).all())
    assert ages == [timedelta(minutes=1), 23 * HOUR, 2 * DAY - HOUR]


def test_sessions_go_a_day_after_they_ended_whichever_way(db):
    gone = {
        session_row(db, created=40 * DAY),  # absolute lifetime ended 10 days ago
        session_row(db, created=3 * DAY, revoked=2 * DAY),  # logged out 2 days ago
        session_row(db, created=10 * DAY, last_seen=8 * DAY + 2 * HOUR),  # idle for > 7 d + 1 d
        session_row(
            db,
            kind=SessionKind.guest,
            created=2 * DAY,
            lifetime=12 * HOUR,
            idle_minutes=30,
            last_seen=2 * DAY,
        ),
        session_row(  # a guest idle for 30 minutes, plus the day
            db,
            kind=SessionKind.guest,
            created=25 * HOUR,
            lifetime=12 * HOUR * 10,
            idle_minutes=30,
            last_seen=25 * HOUR,
        ),
    }
    kept = {
        session_row(db, created=5 * DAY),  # alive
        session_row(db, created=5 * DAY, revoked=20 * HOUR),  # logged out < 1 day ago
        session_row(db, created=30 * DAY + 20 * HOUR, last_seen=21 * HOUR),  # ended 20 h ago
        session_row(db, created=9 * DAY, last_seen=7 * DAY + 20 * HOUR),  # idle ended 20 h ago
        session_row(
            db,
            kind=SessionKind.guest,
            created=23 * HOUR,
            idle_minutes=30,
            last_seen=23 * HOUR,
        ),
    }
    db.flush()
    assert retention.prune(db, now=NOW)["sessions"] == len(gone)
    assert left(db, AuthSession.token_hash) == kept


def test_login_tickets_go_a_day_after_they_expired_or_were_used(db):
    gone = {login_ticket(db, created=2 * DAY), login_ticket(db, created=25 * HOUR, used=True)}
    kept = {
        login_ticket(db, created=timedelta(seconds=30)),  # still usable
        login_ticket(db, created=23 * HOUR),
        login_ticket(db, created=23 * HOUR, used=True),
    }
    db.flush()
    assert retention.prune(db, now=NOW)["login_tickets"] == len(gone)
    assert left(db, LoginTicket.token_hash) == kept


def test_codes_go_a_day_after_they_expired_were_used_or_replaced(db):
    gone = {
        challenge(db, created=2 * DAY),
        challenge(db, created=2 * DAY, used=True),
        challenge(db, created=2 * DAY, voided=2 * DAY - timedelta(minutes=1)),
    }
    kept = {
        challenge(db, created=timedelta(minutes=2)),  # the code someone is typing now
        challenge(db, created=20 * HOUR, used=True),
        challenge(db, created=20 * HOUR, voided=20 * HOUR),
    }
    db.flush()
    assert retention.prune(db, now=NOW)["guest_challenges"] == len(gone)
    assert left(db, GuestChallenge.code_hash) == kept


def test_registrations_nobody_finished_go_when_they_expire(db):
    gone = {pending_registration(db, created=25 * HOUR), pending_registration(db, created=3 * DAY)}
    kept = {pending_registration(db, created=23 * HOUR), pending_registration(db, created=HOUR)}
    db.flush()
    assert retention.prune(db, now=NOW)["pending_registrations"] == len(gone)
    assert left(db, PendingRegistration.email) == kept


def test_nothing_current_is_touched_and_a_second_run_finds_nothing(db):
    rate_event(db, timedelta(minutes=5))
    session_row(db, created=HOUR)
    login_ticket(db, created=timedelta(seconds=10))
    challenge(db, created=timedelta(minutes=1))
    pending_registration(db, created=HOUR)
    db.flush()
    assert retention.prune(db) == {
        "rate_events": 0, "sessions": 0, "login_tickets": 0, "guest_challenges": 0,
        "pending_registrations": 0, "data_exports": 0, "anonymised_tickets": 0,
    }  # fmt: skip
    for model in (RateEvent, AuthSession, LoginTicket, GuestChallenge, PendingRegistration):
        assert len(db.exec(select(model)).all()) == 1


def test_a_real_login_session_survives_until_its_end_plus_a_day(db, alice):
    """The rows the auth service writes, with the real clock moved forward."""
    later = retention.prune(db, now=utcnow() + 12 * HOUR)
    assert later["sessions"] == later["login_tickets"] == 0  # the used ticket stays a day
    later = retention.prune(db, now=utcnow() + 2 * DAY)
    assert later["sessions"] == 0 and later["login_tickets"] == 1
    assert len(db.exec(select(AuthSession)).all()) == 1  # 7 days idle lifetime
    assert retention.prune(db, now=utcnow() + 8 * DAY + HOUR)["sessions"] == 1
    assert db.exec(select(AuthSession)).all() == []


# Where it runs


def test_the_command_line_prunes_and_says_how_many(engine, capsys):
    from support_portal.db import session_scope

    with session_scope() as db:
        rate_event(db, 3 * DAY)
        rate_event(db, HOUR)
        session_row(db, created=40 * DAY)
        login_ticket(db, created=2 * DAY)
        challenge(db, created=2 * DAY)
        pending_registration(db, created=2 * DAY)
    assert cli.main(["prune"]) == 0
    out = capsys.readouterr().out
    assert "1 rate_events" in out and "1 sessions" in out
    assert "1 login_tickets" in out and "1 guest_challenges" in out
    assert "1 pending_registrations" in out
    with session_scope() as db:
        assert len(db.exec(select(RateEvent)).all()) == 1
        for model in (AuthSession, LoginTicket, GuestChallenge, PendingRegistration):
            assert db.exec(select(model)).all() == []


def test_the_app_prunes_every_hour_in_the_background(engine, monkeypatch):
    registered = []

    class App:
        def register_lifespan_task(self, task):
            registered.append(task)

    lifespan.register(App())
    assert lifespan.prune_loop in registered
    assert lifespan.PRUNE_EVERY == 3600

    from support_portal.db import session_scope

    with session_scope() as db:
        rate_event(db, 3 * DAY)
    sleeps = []

    async def sleep(seconds):
        sleeps.append(seconds)
        raise asyncio.CancelledError  # end the loop after its first round

    monkeypatch.setattr(lifespan.asyncio, "sleep", sleep)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(lifespan.prune_loop())
    assert sleeps == [3600]
    with session_scope() as db:
        assert db.exec(select(RateEvent)).all() == []
