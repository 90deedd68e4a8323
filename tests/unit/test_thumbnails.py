"""Image attachments (issue 14): a thumbnail of at most 320 px without metadata, behind the
original's access check; the original served without its EXIF GPS; a decompression bomb gets
no thumbnail."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from support_portal.services import agent as agent_service
from support_portal.services import attachments, conversation, erasure, thumbnails
from support_portal.services.attachments import IncomingFile
from support_portal.services.errors import NotFound
from support_portal.services.image_meta import strip_metadata
from tests.unit.test_tickets import open_ticket

GPS_IFD = 0x8825


def photo_with_gps(size=(1600, 1200), fmt="JPEG") -> bytes:
    """A camera-like photo: EXIF with a GPS position (Prague) and a camera model."""
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # Model
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (50.0, 5.0, 13.0), 3: "E", 4: (14.0, 25.0, 14.0)}  # lat/long refs, values
    )
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(GPS_IFD))


def ticket_with(db, viewer, name: str, data: bytes) -> tuple[int, int]:
    """A ticket of `viewer`'s with one attachment: (number, attachment id)."""
    files = attachments.store([IncomingFile(name, data)])
    number = open_ticket(db, viewer, "With a photo", files=files)
    [message] = conversation.list_messages(db, viewer=viewer, number=number)
    return number, message.attachments[0].id


def test_the_test_photo_really_carries_a_gps_position():
    assert gps_of(photo_with_gps())[1] == "N"


def test_a_thumbnail_is_at_most_320_px_keeps_the_shape_and_has_no_exif(db, alice, uploads):
    _, attachment_id = ticket_with(db, alice, "holiday.jpg", photo_with_gps((1600, 1200)))
    found = thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id)
    assert found.content_type == "image/jpeg"
    data = found.path.read_bytes()
    with Image.open(io.BytesIO(data)) as thumb:
        assert thumb.size == (320, 240)
        assert dict(thumb.getexif()) == {}
        assert "exif" not in thumb.info
    assert gps_of(data) == {}
    # Kept beside the original, and handed out again without being made again.
    assert found.path == attachments.thumbnail_path(found.path.name.removesuffix(".thumb"))
    assert found.path.parent == uploads
    mtime = found.path.stat().st_mtime_ns
    assert (
        thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id).path == found.path
    )
    assert found.path.stat().st_mtime_ns == mtime


def test_a_tall_or_transparent_image_fits_320_px_too(db, alice, uploads):
    tall = Image.new("RGBA", (300, 1000), (0, 0, 0, 0))
    out = io.BytesIO()
    tall.save(out, "PNG")
    _, attachment_id = ticket_with(db, alice, "tall.png", out.getvalue())
    found = thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id)
    assert found.content_type == "image/png"  # transparency kept
    with Image.open(found.path) as thumb:
        assert thumb.size == (96, 320)
        assert thumb.mode == "RGBA"


def test_a_small_image_is_not_enlarged():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "GIF")
    data, content_type = thumbnails.make_thumbnail(out.getvalue())
    assert content_type == "image/jpeg"
    with Image.open(io.BytesIO(data)) as thumb:
        assert thumb.size == (40, 30)


def test_another_customer_gets_the_same_not_found_as_for_no_thumbnail(db, alice, bob, uploads):
    _, attachment_id = ticket_with(db, alice, "receipt.jpg", photo_with_gps())
    with pytest.raises(NotFound) as forbidden:
        thumbnails.thumbnail_for(db, viewer=bob, attachment_id=attachment_id)
    with pytest.raises(NotFound) as missing:
        thumbnails.thumbnail_for(db, viewer=bob, attachment_id=attachment_id + 100)
    assert str(forbidden.value) == str(missing.value)
    with pytest.raises(NotFound):
        thumbnails.thumbnail_for(db, viewer=None, attachment_id=attachment_id)
    # Nothing was made for them: the refusal comes before any file is touched.
    assert not any(p.name.endswith(".thumb") for p in uploads.iterdir())


def test_an_internal_notes_image_has_no_thumbnail_for_the_customer(db, alice, agent, uploads):
    number = open_ticket(db, alice)
    files = attachments.store([IncomingFile("kyc.jpg", photo_with_gps())])
    note = agent_service.agent_reply(
        db, viewer=agent, number=number, body="KYC", internal=True, files=files
    )
    attachment_id = note.attachments[0].id
    assert thumbnails.thumbnail_for(db, viewer=agent, attachment_id=attachment_id)
    with pytest.raises(NotFound):
        thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id)


def test_a_pdf_has_no_thumbnail(db, alice, uploads):
    _, attachment_id = ticket_with(db, alice, "statement.pdf", b"%PDF-1.7\n1 0 obj\n")
    with pytest.raises(NotFound):
        thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header says width x height: a decompression bomb's first bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (60_000, 60_000)])
def test_a_decompression_bomb_gets_no_thumbnail_and_is_not_retried(
    db, alice, uploads, width, height
):
    bomb = png_claiming(width, height)
    assert thumbnails.make_thumbnail(bomb) is None
    _, attachment_id = ticket_with(db, alice, "bomb.png", bomb)
    with pytest.raises(NotFound):
        thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id)
    [marker] = [p for p in uploads.iterdir() if p.name.endswith(".thumb")]
    assert marker.read_bytes() == b""  # "none": the next request does not open it again
    with pytest.raises(NotFound):
        thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id)


def test_a_broken_image_gets_no_thumbnail():
    assert thumbnails.make_thumbnail(b"\xff\xd8\xff\xe0 not really a jpeg") is None


def test_the_served_original_has_no_gps_but_the_same_picture(db, alice, uploads):
    original = photo_with_gps()
    _, attachment_id = ticket_with(db, alice, "holiday.jpg", original)
    name = _storage_name(db, attachment_id)
    served = attachments.served_bytes(name, "image/jpeg")
    assert gps_of(served) == {}
    with Image.open(io.BytesIO(served)) as image, Image.open(io.BytesIO(original)) as sent:
        assert image.size == sent.size
        assert image.tobytes() == sent.tobytes()  # not re-encoded: the same pixels
    assert gps_of(attachments.path_for(name).read_bytes())[1] == "N"  # the stored file


def _storage_name(db, attachment_id: int) -> str:
    from support_portal.models import Attachment

    return db.get(Attachment, attachment_id).storage_name


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_exif_too(fmt):
    data = photo_with_gps((64, 48), fmt)
    assert gps_of(data)[1] == "N"
    clean = strip_metadata(data)
    assert gps_of(clean) == {}
    with Image.open(io.BytesIO(clean)) as image, Image.open(io.BytesIO(data)) as sent:
        assert image.tobytes() == sent.tobytes()


def test_text_is_served_as_stored(uploads):
    [stored] = attachments.store([IncomingFile("log.txt", b"line 1\n")])
    assert attachments.served_bytes(stored.storage_name, "text/plain") == b"line 1\n"


def test_erasing_a_file_takes_its_thumbnail_too(db, alice, uploads):
    _, attachment_id = ticket_with(db, alice, "holiday.jpg", photo_with_gps())
    found = thumbnails.thumbnail_for(db, viewer=alice, attachment_id=attachment_id)
    name = _storage_name(db, attachment_id)
    erasure._discard([name])
    assert not found.path.exists()
    assert not attachments.path_for(name).exists()
