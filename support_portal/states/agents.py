"""Agent management (/admin/agents): administrators add, deactivate and reactivate agents."""

from __future__ import annotations

import reflex as rx

from support_portal.services import agents, two_factor
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    EmailTaken,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
)
from support_portal.states.actions import Outcome, attempt, dashboard_viewer
from support_portal.states.agent_views import AgentView, agent_view
from support_portal.states.base import SessionState, call

FORM_ID = "add-agent-form"


class AgentsState(SessionState):
    agents: list[AgentView] = []
    loaded: bool = False
    forbidden: bool = False  # not an agent at all: the generic not-found page
    admin_only: bool = False  # an agent, but not an administrator
    error: str = ""
    field_errors: dict[str, str] = {}
    notice: str = ""
    submitting: bool = False
    busy_id: int = 0
    my_id: int = 0
    reset_id: int = 0  # the agent whose two-factor reset waits for confirmation
    reset_name: str = ""
    resetting: bool = False

    @rx.event
    async def load(self):
        viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.error = self.notice = ""
        self.field_errors = {}
        self.forbidden = self.admin_only = False
        self.reset_id, self.reset_name = 0, ""
        await self._fetch(viewer)
        self.loaded = True

    def _refused(self, viewer: Viewer | None) -> None:
        self.agents = []
        if viewer is not None and viewer.is_agent:
            self.admin_only = True
        else:
            self.forbidden = True

    async def _fetch(self, viewer: Viewer) -> None:
        try:  # refuses (and logs) customers and guests (A2)
            everyone = await call(agents.list_agents, viewer=viewer, include_inactive=True)
        except (PermissionDenied, NotAuthenticated):
            self._refused(viewer)
            return
        if not viewer.is_admin:
            self._refused(viewer)
            return
        self.agents = [agent_view(a) for a in everyone]
        self.my_id = viewer.user_id or 0

    @rx.event
    async def add_agent(self, form: dict):
        if not self.submitting:
            self.notice = ""
            self.field_errors = {}
        done = Outcome()
        async for update in attempt(
            self,
            done,
            agents.add_agent,
            busy="submitting",
            viewer=True,
            name=str(form.get("name", "")),
            email=str(form.get("email", "")),
            password=str(form.get("password", "")),
            admin=str(form.get("admin", "")).lower() in ("on", "true", "1"),
        ):
            yield update
        if self._refusal(done):
            return
        if isinstance(done.error, EmailTaken):
            self.error = self._t("An account with this email already exists.")
            self.field_errors = {"email": self.error}
        elif isinstance(done.error, InvalidInput) and done.error.field:
            self.field_errors = {done.error.field: self.error}
        if not done.ok:
            return
        self.notice = self._t("{name} can now log in as an agent.", name=done.value.name)
        await self._fetch(done.viewer)
        yield rx.call_script(f"document.getElementById('{FORM_ID}')?.reset()")

    @rx.event
    async def set_active(self, agent_id: int, active: bool):
        active = active is True  # a handler argument is not trusted to be a bool
        try:
            agent_id = int(agent_id)
        except (TypeError, ValueError):
            return
        if not self.busy_id:
            self.notice = ""
        done = Outcome()
        async for update in attempt(
            self,
            done,
            agents.set_agent_active,
            busy="busy_id",
            busy_value=agent_id,
            viewer=True,
            agent_id=agent_id,
            active=active,
        ):
            yield update
        if self._refusal(done) or not done.ok:
            return
        name = next((a.name for a in self.agents if a.id == agent_id), "")
        self.notice = (
            self._t("{name} is active again.", name=name)
            if active
            else self._t("{name} is deactivated and has been logged out.", name=name)
        )
        await self._fetch(done.viewer)

    @rx.event
    def ask_reset(self, agent_id: int):
        """Open the confirmation for resetting an agent's two-factor (nothing changes yet)."""
        found = next((a for a in self.agents if a.id == agent_id and a.two_factor), None)
        if found is not None and found.id != self.my_id:
            self.reset_id, self.reset_name = found.id, found.name
            self.notice = self.error = ""

    @rx.event
    def cancel_reset(self):
        self.reset_id, self.reset_name = 0, ""

    @rx.event
    async def reset_two_factor(self):
        """Turn the agent's two-factor off (a lost phone, no recovery codes); audited."""
        if not self.reset_id:
            return
        name = self.reset_name
        done = Outcome()
        async for update in attempt(
            self,
            done,
            two_factor.reset,
            busy="resetting",
            viewer=True,
            user_id=self.reset_id,
        ):
            yield update
        self.reset_id, self.reset_name = 0, ""
        if self._refusal(done) or not done.ok:
            return
        self.notice = self._t(
            "Two-factor authentication of {name} is off. They log in with the password until "
            "they set it up again.",
            name=name,
        )
        await self._fetch(done.viewer)

    def _refusal(self, done: Outcome) -> bool:
        """Anyone but an administrator sees the not-found page (A2)."""
        if isinstance(done.error, PermissionDenied | NotAuthenticated):
            self.error = ""
            self._refused(done.viewer)
            return True
        return False
