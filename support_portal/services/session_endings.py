"""Ending an account's sessions at once: a deactivated agent, a password reset or change, "log
out everywhere else". Their open pages lose access on their next event (A4, A6)."""

from __future__ import annotations

from sqlmodel import Session, select, update

from support_portal.models import AuthSession, LoginTicket, User, utcnow
from support_portal.services import audit, outbox


def revoke_all_sessions(db: Session, *, user_id: int) -> None:
    db.exec(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=utcnow())
    )


def end_user_sessions(
    db: Session, *, user_id: int, keep_session_id: int | None = None, only_id: int | None = None
) -> list[str]:
    """Revoke a user's sessions: every one, every one but `keep_session_id` (the browser that
    asks), or only `only_id`. Returns the keys of the sessions it ended, for the UI layer to
    purge their tabs' state at once (X2); their live pages get nothing from the next event on,
    since every read re-checks the session (A4, A6)."""
    query = select(AuthSession.id, AuthSession.token_hash).where(
        AuthSession.user_id == user_id,
        AuthSession.revoked_at.is_(None),  # type: ignore[union-attr]
    )
    if keep_session_id is not None:
        query = query.where(AuthSession.id != keep_session_id)
    if only_id is not None:
        query = query.where(AuthSession.id == only_id)
    rows = db.exec(query).all()
    if rows:
        db.exec(
            update(AuthSession)
            .where(
                AuthSession.id.in_([row[0] for row in rows]),  # type: ignore[union-attr]
                AuthSession.revoked_at.is_(None),  # type: ignore[union-attr]
            )
            .values(revoked_at=utcnow())
        )
    return [row[1] for row in rows]


def void_login_tickets(db: Session, *, user_id: int) -> None:
    """Unspent login tickets of a user go (a password change or reset): a login that passed
    the old password a moment ago cannot turn into a session afterwards."""
    db.exec(
        update(LoginTicket)
        .where(LoginTicket.user_id == user_id, LoginTicket.used_at.is_(None))  # type: ignore[union-attr]
        .values(used_at=utcnow())
    )


def new_password(
    db: Session,
    user: User,
    *,
    password_hash: str,
    action: str,
    notice_template: str,
    ip: str | None,
    keep_session_id: int | None = None,
) -> list[int]:
    """A new password takes effect: every other session and unspent login ticket of the
    account ends, the address is told (through the outbox, after commit) and it is audited.
    Returns the ids of the sessions that ended."""
    user.password_hash = password_hash
    user.updated_at = utcnow()
    ended = end_user_sessions(db, user_id=user.id, keep_session_id=keep_session_id)
    void_login_tickets(db, user_id=user.id)
    outbox.enqueue(
        db,
        to_email=user.email,
        to_name=user.name,
        template=notice_template,
        user_id=user.id,
        locale=user.locale,
    )
    audit.record(
        db,
        action=action,
        actor_id=user.id,
        actor_kind="user",
        ip=ip,
        detail={"sessions_ended": len(ended)},
    )
    return ended
