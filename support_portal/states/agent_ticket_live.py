"""The live-loop hooks of the agent's ticket page: the conversation's, plus the panels beside
it in the same re-read (agent_page.page_update, A2/A4) and who else is on the ticket. A plain
mixin of AgentTicketState: it holds no vars of its own."""

from __future__ import annotations

import time

from support_portal import routes
from support_portal.live import presence
from support_portal.live.hub import ticket_topic
from support_portal.services import agent_page
from support_portal.services.errors import NotFound
from support_portal.services.events import presence_changed
from support_portal.states.agent_views import CollaboratorView
from support_portal.states.conversation_live import ConversationLiveHooks
from support_portal.states.live import SAFETY_NET_SECONDS, LiveLoop


class AgentTicketLiveHooks(ConversationLiveHooks):
    async def _live_start(self) -> LiveLoop | None:
        loop = await super()._live_start()
        viewer = await self._viewer()
        if loop is None or viewer is None:
            return None
        loop.viewer = viewer
        loop.topics = [ticket_topic(self._ticket_id)]  # agents never poll
        loop.timeout = SAFETY_NET_SECONDS
        loop.data.update(poll=0.0, me=self._presence_key(viewer), my_name=viewer.name)
        return loop

    async def _live_begin(self, loop: LiveLoop) -> bool:
        ticket_id, me, name = loop.data["ticket_id"], loop.data["me"], loop.data["my_name"]
        await presence.seen(ticket_id, key=me, name=name, kind="agent")
        presence_changed(ticket_id)
        return await super()._live_begin(loop)

    @staticmethod
    def _live_update_reader():
        return agent_page.page_update

    def _presence_reader(self, loop: LiveLoop):
        ticket_id, me, name = loop.data["ticket_id"], loop.data["me"], loop.data["my_name"]

        async def read() -> list[presence.Presence]:
            await presence.seen(ticket_id, key=me, name=name, kind="agent")
            return await presence.others(ticket_id, key=me)

        return read

    async def _live_quiet_changed(self, loop: LiveLoop) -> bool:
        if not await super()._live_quiet_changed(loop):
            ticket_id, me, name = loop.data["ticket_id"], loop.data["me"], loop.data["my_name"]
            await presence.seen(ticket_id, key=me, name=name, kind="agent")
            return False
        return True

    async def _live_apply(self, loop: LiveLoop, data, events) -> bool:
        update, others = data
        if isinstance(update, NotFound):
            self._forget()
            self.not_found = True
            return False
        if isinstance(update, Exception):  # no longer an agent, or the session ended
            self._forget()
            self.forbidden = True
            return False
        if update is not None:
            viewer = update.conversation.viewer  # re-read by this very call (A4)
            self._show_panels(
                update.customer, update.history, update.assignee_id, update.agents, viewer
            )
            self._show_labels(update)
            self._show_due(update)
            self._show_ratings(update)  # type: ignore[attr-defined]
            self._show_fields(update)  # type: ignore[attr-defined]
            last_seen = self._last_id
            self._apply_detail(update.conversation.detail)
            self._append(update.conversation.messages)
            self._put(unread_count=update.conversation.unread_count)
            if self._last_id != last_seen:
                self.notice = ""  # "Reply sent" is old news now
        self._set_live_timeout(loop, self._show_collaborators(others))
        return True

    async def _live_ended(self, loop: LiveLoop) -> None:
        self._forget()
        self.forbidden = True

    def _live_left(self, loop: LiveLoop) -> None:
        if loop.generation == self._generation and not (
            routes.is_agent_ticket_page(self.router.url.path)
        ):
            self._forget()

    async def _live_finish(self, loop: LiveLoop) -> None:
        ticket_id = loop.data["ticket_id"]
        await presence.left(ticket_id, key=loop.data["me"])
        presence_changed(ticket_id)
        await super()._live_finish(loop)

    async def _update_presence(self) -> float:
        """Who else is here (viewing or writing); seconds until a typing spell may end."""
        mine = f"agent:{self.my_id}" if self.my_id else ""
        return self._show_collaborators(await presence.others(self._ticket_id, key=mine))

    def _show_collaborators(self, others: list[presence.Presence]) -> float:
        now = time.time()
        colleagues = []
        for entry in others:
            if entry.kind != "agent":
                continue
            writing = entry.writing(now)
            colleagues.append(
                CollaboratorView(
                    name=entry.name,
                    activity=("note" if entry.internal else "reply") if writing else "viewing",
                )
            )
        self._put(collaborators=colleagues)
        pending = [e.writing_until - now for e in others if e.writing(now)]
        return max(0.0, min(pending)) if pending else 0.0
