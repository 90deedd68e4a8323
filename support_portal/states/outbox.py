"""/admin/outbox: emails that failed or are still waiting, for agents."""

from __future__ import annotations

import asyncio

import reflex as rx

from support_portal.clock import utcnow
from support_portal.live.hub import LiveEvent, user_topic
from support_portal.services import outbox_admin
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, PermissionDenied
from support_portal.services.outbox import OUTBOX_TOPIC
from support_portal.states.actions import Outcome, attempt, dashboard_viewer
from support_portal.states.base import call
from support_portal.states.live import LivePageState
from support_portal.states.notice_views import OutboxRowView, outbox_row

SETTLE_SECONDS = 1.5  # after a wake-up, give the sender a moment to deliver


class OutboxAdminState(LivePageState):
    counts: dict[str, int] = {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    rows: list[OutboxRowView] = []
    allowed: bool = False
    loaded: bool = False
    refreshing: bool = False
    retrying: int = 0
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self):
        viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.loaded = False
        self.error = self.notice = ""
        self.allowed = viewer.is_agent
        if self.allowed:
            await self._fetch(viewer)
        self.loaded = True
        if self.allowed:
            self._begin_live()
            yield OutboxAdminState.live_loop

    @rx.event(background=True)
    async def live_loop(self):
        await self._run_live()

    async def _fetch(self, viewer: Viewer) -> None:
        try:
            self._show(await call(outbox_admin.overview, viewer=viewer))
        except PermissionDenied:
            self.allowed = False
        except DomainError as exc:
            self.error = self._error_text(exc)

    def _show(self, found: outbox_admin.OutboxOverview) -> None:
        now = utcnow()
        self.counts = found.counts
        self.rows = [outbox_row(r, locale=self.locale, tz=self._tz(), now=now) for r in found.rows]

    def _live_topics(self, viewer: Viewer | None) -> list[str]:
        topics = [OUTBOX_TOPIC]
        if viewer is not None and viewer.user_id is not None:
            topics.append(user_topic(viewer.user_id))
        return topics

    async def _live_settle(self, events: list[LiveEvent]) -> None:
        if any(e.topic == OUTBOX_TOPIC for e in events):
            await asyncio.sleep(SETTLE_SECONDS)

    @staticmethod
    def _live_read(db, viewer: Viewer | None, request):
        if viewer is None or not viewer.is_agent:
            return None
        try:
            return outbox_admin.overview(db, viewer=viewer)
        except DomainError as exc:
            return exc

    async def _on_live(self, loop, viewer: Viewer | None, page, events: list[LiveEvent]) -> bool:
        if page is None or isinstance(page, PermissionDenied):
            self.allowed = False
            return True
        if isinstance(page, DomainError):
            self.error = self._error_text(page)
            return True
        self._show(page)
        return True

    @rx.event
    async def refresh(self):
        done = Outcome()
        async for update in attempt(
            self, done, outbox_admin.overview, busy="refreshing", viewer=True
        ):
            yield update
        self._after(done)

    def _after(self, done: Outcome) -> None:
        if isinstance(done.error, PermissionDenied):
            self.allowed = False
            self.error = ""
        elif done.ok:
            self._show(done.value)

    @rx.event
    async def retry(self, email_id: int):
        try:
            email_id = int(email_id)
        except (TypeError, ValueError):
            return
        if not self.retrying:
            self.notice = ""
        done = Outcome()
        async for update in attempt(
            self,
            done,
            outbox_admin.retry_and_show,
            busy="retrying",
            busy_value=email_id,
            viewer=True,
            email_id=email_id,
        ):
            yield update
        self._after(done)
        if done.ok:
            self.notice = self._t("The email is queued again and will be sent in a moment.")
