"""Feedback while a form's files travel to the server (issue 14).

Reflex runs an upload handler only once the whole request has arrived, so a busy flag set in
the handler shows nothing while the files are on their way. A form with files therefore
sends two events on Send/Submit: `begin_upload` (a plain event, answered at once: the button
goes busy, the text locks, each chosen file is listed at 0 %), then the upload itself, whose
progress reports (`on_progress`) move each file's percentage. The upload handler calls
`_upload_arrived` first thing: every file is at 100 % and the handler's own busy flag takes
over. A request the server refuses, or one that never arrives, never reaches the handler: the
page's watcher (components/files.py) reports it to `upload_failed`, which says why and
unlocks the text, which is kept.
"""

from __future__ import annotations

import contextlib

import reflex as rx
from pydantic import BaseModel

from support_portal.i18n import _

MAX_FILES = 20  # more than any form takes: the rest of a forged list is ignored


class UploadItem(BaseModel):
    name: str = ""
    size: int = 0
    percent: int = 0


# What the server answered (HTTP status) -> what the page says.
FAILURES = {
    0: _("The files did not reach us. Check your connection and try again."),
    401: _("Your session has ended. Log in again to send files."),
    413: _("The files are too large to send together. Send fewer or smaller files."),
}
FAILED = _("The files could not be uploaded. Please try again.")


class UploadFeedback(rx.State, mixin=True):
    """Vars and events for a page whose form uploads files (mixed into its state)."""

    uploading: bool = False
    upload_items: list[UploadItem] = []
    upload_progress: int = 0  # all files together, 0-100
    # Reflex sends the upload without waiting for `begin_upload`'s answer, so on a busy server
    # the handler can run first; `begin_upload` arriving after it must not lock the form again
    # (it stayed read-only for good). Each click's request ends in the handler or in
    # `upload_failed`: a click whose request has already ended is not begun.
    _clicks: int = 0
    _ended: int = 0

    @rx.event
    def begin_upload(self, files: list[dict]):
        """Send/Submit was clicked: busy at once, each file at 0 %."""
        self._clicks += 1
        if self.uploading or self._ended >= self._clicks:
            return
        self.uploading = True
        self.upload_progress = 0
        self.upload_items = [_item(f) for f in (files or [])[:MAX_FILES] if isinstance(f, dict)]
        self._show_upload_error("")

    @rx.event
    def on_progress(self, progress: dict):
        """The browser's upload progress: bytes sent of the whole request."""
        if not self.uploading:
            return
        with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
            fraction = min(max(float(progress["progress"]), 0.0), 1.0)
            self.upload_progress = round(fraction * 100)
            self.upload_items = _spread(self.upload_items, fraction)

    @rx.event
    def upload_failed(self, status: int):
        """The server refused the upload, or it never arrived: say why, unlock the text."""
        self._ended += 1
        if not self.uploading:
            return
        with contextlib.suppress(TypeError, ValueError):
            status = int(status)
        self._end_upload()
        self.upload_items = []
        self._show_upload_error(self._t(FAILURES.get(status, FAILED)))  # type: ignore[attr-defined]

    def _upload_arrived(self) -> None:
        """The upload handler runs: the server has every byte."""
        self._ended += 1
        self.upload_items = [item.model_copy(update={"percent": 100}) for item in self.upload_items]
        self._end_upload()

    def _end_upload(self) -> None:
        self.uploading = False
        self.upload_progress = 0

    def _show_upload_error(self, text: str) -> None:
        """Where the page shows what went wrong (a state with another var overrides this)."""
        self.send_error = text  # type: ignore[attr-defined]


def _item(info: dict) -> UploadItem:
    size = info.get("size", 0)
    return UploadItem(
        name=str(info.get("name", ""))[:255],
        size=size if isinstance(size, int) and size >= 0 else 0,
    )


def _spread(items: list[UploadItem], fraction: float) -> list[UploadItem]:
    """Each file's percentage from the share of the request sent: the files travel one after
    the other, in the order chosen (the form's few small fields are counted as part of them)."""
    total = sum(item.size for item in items)
    if total <= 0:
        return [item.model_copy(update={"percent": round(fraction * 100)}) for item in items]
    sent = fraction * total
    spread = []
    for item in items:
        done = min(max(sent, 0.0), float(item.size))
        percent = 100 if item.size == 0 else round(done * 100 / item.size)
        spread.append(item.model_copy(update={"percent": percent}))
        sent -= item.size
    return spread
