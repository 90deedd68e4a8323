"""C3/X3 against the real ASGI app in process: upload limits hold before the body is buffered.

Bodies are fed lazily, chunk by chunk, and the tests count how much of them the app asked for:
"refused before the body is read" means it asked for nothing.
"""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import select

from support_portal.models import Attachment, Ticket
from support_portal.web.upload_form import FORM_ALLOWANCE, upload_limit
from support_portal.web.uploads import DRAIN_BYTES
from tests.integration.inprocess import (
    GUEST_FORM,
    multipart,
    raw_post,
    session_cookie,
    upload_handler,
)

pytestmark = pytest.mark.integration

MB = 1024 * 1024
TOKEN = "0b4cf7f6-1d7e-4a39-9f0e-2c1d4b6f8a10"


def headers(handler: str, content_type: str, **extra: str) -> dict[str, str]:
    return {
        "reflex-client-token": TOKEN,
        "reflex-event-handler": handler,
        "content-type": content_type,
        **extra,
    }


def endless(first: bytes, filler: bytes = b"x" * MB, total: int = 300 * MB):
    """`first`, then filler up to `total` bytes, generated as it is asked for."""
    yield first
    sent = len(first)
    while sent < total:
        yield filler
        sent += len(filler)


def file_part_start(filename: str = "big.txt", boundary: str = "testboundary") -> bytes:
    args = json.dumps({"form": GUEST_FORM})
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="__reflex_event_args"\r\n\r\n'
        f"{args}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()


def tickets(engine) -> list[Ticket]:
    from support_portal.db import session_scope

    with session_scope(engine) as db:
        return list(db.exec(select(Ticket)).all())


def test_a_body_declaring_300_mb_gets_413_without_being_read(client, engine):
    answer = raw_post(
        client,
        "/_upload",
        headers(
            upload_handler("new_ticket", "submit_with_files"),
            "multipart/form-data; boundary=testboundary",
            **{"content-length": str(300 * MB)},
        ),
        endless(file_part_start()),
    )
    assert answer.status == 413
    assert answer.detail == "The upload is larger than 50 MB (all files together)."
    assert answer.receive_calls == 0 and answer.received == 0
    assert answer.headers["connection"] == "close"
    assert tickets(engine) == []


def test_after_a_refusal_a_client_still_sending_is_drained_for_a_bounded_while(client):
    # Closing a connection with unread data resets it, and the reset loses the 413 the client
    # has not read yet: the app reads and drops a bounded amount first (memory stays flat).
    answer = raw_post(
        client,
        "/_upload",
        headers(
            upload_handler("new_ticket", "submit_with_files"),
            "multipart/form-data; boundary=testboundary",
            **{"content-length": str(300 * MB)},
        ),
        endless(file_part_start()),
        hangs_up=False,
    )
    assert answer.status == 413
    assert 0 < answer.received <= DRAIN_BYTES + 2 * MB


def test_a_chunked_300_mb_file_is_cut_off_with_413_at_the_file_limit(client, engine, settings):
    answer = raw_post(
        client,
        "/_upload",
        headers(
            upload_handler("new_ticket", "submit_with_files"),
            "multipart/form-data; boundary=testboundary",
        ),
        endless(file_part_start()),
    )
    assert answer.status == 413
    assert answer.detail == "big.txt is larger than 10 MB."
    # Read up to the first chunk past 10 MB, and not one chunk more.
    assert settings.max_attachment_bytes < answer.received <= settings.max_attachment_bytes + 2 * MB
    assert tickets(engine) == []


def test_a_chunked_body_past_the_message_limit_is_cut_off_with_413(client, engine):
    # Bytes after the closing boundary (a multipart epilogue) belong to no part: only the
    # running count of the whole body stops them.
    form, content_type = multipart([("note.txt", b"hello")], {"form": GUEST_FORM})
    answer = raw_post(
        client,
        "/_upload",
        headers(upload_handler("new_ticket", "submit_with_files"), content_type),
        endless(form),
    )
    assert answer.status == 413
    assert answer.detail == "The upload is larger than 50 MB (all files together)."
    assert upload_limit() < answer.received <= upload_limit() + 2 * MB
    assert upload_limit() == 50 * MB + FORM_ALLOWANCE
    assert tickets(engine) == []


