"""Agent management (/admin/agents): administrators add, deactivate and reactivate agents."""

from __future__ import annotations

import reflex as rx

from support_portal.services import agents
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    DomainError,
    EmailTaken,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
)
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

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is None:
            yield self._login_redirect()
            return
        self.error = self.notice = ""
        self.field_errors = {}
        self.forbidden = self.admin_only = False
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
        if self.submitting:
            return
        viewer = await self._viewer()
        if viewer is None:
            yield self._login_redirect()
            return
        self.submitting = True
        self.error = self.notice = ""
        self.field_errors = {}
        yield
        name = str(form.get("name", ""))
        try:
            added = await call(
                agents.add_agent,
                viewer=viewer,
                name=name,
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                admin=str(form.get("admin", "")).lower() in ("on", "true", "1"),
            )
        except (PermissionDenied, NotAuthenticated):
            self._refused(viewer)
            self.submitting = False
            return
        except EmailTaken:
            message = self._t("An account with this email already exists.")
            self.field_errors = {"email": message}
            self.error = message
            self.submitting = False
            return
        except InvalidInput as exc:
            if exc.field:
                self.field_errors = {exc.field: self._error_text(exc)}
            self.error = self._error_text(exc)
            self.submitting = False
            return
        except DomainError as exc:
            self.error = self._error_text(exc)
            self.submitting = False
            return
        self.notice = self._t("{name} can now log in as an agent.", name=added.name)
        self.submitting = False
        await self._fetch(viewer)
        yield rx.call_script(f"document.getElementById('{FORM_ID}')?.reset()")

    @rx.event
    async def set_active(self, agent_id: int, active: bool):
        if self.busy_id:
            return
        active = active is True  # a handler argument is not trusted to be a bool
        try:
            agent_id = int(agent_id)
        except (TypeError, ValueError):
            return
        viewer = await self._viewer()
        if viewer is None:
            yield self._login_redirect()
            return
        self.busy_id = agent_id
        self.error = self.notice = ""
        yield
        try:
            await call(agents.set_agent_active, viewer=viewer, agent_id=agent_id, active=active)
        except (PermissionDenied, NotAuthenticated):
            self._refused(viewer)
            self.busy_id = 0
            return
        except DomainError as exc:
            self.error = self._error_text(exc)
            self.busy_id = 0
            return
        name = next((a.name for a in self.agents if a.id == agent_id), "")
        self.notice = (
            self._t("{name} is active again.", name=name)
            if active
            else self._t("{name} is deactivated and has been logged out.", name=name)
        )
        self.busy_id = 0
        await self._fetch(viewer)
