"""Tokens, hashes and passwords."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from passlib.context import CryptContext

from support_portal.settings import get_settings

# argon2id with passlib's defaults (m=64 MiB, t=3, p=4). Argon2 never truncates input (P1).
passwords = CryptContext(schemes=["argon2"], deprecated="auto")


# Checked for unknown emails so "no such user" takes as long as "wrong password" (P2).
_DUMMY_HASH = passwords.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        passwords.verify(password, _DUMMY_HASH)
        return False
    try:
        return passwords.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token (>= 256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Hash of a high-entropy token; fine to store and look up (no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC under the app secret, for low-entropy values such as 6-digit codes."""
    key = get_settings().secret_key.encode()  # type: ignore[union-attr]
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
