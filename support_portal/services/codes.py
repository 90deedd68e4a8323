"""One-time email codes (G3-G7): 6 digits from `secrets`, stored only as a keyed hash, valid 10
minutes and once, 5 tries, sends capped and throttled atomically (X1).

A code belongs to a purpose, an email and (for a guest link) a ticket; a new one voids the
older ones. The same machinery serves guest links, registrations and an account's email.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from support_portal.i18n import _
from support_portal.models import GuestChallenge, utcnow
from support_portal.services import throttle
from support_portal.services.errors import DomainError, InvalidInput
from support_portal.services.security import constant_time_equal, keyed_hash

CODE_TTL = timedelta(minutes=10)


MAX_ATTEMPTS = 5


RESEND_COOLDOWN = timedelta(seconds=60)


SEND_LIMITS = (  # (limit, window) per ticket and per IP (G6)
    (3, timedelta(minutes=15)),
    (10, timedelta(days=1)),
)


VERIFY_PER_IP = (60, timedelta(hours=1))


class CodeRejected(DomainError):
    """A refused code; `reason` says what to do next."""

    MESSAGES = {
        "wrong": _("That code is not correct. Check the latest email and try again."),
        "expired": _("This code has expired. Request a new code."),
        "used": _("This code was already used. Request a new code."),
        "burned": _("Too many wrong attempts. Request a new code."),
        "missing": _("Request a code first."),
    }

    def __init__(self, reason: str, *, attempts_left: int | None = None) -> None:
        super().__init__(self.MESSAGES[reason], attempts_left=attempts_left)
        self.reason = reason
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class CodeSent:
    """What the page may say after a code went out; the code itself stays in the service."""

    email: str
    number: int | None
    expires_at: datetime
    resend_at: datetime


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _code_hash(code: str, *, ticket_id: int | None, email: str, purpose: str) -> str:
    return keyed_hash(code, purpose=f"{purpose}:{ticket_id}:{email}")


def _send_limits(*, key: str, ip: str | None) -> list[throttle.Limit]:
    limits = [throttle.Limit("code_send", key, limit, window) for limit, window in SEND_LIMITS]
    if ip:
        limits += [
            throttle.Limit("code_send_ip", ip, limit * 3, window) for limit, window in SEND_LIMITS
        ]
    return limits


def issue(
    db: Session, *, ticket_id: int | None, email: str, purpose: str, ip: str | None
) -> tuple[str, GuestChallenge]:
    key = f"{purpose}:{ticket_id}:{email}"
    # One lock per (purpose, ticket, email) for the cooldown and the caps: parallel "Send code"
    # clicks queue here and each sees the codes the previous ones issued (G6, X1).
    throttle.lock(db, scope="code_issue", key=key)
    now = utcnow()
    latest = db.exec(
        select(GuestChallenge)
        .where(
            GuestChallenge.ticket_id == ticket_id,
            GuestChallenge.email == email,
            GuestChallenge.purpose == purpose,
        )
        .order_by(col(GuestChallenge.id).desc())
        .limit(1)
    ).first()
    if latest is not None and latest.created_at + RESEND_COOLDOWN > now:
        wait = (latest.created_at + RESEND_COOLDOWN - now).total_seconds()
        raise throttle.RateLimited(retry_after=int(wait) + 1)
    throttle.take(db, *_send_limits(key=key, ip=ip))
    # A new code voids every older one (G5).
    db.exec(
        update(GuestChallenge)
        .where(
            GuestChallenge.ticket_id == ticket_id,
            GuestChallenge.email == email,
            GuestChallenge.purpose == purpose,
            GuestChallenge.used_at.is_(None),
            GuestChallenge.voided_at.is_(None),
        )  # type: ignore[union-attr]
        .values(voided_at=now)
    )
    code = new_code()
    challenge = GuestChallenge(
        ticket_id=ticket_id,
        email=email,
        purpose=purpose,
        code_hash=_code_hash(code, ticket_id=ticket_id, email=email, purpose=purpose),
        created_at=now,
        expires_at=now + CODE_TTL,
        ip=(ip or "")[:64] or None,
    )
    db.add(challenge)
    db.flush()
    return code, challenge


def verify(
    db: Session, *, ticket_id: int | None, email: str, purpose: str, code: str, ip: str | None
) -> None:
    """Spend one attempt atomically, then compare (G4-G7). Commits refusals itself."""
    if ip:
        limit, window = VERIFY_PER_IP
        throttle.take(db, throttle.Limit("code_verify_ip", ip, limit, window))
    code = "".join((code or "").split())
    challenge = db.exec(
        select(GuestChallenge)
        .where(
            GuestChallenge.ticket_id == ticket_id,
            GuestChallenge.email == email,
            GuestChallenge.purpose == purpose,
        )
        .order_by(col(GuestChallenge.id).desc())
        .limit(1)
    ).first()
    now = utcnow()
    if challenge is None or challenge.voided_at is not None:
        db.commit()
        raise CodeRejected("missing")
    if challenge.used_at is not None:
        db.commit()
        raise CodeRejected("used")
    if challenge.expires_at <= now:
        db.commit()
        raise CodeRejected("expired")
    # The counter moves in the database, so parallel guesses cannot exceed the limit (G7).
    spent = db.exec(
        update(GuestChallenge)
        .where(
            GuestChallenge.id == challenge.id,
            GuestChallenge.attempts < MAX_ATTEMPTS,
            GuestChallenge.used_at.is_(None),
            GuestChallenge.voided_at.is_(None),
        )  # type: ignore[union-attr]
        .values(attempts=GuestChallenge.attempts + 1)
    )
    db.commit()
    if spent.rowcount != 1:
        raise CodeRejected("burned")
    expected = _code_hash(code, ticket_id=ticket_id, email=email, purpose=purpose)
    if not (
        code.isdigit() and len(code) == 6 and constant_time_equal(expected, challenge.code_hash)
    ):
        db.refresh(challenge)
        left = max(0, MAX_ATTEMPTS - challenge.attempts)
        raise CodeRejected("burned" if left == 0 else "wrong", attempts_left=left)
    used = db.exec(
        update(GuestChallenge)
        .where(GuestChallenge.id == challenge.id, GuestChallenge.used_at.is_(None))  # type: ignore[union-attr]
        .values(used_at=now)
    )
    if used.rowcount != 1:
        db.commit()
        raise CodeRejected("used")


def issue_code(
    db: Session, *, email: str, purpose: str, ip: str | None
) -> tuple[str, GuestChallenge]:
    return issue(db, ticket_id=None, email=email, purpose=purpose, ip=ip)


def verify_code(db: Session, *, email: str, purpose: str, code: str, ip: str | None) -> None:
    verify(db, ticket_id=None, email=email, purpose=purpose, code=clean_code_input(code), ip=ip)


def clean_code_input(code: str) -> str:
    value = "".join((code or "").split())
    if not value:
        raise InvalidInput("Enter the 6-digit code from the email.", field="code")
    return value
