"""Image attachments over HTTP (issue 14): the thumbnail answers exactly like the original, to
its ticket's owner only (A1, A5); the original image goes out without its EXIF GPS."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from support_portal import routes
from support_portal.db import session_scope
from support_portal.services import attachments, conversation, sessions, tickets
from support_portal.services.attachments import IncomingFile
from tests.integration.inprocess import session_cookie
from tests.unit.test_thumbnails import gps_of, photo_with_gps

pytestmark = pytest.mark.integration


@pytest.fixture
def photo(engine) -> tuple[int, str]:
    """(attachment id, its owner's cookie): a ticket with a photo carrying a GPS position."""
    cookie = session_cookie(engine, "pia@example.com")
    with session_scope(engine) as db:
        viewer = sessions.viewer_for_token(db, session_token=cookie.partition("=")[2])
        number = tickets.create_ticket(
            db, viewer=viewer, subject="Photo", category="other", description="See the photo",
            files=attachments.store([IncomingFile("holiday.jpg", photo_with_gps())]),
        ).number  # fmt: skip
        [message] = conversation.list_messages(db, viewer=viewer, number=number)
    return message.attachments[0].id, cookie


def test_the_owner_gets_the_thumbnail_and_the_original_without_gps(client, photo):
    attachment_id, cookie = photo
    thumb = client.get(routes.attachment_thumbnail_path(attachment_id), headers={"Cookie": cookie})
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    assert "no-store" in thumb.headers["cache-control"]
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 320
    assert gps_of(thumb.content) == {}
    original = client.get(
        routes.attachment_path(attachment_id), params={"inline": "1"}, headers={"Cookie": cookie}
    )
    assert original.status_code == 200
    assert original.headers["content-disposition"].startswith("inline;")
    assert gps_of(original.content) == {}
    with Image.open(io.BytesIO(original.content)) as image:
        assert image.size == (1600, 1200)


def test_anyone_else_gets_the_same_404_for_the_thumbnail_as_for_the_original(client, engine, photo):
    attachment_id, _ = photo
    other = session_cookie(engine, "mallory@example.com")
    for headers in ({}, {"Cookie": other}):
        for path in (
            routes.attachment_path(attachment_id),
            routes.attachment_thumbnail_path(attachment_id),
        ):
            response = client.get(path, headers=headers)
            assert response.status_code == 404
            assert response.text == "Not found"
    for bad in ("0", "abc", "99999999999", str(attachment_id + 1)):
        assert client.get(routes.attachment_thumbnail_path(bad)).status_code == 404
