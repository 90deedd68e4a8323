"""The agent queue (/admin): views with counts, search, sort, keyset pages, live refresh.

Every handler re-reads the server-side session and calls services that re-check the role
(`access.require_agent`, which audits refusals: A2). A customer or guest who reaches these
handlers, by page load or by calling one by name, gets `forbidden` and no agent data.
"""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.live.hub import AGENTS_TOPIC
from support_portal.services import agent_queue
from support_portal.services.dto import Page, TicketSummary, Viewer
from support_portal.services.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
)
from support_portal.services.queue_reads import QueueRequest
from support_portal.states.actions import dashboard_viewer
from support_portal.states.agent_views import QueueRow, count_label, shown_rows
from support_portal.states.base import SessionState, call
from support_portal.states.live import Ended, LiveHooks, LiveLoop, run_live
from support_portal.states.live_batches import QUEUE_PAGES, queue_batches

LIVE_SAFETY_NET = 15.0
SORTS = agent_queue.SORTS
EMPTY_COUNTS = dict.fromkeys(agent_queue.VIEWS, "0")
# Bursts of ticket changes: a page refreshes at most this often; what arrives meanwhile is
# shown by the next refresh (one refresh for a burst, not one per ticket).
MIN_REFRESH_SECONDS = 0.4


class AgentQueueState(LiveHooks, SessionState):
    view: str = "unassigned"
    search: str = ""
    sort: str = "activity"
    rows: list[QueueRow] = []
    counts: dict[str, str] = EMPTY_COUNTS
    cursor: str = ""
    next_cursor: str = ""
    previous: list[str] = []
    loaded: bool = False
    loading: bool = False
    forbidden: bool = False
    error: str = ""
    _generation: int = 0

    @rx.event
    async def load(self):
        viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.loaded = False
        requested = self.router.url.query_parameters.get("view", "")
        if requested in agent_queue.VIEWS and requested != self.view:
            self.view = requested
            self._first_page()
        await self._fetch(viewer)
        self.loaded = True
        self._generation += 1
        if not self.forbidden:
            yield AgentQueueState.watch

    def _first_page(self) -> None:
        self.cursor = ""
        self.previous = []

    def _forget(self) -> None:
        """Drop every agent-only value from this tab's state."""
        self.rows = []
        self.counts = EMPTY_COUNTS
        self.cursor = self.next_cursor = ""
        self.previous = []

    async def _query(
        self, viewer: Viewer, view: str, search: str, sort: str, cursor: str
    ) -> tuple[Page[TicketSummary], dict[str, int]]:
        page = await call(
            agent_queue.queue,
            viewer=viewer,
            view=view,
            search=search,
            sort=sort,
            cursor=cursor or None,
        )
        counts = await call(agent_queue.view_counts, viewer=viewer)
        return page, counts

    def _apply(self, page: Page[TicketSummary], counts: dict[str, int]) -> None:
        rows = shown_rows(page, self.locale, self._tz())
        # Assign only what changed, so a live refresh sends only that.
        if rows != self.rows:
            self.rows = rows
        labels = {view: count_label(self.locale, n) for view, n in counts.items()}
        if labels != self.counts:
            self.counts = labels
        self.next_cursor = page.next_cursor or ""
        self.error = ""

    async def _fetch(self, viewer: Viewer | None = None) -> bool:
        """Load the current page; False when the viewer may not see the queue."""
        viewer = viewer or await self._viewer()
        if viewer is None:
            self._forget()
            self.forbidden = True
            return False
        try:
            page, counts = await self._query(viewer, self.view, self.search, self.sort, self.cursor)
        except (PermissionDenied, NotAuthenticated):
            self._forget()
            self.forbidden = True
            return False
        except InvalidInput as exc:  # e.g. a page link that is no longer valid
            self._first_page()
            self.error = self._error_text(exc)
            return True
        except DomainError as exc:
            self.error = self._error_text(exc)
            return True
        self.forbidden = False
        self._apply(page, counts)
        return True

    async def _refetch(self):
        self.loading = True
        yield
        await self._fetch()
        self.loading = False

    @rx.event
    async def set_view(self, view: str):
        if view not in agent_queue.VIEWS:
            return
        self.view = view
        self._first_page()
        async for update in self._refetch():
            yield update

    @rx.event
    async def set_sort(self, sort: str):
        if sort not in SORTS:
            return
        self.sort = sort
        self._first_page()
        async for update in self._refetch():
            yield update

    @rx.event
    async def run_search(self, form: dict):
        self.search = " ".join(str(form.get("q", "")).split())[:100]
        # Words to look for: best match first (the agent may pick another order after).
        words, _tag = agent_queue.split_tag(self.search)
        if words and self.sort == "activity":
            self.sort = "relevance"
        elif not words and self.sort == "relevance":
            self.sort = "activity"
        self._first_page()
        async for update in self._refetch():
            yield update

    @rx.event
    async def clear_search(self):
        self.search = ""
        if self.sort == "relevance":
            self.sort = "activity"
        self._first_page()
        yield rx.set_value("queue-search", "")
        async for update in self._refetch():
            yield update

    @rx.event
    async def search_everywhere(self):
        """From an empty search result: the same search over all tickets."""
        self.view = "all"
        self._first_page()
        async for update in self._refetch():
            yield update

    @rx.event
    async def next_page(self):
        if not self.next_cursor:
            return
        self.previous = [*self.previous, self.cursor]
        self.cursor = self.next_cursor
        async for update in self._refetch():
            yield update

    @rx.event
    async def previous_page(self):
        if not self.previous:
            return
        self.cursor = self.previous[-1]
        self.previous = self.previous[:-1]
        async for update in self._refetch():
            yield update

    def _still_here(self, generation: int) -> bool:
        path = self.router.url.path.rstrip("/")  # the production build serves "/admin/"
        return self._generation == generation and path == routes.AGENT_QUEUE

    @rx.event(background=True)
    async def watch(self):
        """Refetch the page shown when any ticket changes; ends when the page is left."""
        await run_live(self)

    # The hooks of the shared live loop (states/live.py).

    async def _live_start(self) -> LiveLoop | None:
        loop = LiveLoop(
            generation=self._generation,
            path=routes.AGENT_QUEUE,
            token=self.router.session.client_token,
            session=self._session_token(),
            viewer=None,
            topics=[AGENTS_TOPIC],
            timeout=LIVE_SAFETY_NET,  # events, or the safety net ("5 min ago")
            min_gap=MIN_REFRESH_SECONDS,
        )
        loop.request = self._live_request(loop)
        return loop

    def _live_request(self, loop: LiveLoop) -> tuple[str, str, str, str]:
        return (self.view, self.search, self.sort, self.cursor)

    def _live_still_here(self, loop: LiveLoop) -> bool:
        return self._still_here(loop.generation)

    async def _live_begin(self, loop: LiveLoop) -> bool:
        queue_batches.join(QUEUE_PAGES)  # a batch stops waiting once every open queue asked
        loop.data["joined"] = True
        return False

    async def _live_finish(self, loop: LiveLoop) -> None:
        if loop.data.pop("joined", False):
            queue_batches.leave(QUEUE_PAGES)

    async def _live_fetch(self, loop: LiveLoop, events: list):
        """The session and the queue, outside the state lock, read together with the other
        open queue pages this event woke (services/queue_reads.py)."""
        view, search, sort, cursor = loop.request
        answer = await queue_batches.ask(
            QueueRequest(loop.session, view, search, sort, cursor), group=QUEUE_PAGES
        )
        if answer is None:
            raise Ended()
        if isinstance(answer, DomainError):
            return answer, None
        return answer.page, answer.counts

    async def _live_apply(self, loop: LiveLoop, data, events: list) -> bool:
        page, counts = data
        if isinstance(page, PermissionDenied | NotAuthenticated):
            self._forget()
            self.forbidden = True
            return False
        if isinstance(page, DomainError):
            return True  # the next round tries again
        if loop.request == (self.view, self.search, self.sort, self.cursor):
            self._apply(page, counts)
        else:  # the agent chose another page of the queue meanwhile: read that one
            loop.again = True
        return True

    async def _live_ended(self, loop: LiveLoop) -> None:
        self._forget()
