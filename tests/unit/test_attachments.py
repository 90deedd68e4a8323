"""Attachment checks and storage (C2, C3)."""

from __future__ import annotations

import hashlib
import re

import pytest

from support_portal.services import attachments
from support_portal.services.attachments import IncomingFile
from support_portal.services.errors import InvalidInput
from support_portal.settings import get_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
TEXT = "Withdrawal id: 42\nStatus: stuck ✓\n".encode()
CSV = b"date,amount\n2024-01-01,1.5\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 20


def refused(*files: IncomingFile) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        attachments.validate(list(files))
    assert error.value.field == "attachments"
    return error.value


# Sniffing


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG, "png"), (JPG, "jpg"), (GIF, "gif"), (b"GIF87a" + b"\x00" * 8, "gif"), (WEBP, "webp"),
     (PDF, "pdf"), (TEXT, "text"), (CSV, "text")],
)  # fmt: skip
def test_each_allowed_type_is_recognised_by_its_content(data, kind):
    assert attachments.sniff(data) == kind


@pytest.mark.parametrize(
    "data",
    [EXE, b"\x7fELF\x02\x01\x01", b"PK\x03\x04zip", b"\xca\xfe\xba\xbejava", b"#!/bin/sh\nrm -rf /",
     b"text with a \x00 NUL", "UTF-16 text".encode("utf-16"), b"\xff\xfe\xfd not utf-8",
     b"RIFF\x24\x00\x00\x00WAVEfmt "],
)  # fmt: skip
def test_executables_archives_scripts_and_binary_blobs_are_not_recognised(data):
    assert attachments.sniff(data) is None


@pytest.mark.parametrize(
    ("filename", "data", "content_type"),
    [("a.png", PNG, "image/png"), ("a.JPG", JPG, "image/jpeg"), ("a.jpeg", JPG, "image/jpeg"),
     ("a.gif", GIF, "image/gif"), ("a.webp", WEBP, "image/webp"), ("a.pdf", PDF, "application/pdf"),
     ("a.txt", TEXT, "text/plain"), ("a.log", TEXT, "text/plain"), ("a.csv", CSV, "text/csv")],
)  # fmt: skip
def test_each_allowed_type_passes_with_its_content_type(filename, data, content_type):
    [(_, name, checked_type)] = attachments.validate([IncomingFile(filename, data)])
    assert name == filename
    assert checked_type == content_type


# Limits


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message():
    limit = get_settings().max_attachment_bytes
    error = refused(IncomingFile("huge.png", PNG + b"\x00" * (limit - len(PNG) + 1)))
    assert error.message.format(**error.params) == "huge.png is larger than 10 MB."


def test_a_file_exactly_at_the_size_limit_is_accepted():
    limit = get_settings().max_attachment_bytes
    assert attachments.validate([IncomingFile("big.png", PNG + b"\x00" * (limit - len(PNG)))])


def test_more_files_than_allowed_in_one_message_are_refused():
    limit = get_settings().max_attachments_per_message
    error = refused(*[IncomingFile(f"{n}.png", PNG) for n in range(limit + 1)])
    assert error.message.format(**error.params) == (
        f"You can attach at most {limit} files to one message."
    )
    assert attachments.validate([IncomingFile(f"{n}.png", PNG) for n in range(limit)])


def test_an_empty_file_is_refused():
    error = refused(IncomingFile("empty.txt", b""))
    assert error.message.format(**error.params) == "empty.txt is empty."


# Type checks


@pytest.mark.parametrize("filename", ["invoice.pdf", "notes.txt", "photo.png", "setup.exe"])
def test_a_renamed_executable_is_refused(filename):
    error = refused(IncomingFile(filename, EXE))
    assert "is not an allowed file type" in error.message


@pytest.mark.parametrize(
    ("filename", "data"),
    [("photo.jpg", PNG), ("photo.png", JPG), ("doc.pdf", TEXT), ("notes.txt", PDF),
     ("image.png", TEXT), ("data.csv", GIF)],
)  # fmt: skip
def test_content_that_does_not_match_the_extension_is_refused(filename, data):
    error = refused(IncomingFile(filename, data))
    assert error.message.format(**error.params) == (
        f"{filename} does not contain what its name says."
    )


@pytest.mark.parametrize(
    "filename", ["page.html", "icon.svg", "script.js", "noextension", "archive.zip", "x.png.exe"]
)
def test_extensions_outside_the_allowlist_are_refused_even_with_harmless_content(filename):
    refused(IncomingFile(filename, TEXT))


def test_one_bad_file_refuses_the_whole_message():
    refused(IncomingFile("ok.png", PNG), IncomingFile("bad.pdf", EXE))


