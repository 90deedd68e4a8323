"""Keyset pagination over (last_activity_at DESC, id DESC): no OFFSET, stable under inserts."""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import tuple_
from sqlalchemy.sql.elements import ColumnElement

from support_portal.services.errors import InvalidInput


def encode_cursor(at: datetime, row_id: int) -> str:
    raw = f"{at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at_text, id_text = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        return datetime.fromisoformat(at_text), int(id_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("This page link is no longer valid.") from exc


def after_cursor(at_col, id_col, cursor: str | None) -> ColumnElement[bool] | None:
    """Rows strictly after `cursor` in descending (at, id) order."""
    if not cursor:
        return None
    at, row_id = decode_cursor(cursor)
    return before(at_col, id_col, at, row_id)


def before(at_col, id_col, at: datetime, row_id: int) -> ColumnElement[bool]:
    """(at_col, id_col) < (at, row_id), written as a row comparison: PostgreSQL and SQLite
    then start the index scan at the cursor. The equivalent `a < x OR (a = x AND id < y)`
    is only a filter, so a deep page read every row above it (as slow as OFFSET)."""
    return tuple_(at_col, id_col) < tuple_(at, row_id)


def after(at_col, id_col, at: datetime, row_id: int) -> ColumnElement[bool]:
    """(at_col, id_col) > (at, row_id), for ascending keysets; see `before`."""
    return tuple_(at_col, id_col) > tuple_(at, row_id)


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
