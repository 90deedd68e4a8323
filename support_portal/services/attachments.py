"""Attachment checks and storage (C2, C3).

Files are checked by content (magic bytes) against an allowlist, stored outside any public
folder under random names, and handed out only after the ticket's access check.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from support_portal.db import on_rollback
from support_portal.rules import ACCEPT, ALLOWED_EXTENSIONS, TEXT_EXTENSIONS
from support_portal.services.errors import InvalidInput
from support_portal.services.image_meta import strip_metadata
from support_portal.settings import get_settings

__all__ = ["ACCEPT", "IncomingFile", "StoredFile", "keep", "store"]

_BINARY_SIGNATURES = (b"MZ", b"\x7fELF", b"PK\x03\x04", b"\xca\xfe\xba\xbe", b"#!")


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    filename: str
    content_type: str
    size: int
    sha256: str


def clean_filename(raw: str) -> str:
    """A display name only: never used in a path. Drops folders, control chars and NULs."""
    name = (raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().strip(".").strip()
    if len(name) > 200:
        stem, _, ext = name.rpartition(".")
        name = (stem[:190] + "." + ext) if stem else name[:200]
    return name


def sniff(data: bytes) -> str | None:
    """The file type from its first bytes, or None when it is none we accept."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text"


def validate(files: list[IncomingFile]) -> list[tuple[IncomingFile, str, str]]:
    """Check every file; returns (file, clean name, content type) or raises InvalidInput."""
    settings = get_settings()
    if len(files) > settings.max_attachments_per_message:
        raise InvalidInput(
            "You can attach at most {max} files to one message.",
            field="attachments",
            max=settings.max_attachments_per_message,
        )
    checked = []
    for incoming in files:
        name = clean_filename(incoming.filename)
        ext = name.rpartition(".")[2].lower() if "." in name else ""
        if len(incoming.data) > settings.max_attachment_bytes:
            raise InvalidInput(
                "{name} is larger than {max_mb} MB.",
                field="attachments",
                name=name or "file",
                max_mb=settings.max_attachment_bytes // (1024 * 1024),
            )
        if not incoming.data:
            raise InvalidInput("{name} is empty.", field="attachments", name=name or "file")
        kind = sniff(incoming.data)
        if ext not in ALLOWED_EXTENSIONS or kind is None:
            raise InvalidInput(
                "{name} is not an allowed file type (png, jpg, gif, webp, pdf, txt, csv, log).",
                field="attachments",
                name=name or "file",
            )
        expected = "text" if ext in TEXT_EXTENSIONS else ("jpg" if ext == "jpeg" else ext)
        if kind != expected:
            raise InvalidInput(
                "{name} does not contain what its name says.", field="attachments", name=name
            )
        checked.append((incoming, name, ALLOWED_EXTENSIONS[ext]))
    return checked


def upload_root() -> Path:
    root = Path(get_settings().upload_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def store(files: list[IncomingFile]) -> list[StoredFile]:
    """Validate then write each file under a random name. Caller deletes them on rollback."""
    checked = validate(files)
    root = upload_root()
    stored: list[StoredFile] = []
    try:
        for incoming, name, content_type in checked:
            storage_name = secrets.token_hex(16)
            (root / storage_name).write_bytes(incoming.data)
            stored.append(
                StoredFile(
                    storage_name=storage_name,
                    filename=name,
                    content_type=content_type,
                    size=len(incoming.data),
                    sha256=hashlib.sha256(incoming.data).hexdigest(),
                )
            )
    except BaseException:
        discard(stored)
        raise
    return stored


def keep(db: Session, files: Sequence[IncomingFile | StoredFile] | None) -> list[StoredFile]:
    """Check and store a message's files for the transaction of `db`; they are deleted again
    if it rolls back (R1). Files already stored pass through."""
    files = list(files or [])
    incoming = [f for f in files if isinstance(f, IncomingFile)]
    stored = store(incoming) if incoming else []
    if stored:
        on_rollback(db, lambda: discard(stored))
    kept = iter(stored)
    return [next(kept) if isinstance(f, IncomingFile) else f for f in files]


def drop(files: Sequence[IncomingFile | StoredFile] | None) -> None:
    """Delete whatever of `files` is already stored: a replay keeps nothing new."""
    discard([f for f in files or [] if isinstance(f, StoredFile)])


def discard(stored: list[StoredFile]) -> None:
    for item in stored:
        remove(item.storage_name)


def remove(storage_name: str) -> None:
    """Delete a stored file and its thumbnail, if either is there."""
    path_for(storage_name).unlink(missing_ok=True)
    thumbnail_path(storage_name).unlink(missing_ok=True)


def path_for(storage_name: str) -> Path:
    if not storage_name.isalnum():
        raise InvalidInput("bad storage name")
    return upload_root() / storage_name


def thumbnail_path(storage_name: str) -> Path:
    """Where an image's thumbnail is kept once made (services/thumbnails.py): beside it."""
    return path_for(storage_name).with_name(f"{storage_name}.thumb")


def served_bytes(storage_name: str, content_type: str) -> bytes:
    """The file as handed out: an image without its metadata (EXIF GPS, XMP, comments; the
    stored file keeps them), anything else as stored."""
    data = path_for(storage_name).read_bytes()
    return strip_metadata(data) if content_type.startswith("image/") else data
