"""The account page (/settings/account): name and language, the password, and the sessions the
account is logged in with (device, address, started, last seen), each of which can be ended.

Every use case re-reads the account behind the viewer's session; a guest or an ended session
gets NotAuthenticated. Changing the password needs the current one, checked like a login
(argon2, throttled per account, P3), and ends every other session. Functions that end sessions
return their keys (server-side only) so the UI layer can purge those tabs' state at once (X2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from support_portal import i18n
from support_portal.models import AuthSession, User, utcnow
from support_portal.rules import TIME_ZONES
from support_portal.services import audit, session_endings, throttle
from support_portal.services.auth import check_password_rules, clean_name
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotAuthenticated
from support_portal.services.security import hash_password, verify_password
from support_portal.services.session_endings import end_user_sessions

PASSWORD_CHECKS = (5, timedelta(minutes=15))  # wrong current passwords per account
NOTICE_TEMPLATE = "account_password_changed"

# (marker in the User-Agent, name shown): the first match wins, so the order matters.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@dataclass(frozen=True)
class SessionInfo:
    """One logged-in browser of the account: what the page shows about it. Never its key."""

    id: int
    browser: str  # "" when the User-Agent says nothing we know
    system: str
    ip: str
    started_at: datetime
    last_seen_at: datetime
    current: bool


@dataclass(frozen=True)
class AccountOverview:
    name: str
    email: str
    locale: str | None  # None: never chosen (the pages follow the browser)
    timezone: str | None  # None: the browser's own
    sessions: list[SessionInfo]


def describe_device(user_agent: str | None) -> tuple[str, str]:
    """(browser, system) named from a User-Agent; "" for what it does not say."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    return browser, system


def _user(db: Session, viewer: Viewer | None) -> User:
    if viewer is None or viewer.is_guest or viewer.user_id is None:
        raise NotAuthenticated()
    user = db.get(User, viewer.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated()
    return user


def list_sessions(db: Session, *, viewer: Viewer | None) -> list[SessionInfo]:
    """The account's live sessions, this one first, then the most recently seen."""
    user = _user(db, viewer)
    assert viewer is not None
    now = utcnow()
    rows = db.exec(
        select(AuthSession).where(
            AuthSession.user_id == user.id,
            AuthSession.revoked_at.is_(None),  # type: ignore[union-attr]
            AuthSession.expires_at > now,
        )
    ).all()
    found = []
    for row in rows:
        if row.last_seen_at + timedelta(minutes=row.idle_minutes) <= now or row.id is None:
            continue
        browser, system = describe_device(row.user_agent)
        found.append(
            SessionInfo(
                id=row.id,
                browser=browser,
                system=system,
                ip=row.ip or "",
                started_at=row.created_at,
                last_seen_at=row.last_seen_at,
                current=row.id == viewer.session_id,
            )
        )
    found.sort(key=lambda s: (not s.current, -s.last_seen_at.timestamp(), -s.id))
    return found


def overview(db: Session, *, viewer: Viewer | None) -> AccountOverview:
    user = _user(db, viewer)
    return AccountOverview(
        name=user.name,
        email=user.email,
        locale=i18n.normalize_locale(user.locale) if user.locale else None,
        timezone=user.timezone,
        sessions=list_sessions(db, viewer=viewer),
    )


def save_profile(
    db: Session, *, viewer: Viewer | None, name: str, locale: str, timezone: str = ""
) -> AccountOverview:
    """The name, the language of the account's pages and emails, and the time zone its dates
    are shown in ("" follows the browser)."""
    user = _user(db, viewer)
    user.name = clean_name(name)
    if locale not in i18n.SUPPORTED:
        raise InvalidInput("Choose a language from the list.", field="locale")
    timezone = (timezone or "").strip()
    if timezone and timezone not in TIME_ZONES:
        raise InvalidInput("Choose a time zone from the list.", field="timezone")
    user.locale = locale
    user.timezone = timezone or None
    user.updated_at = utcnow()
    audit.record(db, action="account.profile_saved", actor_id=user.id, actor_kind="user")
    return overview(db, viewer=viewer)


def account_of(db: Session, viewer: Viewer | None) -> User:
    """The active account behind a logged-in viewer; NotAuthenticated for anyone else."""
    return _user(db, viewer)


def check_current_password(db: Session, *, user: User, password: str) -> None:
    """Re-authentication before a sensitive change, checked like a login (P3, X1): the attempt
    takes its slot and commits before the slow check, so parallel guesses cannot all see the
    old count; the right password gives the slot back."""
    limit = throttle.Limit("password_check", str(user.id), *PASSWORD_CHECKS)
    throttle.check(db, limit)
    slots = throttle.record(db, limit)
    db.commit()
    if not verify_password(password or "", user.password_hash):
        audit.record(db, action="password.check_failed", actor_id=user.id, actor_kind="user")
        db.commit()
        raise InvalidInput("The current password is not correct.", field="current_password")
    throttle.release(db, slots)


def change_password(
    db: Session,
    *,
    viewer: Viewer | None,
    current_password: str,
    new_password: str,
    ip: str | None,
) -> list[str]:
    """Set a new password after checking the current one; ends every other session and tells
    the address. Returns the keys of the sessions it ended."""
    user = _user(db, viewer)
    assert viewer is not None and user.id is not None
    check_password_rules(new_password)
    check_current_password(db, user=user, password=current_password)
    return session_endings.new_password(
        db,
        user,
        password_hash=hash_password(new_password),
        action="password.changed",
        notice_template=NOTICE_TEMPLATE,
        ip=ip,
        keep_session_id=viewer.session_id,
    )


def end_session(db: Session, *, viewer: Viewer | None, session_id: int) -> list[str]:
    """Log out one other session of the account (not this one: that is "Log out"). A session
    that is not the viewer's own, or is already over, ends nothing: the same answer (A1)."""
    user = _user(db, viewer)
    assert viewer is not None and user.id is not None
    if not isinstance(session_id, int) or session_id == viewer.session_id:
        return []
    ended = end_user_sessions(db, user_id=user.id, only_id=session_id)
    if ended:
        audit.record(db, action="session.ended", actor_id=user.id, actor_kind="user")
    return ended


def end_other_sessions(db: Session, *, viewer: Viewer | None) -> list[str]:
    """ "Log out everywhere else": every session of the account but this one."""
    user = _user(db, viewer)
    assert viewer is not None and user.id is not None
    ended = end_user_sessions(db, user_id=user.id, keep_session_id=viewer.session_id)
    audit.record(
        db,
        action="session.ended_others",
        actor_id=user.id,
        actor_kind="user",
        detail={"sessions_ended": len(ended)},
    )
    return ended
