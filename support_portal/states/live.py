"""A page that stays live while it is open: the header bell, and whatever the page refreshes.

The loop follows the hub pattern of the ticket pages: wait for an event on the viewer's topic
(or a safety-net timeout) outside the state lock, then re-read what the viewer may see inside
it. It ends when the page is left, reloaded (a newer generation) or the browser disconnects.
"""

from __future__ import annotations

import logging
import sys

from support_portal.live.hub import LiveEvent, hub, user_topic
from support_portal.services import notifications
from support_portal.services.dto import Viewer
from support_portal.states.base import SessionState, call

log = logging.getLogger(__name__)
SAFETY_NET_SECONDS = 10.0


def client_connected(token: str) -> bool:
    """Is the browser tab behind `token` still connected to this worker?"""
    module = sys.modules.get("support_portal.support_portal")
    namespace = getattr(getattr(module, "app", None), "event_namespace", None)
    if namespace is None:  # not inside the running app (tests): assume it is
        return True
    return token in namespace.token_to_sid


class LivePageState(SessionState):
    _live_generation: int = 0
    _live_path: str = ""

    # --- hooks for the page states ----------------------------------------------------------

    def _live_interval(self) -> float:
        return SAFETY_NET_SECONDS

    def _live_topics(self, viewer: Viewer | None) -> list[str]:
        return [user_topic(viewer.user_id)] if viewer and viewer.user_id else []

    def _live_needs_viewer(self) -> bool:
        return True

    async def _live_settle(self, events: list[LiveEvent]) -> None:
        """Runs outside the lock before a refresh (e.g. give the mail sender a moment)."""

    async def _on_live(self, viewer: Viewer | None, events: list[LiveEvent]) -> None:
        """Inside the lock: refresh the page. The default keeps the bell right."""
        await self._refresh_bell(viewer)

    # --- helpers ----------------------------------------------------------------------------

    async def _refresh_bell(self, viewer: Viewer | None) -> None:
        if viewer is not None and viewer.user_id is not None:
            self.unread_count = await call(notifications.unread_count, viewer=viewer)

    def _current_path(self) -> str:
        return self.router.url.path.rstrip("/") or "/"

    def _begin_live(self) -> None:
        """Call from on_load, then yield the page state's own `live_loop` event."""
        self._live_generation += 1
        self._live_path = self._current_path()

    async def _run_live(self) -> None:
        """The body of each page's background `live_loop`.

        Reflex runs an inherited event handler on the state that declares it, so every page
        state declares its own three-line `live_loop` that awaits this; the hooks above then
        resolve to the page's overrides.
        """
        async with self:
            generation = self._live_generation
            path = self._live_path
            token = self.router.session.client_token
            viewer = await self._viewer()
            interval = self._live_interval()
            topics = self._live_topics(viewer)
            needs_viewer = self._live_needs_viewer()
        if viewer is None and needs_viewer:
            return
        with hub.subscribe(*topics) as sub:
            while True:
                events = await sub.wait(interval)
                if not client_connected(token):
                    return
                if events:
                    await self._live_settle(events)
                async with self:
                    if self._live_generation != generation or self._current_path() != path:
                        return
                    viewer = await self._viewer()
                    if viewer is None and needs_viewer:
                        return
                    try:
                        await self._on_live(viewer, events)
                    except Exception:  # keep the page alive; the next round tries again
                        log.exception("live refresh failed on %s", path)
