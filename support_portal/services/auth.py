"""Accounts, login and server-side sessions (P1-P4, A6)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from support_portal.models import Role, User
from support_portal.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from support_portal.services import audit, throttle
from support_portal.services.dto import UserPublic
from support_portal.services.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
)
from support_portal.services.security import (
    hash_password,
    verify_password,
)

SESSION_COOKIE = "sp_session"
# Set by the login page's script in the browser that logs in, read once by the exchange route.
LOGIN_NONCE_COOKIE = "sp_login_nonce"
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_IP = 30
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_SLOWDOWN_AFTER = 10  # failures from all addresses before each try waits
LOGIN_SLOWDOWN_MAX_SECONDS = 4.0

_EMAIL_RE = re.compile(
    r"^[^@\s\x00-\x1f\x7f<>,;:\"]+@[^@\s\x00-\x1f\x7f<>,;:\"]+\.[^@\s\x00-\x1f\x7f<>,;:\"]+$"
)


def normalize_email(email: str) -> str:
    value = (email or "").strip().lower()
    if len(value) > 254 or not _EMAIL_RE.match(value):
        raise InvalidInput("Enter a valid email address.", field="email")
    return value


def clean_name(name: str) -> str:
    value = " ".join((name or "").split())  # also removes CR/LF and tabs
    if not value:
        raise InvalidInput("Enter your name.", field="name")
    if len(value) > 120:
        raise InvalidInput("The name is too long (at most 120 characters).", field="name")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidInput("The name contains characters that are not allowed.", field="name")
    return value


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "Use at least {min} characters.", field="password", min=MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "Use at most {max} characters.", field="password", max=MAX_PASSWORD_LENGTH
        )


def user_public(user: User) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value if isinstance(user.role, Role) else str(user.role),
        email_verified=user.email_verified,
        is_active=user.is_active,
        locale=user.locale,
    )


def create_user(
    db: Session,
    *,
    name: str,
    email: str,
    password: str,
    role: Role = Role.customer,
    email_verified: bool = False,
    locale: str | None = None,
) -> UserPublic:
    name = clean_name(name)
    email = normalize_email(email)
    check_password_rules(password)
    if db.exec(select(User.id).where(User.email == email)).first() is not None:
        raise EmailTaken()
    user = User(
        name=name,
        email=email,
        password_hash=hash_password(password),
        role=role,
        email_verified=email_verified,
        locale=locale,
    )
    db.add(user)
    try:
        db.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailTaken() from exc
    audit.record(
        db, action="user.created", actor_id=user.id, actor_kind="user", detail={"role": str(role)}
    )
    return user_public(user)


def authenticate(db: Session, *, email: str, password: str, ip: str | None) -> UserPublic:
    """Check a password. Unknown email and wrong password look and cost the same (P2).

    Throttled per (account, address) and per address (P3, X9): a stranger's failures never
    block the right password from an address with no failures of its own; across addresses
    they only slow the account down (`login_delay`). The attempt takes its slots atomically
    and commits before the slow password check (X1), so 50 parallel tries cannot all see the
    old count; a successful login gives its slots back.
    """
    key = (email or "").strip().lower()[:254]
    limits = _login_limits(key, ip)
    throttle.check(db, *limits)
    slots = throttle.record(db, *limits)
    db.commit()  # the slots count as failures until this attempt proves otherwise
    user = db.exec(select(User).where(User.email == key)).first()
    # Unknown users are checked against a dummy hash so both paths take the same time.
    ok = verify_password(password or "", user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        throttle.hit(db, scope="login_account", key=key)
        audit.record(
            db,
            action="login.failed",
            actor_kind="anonymous",
            ip=ip,
            actor_id=user.id if user else None,
        )
        db.commit()
        raise InvalidCredentials()
    throttle.release(db, slots)
    throttle.clear(db, scope="login_pair", key=_account_ip_key(key, ip))
    if _needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(db, action="login.succeeded", actor_id=user.id, actor_kind="user", ip=ip)
    return user_public(user)


def _account_ip_key(email: str, ip: str | None) -> str:
    return f"{email}|{ip or '-'}"


def _login_limits(email: str, ip: str | None) -> list[throttle.Limit]:
    limits = [
        throttle.Limit(
            "login_pair", _account_ip_key(email, ip), LOGIN_FAILURES_PER_ACCOUNT, LOGIN_WINDOW
        )
    ]
    if ip:
        limits.append(throttle.Limit("login_ip", ip, LOGIN_FAILURES_PER_IP, LOGIN_WINDOW))
    return limits


def login_delay(db: Session, *, email: str) -> float:
    """Seconds to wait before checking a password for this account: grows with the failures
    from every address, so a spread-out guessing attack slows down while the owner, from an
    address with no failures, still gets in (X9)."""
    key = (email or "").strip().lower()[:254]
    failures = throttle.count(db, scope="login_account", key=key, window=LOGIN_WINDOW)
    if failures < LOGIN_SLOWDOWN_AFTER:
        return 0.0
    return min(LOGIN_SLOWDOWN_MAX_SECONDS, 0.25 * 2 ** (failures - LOGIN_SLOWDOWN_AFTER))


def _needs_rehash(password_hash: str) -> bool:
    from support_portal.services.security import passwords

    return passwords.needs_update(password_hash)


def safe_next_path(path: str | None, default: str = "/") -> str:
    """Only same-site absolute paths: no scheme, no '//' host, no backslashes (open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    if any(ord(c) < 32 for c in path):
        return default
    return path[:512]
