"""Issue 14: an image attachment shows as a small picture in the conversation, on the
customer's and the agent's page, named by its file name; one that cannot be made into a
thumbnail (a decompression bomb) leaves the plain link; nobody else can fetch it."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page, expect

from support_portal.db import session_scope
from support_portal.models import Role
from support_portal.services import attachments, tickets
from support_portal.settings import get_settings
from tests.e2e.helpers import create_user, goto, log_in
from tests.e2e.test_ticket_search import viewer_for
from tests.unit.test_thumbnails import photo_with_gps, png_claiming


def ticket_with_images(app, email: str, monkeypatch) -> int:
    """A ticket of `email`'s with a photo and a bomb, stored where the app reads its files."""
    monkeypatch.setattr(get_settings(), "upload_dir", app.env["UPLOAD_DIR"])
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            return tickets.create_ticket(
                db,
                viewer=viewer_for(db, email),
                subject="Screenshots",
                category="account",
                description="Two pictures.",
                files=[
                    attachments.IncomingFile("declined-card.jpg", photo_with_gps((1200, 900))),
                    attachments.IncomingFile("huge.png", png_claiming(10_000, 10_000)),
                ],
            ).number
    finally:
        engine.dispose()


def assert_thumbnail_shown(page: Page) -> str:
    """The photo's thumbnail is loaded, at most 320 px, named by its file; the bomb's is not
    shown but its link is. Returns the thumbnail's address."""
    thumb = page.get_by_role("img", name="declined-card.jpg")
    expect(thumb).to_be_visible()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=thumb.element_handle())
    size = thumb.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert size == [320, 240], size
    expect(page.locator("img.attachment-thumb[alt='huge.png']")).to_be_hidden()
    expect(page.locator(".attachment-name")).to_have_text(["declined-card.jpg", "huge.png"])
    return thumb.get_attribute("src") or ""


def test_an_image_attachment_shows_a_thumbnail_to_the_customer_and_the_agent(
    page, app, new_context, monkeypatch
):
    email = create_user(app, name="Tina Thumbnail")
    number = ticket_with_images(app, email, monkeypatch)
    log_in(page, email)
    goto(page, f"/tickets/{number}")
    src = assert_thumbnail_shown(page)
    assert src.endswith("/thumbnail")
    with Image.open(io.BytesIO(page.request.get(src).body())) as image:
        assert max(image.size) == 320

    agent = new_context().new_page()
    log_in(agent, create_user(app, name="Andy Agent", role=Role.agent), expect_path=r"/admin/?$")
    goto(agent, f"/admin/tickets/{number}")
    assert assert_thumbnail_shown(agent) == src

    stranger = new_context().new_page()
    log_in(stranger, create_user(app, name="Sam Stranger"))
    assert stranger.request.get(src).status == 404
