"""The session cookie: HttpOnly, set and cleared only by HTTP routes (A6)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.responses import Response

from support_portal.services.auth import LOGIN_NONCE_COOKIE, SESSION_COOKIE
from support_portal.settings import get_settings


def read_cookie(cookie_header: str | None, name: str) -> str | None:
    """One cookie's value from a raw Cookie header (as Reflex hands it to event handlers)."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def read_session_cookie(cookie_header: str | None) -> str | None:
    return read_cookie(cookie_header, SESSION_COOKIE)


def clear_login_nonce_cookie(response: Response) -> None:
    from support_portal import routes

    response.delete_cookie(LOGIN_NONCE_COOKIE, path=routes.AUTH_SESSION, samesite="strict")


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
