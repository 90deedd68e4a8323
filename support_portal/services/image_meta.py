"""Metadata out of an image before it is served: EXIF (GPS position, camera, time), XMP and
comments can say where a photo was taken. Only the metadata goes; the picture's bytes stay as
they were (no re-encoding, no quality lost). PNG, JPEG and WebP; any other bytes, or a file
these parsers do not understand, come back unchanged for the caller to decide.
"""

from __future__ import annotations

import struct

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary PNG chunks that carry metadata: EXIF, text (XMP lives in iTXt) and the time.
_PNG_DROP = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
# JPEG segments with metadata: APP1 (EXIF, XMP), APP2..APP15 except APP2's ICC profile
# (colours), APP14 (Adobe colour transform) and COM (comments).
_JPEG_APP1, _JPEG_APP2, _JPEG_APP14, _JPEG_COM = 0xE1, 0xE2, 0xEE, 0xFE
_WEBP_DROP = {b"EXIF", b"XMP "}
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def strip_metadata(data: bytes) -> bytes:
    """`data` without its EXIF/XMP/text metadata, or unchanged if it is no image we know."""
    try:
        if data.startswith(_PNG_SIGNATURE):
            return _strip_png(data)
        if data.startswith(b"\xff\xd8"):
            return _strip_jpeg(data)
        if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _strip_webp(data)
    except (ValueError, struct.error, IndexError):
        pass
    return data


def _strip_png(data: bytes) -> bytes:
    out = [_PNG_SIGNATURE]
    at = len(_PNG_SIGNATURE)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length  # length, type, data, CRC
        if end > len(data):
            raise ValueError("truncated PNG chunk")
        if kind not in _PNG_DROP:
            out.append(data[at:end])
        at = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _strip_jpeg(data: bytes) -> bytes:
    out = [data[:2]]
    at = 2
    while at < len(data):
        if data[at] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out.append(data[at : at + 2])
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = at + 2 + length
        if end > len(data):
            raise ValueError("truncated JPEG segment")
        if marker == 0xDA:  # start of scan: the rest is the picture itself
            out.append(data[at:])
            break
        if not _jpeg_metadata(marker, data[at + 4 : end]):
            out.append(data[at:end])
        at = end
    return b"".join(out)


def _jpeg_metadata(marker: int, payload: bytes) -> bool:
    if marker in (_JPEG_COM, _JPEG_APP1):
        return True
    if marker == _JPEG_APP2:
        return not payload.startswith(b"ICC_PROFILE\x00")
    return 0xE3 <= marker <= 0xEF and marker != _JPEG_APP14


def _strip_webp(data: bytes) -> bytes:
    chunks = []
    at = 12
    while at + 8 <= len(data):
        kind = data[at : at + 4]
        (size,) = struct.unpack("<I", data[at + 4 : at + 8])
        end = at + 8 + size + (size & 1)  # chunks are padded to an even size
        if at + 8 + size > len(data):
            raise ValueError("truncated WebP chunk")
        chunk = data[at:end]
        if kind == b"VP8X" and size >= 1:  # the flags no longer announce EXIF or XMP
            flags = chunk[8] & ~(_VP8X_EXIF | _VP8X_XMP)
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind not in _WEBP_DROP:
            chunks.append(chunk)
        at = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
