"""The live-loop hooks of a ticket's conversation page (states/live.py runs them): wake on the
ticket's events, re-read what is new with the viewer's own permissions outside the state lock
(A4; the pages one event wakes read together), apply it inside. A plain mixin of
ConversationState: it holds no vars of its own."""

from __future__ import annotations

from support_portal.clock import utcnow
from support_portal.live import presence
from support_portal.live.hub import LiveEvent, ticket_topic
from support_portal.services import live_reads, sessions
from support_portal.services.dto import Viewer
from support_portal.services.errors import NotAuthenticated, NotFound, PermissionDenied
from support_portal.services.unit_of_work import call, in_db
from support_portal.settings import get_settings
from support_portal.states.live import (
    SAFETY_NET_SECONDS,
    Ended,
    LiveHooks,
    LiveLoop,
)
from support_portal.states.live_batches import (
    conversation_reads,
    fingerprints_now,
    fingerprints_quiet,
)


class ConversationLiveHooks(LiveHooks):
    async def _live_start(self) -> LiveLoop | None:
        if not self._ticket_id:
            return None
        poll = get_settings().live_poll_seconds  # > 0 only for the benchmark's baseline
        loop = LiveLoop(
            generation=self._generation,
            path=self.router.url.path,
            token=self.router.session.client_token,
            session=self._session_token(),
            viewer=None,
            topics=[] if poll else [ticket_topic(self._ticket_id)],
            timeout=poll or SAFETY_NET_SECONDS,
        )
        loop.data.update(
            ticket_id=self._ticket_id,
            shown=(self._last_id, self.status),
            poll=poll,
            due=self._reply_due_at,
        )
        loop.request = self._live_request(loop)
        return loop

    def _live_request(self, loop: LiveLoop) -> tuple[int, int]:
        return (self.ticket_number, self._last_id)

    def _live_still_here(self, loop: LiveLoop) -> bool:
        return self._still_here(loop.generation)

    async def _live_begin(self, loop: LiveLoop) -> bool:
        # Subscribed first: what committed after the page loaded but before this point
        # published to nobody, so catch up at once when the ticket moved on since then.
        if self._live_update_reader() is live_reads.conversation_update:
            conversation_reads.join(loop.data["ticket_id"])  # asks with the others woken
            loop.data["joined"] = True
        known = await fingerprints_now.ask(loop.data["ticket_id"])
        loop.data["known"] = known
        return known is None or (known.last_message_id, known.status) != loop.data["shown"]

    async def _live_finish(self, loop: LiveLoop) -> None:
        if loop.data.pop("joined", False):
            conversation_reads.leave(loop.data["ticket_id"])

    async def _live_quiet_changed(self, loop: LiveLoop) -> bool:
        due = loop.data.get("due")
        if due is not None and utcnow() > due:  # the promised reply time just passed
            loop.data["due"] = None
            return True
        current = await fingerprints_quiet.ask(loop.data["ticket_id"])
        if current == loop.data["known"] and (
            loop.data["poll"] or not self._presence_may_change(loop.timeout)
        ):
            return False
        loop.data["known"] = current
        return True

    @staticmethod
    def _live_update_reader():
        """The one service call a wake-up makes: (db, session_token, number, after_id)."""
        return live_reads.conversation_update

    def _presence_reader(self, loop: LiveLoop):
        """A coroutine function: what the page shows about others (never in a thread)."""
        ticket_id = loop.data["ticket_id"]
        return lambda: presence.support_writing(ticket_id)

    async def _live_fetch(self, loop: LiveLoop, events: list[LiveEvent]):
        only_presence = bool(events) and all(e.kind == "presence" for e in events)
        number, after_id = loop.request
        token = loop.session
        read_update = self._live_update_reader()
        read_presence = self._presence_reader(loop)
        if read_update is live_reads.conversation_update:  # read with the others woken now
            update = await conversation_reads.ask(
                live_reads.UpdateRequest(token, number, after_id, session_only=only_presence),
                group=loop.data["ticket_id"],
            )
            if update is None:
                raise Ended()
            return (None if only_presence else update), await read_presence()

        def fetch(db):
            update = None
            if only_presence:
                if sessions.viewer_for_token(db, session_token=token) is None:
                    raise Ended()
            else:
                try:
                    update = read_update(db, session_token=token, number=number, after_id=after_id)
                except (NotFound, NotAuthenticated, PermissionDenied) as exc:
                    return exc
                if update is None:
                    raise Ended()
            return update

        update = await in_db(fetch)
        return update, await read_presence()

    async def _live_apply(self, loop: LiveLoop, data, events: list[LiveEvent]) -> bool:
        update, seen = data
        if isinstance(update, Exception):
            self.not_found = True
            return False
        if update is not None:
            self._apply_detail(update.detail)
            self._append(update.messages)
            self._put(unread_count=update.unread_count)
            loop.data["due"] = self._reply_due_at
        self._set_live_timeout(loop, self._show_presence(seen))
        return True

    def _set_live_timeout(self, loop: LiveLoop, changes_in: float) -> None:
        loop.timeout = loop.data["poll"] or (
            min(SAFETY_NET_SECONDS, changes_in + 0.2) if changes_in else SAFETY_NET_SECONDS
        )

    def _show_presence(self, remaining: float) -> float:
        self._put(support_writing=remaining > 0)
        return remaining

    def _presence_may_change(self, timeout: float) -> bool:
        """A short timeout was set to clear a typing indicator: let it through."""
        return timeout < SAFETY_NET_SECONDS

    async def _catch_up(self) -> bool:
        """Append what is new since the last message we have (also after a reconnect).

        False when the session has ended. Raises NotFound when the ticket is out of reach.
        """
        update = await call(
            live_reads.conversation_update,
            session_token=self._session_token(),
            number=self.ticket_number,
            after_id=self._last_id,
        )
        if update is None:
            return False
        self._apply_detail(update.detail)
        self._append(update.messages)
        self._put(unread_count=update.unread_count)
        return True

    def _presence_key(self, viewer: Viewer) -> str:
        if viewer.user_id is not None:
            return f"{'agent' if viewer.is_agent else 'customer'}:{viewer.user_id}"
        return f"guest:{viewer.email}"

    async def _update_presence(self) -> float:
        """Refresh what this page shows about others; returns seconds until it may change."""
        remaining = await presence.support_writing(self._ticket_id)
        self._put(support_writing=remaining > 0)
        return remaining
