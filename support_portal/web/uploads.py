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
import inspect
import json
import logging
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from support_portal.services import sessions
from support_portal.settings import get_settings
from support_portal.web.security import ASGIApp, Message, Scope

log = logging.getLogger(__name__)

UPLOAD_PATH = "/_upload"
ARGS_FIELD = "__reflex_event_args"  # Reflex's field for the handler's bound arguments
FILES_FIELD = "files"  # the field Reflex's upload client (and handler) uses for each file
# Room for the form itself: the arguments (a 20,000-character message is at most ~120 KB of
# JSON) and each part's boundary and headers.
FORM_ALLOWANCE = 256 * 1024
MAX_PART_HEADER_BYTES = 8 * 1024
# After a refusal, how long and how much of the rest of the body is read and dropped (_drain).
DRAIN_SECONDS = 2.0
DRAIN_BYTES = 64 * 1024 * 1024
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")
_JSON_TYPES: dict[type, tuple[type, ...]] = {
    dict: (dict,),
    list: (list,),
    str: (str,),
    bool: (bool,),
    int: (int,),
    float: (int, float),
}


def upload_limit() -> int:
    """The most a whole upload request may carry, in bytes."""
    settings = get_settings()
    return settings.max_attachment_bytes * settings.max_attachments_per_message + FORM_ALLOWANCE


def _megabytes(size: int) -> int:
    return size // (1024 * 1024)


class Refused(Exception):
    """The upload is answered with `status` and `detail`, and the rest of its body unread."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class UploadHandler:
    """One of the app's upload event handlers, as the upload guard needs to know it."""

    name: str
    needs_session: bool
    params: dict[str, Any]  # the handler's other parameters and their annotations
    required: frozenset[str]


def _describe(name: str, fn: Callable, needs_session: bool) -> UploadHandler | None:
    """The handler's non-file parameters, or None when it takes no list of uploaded files."""
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    params: dict[str, Any] = {}
    required: set[str] = set()
    takes_files = False
    for index, param in enumerate(inspect.signature(fn).parameters.values()):
        if index == 0:
            continue  # self
        annotation = hints.get(param.name, param.annotation)
        if typing.get_origin(annotation) is list and any(
            getattr(arg, "__name__", "") == "UploadFile" for arg in typing.get_args(annotation)
        ):
            takes_files = True
            continue
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            return None
        params[param.name] = annotation
        if param.default is param.empty:
            required.add(param.name)
    if not takes_files:
        return None
    return UploadHandler(name, needs_session, params, frozenset(required))


def app_upload_handlers(
    registered: dict[str, Any], *, anonymous: Iterable[Callable], package: str
) -> dict[str, UploadHandler]:
    """The upload handlers among Reflex's registered event handlers that live in `package`.

    Every one needs a session, except those whose function is in `anonymous`.
    """
    open_to_all = {getattr(fn, "fn", fn) for fn in anonymous}
    found: dict[str, UploadHandler] = {}
    for name, entry in registered.items():
        fn = getattr(getattr(entry, "handler", None), "fn", None)
        if fn is None or not getattr(fn, "__module__", "").startswith(package + "."):
            continue
        described = _describe(name, fn, needs_session=fn not in open_to_all)
        if described is not None:
            found[name] = described
    return found


def check_args(handler: UploadHandler, raw: str | None) -> None:
    """The bound arguments must be a JSON object naming exactly the handler's parameters."""
    try:
        args = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise Refused(400, "The upload's arguments are not valid JSON.") from exc
    if not isinstance(args, dict):
        raise Refused(400, "The upload's arguments must be a JSON object.")
    unknown = sorted(str(k) for k in args if k not in handler.params)
    if unknown:
        raise Refused(400, f"Unknown upload argument: {unknown[0][:64]!r}.")
    missing = sorted(handler.required - args.keys())
    if missing:
        raise Refused(400, f"Missing upload argument: {missing[0]!r}.")
    for name, value in args.items():
        annotation = handler.params[name]
        expected = _JSON_TYPES.get(typing.get_origin(annotation) or annotation)
        if expected is None:
            continue
        if not isinstance(value, expected) or (bool not in expected and isinstance(value, bool)):
            raise Refused(400, f"The upload argument {name!r} has the wrong type.")


