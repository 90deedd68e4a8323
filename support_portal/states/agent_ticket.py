"""An agent's view of one ticket (/admin/tickets/[number]).

Internal notes and everything else agent-only load into this state only, and only after a
service has re-checked that the viewer is an agent (A2, A5). Whether a message is an internal
note or asks for more information comes from server-side state set by the agent's controls,
never from the submitted form (A3).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import reflex as rx

from support_portal import routes
from support_portal.clock import utcnow
from support_portal.i18n import _
from support_portal.live import presence
from support_portal.live.hub import ticket_topic
from support_portal.services import agent, agent_page, workflow
from support_portal.services.dto import MessagePublic, Viewer
from support_portal.services.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from support_portal.services.events import presence_changed
from support_portal.states.actions import Outcome, attempt
from support_portal.states.agent_views import (
    AgentView,
    CollaboratorView,
    HistoryView,
    OtherTicketView,
    agent_view,
    history_view,
    other_ticket,
)
from support_portal.states.base import call
from support_portal.states.conversation import ConversationState, clean_form, read_uploads
from support_portal.states.live import SAFETY_NET_SECONDS, LiveLoop, run_live
from support_portal.states.ticket_labels import TicketLabels

UNASSIGNED = "none"
STATUS_ACTIONS = (workflow.Action.resolve, workflow.Action.close, workflow.Action.reopen)
STATUS_NOTICES = {
    "resolve": _("The ticket is resolved."),
    "close": _("The ticket is closed."),
    "reopen": _("The ticket is open again."),
}


class AgentTicketState(TicketLabels, ConversationState):
    forbidden: bool = False
    internal_mode: bool = False
    customer_name: str = ""
    customer_email: str = ""
    customer_has_account: bool = False
    customer_verified: bool = False
    has_guest_link: bool = False
    other_tickets: list[OtherTicketView] = []
    events: list[HistoryView] = []
    agents: list[AgentView] = []
    assignee: str = UNASSIGNED  # the assign select's value: an agent id or "none"
    my_id: str = ""
    busy: str = ""  # the action running now: "resolve", "assign", ...
    collaborators: list[CollaboratorView] = []
    action_error: str = ""
    notice: str = ""
    _send_internal: bool = False
    _send_request_info: bool = False

    # --- loading ----------------------------------------------------------------------------

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is None:
            yield self._login_redirect()
            return
        if (setup := self._two_factor_first(viewer)) is not None:
            yield setup
            return
        number = str(self.number)  # type: ignore[attr-defined]  # the route segment
        self.forbidden = False
        self.internal_mode = False
        self.busy = self.action_error = self.notice = ""
        try:  # the agent services first: they refuse (and log) anyone else (A2)
            await self._load_panels(viewer, number)
        except (PermissionDenied, NotAuthenticated):
            self._forget()
            self.forbidden = True
            self.loaded = True
            return
        except NotFound:
            self._forget()
            self.not_found = True
            self.loaded = True
            return
        if await self._open(viewer, number):
            yield AgentTicketState.watch

    def _forget(self) -> None:
        """Drop every agent-only value from this tab's state (A5)."""
        self._reset()
        self.ticket_number = 0
        self.subject = self.status = self.category = self.created = self.requester_name = ""
        self.follow_up_of_number = 0
        self.follow_up_numbers = []
        self.customer_name = self.customer_email = ""
        self.customer_has_account = self.customer_verified = self.has_guest_link = False
        self.other_tickets = []
        self.events = []
        self.agents = []
        self.assignee = UNASSIGNED
        self.internal_mode = False
        self.collaborators = []
        self._forget_labels()

    async def _load_panels(self, viewer: Viewer, number: int | str) -> None:
        """The customer, history and assignment panels. Raises for non-agents."""
        self._show_agent_panels(await call(agent_page.panels, viewer=viewer, number=number), viewer)

    def _show_agent_panels(self, p: agent_page.AgentPanels, viewer: Viewer | None) -> None:
        self._show_panels(p.customer, p.history, p.assignee_id, p.agents, viewer)
        self._show_labels(p)

    def _show_panels(self, info, entries, assignee_id, everyone, viewer: Viewer | None) -> None:
        now = utcnow()
        self._put(
            customer_name=info.name,
            customer_email=info.email,
            customer_has_account=info.has_account,
            customer_verified=info.email_verified,
            has_guest_link=info.has_guest_link,
            other_tickets=[other_ticket(t, self.locale, now) for t in info.other_tickets],
            events=[history_view(e, self.locale, self._tz(), now) for e in entries],
            agents=[agent_view(a) for a in everyone if a.is_active or a.id == assignee_id],
            assignee=str(assignee_id) if assignee_id is not None else UNASSIGNED,
            my_id=str(viewer.user_id or "") if viewer else self.my_id,
        )

    # --- what the page shows ----------------------------------------------------------------

    @rx.var
    def allowed(self) -> list[str]:
        """Resolve / Close / Reopen, as the workflow allows them for the current status."""
        if not self.status:
            return []
        possible = workflow.allowed_actions(self.status)
        return [str(a) for a in STATUS_ACTIONS if a in possible]

    @rx.var
    def is_closed(self) -> bool:
        return self.status == "closed"

    @rx.var
    def assigned_to_me(self) -> bool:
        return self.assignee != UNASSIGNED and self.assignee == self.my_id

    # --- live updates -----------------------------------------------------------------------
    #
    # Reflex runs an inherited event handler on the instance of the state that declares it
    # (ConversationState), where `self._post` and the other hooks are the customer's. So the
    # handlers whose hooks differ for agents are declared again here.

    @rx.event(background=True)
    async def watch(self):
        """Like ConversationState.watch, plus the agent panels and presence.

        Every wake-up by an event re-reads the session, re-checks that the viewer is an agent
        and reads the panels and what is new in one call outside the state lock; a quiet
        timeout runs only the cheap fingerprint query and refreshes this agent's presence. A tab
        that left the dashboard keeps no agent data (A5).
        """
        await run_live(self)

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

    @rx.event
    async def typing(self, _value: str = ""):
        """A (throttled) keystroke in the composer: tell the customer and colleagues."""
        viewer = await self._viewer()
        if viewer is None or not viewer.is_agent or not self._ticket_id:
            return
        if self.status == "closed" and not self.internal_mode:
            return  # no reply can be sent: the customer must not see "Support is writing"
        started = await presence.writing(
            self._ticket_id,
            key=self._presence_key(viewer),
            name=viewer.name,
            kind="agent",
            internal=self.internal_mode,  # server-side mode, never the client's word (A3)
        )
        if started:
            presence_changed(self._ticket_id)

    @rx.event
    async def send_with_files(self, files: list[rx.UploadFile], form: dict):
        """Send (a reply, or a note in internal mode)."""
        async for update in self._send_kind(files, form, request_info=False):
            yield update

    @rx.event
    async def send_and_request_info(self, files: list[rx.UploadFile], form: dict):
        """Send and request more information (never in internal mode)."""
        async for update in self._send_kind(files, form, request_info=True):
            yield update

    async def _send_kind(self, files: list[rx.UploadFile], form: dict, *, request_info: bool):
        # Whether this is an internal note comes from server-side state (A3); the text, the
        # idempotency key and the files come in this one request, so nothing can race.
        self._send_internal = self.internal_mode
        self._send_request_info = request_info and not self.internal_mode
        self._upload_arrived()
        self.notice = ""
        incoming = await read_uploads(files)
        # The writing spell ends before the message commits and is published: the customer's
        # page then drops "Support is writing a reply…" in the same update that shows the reply.
        # (Only this agent's own entry: the key comes from the server-side panels.)
        if self._ticket_id and self.my_id:
            await presence.stopped_writing(self._ticket_id, key=f"agent:{self.my_id}")
        async for update in self._send(clean_form(form), incoming):
            yield update

    # --- composing --------------------------------------------------------------------------

    @rx.event
    async def set_internal_mode(self, on: bool):
        viewer = await self._viewer()
        if viewer is None or not viewer.is_agent:
            return
        on = on is True
        # What was typed so far belonged to the other mode: that spell ends now.
        if (
            on != self.internal_mode
            and self._ticket_id
            and await presence.stopped_writing(self._ticket_id, key=self._presence_key(viewer))
        ):
            presence_changed(self._ticket_id)
        self.internal_mode = on

    def _reply_call(self, form: dict) -> tuple[Callable[..., MessagePublic], dict]:
        # A note or a request for information by the server-side mode, never the form (A3).
        return agent.agent_reply, {
            "internal": self._send_internal,
            "request_info": self._send_request_info,
        }

    async def _after_send(self, viewer: Viewer):
        if self._send_internal:
            self.notice = self._t("Internal note added. The customer does not see it.")
        elif self._send_request_info:
            self.notice = self._t("Reply sent. The ticket now waits for the customer.")
        else:
            self.notice = self._t("Reply sent.")
        self._send_internal = self._send_request_info = False
        await self._refresh(viewer)
        return
        yield

    async def _refresh(self, viewer: Viewer) -> None:
        found = await call(agent_page.panels, viewer=viewer, number=self.ticket_number)
        self._apply_detail(found.detail)
        self._show_agent_panels(found, viewer)

    # --- actions ----------------------------------------------------------------------------

    async def _act(self, name: str, do: str, **kwargs):
        """Run one agent action with loading feedback; refusals end in `forbidden`."""
        if not self.busy:
            self.notice = ""
        done = Outcome()
        async for update in attempt(
            self,
            done,
            agent_page.act,
            busy="busy",
            busy_value=name,
            error="action_error",
            viewer=True,
            number=self.ticket_number,
            do=do,
            **kwargs,
        ):
            yield update
        if isinstance(done.error, PermissionDenied | NotAuthenticated):
            self._forget()
            self.forbidden = True
            self.action_error = ""
        elif done.ok:
            self._apply_detail(done.value.detail)
            self._show_agent_panels(done.value, done.viewer)

    @rx.event
    async def change_status(self, action: str):
        if action not in {str(a) for a in STATUS_ACTIONS}:
            return
        async for update in self._act(action, "status", action=action):
            yield update
        if not self.action_error and not self.forbidden:
            self.notice = self._t(STATUS_NOTICES[action])

    @rx.event
    async def assign_to(self, value: str):
        value = str(value)
        if value != UNASSIGNED and not value.isdigit():
            return
        assignee_id = None if value == UNASSIGNED else int(value)
        async for update in self._act("assign", "assign", assignee_id=assignee_id):
            yield update

    @rx.event
    async def revoke_guest_link(self):
        """Every link sent so far stops working; the guest gets the new one by email."""
        async for update in self._act("revoke_link", "revoke_link", ip=self._client_ip()):
            yield update
        if not self.action_error and not self.forbidden:
            self.notice = self._t(
                "The old link no longer works. We emailed a new link to the guest's address."
            )

    @rx.event
    async def assign_to_me(self):
        viewer = await self._viewer()
        if viewer is None:
            yield self._login_redirect()
            return
        async for update in self._act("assign", "assign", assignee_id=viewer.user_id):
            yield update
