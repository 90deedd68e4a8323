"""Personal access tokens for the REST API: created, listed, revoked, and checked per request.

Only agents and admins hold tokens (customers have none). A token is 256 random bits shown
once; the database keeps its SHA-256 and the first characters (to tell tokens apart). Scopes:
"read" (GET) and "write" (changes; a write token also reads). Each request takes one slot of
the token's per-minute limit in the same atomic step as every other limit (X1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from support_portal.models import ApiToken, Role, SessionKind, User, utcnow
from support_portal.services import access, audit, throttle
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from support_portal.services.security import new_token, token_hash
from support_portal.settings import get_settings

SECRET_PREFIX = "spt_"  # noqa: S105  (a marker, not a secret)
SCOPES = ("read", "write")
MAX_NAME = 80
MAX_DAYS = 3650
RATE_WINDOW = timedelta(minutes=1)
TOUCH_EVERY = timedelta(minutes=1)  # "last used" is written at most this often


@dataclass(frozen=True)
class ApiTokenPublic:
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    owner_email: str


@dataclass(frozen=True)
class NewApiToken:
    token: ApiTokenPublic
    secret: str  # shown once, never stored


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling the API: the token's owner as a viewer, and what the token may do."""

    viewer: Viewer
    token_id: int
    scopes: frozenset[str]


def _clean_scopes(scopes: list[str] | tuple[str, ...]) -> str:
    chosen = {s.strip().lower() for s in scopes if s and s.strip()}
    if not chosen or not chosen <= set(SCOPES):
        raise InvalidInput("Choose the scopes: read, or read and write.", field="scopes")
    if "write" in chosen:
        chosen.add("read")
    return " ".join(s for s in SCOPES if s in chosen)


def _clean_name(name: str) -> str:
    value = " ".join((name or "").split())
    if not value or len(value) > MAX_NAME:
        raise InvalidInput("Name the token (at most {max} characters).", field="name", max=MAX_NAME)
    return value


def _expiry(days: int | None) -> datetime | None:
    if days is None:
        return None
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput("The lifetime is 1 to {max} days.", field="days", max=MAX_DAYS)
    return utcnow() + timedelta(days=days)


def _public(row: ApiToken, owner_email: str) -> ApiTokenPublic:
    return ApiTokenPublic(
        id=row.id,  # type: ignore[arg-type]
        name=row.name,
        prefix=row.prefix,
        scopes=row.scopes.split(),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        owner_email=owner_email,
    )


def _issue(
    db: Session, *, owner: User, name: str, scopes: list[str], days: int | None, actor: dict
) -> NewApiToken:
    if not owner.is_active or owner.role not in (Role.agent, Role.admin):
        raise InvalidInput("Only active agents and admins can hold API tokens.", field="email")
    secret = SECRET_PREFIX + new_token(32)
    row = ApiToken(
        user_id=owner.id,  # type: ignore[arg-type]
        name=_clean_name(name),
        token_hash=token_hash(secret),
        prefix=secret[:12],
        scopes=_clean_scopes(scopes),
        expires_at=_expiry(days),
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        action="api_token.created",
        detail={"token_id": row.id, "owner_id": owner.id, "scopes": row.scopes},
        **actor,
    )
    return NewApiToken(token=_public(row, owner.email), secret=secret)


def create_token(
    db: Session,
    *,
    viewer: Viewer | None,
    name: str,
    scopes: list[str],
    days: int | None = 90,
) -> NewApiToken:
    """A token for the viewer themself (an agent or admin)."""
    viewer = access.require_agent(db, viewer, action="api_token.create")
    owner = db.get(User, viewer.user_id)
    if owner is None:
        raise NotAuthenticated()
    actor = {"actor_kind": "agent", "actor_id": viewer.user_id}
    return _issue(db, owner=owner, name=name, scopes=scopes, days=days, actor=actor)


