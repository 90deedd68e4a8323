"""Upload limits enforced in front of Reflex's `/_upload`, before any body is buffered (C3, X3).

Reflex parses the whole multipart form before the handler runs, and the handler used to read
every file into memory before its size was checked: one anonymous 300 MB POST raised the
backend by 270 MB before "larger than 10 MB". This middleware answers first, from the headers
alone, whatever it can (which handler, who is asking, the declared size), then lets the body
through to Reflex while a streaming multipart parser counts it, part by part:

- the handler must be one of the app's own upload handlers; one that needs a session (every
  one but the anonymous ticket form) is refused without the `sp_session` cookie of a live
  session, before a byte of the body is read;
- a declared `Content-Length` past the limit is answered 413 at once, unread;
- the body is counted as it arrives: past the per-message limit, a file past the per-file
  limit, more files than allowed, an unexpected field or a malformed part: 4xx, and the rest
  of the body is never read (Reflex sees a disconnect and drops its spooled temporary files);
- the handler's arguments (the `__reflex_event_args` field) must name exactly its parameters,
  with the right JSON types, so a bad call is a 400 instead of an exception in the handler.

Reflex spools each file part to a temporary file (in memory up to 1 MB, then on disk), so what
stays in memory is bounded whatever the client sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable

from python_multipart.multipart import parse_options_header

from support_portal.services import sessions
from support_portal.web.security import ASGIApp, Message, Scope
from support_portal.web.upload_form import FormCounter, megabytes, upload_limit
from support_portal.web.upload_handlers import Refused, UploadHandler

log = logging.getLogger(__name__)

UPLOAD_PATH = "/_upload"
# After a refusal, how long and how much of the rest of the body is read and dropped (_drain).
DRAIN_SECONDS = 2.0
DRAIN_BYTES = 64 * 1024 * 1024
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _answer(send, status: int, detail: str, *, close: bool) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if close:
        # The rest of the body stays unread: the connection cannot be reused.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def upload_guard(
    app: ASGIApp,
    *,
    handlers: Callable[[], dict[str, UploadHandler]],
    has_session: Callable[[str | None], bool],
) -> ASGIApp:
    """Wrap the Reflex app so a POST to `/_upload` passes only within the limits.

    `handlers` gives the app's upload handlers by event name; `has_session` says (in a worker
    thread) whether a raw Cookie header carries a live session.
    """

    async def guarded(scope: Scope, receive, send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope.get("path", "").rstrip("/") != UPLOAD_PATH
        ):
            await app(scope, receive, send)
            return
        try:
            counter = await _admit(scope, handlers, has_session)
        except Refused as refused:
            await _answer(send, refused.status, refused.detail, close=True)
            await _drain(receive)
            return
        await _pass_through(app, scope, receive, send, counter)

    return guarded


async def _admit(
    scope: Scope,
    handlers: Callable[[], dict[str, UploadHandler]],
    has_session: Callable[[str | None], bool],
) -> FormCounter:
    """Everything that can be decided from the headers, before the body is read."""
    token = _header(scope, b"reflex-client-token")
    name = _header(scope, b"reflex-event-handler")
    if not token or not name:
        raise Refused(400, "Missing reflex-client-token or reflex-event-handler header.")
    if not _TOKEN.fullmatch(token):
        raise Refused(400, "The reflex-client-token header is not a valid token.")
    handler = handlers().get(name)
    if handler is None:
        raise Refused(400, f"{name[:200]!r} is not an upload handler of this app.")
    if handler.needs_session and not await asyncio.to_thread(
        has_session, _header(scope, b"cookie")
    ):
        raise Refused(401, "Your session has ended. Log in again to upload files.")

    kind, options = parse_options_header(_header(scope, b"content-type") or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise Refused(415, "An upload must be sent as multipart/form-data with a boundary.")

    declared = _header(scope, b"content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Refused(400, "The Content-Length header is not a number.")
        limit = upload_limit()
        if int(declared) > limit:
            raise Refused(
                413, f"The upload is larger than {megabytes(limit)} MB (all files together)."
            )
    return FormCounter(boundary, handler)


async def _pass_through(app: ASGIApp, scope: Scope, receive, send, counter: FormCounter) -> None:
    """Hand the request to Reflex, counting the body on its way; refuse as soon as it is over."""
    refused = False
    started = False

    async def counted_receive() -> Message:
        nonlocal refused
        if refused:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] != "http.request":
            return message
        try:
            counter.feed(message.get("body", b""))
            if not message.get("more_body", False):
                counter.finish()
        except Refused as refusal:
            refused = True
            if not started:
                await _answer(send, refusal.status, refusal.detail, close=True)
            # Reflex stops reading, closes its spooled files and never runs the handler.
            return {"type": "http.disconnect"}
        return message

    async def guarded_send(message: Message) -> None:
        nonlocal started
        if refused:
            return  # our answer went out already; Reflex's own (to a "disconnect") is dropped
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    await app(scope, counted_receive, guarded_send)
    if refused:
        await _drain(receive)


async def _drain(receive) -> None:
    """Read and drop what the client is still sending, for a moment, after the refusal.

    Closing a connection with unread data makes the kernel reset it, and a reset throws away
    the answer the client has not read yet: the client would see "connection reset" instead of
    the 413. A client that reads the answer stops sending; one that does not is cut off after
    DRAIN_SECONDS or DRAIN_BYTES. Nothing is kept, so memory stays flat.
    """
    drained = 0
    with contextlib.suppress(TimeoutError, Exception):
        async with asyncio.timeout(DRAIN_SECONDS):
            while drained < DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return


# --- wiring for the running app -----------------------------------------------------------


def live_session(cookie_header: str | None) -> bool:
    """Whether the Cookie header carries the HttpOnly session of someone still logged in."""
    from support_portal.db import session_scope
    from support_portal.web.cookies import read_session_cookie

    token = read_session_cookie(cookie_header)
    if not token:
        return False
    with session_scope() as db:
        return sessions.viewer_for_token(db, session_token=token) is not None
