"""Replies and internal notes with files through the API (multipart/form-data): the same
service call as the dashboard's composer, so the same limits and type checks (C3), and a
body that could be unbounded is refused before it is read."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import Attachment, Message, Notification, OutboxEmail
from support_portal.settings import get_settings
from tests.api_helpers import bearer, customer_ticket, make_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
PDF = b"%PDF-1.4\n" + b"x" * 40


def url(number: int, kind: str = "replies") -> str:
    return f"/api/v1/tickets/{number}/{kind}/with-files"


def stored() -> list[Attachment]:
    with session_scope() as db:
        return list(db.exec(select(Attachment)).all())


def test_a_reply_with_files_is_the_dashboards_reply_and_the_files_download(
    api, agent_token, uploads, published
):
    number = customer_ticket()
    response = api.post(
        url(number),
        data={"body": "The statement and a screenshot."},
        files=[("files", ("shot.png", PNG, "image/png")), ("files", ("Statement.pdf", PDF))],
        headers=bearer(agent_token),
    )
    assert response.status_code == 201, response.text
    message = response.json()
    assert message["body"] == "The statement and a screenshot." and not message["is_internal"]
    names = [(a["filename"], a["content_type"], a["size"]) for a in message["attachments"]]
    assert names == [
        ("shot.png", "image/png", len(PNG)),
        ("Statement.pdf", "application/pdf", len(PDF)),
    ]
    download = api.get(message["attachments"][0]["url"], headers=bearer(agent_token))
    assert download.status_code == 200 and download.content == PNG
    with session_scope() as db:  # the customer is told, as after the dashboard's reply
        assert db.exec(select(Notification).where(Notification.event == "agent_replied")).all()
        assert db.exec(select(OutboxEmail).where(OutboxEmail.template == "agent_replied")).all()
    assert any(e.kind == "message" and e.message_id == message["id"] for e in published)


def test_an_internal_note_with_a_file_and_a_reply_asking_for_information(api, agent_token, uploads):
    number = customer_ticket()
    note = api.post(
        url(number, "notes"),
        files={"files": ("log.txt", b"line 1\nline 2\n")},
        headers=bearer(agent_token),
    )
    assert note.status_code == 201, note.text
    assert note.json()["is_internal"] and note.json()["body"] == ""
    ask = api.post(
        url(number),
        data={"body": "Which card?", "request_info": "true"},
        files={"files": ("card.png", PNG)},
        headers=bearer(agent_token),
    )
    assert ask.status_code == 201
    ticket = api.get(f"/api/v1/tickets/{number}", headers=bearer(agent_token)).json()
    assert ticket["status"] == "awaiting_customer"


@pytest.mark.parametrize(
    ("files", "detail"),
    [
        ({"files": ("setup.png", b"MZ\x90\x00" + b"\x00" * 30)}, "not an allowed file type"),
        ({"files": ("photo.png", PDF)}, "does not contain what its name says"),
        ({"files": ("tool.exe", b"hello")}, "not an allowed file type"),
        ({"files": ("empty.txt", b"")}, "is empty"),
        ([("files", (f"f{i}.txt", b"x")) for i in range(6)], "at most 5 files"),
    ],
)
def test_the_uis_type_and_count_checks_apply(api, agent_token, uploads, files, detail):
    number = customer_ticket()
    response = api.post(url(number), data={"body": "x"}, files=files, headers=bearer(agent_token))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert stored() == [] and list(uploads.glob("*")) == []
    with session_scope() as db:
        assert db.exec(select(Message).where(Message.author_kind == "agent")).all() == []


def test_a_file_past_the_size_limit_and_a_body_past_all_limits(
    api, agent_token, uploads, monkeypatch
):
    monkeypatch.setattr(get_settings(), "max_attachment_bytes", 2 * 1024 * 1024)
    number = customer_ticket()
    big = b"a" * (2 * 1024 * 1024 + 1)
    one = api.post(url(number), files={"files": ("big.txt", big)}, headers=bearer(agent_token))
    assert one.status_code == 422 and "larger than 2 MB" in one.json()["detail"]
    monkeypatch.setattr(get_settings(), "max_attachments_per_message", 1)
    many = api.post(
        url(number),
        files=[("files", ("a.txt", big)), ("files", ("b.txt", big))],
        headers=bearer(agent_token),
    )
    assert many.status_code == 413 and "At most 1 files" in many.json()["detail"]
    assert stored() == []


def test_a_body_of_unknown_length_or_of_another_type_is_not_read(api, agent_token):
    number = customer_ticket()

    def chunks():
        yield b"--x\r\n"

    unknown = api.post(
        url(number),
        content=chunks(),
        headers=bearer(agent_token) | {"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert unknown.status_code == 411
    as_json = api.post(url(number), json={"body": "x"}, headers=bearer(agent_token))
    assert as_json.status_code == 415
    odd = api.post(
        url(number), data={"body": "x", "author_id": "1"}, files={"files": ("a.txt", b"a")},
        headers=bearer(agent_token),
    )  # fmt: skip
    assert odd.status_code == 422 and odd.json()["detail"] == "Unknown field: author_id."


def test_tokens_are_checked_before_the_body(api, agent_token, uploads):
    number = customer_ticket()
    files = {"files": ("a.txt", b"a")}
    assert api.post(url(number), files=files).status_code == 401
    reader = make_token("agnes@support.test", scopes=("read",))
    assert api.post(url(number), files=files, headers=bearer(reader)).status_code == 403
    assert api.post(url(999999), files=files, headers=bearer(agent_token)).status_code == 404
    assert stored() == []


def test_the_same_idempotency_key_stores_the_files_once(api, agent_token, uploads):
    number = customer_ticket()
    headers = bearer(agent_token) | {"Idempotency-Key": "upload-1"}
    first = api.post(url(number), files={"files": ("a.png", PNG)}, headers=headers)
    again = api.post(url(number), files={"files": ("a.png", PNG)}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len(stored()) == 1 and len(list(uploads.glob("*"))) == 1


def test_the_document_describes_the_multipart_form(api):
    document = api.get("/api/openapi.json").json()
    operation = document["paths"]["/api/v1/tickets/{number}/replies/with-files"]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(schema["properties"]) == {"body", "files", "request_info"}
    assert {"411", "413", "415", "422"} <= set(operation["responses"])
