"""Which sessions have ended, by the key a browser tab's state is bound to (X2)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from support_portal.models import AuthSession, User, utcnow
from support_portal.services import sessions
from support_portal.services.security import token_hash
from tests.unit.conftest import session_token_for


def record(db, token: str) -> AuthSession:
    return db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).one()


def test_the_key_is_the_stored_hash_never_the_cookie(db, alice):
    token = session_token_for(db, user_id=alice.user_id)
    key = sessions.session_key(token)
    assert key == record(db, token).token_hash
    assert token not in key
    assert sessions.session_key(None) == sessions.session_key("") == ""


def test_logged_out_expired_idle_and_deactivated_sessions_have_ended(db, alice, bob, agent):
    live = session_token_for(db, user_id=alice.user_id)
    guest = session_token_for(db, guest_email="guest@example.com")
    logged_out = session_token_for(db, user_id=alice.user_id)
    sessions.revoke_session(db, session_token=logged_out)
    expired = session_token_for(db, user_id=bob.user_id)
    record(db, expired).expires_at = utcnow() - timedelta(seconds=1)
    idle = session_token_for(db, user_id=bob.user_id)
    row = record(db, idle)
    row.last_seen_at = utcnow() - timedelta(minutes=row.idle_minutes + 1)
    deactivated = session_token_for(db, user_id=agent.user_id)
    db.get(User, agent.user_id).is_active = False
    db.flush()

    keys = {
        name: sessions.session_key(token)
        for name, token in {
            "live": live,
            "guest": guest,
            "logged_out": logged_out,
            "expired": expired,
            "idle": idle,
            "deactivated": deactivated,
        }.items()
    }
    alive = sessions.active_keys(db, keys=[*keys.values(), "0" * 64, ""])
    assert alive == {keys["live"], keys["guest"]}
    assert sessions.is_active(db, key=keys["live"])
    assert not sessions.is_active(db, key=keys["logged_out"])
    assert not sessions.is_active(db, key="")
