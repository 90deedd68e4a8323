"""Small pictures of image attachments for the conversation (issue 14).

A thumbnail is made the first time it is asked for, then kept next to the original
(`attachments.thumbnail_path`): uploads stay as fast as before, images uploaded before this
existed get one too, and one that is never looked at costs nothing. It is at most 320 px on
its longer side, carries no metadata (it is drawn afresh from the pixels) and is handed out
after exactly the original's access check (`tickets.attachment_for_download`, A1/A5).

An image that cannot be read, or that is too large to open safely (a "decompression bomb": a
small file that unpacks to billions of pixels), gets no thumbnail: an empty file is kept as
the answer, and the page shows the plain link.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps
from sqlmodel import Session

from support_portal.services import attachments, tickets
from support_portal.services.dto import Viewer
from support_portal.services.errors import NotFound

MAX_SIDE = 320
# 50 megapixels: more than any phone camera's default photo. Pillow itself refuses beyond
# twice its limit; anything past ours is refused before a pixel is decoded.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_READ_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


@dataclass(frozen=True)
class Thumbnail:
    path: Path
    content_type: str


def thumbnail_for(db: Session, *, viewer: Viewer | None, attachment_id: int) -> Thumbnail:
    """The thumbnail of an image attachment the viewer may download; NotFound when they may
    not, when it is no image, or when the image has none (too large, unreadable)."""
    row = tickets.attachment_for_download(db, viewer=viewer, attachment_id=attachment_id)
    if not row.content_type.startswith("image/"):
        raise NotFound()
    found = _cached(row.storage_name)
    if found is None:
        raise NotFound()
    return found


def make_thumbnail(data: bytes) -> tuple[bytes, str] | None:
    """A PNG (if the image has transparency) or JPEG at most MAX_SIDE px, without metadata,
    and its content type; None for an unreadable or too large image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                if image.format == "JPEG":  # decode at a fraction of the size: faster, smaller
                    image.draft("RGB", (MAX_SIDE * 2, MAX_SIDE * 2))
                return _encode(_small(image))
    except (*_READ_ERRORS, Image.DecompressionBombWarning):
        return None


def _small(image: Image.Image) -> Image.Image:
    upright = ImageOps.exif_transpose(image)  # a phone's sideways photo, the right way up
    alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    small = upright.convert("RGBA" if alpha else "RGB")
    small.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new(small.mode, small.size)  # the pixels only: no EXIF, XMP or comments
    clean.paste(small)
    return clean


def _encode(image: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue(), "image/jpeg"


def _cached(storage_name: str) -> Thumbnail | None:
    original = attachments.path_for(storage_name)
    path = attachments.thumbnail_path(storage_name)
    if not path.is_file():
        if not original.is_file():
            return None
        made = make_thumbnail(original.read_bytes())
        _write(path, made[0] if made else b"")
        if not original.is_file():  # erased meanwhile: keep nothing of it
            path.unlink(missing_ok=True)
            return None
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        return None
    content_type = "image/png" if head.startswith(b"\x89PNG") else "image/jpeg"
    return Thumbnail(path=path, content_type=content_type)


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: two first requests at once both write, one wins."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
