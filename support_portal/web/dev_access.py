"""Who may read the development mailbox (/dev/mailbox and its HTML route).

With no SMTP server the built-in catcher holds every email the portal sends: guest links,
verification codes. So the mailbox opens only for a browser on this machine that reached the
app directly, or for a logged-in administrator. Behind a reverse proxy every request comes from
loopback, so any proxy header means "not direct". Everyone else gets "not found".
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable

from starlette.responses import PlainTextResponse

from support_portal.routes import DEV_MAILBOX as MAILBOX_PATH
from support_portal.services import sessions
from support_portal.services.dto import Viewer
from support_portal.web.security import ASGIApp, Scope

# Headers a reverse proxy adds; a direct request from a local browser has none of them.
PROXY_HEADERS = frozenset({"x-forwarded-for", "forwarded", "x-real-ip", "via"})


def is_loopback(host: str | None) -> bool:
    try:
        address = ipaddress.ip_address((host or "").strip().strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def is_direct_local(peer: str | None, header_names: Iterable[str]) -> bool:
    """The peer address is loopback and no proxy forwarded the request."""
    if not is_loopback(peer):
        return False
    return not any(name.lower() in PROXY_HEADERS for name in header_names)


def may_read_mailbox(
    *, peer: str | None, header_names: Iterable[str], viewer: Viewer | None
) -> bool:
    return (viewer is not None and viewer.is_admin) or is_direct_local(peer, header_names)


def _is_mailbox_path(path: str) -> bool:
    return path.rstrip("/") == MAILBOX_PATH or path.startswith(
        (MAILBOX_PATH + "/", MAILBOX_PATH + ".")
    )


async def _viewer_from_cookie(cookie_header: str | None) -> Viewer | None:
    from support_portal.db import session_scope
    from support_portal.web.cookies import read_session_cookie

    token = read_session_cookie(cookie_header)
    if not token:
        return None

    def run() -> Viewer | None:
        with session_scope() as db:
            return sessions.viewer_for_token(db, session_token=token)

    return await asyncio.to_thread(run)


def mailbox_guard(app: ASGIApp) -> ASGIApp:
    """Answer 404 for the mailbox page itself (its HTML) to anyone who may not read it.

    The page's state checks again on every event (a client-side navigation loads no HTML).
    """

    async def wrapped(scope: Scope, receive, send) -> None:
        if scope["type"] == "http" and _is_mailbox_path(scope.get("path", "")):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in scope.get("headers", [])}  # fmt: skip
            peer = (scope.get("client") or (None,))[0]
            if not is_direct_local(peer, headers):
                viewer = await _viewer_from_cookie(headers.get("cookie"))
                if not may_read_mailbox(peer=peer, header_names=headers, viewer=viewer):
                    response = PlainTextResponse(
                        "Not found", status_code=404, headers={"Cache-Control": "no-store"}
                    )
                    await response(scope, receive, send)
                    return
        await app(scope, receive, send)

    return wrapped
