"""X7: bad input never answers 500. Property-based fuzzing of every HTTP route of the real app
(in process): random paths, ids, query strings, headers, and upload forms with random handler
names, field names and arguments. Every answer must be below 500, and nothing may be logged at
ERROR level (an exception in an upload handler still answers 200 in Reflex's stream).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from tests.integration.inprocess import (
    GUEST_FORM,
    session_cookie,
    upload_handler,
)

pytestmark = pytest.mark.integration

FUZZ = fuzz_settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Header values: printable ASCII (what an HTTP client can send at all).
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
any_text = st.text(max_size=60)
ids = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(
        [
            "99999999999999999999",
            "2147483648",
            "9223372036854775808",
            "0",
            "-1",
            "1e3",
            "0x10",
            "١٢",
            "1.5",
            " 1",
            "1/2",
            "..",
            "%00",
        ]
    ),
    any_text,
)
route_paths = st.one_of(
    ids.map(lambda i: "/files/" + quote(i, safe="")),
    ids.map(lambda i: "/exports/" + quote(i, safe="")),
    any_text.map(lambda n: "/dev/mailbox/html/" + quote(n, safe="")),
    any_text.map(lambda t: "/rate/" + quote(t, safe="")),  # the CSAT link (issue 16)
    st.sampled_from(
        [
            "/auth/session",
            "/auth/logout",
            "/healthz",
            "/ping",
            "/_health",
            "/_upload",
            "/_upload/",
            "/_event/",
            "/files/",
            "/dev/mailbox/html/",
        ]
    ),
    st.sampled_from(
        ["/files", "/exports", "/auth", "/dev/mailbox/html", "/_upload", "/_event"]
    ).flatmap(lambda base: any_text.map(lambda rest: base + "/" + quote(rest, safe="/"))),
)
queries = st.dictionaries(
    st.one_of(st.sampled_from(["ticket", "next", "inline", "EIO", "transport"]), any_text),
    any_text,
    max_size=4,
)
cookies = st.one_of(
    st.none(),
    header_text,
    header_text.map(lambda v: f"sp_session={v}"),
    st.just("LIVE_SESSION"),
)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Socket.IO logs the bad handshakes it answers 400 at ERROR level, once: not a fault.
        if not record.name.startswith(("engineio", "socketio")):
            self.records.append(record)


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    loggers = [logging.getLogger(), logging.getLogger("reflex"), logging.getLogger("reflex.app")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def live_cookie(engine) -> str:
    return session_cookie(engine)


def check(response, error_log: ErrorLog, what: object) -> None:
    event(f"status {response.status_code}")  # shown with --hypothesis-show-statistics
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    logged = [r.getMessage()[:300] for r in error_log.records]
    error_log.records.clear()
    assert not logged, (what, logged)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]),
    path=route_paths,
    query=queries,
    cookie=cookies,
    extra=st.dictionaries(
        st.sampled_from(
            [
                "origin",
                "user-agent",
                "accept-language",
                "x-forwarded-for",
                "content-type",
                "range",
                "reflex-client-token",
                "reflex-event-handler",
            ]
        ),
        header_text,
        max_size=3,
    ),
)
def test_no_route_answers_5xx_to_bad_input(
    client, error_log, live_cookie, method, path, query, cookie, extra
):
    headers = dict(extra)
    if cookie is not None:
        headers["cookie"] = live_cookie if cookie == "LIVE_SESSION" else cookie
    url = path + ("?" + urlencode(query) if query else "")
    response = client.request(method, url, headers=headers, follow_redirects=False)
    check(response, error_log, (method, url, headers))


def handler_names() -> st.SearchStrategy[str]:
    known = [
        upload_handler("new_ticket", "submit_with_files"),
        upload_handler("conversation", "send_with_files"),
        upload_handler("admin_ticket", "send_with_files"),
        upload_handler("admin_ticket", "send_and_request_info"),
        upload_handler("session", "set_browser_prefs"),  # registered, but takes no files
        upload_handler("new_ticket", "on_progress"),
        upload_handler("new_ticket", "_create"),  # private: never callable
        "reflex___state____state.setvar",
    ]
    return st.one_of(st.sampled_from(known), header_text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)
form_values = st.one_of(
    st.just(GUEST_FORM),
    st.dictionaries(
        st.one_of(st.sampled_from([*GUEST_FORM, "body", "key", "author_id"]), any_text),
        st.one_of(any_text, st.integers(), st.booleans(), json_values),
        max_size=6,
    ),
    json_values,
)
args_values = st.one_of(
    st.none(),
    st.builds(lambda form: {"form": form}, form_values),
    st.dictionaries(st.one_of(st.just("form"), any_text), json_values, max_size=3),
    json_values,
    st.just("not json {"),
)
parts = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["files", "__reflex_event_args"]), any_text),  # field name
        st.one_of(st.none(), any_text, st.sampled_from(["a.txt", "../x.png", "n\x00.pdf"])),
        st.binary(max_size=64),
    ),
    max_size=7,
)


def encode_form(args: object, parts: list, boundary: str) -> bytes:
    out = b""
    if args is not None:
        value = args if isinstance(args, str) else json.dumps(args)
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="__reflex_event_args"\r\n\r\n'
            f"{value}\r\n"
        ).encode()
    for name, filename, data in parts:
        disposition = f'form-data; name="{quote(name)}"'
        if filename is not None:
            disposition += f'; filename="{quote(filename)}"'
        out += (
            (
                f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    return out + f"--{boundary}--\r\n".encode()


@FUZZ
@given(
    handler=handler_names(),
    token=st.one_of(st.uuids().map(str), header_text),
    args=args_values,
    form_parts=parts,
    cookie=cookies,
    content_type=st.one_of(
        st.just("multipart/form-data; boundary=fuzzboundary"),
        st.sampled_from(
            [
                "multipart/form-data",
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=other",
            ]
        ),
        header_text,
    ),
    truncate=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
def test_no_upload_answers_5xx_to_bad_input(
    client, error_log, live_cookie, handler, token, args, form_parts, cookie, content_type,
    truncate,
):  # fmt: skip
    body = encode_form(args, form_parts, "fuzzboundary")
    if truncate is not None:
        body = body[:truncate]
    headers = {
        "reflex-client-token": token,
        "reflex-event-handler": handler,
        "content-type": content_type,
    }
    if cookie is not None:
        headers["cookie"] = live_cookie if cookie == "LIVE_SESSION" else cookie
    response = client.post("/_upload", content=body, headers=headers)
    check(response, error_log, (headers, args, form_parts, truncate))


@FUZZ
@given(
    handler=st.sampled_from(
        [
            ("new_ticket", "submit_with_files"),
            ("conversation", "send_with_files"),
            ("admin_ticket", "send_with_files"),
            ("admin_ticket", "send_and_request_info"),
        ]
    ),
    form=form_values,
    files=st.lists(
        st.tuples(
            st.one_of(st.sampled_from(["a.txt", "b.png", "c.pdf", "../x.log", ""]), any_text),
            st.one_of(st.binary(max_size=64), st.sampled_from([b"%PDF-1.4", b"\x89PNG\r\n\x1a\n"])),
        ),
        max_size=6,
    ),
    logged_in=st.booleans(),
)
def test_well_formed_uploads_with_random_content_never_fail_in_the_handler(
    client, error_log, live_cookie, handler, form, files, logged_in
):
    """Uploads the guard lets through: the handler itself must cope with whatever they carry."""
    body = encode_form({"form": form}, [("files", name, data) for name, data in files], "fz")
    headers = {
        "reflex-client-token": "5f0c6a2e-8a8e-4c53-9d5e-0d8c1c9e2b71",
        "reflex-event-handler": upload_handler(*handler),
        "content-type": "multipart/form-data; boundary=fz",
    }
    if logged_in:
        headers["cookie"] = live_cookie
    response = client.post("/_upload", content=body, headers=headers)
    check(response, error_log, (handler, form, files, logged_in))
