"""The account page's "Download my data": start the export, then follow its progress until the
download link is there. The ZIP is built by the service in the background; this state only
starts it and polls its status once a second while it runs (the live loop, which also re-reads
the session on every round: an ended session stops it, A4)."""

from __future__ import annotations

import reflex as rx

from support_portal import i18n, routes
from support_portal.services import data_export
from support_portal.services.data_export import ExportStatus
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError
from support_portal.services.unit_of_work import call
from support_portal.states.actions import Outcome, attempt
from support_portal.states.live import LivePageState
from support_portal.states.views import size_label

POLL_SECONDS = 1.0


class DataExportState(LivePageState):
    status: str = ""  # "" (none), pending, building, ready, failed
    progress: int = 0
    download_url: str = ""
    expires: str = ""
    size: str = ""
    starting: bool = False
    error: str = ""

    @rx.var
    def running(self) -> bool:
        return self.status in ("pending", "building")

    @rx.event
    async def load(self):
        self.error = ""
        viewer = await self._viewer()
        if viewer is None or viewer.is_guest:
            self._show(None)
            return
        try:
            found = await call(data_export.export_status, viewer=viewer)
        except DomainError:
            found = None
        self._show(found)
        if found is not None and found.running:
            self._begin_live()
            yield DataExportState.watch

    def _show(self, found: ExportStatus | None) -> None:
        self.status = found.status if found else ""
        self.progress = found.progress if found else 0
        ready = found is not None and found.status == "ready"
        self.download_url = routes.data_export_path(found.id) if ready and found else ""
        self.expires = (
            i18n.format_when(self.locale, found.expires_at, self._tz())
            if ready and found and found.expires_at
            else ""
        )
        self.size = size_label(found.size) if ready and found and found.size else ""

    @rx.event
    async def start(self):
        done = Outcome()
        async for update in attempt(
            self, done, data_export.start_export, busy="starting", viewer=True
        ):
            yield update
        if done.ok:
            self._show(done.value)
            if done.value.running:
                self._begin_live()
                yield DataExportState.watch

    @rx.event(background=True)
    async def watch(self):
        await self._run_live()

    def _live_interval(self) -> float:
        return POLL_SECONDS

    @staticmethod
    def _live_read(db, viewer: Viewer | None, request):
        try:
            return data_export.export_status(db, viewer=viewer)
        except DomainError as exc:
            return exc

    async def _on_live(self, loop, viewer: Viewer | None, page, events) -> bool:
        if isinstance(page, DomainError):
            self.error = self._error_text(page)
            return False
        self._show(page)
        return page is not None and page.running
