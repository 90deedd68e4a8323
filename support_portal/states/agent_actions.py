"""The agent ticket page's actions (status, assignment, the guest link): each one service call
(agent_page.act) that also returns the panels as the action left them. A Reflex state mixin of
AgentTicketState."""

from __future__ import annotations

import reflex as rx

from support_portal.i18n import _
from support_portal.services import agent_page, workflow
from support_portal.services.errors import NotAuthenticated, PermissionDenied
from support_portal.states.actions import Outcome, attempt

UNASSIGNED = "none"
STATUS_ACTIONS = (workflow.Action.resolve, workflow.Action.close, workflow.Action.reopen)
STATUS_NOTICES = {
    "resolve": _("The ticket is resolved."),
    "close": _("The ticket is closed."),
    "reopen": _("The ticket is open again."),
}


class AgentTicketActions(rx.State, mixin=True):
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
