"""Macros on the agent's ticket page: the "Macros" menu lists the shared macros and the agent's
own (loaded only once an agent opens it, A5), and one click applies one (agent_page.apply_macro:
one service call, one transaction)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from support_portal import i18n
from support_portal.i18n import _
from support_portal.services import agent_page, saved_replies
from support_portal.services.errors import DomainError, NotAuthenticated, PermissionDenied
from support_portal.services.macro_actions import MacroActions
from support_portal.services.macros import MacroRefused
from support_portal.states.actions import Outcome, attempt
from support_portal.states.agent_ticket import AgentTicketState
from support_portal.states.base import SessionState

STATUS_LABELS = {
    "resolve": _("Resolve"),
    "close": _("Close"),
    "request_info": _("Request more information"),
}
ASSIGN_LABELS = {"me": _("Assign to me"), "none": _("Unassign")}
PRIORITY_LABELS = {"low": _("Low"), "normal": _("Normal"), "high": _("High"), "urgent": _("Urgent")}


def macro_summary(actions: MacroActions, locale: str) -> str:
    """ "Resolve · Assign to me · Priority: High · Tags: refund, vip" in the agent's language."""
    parts = []
    if actions.status:
        parts.append(i18n.gettext(locale, STATUS_LABELS[actions.status]))
    if actions.assign:
        parts.append(i18n.gettext(locale, ASSIGN_LABELS[actions.assign]))
    if actions.priority:
        level = i18n.gettext(locale, PRIORITY_LABELS[actions.priority])
        parts.append(i18n.gettext(locale, "Priority: {level}", level=level))
    if actions.tags:
        parts.append(i18n.gettext(locale, "Tags: {tags}", tags=", ".join(actions.tags)))
    return " · ".join(parts)


def refusal_text(state: SessionState, exc: DomainError) -> str:
    """A refusal in the viewer's language; a refused macro names the step's own reason."""
    if isinstance(exc, MacroRefused):
        return state._t(
            exc.message, title=exc.params["title"], reason=state._error_text(exc.reason)
        )
    return state._error_text(exc)


@dataclass
class MacroChoice:
    id: int
    title: str
    summary: str


class MacroMenuState(SessionState):
    macros: list[MacroChoice] = []
    macros_loading: bool = False
    macros_loaded: bool = False

    @rx.event
    async def open_macros(self, is_open: bool):
        if is_open is not True:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            saved_replies.list_replies,
            busy="macros_loading",
            viewer=True,
            macros_only=True,
        ):
            yield update
        self.macros = (
            [MacroChoice(r.id, r.title, macro_summary(r.actions, self.locale)) for r in done.value]
            if done.ok
            else []
        )
        self.macros_loaded = done.ok

    @rx.event
    async def apply_macro(self, macro_id: int):
        try:
            macro_id = int(macro_id)
        except (TypeError, ValueError):
            return
        page = await self.get_state(AgentTicketState)
        if not page.ticket_number:
            return
        if not page.busy:
            page.notice = ""
        done = Outcome()
        async for update in attempt(
            page,
            done,
            agent_page.apply_macro,
            busy="busy",
            busy_value="macro",
            error="action_error",
            viewer=True,
            number=page.ticket_number,
            macro_id=macro_id,
        ):
            yield update
        if isinstance(done.error, PermissionDenied | NotAuthenticated):
            page._forget()
            page.forbidden, page.action_error = True, ""
        elif done.error is not None:
            page.action_error = refusal_text(page, done.error)
        elif done.ok:
            outcome: agent_page.MacroOutcome = done.value
            page._apply_detail(outcome.panels.detail)
            page._show_agent_panels(outcome.panels, done.viewer)
            page._append([outcome.applied.message])  # so the live update does not bring it
            page.notice = page._t("Applied “{title}”.", title=outcome.applied.title)
