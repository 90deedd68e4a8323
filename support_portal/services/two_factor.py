"""Two-factor authentication for agents (issue 17): TOTP from an authenticator app, enrolled
with a QR code, and ten single-use recovery codes shown once.

A code is accepted once: the time step it matched is stored, and a code of that step or an
earlier one is refused. Wrong codes are throttled per account (5 in 15 minutes), checked and
recorded atomically like every limit (X1).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import qrcode
import qrcode.image.svg
from sqlmodel import Session, col, select, update

from support_portal.clock import utcnow
from support_portal.i18n import _
from support_portal.models import RecoveryCode, Role, User
from support_portal.services import access, audit, login_challenge, outbox, sessions, throttle
from support_portal.services.auth import verify_password
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, InvalidInput, NotFound
from support_portal.settings import get_settings

RECOVERY_CODES = 10
WRONG_CODES = 5  # in WRONG_CODES_WINDOW, per account
WRONG_CODES_WINDOW = timedelta(minutes=15)
RESET_NOTICE = "account_two_factor_reset"


class WrongCode(DomainError):
    message = _("That code is not right. Check the app and try again.")


class LoginExpired(DomainError):
    message = _("This login has expired. Enter your email and password again.")


@dataclass(frozen=True)
class Enrolment:
    """What the agent scans or types into the authenticator app."""

    secret: str
    uri: str
    qr_svg: str


def start(db: Session, *, viewer: Viewer | None) -> Enrolment:
    """A new secret for an agent to scan; nothing is stored until `confirm`."""
    viewer = access.require_agent(db, viewer, action="two_factor.start")
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=viewer.email, issuer_name=_issuer())
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return Enrolment(secret=secret, uri=uri, qr_svg=buffer.getvalue().decode())


def confirm(db: Session, *, viewer: Viewer | None, secret: str, code: str) -> list[str]:
    """Turn two-factor on once the app shows a right code; returns the recovery codes (the only
    time they are shown)."""
    viewer = access.require_agent(db, viewer, action="two_factor.confirm")
    user = db.get(User, viewer.user_id)
    assert user is not None
    secret = str(secret or "")
    if len(secret) != 32 or not _step_of(secret, code):
        raise WrongCode()
    user.totp_secret, user.totp_last_step = secret, _step_of(secret, code)
    codes = _new_recovery_codes(db, user)
    audit.record(db, action="two_factor.enabled", actor_kind="agent", actor_id=user.id)
    return codes


def disable(db: Session, *, viewer: Viewer | None, password: str) -> None:
    viewer = access.require_agent(db, viewer, action="two_factor.disable")
    user = db.get(User, viewer.user_id)
    assert user is not None
    if not verify_password(password or "", user.password_hash):
        raise InvalidInput(_("The password is not right."), field="password")
    _turn_off(db, user)
    audit.record(db, action="two_factor.disabled", actor_kind="agent", actor_id=user.id)


def reset(db: Session, *, viewer: Viewer | None, user_id: int) -> None:
    """An administrator turns an agent's two-factor off (a lost phone and no recovery codes)."""
    viewer = access.require_admin(db, viewer, action="two_factor.reset")
    user = db.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.role not in (Role.agent, Role.admin):
        raise NotFound()
    if user.id == viewer.user_id:
        raise InvalidInput(_("Turn your own two-factor off in your account settings."))
    _turn_off(db, user)
    outbox.enqueue(  # the agent hears of it: a reset they did not ask for is an attack
        db,
        to_email=user.email,
        to_name=user.name,
        template=RESET_NOTICE,
        user_id=user.id,
        locale=user.locale,
    )
    audit.record(
        db,
        action="two_factor.reset",
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={"user_id": user_id},
    )


def complete_login(db: Session, *, challenge: str, code: str, binding: str) -> str:
    """The second step of a login: the challenge from the password step and a code; returns the
    login ticket for this browser."""
    found = login_challenge.read(challenge, binding)
    user = db.get(User, found[0]) if found else None
    if found is None or user is None or not user.is_active or not user.totp_secret:
        raise LoginExpired()
    check(db, user=user, code=code)
    return sessions.create_login_ticket(db, user_id=user.id, next_path=found[1], binding=binding)


def is_enabled(db: Session, *, viewer: Viewer | None) -> bool:
    user = db.get(User, viewer.user_id) if viewer and viewer.user_id else None
    return bool(user and user.totp_secret)


def check(db: Session, *, user: User, code: str) -> None:
    """The second step of a login: a TOTP code not used before, or an unused recovery code.
    Raises WrongCode (throttled: RateLimited after 5 wrong codes in 15 minutes)."""
    limit = throttle.Limit("totp", str(user.id), WRONG_CODES, WRONG_CODES_WINDOW)
    throttle.check(db, limit)
    slots = throttle.record(db, limit)
    db.commit()  # the slot counts as a wrong code until this one proves right (X1)
    cleaned = "".join(str(code or "").split()).lower()
    if cleaned.isdigit():
        step = _step_of(user.totp_secret or "", cleaned)
        claimed = step and db.exec(  # one winner per step, however many tries race
            update(User)
            .where(col(User.id) == user.id)
            .where((col(User.totp_last_step).is_(None)) | (col(User.totp_last_step) < step))
            .values(totp_last_step=step)
        )
        if claimed and claimed.rowcount:
            throttle.release(db, slots)
            return
    elif _spend_recovery_code(db, user, cleaned):
        throttle.release(db, slots)
        audit.record(db, action="two_factor.recovery_used", actor_kind="agent", actor_id=user.id)
        return
    audit.record(db, action="two_factor.failed", actor_kind="anonymous", actor_id=user.id)
    db.commit()
    raise WrongCode()


# --- helpers --------------------------------------------------------------------------------


def _issuer() -> str:
    return getattr(get_settings(), "brand_name", None) or "Support portal"


def _step_of(secret: str, code: str) -> int:
    """The time step a right code belongs to (now, or one step either side), else 0."""
    code = "".join(str(code or "").split())
    if not secret or len(code) != 6 or not code.isdigit():
        return 0
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            return current + offset
    return 0


def _hash(code: str) -> str:
    key = (get_settings().secret_key or "").encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(db: Session, user: User) -> list[str]:
    db.exec(
        update(RecoveryCode).where(col(RecoveryCode.user_id) == user.id).values(used_at=utcnow())
    )
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.add(RecoveryCode(user_id=user.id, code_hash=_hash(code)))
    return codes


def _spend_recovery_code(db: Session, user: User, code: str) -> bool:
    spent = db.exec(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == _hash(code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    return bool(spent.rowcount)


def _turn_off(db: Session, user: User) -> None:
    user.totp_secret, user.totp_last_step = None, None
    db.exec(
        update(RecoveryCode).where(col(RecoveryCode.user_id) == user.id).values(used_at=utcnow())
    )


def recovery_codes_left(db: Session, *, viewer: Viewer | None) -> int:
    viewer = access.require_agent(db, viewer, action="two_factor.status")
    rows = db.exec(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == viewer.user_id, col(RecoveryCode.used_at).is_(None)
        )
    ).all()
    return len(rows)
