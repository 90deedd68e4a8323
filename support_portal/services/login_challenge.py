"""The half-finished login of an account with two-factor: after the right password the browser
gets a short-lived signed challenge, bound to it like a login ticket (X5), and trades it with a
code for a login ticket (services/two_factor.complete_login)."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from support_portal.services.security import token_hash
from support_portal.settings import get_settings

MAX_AGE_SECONDS = 5 * 60


@dataclass(frozen=True)
class SecondFactorNeeded:
    """The password was right; the login needs a code from the authenticator app."""

    challenge: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key or "", salt="login-second-factor")


def issue(user_id: int, binding: str, next_path: str) -> SecondFactorNeeded:
    return SecondFactorNeeded(
        challenge=_serializer().dumps({"u": user_id, "b": token_hash(binding), "n": next_path})
    )


def read(challenge: str, binding: str) -> tuple[int, str] | None:
    """(user id, next path), or None when the challenge is forged, old or from elsewhere."""
    try:
        data = _serializer().loads(str(challenge or ""), max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("b") != token_hash(binding or ""):
        return None
    return int(data["u"]), str(data.get("n") or "/")
