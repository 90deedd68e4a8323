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
        viewer = await self._refresh_session()
        if viewer is None or viewer.user_id is None:
            yield self._login_redirect()
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
            self.counts = await call(outbox_admin.status_counts, viewer=viewer)
            found = await call(outbox_admin.attention_rows, viewer=viewer)
        except PermissionDenied:
            self.allowed = False
            return
        except DomainError as exc:
            self.error = self._error_text(exc)
            return
        now = utcnow()
        self.rows = [outbox_row(r, locale=self.locale, tz=self._tz(), now=now) for r in found]

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
            return (
                outbox_admin.status_counts(db, viewer=viewer),
                outbox_admin.attention_rows(db, viewer=viewer),
            )
        except DomainError as exc:
            return exc

    async def _on_live(self, loop, viewer: Viewer | None, page, events: list[LiveEvent]) -> bool:
        if page is None or isinstance(page, PermissionDenied):
            self.allowed = False
            return True
        if isinstance(page, DomainError):
            self.error = self._error_text(page)
            return True
        self.counts, found = page
        now = utcnow()
        self.rows = [outbox_row(r, locale=self.locale, tz=self._tz(), now=now) for r in found]
        return True

    @rx.event
    async def refresh(self):
        viewer = await self._viewer()
        if viewer is None:
            yield self._login_redirect()
            return
        self.refreshing = True
        yield
        await self._fetch(viewer)
        self.refreshing = False

    @rx.event
    async def retry(self, email_id: int):
        viewer = await self._viewer()
        if viewer is None:
            yield self._login_redirect()
            return
        try:
            email_id = int(email_id)
        except (TypeError, ValueError):
            return
        self.retrying = email_id
        self.error = self.notice = ""
        yield
        try:
            await call(outbox_admin.retry, viewer=viewer, email_id=email_id)
        except PermissionDenied:
            self.allowed = False
        except DomainError as exc:
            self.error = self._error_text(exc)
        else:
            self.notice = self._t("The email is queued again and will be sent in a moment.")
        await self._fetch(viewer)
        self.retrying = 0
