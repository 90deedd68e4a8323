"""The cleanup of short-lived rows on PostgreSQL, the production database (X11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import SQLModel, select

import support_portal.models  # noqa: F401
from support_portal.db import make_engine, session_scope
from support_portal.models import (
    AuthSession,
    GuestChallenge,
    LoginTicket,
    PendingRegistration,
    RateEvent,
    SessionKind,
)
from support_portal.services import retention
from tests.unit.test_retention import (
    DAY,
    HOUR,
    NOW,
    challenge,
    login_ticket,
    pending_registration,
    rate_event,
    session_row,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_engine(pg_server):
    engine = make_engine(pg_server.create_database("retention"))
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_rows_past_retention_go_and_fresh_rows_stay_on_postgresql(pg_engine):
    with session_scope(pg_engine) as db:
        rate_event(db, 3 * DAY)
        rate_event(db, HOUR)
        guest = {"kind": SessionKind.guest, "idle_minutes": 30}
        gone = {
            session_row(db, created=40 * DAY),
            session_row(db, created=3 * DAY, revoked=2 * DAY),
            session_row(db, created=2 * DAY, **guest),
        }
        kept = {session_row(db, created=HOUR), session_row(db, created=HOUR, **guest)}
        login_ticket(db, created=2 * DAY)
        fresh_ticket = login_ticket(db, created=timedelta(seconds=30))
        challenge(db, created=2 * DAY, used=True)
        fresh_code = challenge(db, created=timedelta(minutes=1))
        pending_registration(db, created=2 * DAY)
        waiting = pending_registration(db, created=HOUR)
    with session_scope(pg_engine) as db:
        counts = retention.prune(db, now=NOW)
    assert counts == {
        "rate_events": 1, "sessions": len(gone), "login_tickets": 1, "guest_challenges": 1,
        "pending_registrations": 1, "data_exports": 0, "anonymised_tickets": 0,
    }  # fmt: skip
    with session_scope(pg_engine) as db:
        assert [NOW - t for t in db.exec(select(RateEvent.created_at)).all()] == [HOUR]
        assert set(db.exec(select(AuthSession.token_hash)).all()) == kept
        assert db.exec(select(LoginTicket.token_hash)).all() == [fresh_ticket]
        assert db.exec(select(GuestChallenge.code_hash)).all() == [fresh_code]
        assert db.exec(select(PendingRegistration.email)).all() == [waiting]