def test_more_files_than_a_message_may_carry_are_refused(client, engine):
    body, content_type = multipart(
        [(f"note{i}.txt", b"hello") for i in range(6)], {"form": GUEST_FORM}
    )
    response = client.post(
        "/_upload",
        content=body,
        headers=headers(upload_handler("new_ticket", "submit_with_files"), content_type),
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "You can attach at most 5 files to one message."
    assert tickets(engine) == []


def test_an_anonymous_upload_to_a_session_only_handler_is_refused_before_the_body_is_read(
    client,
):
    body, content_type = multipart([("note.txt", b"hello")], {"form": {"body": "hi"}})
    for state_name, method in [
        ("conversation", "send_with_files"),
        ("admin_ticket", "send_with_files"),
        ("admin_ticket", "send_and_request_info"),
    ]:
        for cookie in ({}, {"cookie": "sp_session=not-a-session"}):
            answer = raw_post(
                client,
                "/_upload",
                headers(upload_handler(state_name, method), content_type, **cookie),
                [body],
            )
            assert answer.status == 401, (state_name, method, cookie)
            assert answer.detail == "Your session has ended. Log in again to upload files."
            assert answer.receive_calls == 0


def test_a_logged_in_upload_to_a_session_only_handler_is_let_through(client, engine):
    cookie = session_cookie(engine)
    body, content_type = multipart([("note.txt", b"hello")], {"form": {"body": "hi"}})
    response = client.post(
        "/_upload",
        content=body,
        headers=headers(
            upload_handler("conversation", "send_with_files"), content_type, cookie=cookie
        ),
    )
    assert response.status_code == 200
    assert "delta" in response.text  # the handler ran and answered with its state changes


def test_a_guest_ticket_with_an_attachment_still_goes_through(client, engine):
    body, content_type = multipart([("notes.txt", b"what I tried")], {"form": GUEST_FORM})
    response = client.post(
        "/_upload",
        content=body,
        headers=headers(upload_handler("new_ticket", "submit_with_files"), content_type),
    )
    assert response.status_code == 200
    from support_portal.db import session_scope

    with session_scope(engine) as db:
        ticket = db.exec(select(Ticket)).one()
        assert ticket.subject == "Cannot log in"
        stored = db.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).one()
        assert (stored.filename, stored.size) == ("notes.txt", len(b"what I tried"))


@pytest.mark.parametrize(
    ("handler", "files", "args", "status", "detail"),
    [
        # A registered handler that takes no files (Reflex answered 500).
        (
            ("session", "set_browser_prefs"),
            [("a.txt", b"x")],
            {"prefs": {}},
            400,
            "is not an upload handler of this app.",
        ),
        # An argument the handler does not take (Reflex raised a TypeError in the handler).
        (
            ("new_ticket", "submit_with_files"),
            [("a.txt", b"x")],
            {"form": GUEST_FORM, "author_id": 1},
            400,
            "Unknown upload argument: 'author_id'.",
        ),
        (("new_ticket", "submit_with_files"), [("a.txt", b"x")], {}, 400, "Missing upload"),
        (
            ("new_ticket", "submit_with_files"),
            [("a.txt", b"x")],
            {"form": "subject=x"},
            400,
            "The upload argument 'form' has the wrong type.",
        ),
    ],
)
def test_bad_upload_calls_answer_4xx_with_a_clear_message(
    client, engine, handler, files, args, status, detail
):
    body, content_type = multipart(files, args)
    response = client.post(
        "/_upload", content=body, headers=headers(upload_handler(*handler), content_type)
    )
    assert response.status_code == status
    assert detail in response.json()["detail"]
    assert tickets(engine) == []


def test_a_form_field_under_another_name_is_refused(client, engine):
    body = (
        b'--b\r\nContent-Disposition: form-data; name="__reflex_event_args"\r\n\r\n'
        + json.dumps({"form": GUEST_FORM}).encode()
        + b'\r\n--b\r\nContent-Disposition: form-data; name="files"\r\n\r\nnot a file\r\n--b--\r\n'
    )
    response = client.post(
        "/_upload",
        content=body,
        headers=headers(
            upload_handler("new_ticket", "submit_with_files"), "multipart/form-data; boundary=b"
        ),
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Unexpected field in the upload: 'files'."
    assert tickets(engine) == []


async def test_a_handler_reads_at_most_one_byte_past_the_file_limit(settings):
    import reflex as rx

    from support_portal.states.forms import read_uploads

    big = rx.UploadFile(file=io.BytesIO(b"x" * (settings.max_attachment_bytes + 5 * MB)))
    [incoming] = await read_uploads([big])
    assert len(incoming.data) == settings.max_attachment_bytes + 1
