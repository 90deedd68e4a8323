"""/admin/service-levels: administrators keep the opening hours and the service-level policies
(issue 16). Every action is one service call that re-checks the administrator (A2) and returns
the page's whole content again."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from support_portal.i18n import _
from support_portal.services import categories, service_level_admin
from support_portal.states.actions import dashboard_call, dashboard_viewer
from support_portal.states.agent_views import PRIORITY_LABELS
from support_portal.states.base import SessionState

ANY = "any"  # the selects' "every category" / "every priority" (Radix items need a value)
POLICY_FORM = "policy-form"


@dataclass
class PolicyView:
    id: int
    category: str  # a key, or ANY
    priority: str  # a PRIORITIES name, or ANY
    scope: str  # "Trading · Urgent", "Every ticket"
    first_response: str  # "4" (hours as typed back into the form), "" for no target
    next_response: str
    resolution: str


@dataclass
class CategoryChoice:
    key: str
    name: str


def _typed(hours: float | None) -> str:
    if hours is None:
        return ""
    return f"{hours:g}"


class ServiceLevelsAdminState(SessionState):
    loaded: bool = False
    forbidden: bool = False
    error: str = ""
    notice: str = ""
    busy: str = ""  # "calendar", "policy", "delete-3"
    field_errors: dict[str, str] = {}
    timezone: str = ""
    hours: str = ""
    holidays: str = ""
    from_settings: bool = True
    default_reply_hours: str = ""
    policies: list[PolicyView] = []
    category_choices: list[CategoryChoice] = []
    # The policy form: the policy it changes (0: a new one) and what it starts with.
    editing_id: int = 0
    form_category: str = ANY
    form_priority: str = ANY
    form_first: str = ""
    form_next: str = ""
    form_resolution: str = ""
    form_version: int = 0  # a new key redraws the form with the values above
    _fetching: bool = False

    @rx.event
    async def load(self):
        _viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.error = self.notice = ""
        self._policy_form(None)
        await self._run("_fetching", service_level_admin.overview, busy_var="_fetching")
        self.loaded = True

    async def _run(self, busy: str, use_case, notice: str = "", busy_var="busy", **kw) -> bool:
        """One service call; its ServiceLevels result redraws the page. True when it was done."""
        self.notice = ""
        done = await dashboard_call(
            self,
            use_case,
            busy=busy_var,
            busy_value=busy if busy_var == "busy" else True,
            field_errors="field_errors",
            **kw,
        )
        if self.forbidden:
            self.policies = []
        elif done.ok:
            self._show(done.value)
            self.notice = self._t(notice) if notice else ""
        return done.ok

    def _show(self, levels: service_level_admin.ServiceLevels) -> None:
        names = {
            key: categories.display_name(n, self.locale) for key, n in levels.category_names.items()
        }
        self.timezone = levels.calendar.timezone
        self.hours = levels.calendar.hours
        self.holidays = levels.calendar.holidays
        self.from_settings = levels.calendar.from_settings
        self.default_reply_hours = _typed(levels.default_reply_hours)
        self.category_choices = [CategoryChoice(key=k, name=v) for k, v in names.items()]
        self.policies = [
            PolicyView(
                id=p.id,
                category=p.category or ANY,
                priority=p.priority or ANY,
                scope=self._scope(names.get(p.category, p.category), p.priority),
                first_response=_typed(p.first_response_hours),
                next_response=_typed(p.next_response_hours),
                resolution=_typed(p.resolution_hours),
            )
            for p in levels.policies
        ]

    def _scope(self, category: str, priority: str) -> str:
        parts = [category] if category else []
        if priority:
            parts.append(self._t(PRIORITY_LABELS[priority]))
        return " · ".join(parts) if parts else self._t("Every ticket")

    @rx.event
    async def save_calendar(self, form: dict):
        await self._run(
            "calendar",
            service_level_admin.save_calendar,
            _("The opening hours are saved; due times follow them."),
            timezone=str(form.get("timezone", "")),
            hours=str(form.get("hours", "")),
            holidays=str(form.get("holidays", "")),
        )

    # --- policies ---------------------------------------------------------------------------

    def _policy_form(self, found: PolicyView | None) -> None:
        self.editing_id = found.id if found else 0
        self.form_category = found.category if found else ANY
        self.form_priority = found.priority if found else ANY
        self.form_first = found.first_response if found else ""
        self.form_next = found.next_response if found else ""
        self.form_resolution = found.resolution if found else ""
        self.form_version += 1
        self.field_errors = {}

    @rx.event
    def edit_policy(self, policy_id: int):
        found = next((p for p in self.policies if p.id == policy_id), None)
        self._policy_form(found)
        self.notice = ""
        return rx.set_focus("policy-category")

    @rx.event
    def new_policy(self):
        self._policy_form(None)

    @rx.event
    async def save_policy(self, form: dict):
        category = str(form.get("category", ANY))
        priority = str(form.get("priority", ANY))
        if await self._run(
            "policy",
            service_level_admin.save_policy,
            _("The policy is saved; due times follow it."),
            policy_id=self.editing_id or None,
            category="" if category == ANY else category,
            priority="" if priority == ANY else priority,
            first_response_hours=str(form.get("first_response_hours", "")),
            next_response_hours=str(form.get("next_response_hours", "")),
            resolution_hours=str(form.get("resolution_hours", "")),
        ):
            self._policy_form(None)

    @rx.event
    async def delete_policy(self, policy_id: int):
        await self._run(
            f"delete-{policy_id}",
            service_level_admin.delete_policy,
            _("The policy is deleted; due times follow the others."),
            policy_id=policy_id,
        )
        if self.editing_id == policy_id:
            self._policy_form(None)
