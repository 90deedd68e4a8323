"""My tickets: the list with its tabs, search and pages, kept live."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.clock import utcnow
from support_portal.live.hub import guest_topic, user_topic
from support_portal.services import (
    ticket_lists,
)
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError
from support_portal.states.base import call
from support_portal.states.live import LivePageState
from support_portal.states.views import TicketRow, ticket_row

LIVE_SAFETY_NET = 15.0


class MyTicketsState(LivePageState):
    tab: str = "open"
    search: str = ""
    rows: list[TicketRow] = []
    counts: dict[str, int] = dict.fromkeys(ticket_lists.TABS, 0)
    cursor: str = ""
    next_cursor: str = ""
    previous: list[str] = []
    loaded: bool = False
    error: str = ""
    _target: str = ""  # the address of the list shown, or on its way

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is None:
            yield self._login_redirect()
            return
        # Tab and search come from the address: set_tab and run_search navigate, so reload
        # and Back bring the same list again.
        params = self.router.url.query_parameters
        self.tab = _tab(params.get("tab", ""))
        self.search = " ".join(str(params.get("q", "")).split())[:100]
        self._target = routes.my_tickets_path(self.tab, self.search)
        self.cursor = ""
        self.previous = []
        yield rx.set_value("ticket-search", self.search)  # the input is uncontrolled
        await self._fetch(viewer)
        self._begin_live()
        yield MyTicketsState.live_loop

    async def _fetch(self, viewer: Viewer | None = None) -> None:
        viewer = viewer or await self._viewer()
        if viewer is None:
            return
        try:
            page = await call(
                ticket_lists.list_tickets,
                viewer=viewer,
                tab=self.tab,
                search=self.search,
                cursor=self.cursor or None,
            )
            # The tabs count all the viewer's tickets, as the agent queue's views do: a search
            # narrows the list, not the totals.
            self.counts = await call(ticket_lists.tab_counts, viewer=viewer)
        except DomainError as exc:
            self.error = self._error_text(exc)
            return
        now = utcnow()
        self.rows = [ticket_row(t, self.locale, self._tz(), now) for t in page.items]
        self.next_cursor = page.next_cursor or ""
        self.error = ""
        self.loaded = True

    @rx.event
    async def set_tab(self, tab: str):
        """A tab lists that tab's tickets (a search, which spans all of them, ends)."""
        return await self._show(_tab(tab), "")

    @rx.event
    async def run_search(self, form: dict):
        return await self._show(self.tab, " ".join(str(form.get("q", "")).split())[:100])

    @rx.event
    async def clear_search(self):
        return await self._show(self.tab, "")

    async def _show(self, tab: str, search: str):
        """Go to the list's address (load reads it); the same list again is just re-read. A
        second request for the address already on its way is dropped (a Radix tab reports a
        click twice: on mouse down and on focus), so Back is not stuck on a duplicate."""
        if (tab, search) != (self.tab, self.search):
            target = routes.my_tickets_path(tab, search)
            if target == self._target:
                return None
            self._target = target
            return rx.redirect(target)
        self.cursor = ""
        self.previous = []
        await self._fetch()
        return None

    @rx.event
    async def next_page(self):
        if not self.next_cursor:
            return
        self.previous = [*self.previous, self.cursor]
        self.cursor = self.next_cursor
        await self._fetch()

    @rx.event
    async def previous_page(self):
        if not self.previous:
            return
        self.cursor = self.previous[-1]
        self.previous = self.previous[:-1]
        await self._fetch()

    @rx.event(background=True)
    async def live_loop(self):
        """Refresh the list when one of the viewer's tickets changes (ends with the page)."""
        await self._run_live()

    def _live_topics(self, viewer: Viewer | None) -> list[str]:
        if viewer is None:
            return []
        return [user_topic(viewer.user_id) if viewer.user_id else guest_topic(viewer.email)]

    def _live_interval(self) -> float:
        return LIVE_SAFETY_NET

    # New events, or the safety net: refresh (also keeps "2 minutes ago" fresh).
    def _live_request(self, loop) -> tuple[str, str, str]:
        return (self.tab, self.search, self.cursor)

    @staticmethod
    def _live_read(db, viewer: Viewer | None, request: tuple[str, str, str]):
        tab, search, cursor = request
        try:
            page = ticket_lists.list_tickets(
                db, viewer=viewer, tab=tab, search=search, cursor=cursor or None
            )
            return request, page, ticket_lists.tab_counts(db, viewer=viewer)
        except DomainError as exc:
            return request, exc, None

    async def _on_live(self, loop, viewer: Viewer | None, found, events: list) -> bool:
        request, page, counts = found
        if request != (self.tab, self.search, self.cursor):
            loop.again = True  # the viewer chose another list meanwhile: read that one
            return True
        if isinstance(page, DomainError):
            self.error = self._error_text(page)
            return True
        self.counts = counts
        now = utcnow()
        self.rows = [ticket_row(t, self.locale, self._tz(), now) for t in page.items]
        self.next_cursor = page.next_cursor or ""
        self.error = ""
        self.loaded = True
        return True


def _tab(value: object) -> str:
    return value if isinstance(value, str) and value in ticket_lists.TABS else "open"
