"""The session cookie: HttpOnly, set and cleared only by HTTP routes (A6)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.responses import Response

from support_portal.services.auth import SESSION_COOKIE
from support_portal.settings import get_settings


def read_session_cookie(cookie_header: str | None) -> str | None:
    """The session token from a raw Cookie header (as Reflex hands it to event handlers)."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None


def set_session_cookie(response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().public_url.startswith("https://"),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().public_url.startswith("https://"),
    )
