"""The one live loop every live page uses: wait on the hub, fetch outside the lock, apply inside.

A page stays live while it is open: it waits for an event on its topics (or a safety-net
timeout) with no state lock held, fetches what is new for this viewer through one service call
that also re-reads the session (A4: nothing is pushed after logout), still outside the lock, and
only then takes the state lock to check it is still on the same page and apply the result. It
ends when the page is left, reloaded (a newer generation), the browser disconnects, the session
ends, or a hook says so.

Reflex runs an inherited background handler on the state that declares it, so every page state
declares its own short `live_loop` (or `watch`) event that awaits `run_live(self)`; the hooks
below then resolve to the page's overrides.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from support_portal.live.hub import LiveEvent, Subscription, hub, user_topic
from support_portal.services import notifications, sessions
from support_portal.services.dto import Viewer
from support_portal.services.unit_of_work import in_db
from support_portal.states.base import SessionState

log = logging.getLogger(__name__)
SAFETY_NET_SECONDS = 10.0

# --- "is this tab still connected?" ---------------------------------------------------------

_connected: Callable[[str], bool] | None = None


def register_app(app: Any) -> None:
    """The entry module hands its app over, so a loop can tell a closed tab from an open one."""
    global _connected

    def connected(token: str) -> bool:
        namespace = getattr(app, "event_namespace", None)
        if namespace is None:
            return True
        # `token_to_sid` copies every connected token into a new mapping on each access: with
        # 1000 open pages that is a 1000-entry dict per wake-up. Look in the manager's own one.
        sockets = getattr(getattr(namespace, "_token_manager", None), "token_to_socket", None)
        if isinstance(sockets, dict):
            return token in sockets
        return token in namespace.token_to_sid

    _connected = connected


def client_connected(token: str) -> bool:
    """Is the browser tab behind `token` still connected to this worker? (True outside an app.)"""
    return _connected is None or _connected(token)


# --- the loop -------------------------------------------------------------------------------


class Ended(Exception):
    """Raised by a hook (or returned by a fetch) when the page must stop being live."""


@dataclass
class LiveLoop:
    """What one running loop knows between wake-ups (the state itself is only read under
    its lock)."""

    generation: int
    path: str
    token: str
    session: str | None
    viewer: Viewer | None
    topics: list[str]
    timeout: float
    request: Any = None  # what the next fetch reads: set by the page under the lock
    again: bool = False  # fetch again at once (the page asked for something else meanwhile)
    data: dict[str, Any] = field(default_factory=dict)  # the page's own loop-local values
    min_gap: float = 0.0  # seconds between two fetches at least: a burst becomes one refresh
    fetched_at: float = 0.0


async def run_live(state: Any) -> None:
    """The body of every page's background live event (see the module docstring)."""
    async with state:
        loop = await state._live_start()
    if loop is None:
        return
    try:
        with hub.subscribe(*loop.topics) as sub:
            behind = await state._live_begin(loop)
            while True:
                events = [] if behind else await sub.wait(loop.timeout)
                if not client_connected(loop.token):
                    return
                if not events and not behind:
                    changed, events = await _quiet_check(state, loop, sub)
                    if not changed:
                        continue
                behind = False
                if loop.min_gap:
                    pause = loop.fetched_at + loop.min_gap - time.monotonic()
                    if pause > 0:  # the events arriving meanwhile join this fetch
                        await asyncio.sleep(pause)
                        events = events + sub.take()
                    loop.fetched_at = time.monotonic()
                if events:
                    await state._live_settle(events)
                try:
                    data = await state._live_fetch(loop, events)  # outside the lock
                except Ended:
                    data = Ended
                except Exception:  # e.g. the database is busy: keep the page, try again later
                    log.exception("live fetch failed on %s", loop.path)
                    continue
                async with state:
                    # Under the lock the hooks run on the state itself rather than through
                    # the background task's proxy, whose every attribute access is a wrapper
                    # call; assignments mark the same vars dirty either way.
                    page = getattr(state, "__wrapped__", state)
                    if not page._live_still_here(loop):
                        page._live_left(loop)
                        return
                    if data is Ended:
                        await page._live_ended(loop)
                        return
                    try:
                        if not await page._live_apply(loop, data, events):
                            return
                    except Ended:
                        await page._live_ended(loop)
                        return
                    except Exception:  # keep the page alive; the next round tries again
                        log.exception("live refresh failed on %s", loop.path)
                    loop.request = page._live_request(loop)
                behind, loop.again = loop.again, False
    finally:
        await state._live_finish(loop)


