"""What a customer or an agent types, checked and cleaned before it is stored (A3)."""

from __future__ import annotations

from support_portal.services.errors import InvalidInput

MAX_SUBJECT = 200


MAX_BODY = 20_000


def clean_subject(subject: str) -> str:
    value = " ".join((subject or "").split())
    if not value:
        raise InvalidInput("Enter a subject.", field="subject")
    if len(value) > MAX_SUBJECT:
        raise InvalidInput(
            "The subject is too long (at most {max} characters).", field="subject", max=MAX_SUBJECT
        )
    return value


def clean_body(body: str, *, allow_empty: bool = False, field: str = "body") -> str:
    value = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not value and not allow_empty:
        raise InvalidInput("Write a message.", field=field)
    if len(value) > MAX_BODY:
        raise InvalidInput(
            "The message is too long (at most {max} characters).", field=field, max=MAX_BODY
        )
    return value


def clean_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if len(key) > 64 or not all(c.isalnum() or c in "-_" for c in key):
        raise InvalidInput("Invalid request.")
    return key