def create_token_for_email(
    db: Session, *, email: str, name: str, scopes: list[str], days: int | None = 90
) -> NewApiToken:
    """The administrator's command line: a token for the agent with this email."""
    from support_portal.services.auth import normalize_email

    owner = db.exec(select(User).where(User.email == normalize_email(email))).first()
    if owner is None:
        raise InvalidInput("Only active agents and admins can hold API tokens.", field="email")
    actor = {"actor_kind": "system"}
    return _issue(db, owner=owner, name=name, scopes=scopes, days=days, actor=actor)


def list_tokens(db: Session, *, viewer: Viewer | None) -> list[ApiTokenPublic]:
    """The viewer's own tokens, newest first (admins: everyone's)."""
    viewer = access.require_agent(db, viewer, action="api_token.list")
    query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
    if not viewer.is_admin:
        query = query.where(ApiToken.user_id == viewer.user_id)
    rows = db.exec(query.order_by(col(ApiToken.id).desc())).all()
    return [_public(row, email) for row, email in rows]


def list_all_tokens(db: Session) -> list[ApiTokenPublic]:
    """Every token (the administrator's command line)."""
    query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
    rows = db.exec(query.order_by(col(ApiToken.id).desc())).all()
    return [_public(row, email) for row, email in rows]


def revoke_token(db: Session, *, viewer: Viewer | None, token_id: int) -> None:
    """Revoke one of the viewer's tokens (admins: any token). Works at once."""
    viewer = access.require_agent(db, viewer, action="api_token.revoke")
    row = db.get(ApiToken, token_id)
    if row is None or (row.user_id != viewer.user_id and not viewer.is_admin):
        raise NotFound()
    _revoke(db, row, actor_kind="agent", actor_id=viewer.user_id)


def revoke_token_by_id(db: Session, *, token_id: int) -> None:
    row = db.get(ApiToken, token_id)
    if row is None:
        raise NotFound()
    _revoke(db, row, actor_kind="system", actor_id=None)


def _revoke(db: Session, row: ApiToken, *, actor_kind: str, actor_id: int | None) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            db,
            action="api_token.revoked",
            actor_kind=actor_kind,
            actor_id=actor_id,
            detail={"token_id": row.id},
        )


def authenticate(db: Session, *, secret: str | None) -> ApiCaller:
    """The caller behind a bearer secret; NotAuthenticated when it is unknown, revoked,
    expired, or its owner is no longer an active agent."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        raise NotAuthenticated()
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(secret))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated()
    if row.expires_at is not None and row.expires_at <= now:
        raise NotAuthenticated()
    user = db.get(User, row.user_id)
    if user is None or not user.is_active or user.role not in (Role.agent, Role.admin):
        raise NotAuthenticated()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
    viewer = Viewer(
        kind=SessionKind.user,
        session_id=0,  # no browser session behind an API call
        user_id=user.id,
        role=user.role,
        name=user.name,
        email=user.email,
        locale=user.locale,
        timezone=user.timezone,
        email_verified=user.email_verified,
    )
    return ApiCaller(viewer=viewer, token_id=row.id, scopes=frozenset(row.scopes.split()))  # type: ignore[arg-type]


def rate_limit(token_id: int) -> throttle.Limit:
    """API_RATE_LIMIT_PER_MINUTE requests per token and minute."""
    per_minute = get_settings().api_rate_limit_per_minute
    return throttle.Limit(
        scope="api_token", key=str(token_id), limit=per_minute, window=RATE_WINDOW
    )


def authorize(db: Session, *, secret: str | None, scope: str) -> ApiCaller:
    """One request's check, in one transaction: the token, its per-minute limit (atomic,
    RateLimited with the wait), then the scope (refusals are audited)."""
    caller = authenticate(db, secret=secret)
    throttle.take(db, rate_limit(caller.token_id))
    if scope not in caller.scopes:
        audit.denied(
            db,
            action=f"api.{scope}",
            actor_kind="agent",
            actor_id=caller.viewer.user_id,
            reason=f"token {caller.token_id} lacks the {scope} scope",
        )
        db.commit()
        raise PermissionDenied("This token may not make changes (it has the read scope only).")
    return caller
