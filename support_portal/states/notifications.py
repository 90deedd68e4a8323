"""The notification centre (/notifications) and the email switches (/settings/notifications)."""

from __future__ import annotations

import reflex as rx

from support_portal.clock import utcnow
from support_portal.i18n import _
from support_portal.live.hub import LiveEvent
from support_portal.services import conversation, notifications
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import call
from support_portal.states.live import LivePageState
from support_portal.states.notice_views import (
    NotificationView,
    PreferenceView,
    notification_view,
)

PAGE_SIZE = 30
MAX_LIVE_WINDOW = 200  # the service's own cap on one read


def _signed_in(viewer: Viewer | None) -> bool:
    return viewer is not None and viewer.user_id is not None


class NotificationsState(LivePageState):
    items: list[NotificationView] = []
    has_more: bool = False
    loaded: bool = False
    loading_more: bool = False
    marking_all: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if not _signed_in(viewer):
            yield self._login_redirect()
            return
        self.loaded = False
        self.error = ""
        await self._fetch(viewer, PAGE_SIZE)  # type: ignore[arg-type]
        self.loaded = True
        self._begin_live()
        yield NotificationsState.live_loop

    @rx.event(background=True)
    async def live_loop(self):
        await self._run_live()

    async def _fetch(self, viewer: Viewer, limit: int) -> None:
        """The newest `limit` notifications (one more is read to know if there are older)."""
        try:
            found = await call(notifications.list_for, viewer=viewer, limit=limit + 1)
        except DomainError as exc:
            self.error = self._error_text(exc)
            return
        self.items = self._views(viewer, found[:limit])
        self.has_more = len(found) > limit
        self.error = ""

    def _views(self, viewer: Viewer, found) -> list[NotificationView]:
        now = utcnow()
        return [
            notification_view(n, agent=viewer.is_agent, locale=self.locale, tz=self._tz(), now=now)
            for n in found
        ]

    def _live_request(self, loop) -> int:
        return min(max(PAGE_SIZE, len(self.items)), MAX_LIVE_WINDOW - 1)

    @staticmethod
    def _live_read(db, viewer: Viewer | None, window: int):
        try:
            return window, notifications.list_for(db, viewer=viewer, limit=window + 1)
        except DomainError as exc:
            return window, exc

    async def _on_live(self, loop, viewer: Viewer | None, page, events: list[LiveEvent]) -> bool:
        window, found = page
        if viewer is None:
            return True
        if isinstance(found, DomainError):
            self.error = self._error_text(found)
            return True
        self.items = self._views(viewer, found[:window])
        self.has_more = len(found) > window
        self.error = ""
        return True

    @rx.event
    async def load_more(self):
        if not self.items:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            notifications.list_for,
            busy="loading_more",
            viewer=True,
            limit=PAGE_SIZE + 1,
            before_id=self.items[-1].id,
        ):
            yield update
        if done.ok:
            known = {item.id for item in self.items}
            fresh = [n for n in done.value[:PAGE_SIZE] if n.id not in known]
            self.items = self.items + self._views(done.viewer, fresh)  # type: ignore[arg-type]
            self.has_more = len(done.value) > PAGE_SIZE

    @rx.event
    async def open_ticket(self, notification_id: int):
        """A click on a notification: the link navigates, this marks its ticket read."""
        viewer = await self._viewer()
        item = next((i for i in self.items if i.id == notification_id), None)
        if not _signed_in(viewer) or item is None:
            return
        if not item.ticket_number:  # about the portal, not a ticket (a webhook was disabled)
            await call(notifications.mark_one_read, viewer=viewer, notification_id=item.id)
            self.items = [_with_read(i) if i.id == item.id else i for i in self.items]
            await self._refresh_bell(viewer)
            return
        try:
            await call(conversation.mark_read, viewer=viewer, number=item.ticket_number)
        except DomainError:
            return  # the ticket page says "not found" itself
        self.items = [
            _with_read(i) if i.ticket_number == item.ticket_number else i for i in self.items
        ]
        await self._refresh_bell(viewer)

    @rx.event
    async def mark_all_read(self):
        done = Outcome()
        async for update in attempt(
            self, done, notifications.mark_all_read, busy="marking_all", viewer=True
        ):
            yield update
        if done.ok:
            self.items = [_with_read(i) for i in self.items]
            self.unread_count = 0


def _with_read(item: NotificationView) -> NotificationView:
    return NotificationView(**{**item.__dict__, "read": True})


class NotificationSettingsState(LivePageState):
    prefs: list[PreferenceView] = []
    loaded: bool = False
    agent_view: bool = False
    saved_event: str = ""
    saving_event: str = ""
    error: str = ""

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if not _signed_in(viewer):
            yield self._login_redirect()
            return
        self.saved_event = self.saving_event = self.error = ""
        self.agent_view = viewer.is_agent  # type: ignore[union-attr]
        await self._fetch(viewer)  # type: ignore[arg-type]
        self.loaded = True
        self._begin_live()
        yield NotificationSettingsState.live_loop

    @rx.event(background=True)
    async def live_loop(self):
        await self._run_live()

    async def _fetch(self, viewer: Viewer) -> None:
        try:
            stored = await call(notifications.preferences, viewer=viewer)
        except DomainError as exc:
            self.error = self._error_text(exc)
            return
        self.prefs = [PreferenceView(event=e, email=on) for e, on in stored.items()]

    @rx.event
    async def set_email(self, event: str, enabled: bool):
        """Save one switch at once; the page shows "Saved" next to it, or an error."""
        viewer = await self._viewer()
        if not _signed_in(viewer):
            yield self._login_redirect()
            return
        event, enabled = str(event), bool(enabled)
        if not any(p.event == event for p in self.prefs):
            return
        previous = [PreferenceView(p.event, p.email) for p in self.prefs]
        self.prefs = [PreferenceView(p.event, enabled if p.event == event else p.email)
                      for p in self.prefs]  # fmt: skip
        self.saved_event = ""
        done = Outcome()
        async for update in attempt(
            self,
            done,
            notifications.set_preference,
            busy="saving_event",
            busy_value=event,
            failed_text=_("Your change could not be saved. Please try again."),
            viewer=True,
            event=event,
            email=enabled,
        ):
            yield update
        if done.ok:
            self.saved_event = event
        else:
            self.prefs = previous