async def _quiet_check(state: Any, loop: LiveLoop, sub: Subscription) -> tuple[bool, list]:
    """A safety-net timeout: ask the page whether to fetch anyway, unless an event arrives
    first. The check may wait for others to share its query (half a second for the quiet
    fingerprints): an event must not wait behind it, so the first of the two wins and the
    other is dropped. Returns (fetch?, the events that arrived)."""
    quiet = asyncio.ensure_future(state._live_quiet_changed(loop))
    woken = asyncio.ensure_future(sub.wakeup.wait())
    try:
        await asyncio.wait((quiet, woken), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (quiet, woken):
            if not task.done():
                task.cancel()
        await asyncio.gather(quiet, woken, return_exceptions=True)
    if woken.done() and not woken.cancelled():
        return True, sub.take()
    return quiet.result(), []


class LiveHooks:
    """Default hooks (a mixin for SessionState subclasses): a page that keeps the bell right
    and refreshes on every event and safety-net timeout. The page state declares the backend
    vars `_live_generation` and `_live_path` (or overrides `_live_start`/`_live_still_here`)."""

    # --- what a page overrides --------------------------------------------------------------

    def _live_interval(self) -> float:
        return SAFETY_NET_SECONDS

    def _live_topics(self, viewer: Viewer | None) -> list[str]:
        return [user_topic(viewer.user_id)] if viewer and viewer.user_id else []

    def _live_needs_viewer(self) -> bool:
        return True

    def _live_request(self, loop: LiveLoop) -> Any:
        """Under the lock: what the next fetch reads (the page's query, last message id...)."""
        return None

    @staticmethod
    def _live_read(db, viewer: Viewer | None, request: Any) -> Any:
        """In the fetch's transaction, outside the lock: the page's data for `request`."""
        return None

    async def _live_settle(self, events: list[LiveEvent]) -> None:
        """Runs outside the lock before a fetch (e.g. give the mail sender a moment)."""

    async def _live_begin(self, loop: LiveLoop) -> bool:
        """Outside the lock once subscribed; True when the page is behind already."""
        return False

    async def _live_quiet_changed(self, loop: LiveLoop) -> bool:
        """A safety-net timeout without events: fetch anyway? (Outside the lock.)"""
        return True

    async def _live_fetch(self, loop: LiveLoop, events: list[LiveEvent]) -> Any:
        """Outside the lock: re-read the session, the bell and the page's data in one
        transaction. Raises Ended when the session has ended."""
        request, token, needs_viewer = loop.request, loop.session, self._live_needs_viewer()
        read = self._live_read

        def fetch(db):
            viewer = sessions.viewer_for_token(db, session_token=token) if token else None
            if viewer is None and needs_viewer:
                raise Ended()
            unread = (
                notifications.unread_count(db, viewer=viewer)
                if viewer is not None and viewer.user_id is not None
                else None
            )
            return viewer, unread, read(db, viewer, request)

        return await in_db(fetch)

    async def _live_apply(self, loop: LiveLoop, data: Any, events: list[LiveEvent]) -> bool:
        """Under the lock: show what was fetched. False (or raising Ended) ends the loop."""
        viewer, unread, page = data
        if unread is not None:
            self.unread_count = unread  # type: ignore[attr-defined]
        loop.viewer = viewer
        return await self._on_live(loop, viewer, page, events)

    async def _on_live(
        self, loop: LiveLoop, viewer: Viewer | None, page: Any, events: list[LiveEvent]
    ) -> bool:
        return True

    def _live_left(self, loop: LiveLoop) -> None:
        """Under the lock: the tab has moved on (another page or a newer load)."""

    async def _live_ended(self, loop: LiveLoop) -> None:
        """Under the lock: the session ended (or access was lost) while the page was open."""

    async def _live_finish(self, loop: LiveLoop) -> None:
        """Outside the lock, always, when the loop ends."""

    async def _run_live(self) -> None:
        await run_live(self)

    # --- the generation and path checks -----------------------------------------------------

    def _current_path(self) -> str:
        return self.router.url.path.rstrip("/") or "/"  # type: ignore[attr-defined]

    def _begin_live(self) -> None:
        """Call from on_load, then yield the page state's own `live_loop` event."""
        self._live_generation += 1  # type: ignore[has-type]
        self._live_path = self._current_path()

    async def _live_start(self) -> LiveLoop | None:
        """Under the lock, once: what the loop needs to know (None: do not start)."""
        viewer = await self._viewer()  # type: ignore[attr-defined]
        if viewer is None and self._live_needs_viewer():
            return None
        loop = LiveLoop(
            generation=self._live_generation,  # type: ignore[attr-defined]
            path=self._live_path,  # type: ignore[attr-defined]
            token=self.router.session.client_token,  # type: ignore[attr-defined]
            session=self._session_token(),  # type: ignore[attr-defined]
            viewer=viewer,
            topics=self._live_topics(viewer),
            timeout=self._live_interval(),
        )
        loop.request = self._live_request(loop)
        return loop

    def _live_still_here(self, loop: LiveLoop) -> bool:
        return self._live_generation == loop.generation and self._current_path() == loop.path


class LivePageState(LiveHooks, SessionState):
    """A page whose live part is the header bell, plus whatever its hooks refresh."""

    _live_generation: int = 0
    _live_path: str = ""
