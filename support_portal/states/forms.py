"""What an upload handler receives, read safely: the files up to the limits, the form's values
as plain strings (A3)."""

from __future__ import annotations

import reflex as rx

from support_portal.services import attachments
from support_portal.settings import get_settings


async def read_uploads(files: list[rx.UploadFile]) -> list[attachments.IncomingFile]:
    """The uploaded files' bytes (one more than allowed, so "too many" gets its message).

    A file is read up to one byte past the size limit, enough for "larger than" and never
    more, whatever reached the handler.
    """
    settings = get_settings()
    incoming = []
    for upload in files[: settings.max_attachments_per_message + 1]:
        data = await upload.read(settings.max_attachment_bytes + 1)
        incoming.append(attachments.IncomingFile(filename=upload.filename or "", data=data))
    return incoming


def clean_form(form: object) -> dict[str, str]:
    """Form values as plain strings; anything else the client sends is dropped (A3)."""
    if not isinstance(form, dict):
        return {}
    return {str(k)[:64]: str(v) for k, v in form.items() if isinstance(v, str | int | bool)}
