"""An agent's view of one ticket (/admin/tickets/[number]).

Internal notes and everything else agent-only load into this state only, and only after a
service has re-checked that the viewer is an agent (A2, A5). Whether a message is an internal
note or asks for more information comes from server-side state set by the agent's controls,
never from the submitted form (A3).
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from support_portal.clock import utcnow
from support_portal.live import presence
from support_portal.services import agent, agent_page, workflow
from support_portal.services.dto import MessagePublic, Viewer
from support_portal.services.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from support_portal.services.events import presence_changed
from support_portal.states.actions import dashboard_viewer
from support_portal.states.agent_actions import (  # noqa: F401  (pages and tests import them here)
    STATUS_ACTIONS,
    STATUS_NOTICES,
    UNASSIGNED,
    AgentTicketActions,
)
from support_portal.states.agent_csat import TicketRatings
from support_portal.states.agent_ticket_live import AgentTicketLiveHooks
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
from support_portal.states.conversation import ConversationState
from support_portal.states.forms import clean_form, read_uploads
from support_portal.states.live import run_live
from support_portal.states.ticket_due import TicketDue
from support_portal.states.ticket_fields import TicketFields
from support_portal.states.ticket_labels import TicketLabels


class AgentTicketState(
    TicketLabels,
    TicketDue,
    TicketRatings,
    TicketFields,
    AgentTicketActions,
    AgentTicketLiveHooks,
    ConversationState,
):
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
        viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
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
        self._forget_due()
        self._forget_ratings()
        self._forget_fields()

    async def _load_panels(self, viewer: Viewer, number: int | str) -> None:
        """The customer, history and assignment panels. Raises for non-agents."""
        self._show_agent_panels(await call(agent_page.panels, viewer=viewer, number=number), viewer)

    def _show_agent_panels(self, p: agent_page.AgentPanels, viewer: Viewer | None) -> None:
        self._show_panels(p.customer, p.history, p.assignee_id, p.agents, viewer)
        self._show_labels(p)
        self._show_due(p)
        self._show_ratings(p)
        self._show_fields(p)

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
    def assignee_name(self) -> str:
        return next((a.name for a in self.agents if str(a.id) == self.assignee), "")

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
