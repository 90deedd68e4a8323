"""Server-side sessions (A6, P4): the one-time login ticket a browser trades for its HttpOnly
cookie (bound to that browser, X5), the viewer behind a cookie, logout, and which sessions are
still alive, by the key the UI layer binds its state to (X2).

A session's key is the hash the sessions table stores (never the cookie value itself), so the
UI layer can remember which session a browser tab's state was loaded under without holding a
credential, and ask later whether that session has ended (logout, expiry, deactivated user).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session, select, update

from support_portal import routes
from support_portal.models import AuthSession, LoginTicket, SessionKind, User, utcnow
from support_portal.services import login_challenge
from support_portal.services.auth import authenticate, safe_next_path
from support_portal.services.dto import Viewer
from support_portal.services.errors import NotAuthenticated
from support_portal.services.security import new_token, token_hash
from support_portal.settings import get_settings

_CHUNK = 500


LOGIN_TICKET_TTL = timedelta(minutes=2)


_TOUCH_EVERY = timedelta(seconds=60)


def create_login_ticket(
    db: Session,
    *,
    user_id: int | None = None,
    guest_email: str | None = None,
    next_path: str = "/",
    binding: str | None = None,
) -> str:
    """A one-time token the browser trades at an HTTP route for the HttpOnly session cookie.

    `binding` is the nonce the login page set as a cookie in the browser that logs in: the
    exchange refuses the ticket from any browser without that cookie (X5, login CSRF)."""
    if (user_id is None) == (guest_email is None):
        raise ValueError("exactly one of user_id and guest_email")
    token = new_token()
    db.add(
        LoginTicket(
            token_hash=token_hash(token),
            kind=SessionKind.user if user_id is not None else SessionKind.guest,
            user_id=user_id,
            guest_email=guest_email,
            next_path=safe_next_path(next_path),
            binding_hash=token_hash(binding) if binding else None,
            expires_at=utcnow() + LOGIN_TICKET_TTL,
        )
    )
    db.flush()
    return token


def log_in(
    db: Session,
    *,
    email: str,
    password: str,
    ip: str | None,
    requested_next: str | None,
    binding: str,
) -> str | login_challenge.SecondFactorNeeded:
    """The login form's one use case: check the password (throttled, P2/P3/X9) and hand out a
    login ticket bound to this browser (X5) that leads to the requested page, or to the
    viewer's landing page (the dashboard for agents, My tickets for customers). An account
    with two-factor gets a challenge instead, to trade with a code (two_factor)."""
    user = authenticate(db, email=email, password=password, ip=ip)
    next_path = landing_path(user.role, requested_next)
    row = db.get(User, user.id)
    if row is not None and row.totp_secret:
        return login_challenge.issue(user.id, binding, next_path)
    return create_login_ticket(db, user_id=user.id, next_path=next_path, binding=binding)


def landing_path(role: str | None, requested: str | None = None) -> str:
    """Where a login leads: the requested same-site page, else the dashboard for agents and My
    tickets for customers."""
    landing = routes.AGENT_QUEUE if role in ("agent", "admin") else routes.MY_TICKETS
    return safe_next_path(requested, landing)


def exchange_login_ticket(
    db: Session,
    *,
    token: str,
    binding: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, int, str]:
    """Spend a login ticket once; returns (session token, cookie max-age seconds, next path).

    A ticket created with a `binding` works only with the same binding (the browser's nonce
    cookie); a ticket sent to another browser is refused like an expired one."""
    now = utcnow()
    hashed = token_hash(token or "")
    bound = (
        LoginTicket.binding_hash == token_hash(binding)
        if binding
        else LoginTicket.binding_hash.is_(None)  # type: ignore[union-attr]
    )
    claimed = db.exec(
        update(LoginTicket)
        .where(
            LoginTicket.token_hash == hashed,
            LoginTicket.used_at.is_(None),  # type: ignore[union-attr]
            LoginTicket.expires_at > now,
            bound,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise NotAuthenticated("This sign-in link has expired. Please log in again.")
    ticket = db.exec(select(LoginTicket).where(LoginTicket.token_hash == hashed)).one()
    settings = get_settings()
    if ticket.kind == SessionKind.guest:
        idle = settings.guest_session_idle_minutes
        lifetime = timedelta(hours=settings.guest_session_absolute_hours)
    else:
        idle = settings.session_idle_minutes
        lifetime = timedelta(days=settings.session_absolute_days)
    session_token = new_token()
    db.add(
        AuthSession(
            token_hash=token_hash(session_token),
            kind=ticket.kind,
            user_id=ticket.user_id,
            guest_email=ticket.guest_email,
            expires_at=now + lifetime,
            idle_minutes=idle,
            ip=(ip or "")[:64] or None,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    db.flush()
    return session_token, int(lifetime.total_seconds()), ticket.next_path


def _alive(record: AuthSession, now) -> bool:
    return _alive_at(
        record.revoked_at, record.expires_at, record.last_seen_at, record.idle_minutes, now
    )


def _alive_at(revoked_at, expires_at, last_seen_at, idle_minutes: int, now) -> bool:
    return (
        revoked_at is None
        and expires_at > now
        and last_seen_at + timedelta(minutes=idle_minutes) > now
    )


def _viewer_of(record: AuthSession, user: User | None, now) -> Viewer | None:
    """The viewer behind a live session record (touched at most once a minute)."""
    if now - record.last_seen_at > _TOUCH_EVERY:
        record.last_seen_at = now
    assert record.id is not None
    if record.kind == SessionKind.guest:
        assert record.guest_email is not None
        return Viewer(
            kind=SessionKind.guest,
            session_id=record.id,
            name="",
            email=record.guest_email,
            email_verified=True,
        )
    if user is None or not user.is_active:
        return None
    return Viewer(
        kind=SessionKind.user,
        session_id=record.id,
        user_id=user.id,
        role=user.role,
        name=user.name,
        email=user.email,
        locale=user.locale,
        timezone=user.timezone,
        email_verified=user.email_verified,
        two_factor=bool(user.totp_secret),
    )


def viewer_for_token(db: Session, *, session_token: str | None) -> Viewer | None:
    """The viewer behind a session cookie, or None when it is missing, expired or revoked."""
    if not session_token:
        return None
    record = db.exec(
        select(AuthSession).where(AuthSession.token_hash == token_hash(session_token))
    ).first()
    now = utcnow()
    if record is None or not _alive(record, now):
        return None
    user = db.get(User, record.user_id) if record.kind != SessionKind.guest else None
    return _viewer_of(record, user, now)


def viewers_for_tokens(db: Session, *, session_tokens: Iterable[str | None]) -> dict[str, Viewer]:
    """`viewer_for_token` for many cookies at once (one query per 500, the same rules): the
    viewer behind each cookie whose session is alive; the others are absent."""
    by_hash = {token_hash(token): token for token in session_tokens if token}
    wanted = sorted(by_hash)
    now = utcnow()
    found: dict[str, Viewer] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = db.exec(
            select(AuthSession, User)
            .join(User, AuthSession.user_id == User.id, isouter=True)  # type: ignore[arg-type]
            .where(AuthSession.token_hash.in_(wanted[start : start + _CHUNK]))  # type: ignore[attr-defined]
        ).all()
        for record, user in rows:
            viewer = _viewer_of(record, user, now) if _alive(record, now) else None
            if viewer is not None:
                found[by_hash[record.token_hash]] = viewer
    return found


def revoke_session(db: Session, *, session_token: str | None) -> None:
    if not session_token:
        return
    db.exec(
        update(AuthSession)
        .where(
            AuthSession.token_hash == token_hash(session_token),
            AuthSession.revoked_at.is_(None),  # type: ignore[union-attr]
        )
        .values(revoked_at=utcnow())
    )


def session_key(session_token: str | None) -> str:
    """The key of the session behind a cookie value ("" for none)."""
    return token_hash(session_token) if session_token else ""


def active_keys(db: Session, *, keys: Iterable[str]) -> set[str]:
    """The keys among `keys` whose session is still valid (same rules as viewer_for_token)."""
    wanted = sorted({k for k in keys if k})
    now = utcnow()
    alive: set[str] = set()
    # Only the columns the rule reads: the sweep asks this for every bound session each minute,
    # and loading them as ORM objects (a session and a user each) took ~0.2 s of one process's
    # time at 1000 open pages (docs/benchmarks.md, "Live updates").
    columns = (
        AuthSession.token_hash,
        AuthSession.revoked_at,
        AuthSession.expires_at,
        AuthSession.last_seen_at,
        AuthSession.idle_minutes,
        AuthSession.kind,
        User.is_active,
    )
    for start in range(0, len(wanted), _CHUNK):
        rows = db.exec(
            select(*columns)
            .join(User, AuthSession.user_id == User.id, isouter=True)  # type: ignore[arg-type]
            .where(AuthSession.token_hash.in_(wanted[start : start + _CHUNK]))  # type: ignore[attr-defined]
        ).all()
        for key, revoked_at, expires_at, last_seen_at, idle_minutes, kind, user_active in rows:
            if not _alive_at(revoked_at, expires_at, last_seen_at, idle_minutes, now):
                continue
            if kind == SessionKind.user and not user_active:  # None: no such user
                continue
            alive.add(key)
    return alive


def is_active(db: Session, *, key: str) -> bool:
    return bool(key) and key in active_keys(db, keys=[key])
