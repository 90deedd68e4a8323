"""HTTP routes mounted in front of the Reflex app (through `api_transformer`).

The handlers are plain functions: Starlette runs them in its thread pool, so their database
work never blocks the event loop that serves every open page.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from support_portal import routes
from support_portal.db import session_scope
from support_portal.mail import catcher
from support_portal.services import (
    attachments,
    auth,
    data_export,
    sessions,
    thumbnails,
    tickets,
)
from support_portal.services.errors import NotAuthenticated, NotFound
from support_portal.settings import get_settings
from support_portal.web import csat, dev_access
from support_portal.web.cookies import (
    LOGIN_NONCE_COOKIE,
    clear_login_nonce_cookie,
    clear_session_cookie,
    read_cookie,
    read_session_cookie,
    set_session_cookie,
)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def exchange_session(request: Request) -> Response:
    """Trade a one-time login ticket for the HttpOnly session cookie, then go on (303).

    The ticket works only in the browser whose page started the login: that page set a nonce
    cookie the ticket is bound to (X5). A ticket link sent to someone else logs nobody in."""
    token = request.query_params.get("ticket", "")
    nonce = read_cookie(request.headers.get("cookie"), LOGIN_NONCE_COOKIE)
    try:
        if not nonce:
            raise NotAuthenticated()
        with session_scope() as db:
            session_token, max_age, next_path = sessions.exchange_login_ticket(
                db,
                token=token,
                binding=nonce,
                ip=_client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
    except NotAuthenticated:
        response = RedirectResponse(routes.LOGIN + "?expired=1", status_code=303)
        clear_login_nonce_cookie(response)
        return response
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, session_token, max_age)
    clear_login_nonce_cookie(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _same_origin(request: Request) -> bool:
    """A browser's cross-site request says so (Sec-Fetch-Site, Origin); plain clients send
    neither and are no CSRF vector."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    public = get_settings().public_url.rstrip("/")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return origin in (public, own)


def logout(request: Request) -> Response:
    """End the session on the server (P4) and drop the cookie. A POST from our own pages only:
    a cross-site link or form cannot log anyone out (X5)."""
    if not _same_origin(request):
        return PlainTextResponse("Cross-site logout refused.", status_code=403)
    with session_scope() as db:
        sessions.revoke_session(
            db, session_token=read_session_cookie(request.headers.get("cookie"))
        )
    next_path = auth.safe_next_path(request.query_params.get("next"), routes.LOGIN)
    response = RedirectResponse(next_path, status_code=303)
    clear_session_cookie(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _viewer(db, request: Request):
    return sessions.viewer_for_token(
        db, session_token=read_session_cookie(request.headers.get("cookie"))
    )


def _file_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download(request: Request) -> Response:
    """Attachments only through here, after the access check (A1, C2). An image goes out
    without its metadata (EXIF GPS...)."""
    attachment_id = _row_id(request.path_params.get("attachment_id", ""))
    if attachment_id is None:
        return _not_found()
    try:
        with session_scope() as db:
            row = tickets.attachment_for_download(
                db, viewer=_viewer(db, request), attachment_id=attachment_id
            )
            storage_name, filename, content_type = row.storage_name, row.filename, row.content_type
        data = attachments.served_bytes(storage_name, content_type)
    except (NotFound, FileNotFoundError):
        return _not_found()
    inline = request.query_params.get("inline") == "1" and content_type.startswith("image/")
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_") or "file"
    response = Response(data, media_type=content_type)
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return _file_headers(response)


def thumbnail(request: Request) -> Response:
    """An image attachment's thumbnail: the original's access check, the same 404 (A1, A5)."""
    attachment_id = _row_id(request.path_params.get("attachment_id", ""))
    if attachment_id is None:
        return _not_found()
    try:
        with session_scope() as db:
            found = thumbnails.thumbnail_for(
                db, viewer=_viewer(db, request), attachment_id=attachment_id
            )
    except NotFound:
        return _not_found()
    response = FileResponse(found.path, media_type=found.content_type)
    response.headers["Content-Disposition"] = "inline"
    return _file_headers(response)


def download_export(request: Request) -> Response:
    """A "Download my data" ZIP, for the account that asked for it only, after the same session
    check as attachments (A1, C2)."""
    export_id = _row_id(request.path_params.get("export_id", ""))
    if export_id is None:
        return _not_found()
    try:
        with session_scope() as db:
            viewer = sessions.viewer_for_token(
                db, session_token=read_session_cookie(request.headers.get("cookie"))
            )
            path, filename = data_export.file_for_download(db, viewer=viewer, export_id=export_id)
    except NotFound:
        return _not_found()
    response = FileResponse(path, media_type="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


_ROW_ID = re.compile(r"[1-9][0-9]{0,9}")
# Ids are INTEGER columns (32 bits on PostgreSQL): a larger number is no row, not an error.
_MAX_ROW_ID = 2**31 - 1


def _row_id(raw: str) -> int | None:
    """A database id from a path: ASCII digits within the column's range, else None."""
    if not _ROW_ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= _MAX_ROW_ID else None


def _not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})


# What the catcher names its files (`<ns>-<hex>.eml`); anything else is no mail of ours.
_MAIL_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,100}\.eml")


def mailbox_html(request: Request) -> Response:
    """The HTML part of a caught email, sandboxed (development only, local or admins)."""
    if not get_settings().mail_catcher_enabled:
        return _not_found()
    peer, names = _client_ip(request), request.headers.keys()
    if not dev_access.is_direct_local(peer, names):
        with session_scope() as db:
            viewer = sessions.viewer_for_token(
                db, session_token=read_session_cookie(request.headers.get("cookie"))
            )
        if not dev_access.may_read_mailbox(peer=peer, header_names=names, viewer=viewer):
            return _not_found()
    name = request.path_params.get("name", "")
    if not _MAIL_NAME.fullmatch(name):
        return _not_found()
    mail = catcher.read_mail(name)
    if mail is None:
        return _not_found()
    body = mail.html or f"<pre>{html.escape(mail.text)}</pre>"
    return Response(
        _links_open_outside(body),
        media_type="text/html",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:; sandbox allow-popups allow-popups-to-escape-sandbox; "
            "frame-ancestors 'self'",
            "X-Content-Type-Options": "nosniff",
            # Shown in an iframe of /dev/mailbox (every other response is DENY).
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


def _links_open_outside(body: str) -> str:
    """Links in a caught email open in a new tab, not inside the mailbox's iframe."""
    base = '<base target="_blank">'
    match = re.search(r"<head[^>]*>|<html[^>]*>", body, flags=re.IGNORECASE)
    if match is None:
        return base + body
    return body[: match.end()] + base + body[match.end() :]


def healthz(_request: Request) -> Response:
    with session_scope() as db:
        db.connection()
    return PlainTextResponse("ok")


def build_routes_app() -> Starlette:
    return Starlette(
        routes=[
            Route(routes.AUTH_SESSION, exchange_session, methods=["GET"]),
            Route(routes.AUTH_LOGOUT, logout, methods=["POST"]),
            Route(routes.ATTACHMENT, download, methods=["GET"]),
            Route(routes.ATTACHMENT_THUMBNAIL, thumbnail, methods=["GET"]),
            Route(routes.DATA_EXPORT, download_export, methods=["GET"]),
            Route(routes.DEV_MAILBOX_HTML, mailbox_html, methods=["GET"]),
            Route(routes.CSAT, csat.rate, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
