"""Which server-side sessions are still alive, by the key the UI layer binds its state to (X2).

A session's key is the hash the sessions table stores (never the cookie value itself), so the
UI layer can remember which session a browser tab's state was loaded under without holding a
credential, and ask later whether that session has ended (logout, expiry, deactivated user).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session, select

from support_portal.models import AuthSession, SessionKind, User, utcnow
from support_portal.services.security import token_hash

_CHUNK = 500


def session_key(session_token: str | None) -> str:
    """The key of the session behind a cookie value ("" for none)."""
    return token_hash(session_token) if session_token else ""


def active_keys(db: Session, *, keys: Iterable[str]) -> set[str]:
    """The keys among `keys` whose session is still valid (same rules as viewer_for_token)."""
    wanted = sorted({k for k in keys if k})
    now = utcnow()
    alive: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        rows = db.exec(
            select(AuthSession, User)
            .join(User, AuthSession.user_id == User.id, isouter=True)  # type: ignore[arg-type]
            .where(AuthSession.token_hash.in_(wanted[start : start + _CHUNK]))  # type: ignore[attr-defined]
        ).all()
        for record, user in rows:
            if (
                record.revoked_at is not None
                or record.expires_at <= now
                or record.last_seen_at + timedelta(minutes=record.idle_minutes) <= now
            ):
                continue
            if record.kind == SessionKind.user and (user is None or not user.is_active):
                continue
            alive.add(record.token_hash)
    return alive


def is_active(db: Session, *, key: str) -> bool:
    return bool(key) and key in active_keys(db, keys=[key])