class _FormCounter:
    """Parses the multipart body as it streams past, keeping only counts and the arguments."""

    def __init__(self, boundary: bytes, handler: UploadHandler) -> None:
        settings = get_settings()
        self.handler = handler
        self.limit = upload_limit()
        self.max_file_bytes = settings.max_attachment_bytes
        self.max_files = settings.max_attachments_per_message
        self.total = 0
        self.files = 0
        self.args: bytearray | None = None
        self.ended = False
        self._part: str | None = None  # "args", "file"
        self._part_bytes = 0
        self._filename = ""
        self._header_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition: bytes | None = None
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_part,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_end": self._end,
            },
        )

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.limit:
            raise Refused(
                413, f"The upload is larger than {_megabytes(self.limit)} MB (all files together)."
            )
        if self.ended:
            return  # the epilogue after the closing boundary is ignored, by Reflex too
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise Refused(400, "The upload is not a well-formed multipart form.") from exc

    def finish(self) -> None:
        if not self.ended:
            raise Refused(400, "The upload ended before its closing boundary.")
        check_args(self.handler, self.args.decode("utf-8", "replace") if self.args else None)

    # --- parser callbacks ---------------------------------------------------------------

    def _begin(self) -> None:
        self._part = None
        self._part_bytes = 0
        self._header_bytes = 0
        self._disposition = None
        self._filename = ""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_value += data[start:end]

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_PART_HEADER_BYTES:
            raise Refused(400, "A part of the upload has too long headers.")

    def _header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = b""
        self._header_value = b""

    def _headers_finished(self) -> None:
        kind, options = parse_options_header(self._disposition or b"")
        name = options.get(b"name")
        if kind != b"form-data" or name is None:
            raise Refused(400, "Every part of the upload needs a form-data name.")
        has_filename = b"filename" in options
        if name == ARGS_FIELD.encode() and not has_filename:
            if self.args is not None:
                raise Refused(400, "The upload's arguments were sent twice.")
            self.args = bytearray()
            self._part = "args"
        elif name == FILES_FIELD.encode() and has_filename:
            self.files += 1
            if self.files > self.max_files:
                raise Refused(413, f"You can attach at most {self.max_files} files to one message.")
            self._filename = options[b"filename"].decode("utf-8", "replace")[:200]
            self._part = "file"
        else:
            field = name.decode("utf-8", "replace")[:64]
            raise Refused(400, f"Unexpected field in the upload: {field!r}.")

    def _data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        self._part_bytes += size
        if self._part == "args":
            assert self.args is not None
            if len(self.args) + size > FORM_ALLOWANCE:
                raise Refused(413, "The upload's arguments are too large.")
            self.args += data[start:end]
        elif self._part == "file" and self._part_bytes > self.max_file_bytes:
            raise Refused(
                413,
                f"{self._filename or 'A file'} is larger than "
                f"{_megabytes(self.max_file_bytes)} MB.",
            )

    def _end(self) -> None:
        self.ended = True


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
) -> _FormCounter:
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
                413, f"The upload is larger than {_megabytes(limit)} MB (all files together)."
            )
    return _FormCounter(boundary, handler)


async def _pass_through(app: ASGIApp, scope: Scope, receive, send, counter: _FormCounter) -> None:
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


def registered_upload_handlers(
    *, anonymous: Iterable[Callable]
) -> Callable[[], dict[str, UploadHandler]]:
    """The app's upload handlers from Reflex's registry, looked up once on the first upload."""
    anonymous = list(anonymous)
    found: dict[str, UploadHandler] = {}

    def get() -> dict[str, UploadHandler]:
        if not found:
            from reflex_base.registry import RegistrationContext

            registered = RegistrationContext.get().event_handlers
            found.update(
                app_upload_handlers(registered, anonymous=anonymous, package="support_portal")
            )
        return found

    return get


def live_session(cookie_header: str | None) -> bool:
    """Whether the Cookie header carries the HttpOnly session of someone still logged in."""
    from support_portal.db import session_scope
    from support_portal.web.cookies import read_session_cookie

    token = read_session_cookie(cookie_header)
    if not token:
        return False
    with session_scope() as db:
        return sessions.viewer_for_token(db, session_token=token) is not None