# Filenames never reach a path


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("../x.png", "x.png"), ("a/../../x.png", "x.png"), ("..\\..\\x.png", "x.png"),
     ("C:\\Users\\eve\\x.png", "x.png"), ("/etc/passwd", "passwd"), ("x\x00.png", "x.png"),
     ("evil.png\x00.exe", "evil.png.exe"), ("re\r\nport.pdf", "report.pdf"),
     ("\u202egnp.exe", "gnp.exe"), ("...", ""), ("  .hidden.txt ", "hidden.txt")],
)  # fmt: skip
def test_client_filenames_lose_folders_and_control_characters(raw, clean):
    assert attachments.clean_filename(raw) == clean


NASTY = ["../x.png", "a/../../x.png", "..", "/", "\\", "a\\b/c", "x\x00/y", "\x00", "a/\x00../b",
         "//server/share/x.pdf", "%2e%2e%2fx.png", "名前/../写真.png",
         "x/" * 300 + "y.png"]  # fmt: skip


@pytest.mark.parametrize("raw", NASTY)
def test_a_clean_filename_never_contains_a_path_separator_or_control_character(raw):
    name = attachments.clean_filename(raw)
    assert "/" not in name and "\\" not in name
    assert not any(ord(c) < 32 or ord(c) == 127 for c in name)
    assert name not in (".", "..")
    assert len(name) <= 200


def test_very_long_names_are_shortened_but_keep_their_extension():
    name = attachments.clean_filename("a" * 500 + ".pdf")
    assert len(name) <= 200
    assert name.endswith(".pdf")


@pytest.mark.parametrize(
    "filename", ["../x.png", "a/../../x.png", "..\\x.png", "x\x00.png", "/tmp/evil.png"]
)
def test_stored_files_live_only_under_the_upload_folder_with_random_hex_names(uploads, filename):
    [stored] = attachments.store([IncomingFile(filename, PNG)])
    assert re.fullmatch(r"[0-9a-f]{32}", stored.storage_name)
    assert stored.filename == "x.png" if "evil" not in filename else "evil.png"
    assert [p.name for p in uploads.iterdir()] == [stored.storage_name]
    assert (uploads / stored.storage_name).read_bytes() == PNG
    assert attachments.path_for(stored.storage_name).parent == uploads
    assert stored.sha256 == hashlib.sha256(PNG).hexdigest()
    assert stored.size == len(PNG)


def test_two_uploads_of_the_same_file_get_different_storage_names(uploads):
    first, second = attachments.store([IncomingFile("a.png", PNG), IncomingFile("a.png", PNG)])
    assert first.storage_name != second.storage_name


def test_nothing_is_written_when_any_file_is_refused(uploads):
    with pytest.raises(InvalidInput):
        attachments.store([IncomingFile("ok.png", PNG), IncomingFile("bad.txt", EXE)])
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_discarding_stored_files_removes_them(uploads):
    stored = attachments.store([IncomingFile("a.png", PNG), IncomingFile("b.pdf", PDF)])
    attachments.discard(stored)
    assert list(uploads.iterdir()) == []
    attachments.discard(stored)  # twice is harmless


@pytest.mark.parametrize("storage_name", ["../secret", "a/b", "..", "", "x.png", "a\x00b"])
def test_a_storage_name_that_is_not_plain_hex_never_becomes_a_path(uploads, storage_name):
    with pytest.raises(InvalidInput):
        attachments.path_for(storage_name)


def test_files_kept_for_a_transaction_are_deleted_when_it_fails(engine, uploads):
    from support_portal.db import session_scope
    from support_portal.services.attachments import IncomingFile, keep, path_for

    with pytest.raises(RuntimeError), session_scope(engine) as db:
        stored = keep(db, [IncomingFile(filename="a.txt", data=b"hello")])
        path = path_for(stored[0].storage_name)
        assert path.read_bytes() == b"hello"
        raise RuntimeError("the database said no")
    assert not path.exists()


def test_files_kept_for_a_transaction_stay_when_it_succeeds(engine, uploads):
    from support_portal.db import session_scope
    from support_portal.services.attachments import IncomingFile, keep, path_for

    with session_scope(engine) as db:
        stored = keep(db, [IncomingFile(filename="a.txt", data=b"hello")])
    assert path_for(stored[0].storage_name).read_bytes() == b"hello"


def test_a_reply_whose_transaction_fails_leaves_no_file_behind(engine, uploads, alice):
    """R1: the use case stores its own files; a rollback takes them away again."""
    from support_portal.db import session_scope
    from support_portal.services import tickets
    from support_portal.services.attachments import IncomingFile

    with session_scope(engine) as db:
        number = tickets.create_ticket(
            db, viewer=alice, subject="Files", category="other", description="x"
        ).number
    with pytest.raises(RuntimeError), session_scope(engine) as db:
        tickets.add_customer_reply(
            db,
            viewer=alice,
            number=number,
            body="with a file",
            files=[IncomingFile(filename="a.txt", data=b"hello")],
        )
        raise RuntimeError("the database said no")
    assert list(uploads.iterdir()) == []
