"""Custom fields on the agent's ticket page (issue 15): every field of the ticket, agent-only
ones included, so they live only in the agent page's state (A5). Saving is one action of the
page (agent_page.act), audited per changed value."""

from __future__ import annotations

import reflex as rx

from support_portal.services import agent_page
from support_portal.services.errors import NotAuthenticated, PermissionDenied
from support_portal.services.field_values import FieldsInvalid
from support_portal.states.actions import Outcome, attempt
from support_portal.states.field_views import (
    FieldInput,
    field_errors,
    field_input,
    submitted_fields,
)
from support_portal.states.forms import clean_form


class TicketFields(rx.State, mixin=True):
    ticket_fields: list[FieldInput] = []
    fields_error: str = ""
    fields_errors: dict[str, str] = {}  # by input name, under each field
    fields_notice: str = ""
    fields_version: int = 0  # a new version re-creates the inputs with the stored values
    saving_fields: bool = False
    _fields_shown: str = ""  # what the inputs were last filled with (server-side only)

    def _show_fields(self, found: agent_page.AgentPanels | agent_page.AgentPageUpdate) -> None:
        views = [field_input(f, self.locale) for f in found.fields]  # type: ignore[attr-defined]
        shown = repr(views)
        if shown != self._fields_shown:  # a live update leaves the inputs alone unless changed
            self._fields_shown = shown
            self.ticket_fields = views
            self.fields_version += 1

    def _forget_fields(self) -> None:
        self.ticket_fields, self.fields_errors, self._fields_shown = [], {}, ""
        self.fields_error = self.fields_notice = ""
        self.saving_fields = False

    @rx.event
    async def save_fields(self, form: dict):
        values = submitted_fields(clean_form(form))
        for item in self.ticket_fields:
            if item.kind == "checkbox":  # an unticked box is not in the form: it is empty
                values.setdefault(item.key, "")
        self.fields_notice = ""
        done = Outcome()
        async for update in attempt(
            self,
            done,
            agent_page.act,
            busy="saving_fields",
            error="fields_error",
            field_errors="fields_errors",
            viewer=True,
            number=self.ticket_number,  # type: ignore[attr-defined]
            do="set_fields",
            values=values,
        ):
            yield update
        if isinstance(done.error, FieldsInvalid):
            self.fields_errors = field_errors(done.error.errors, self._t)  # type: ignore[attr-defined]
            self.fields_error = self._error_text(done.error)  # type: ignore[attr-defined]
        elif isinstance(done.error, PermissionDenied | NotAuthenticated):
            self._forget()  # type: ignore[attr-defined]
            self.forbidden = True  # type: ignore[attr-defined]
        elif done.ok:
            self._apply_detail(done.value.detail)  # type: ignore[attr-defined]
            self._show_agent_panels(done.value, done.viewer)  # type: ignore[attr-defined]
            self.fields_notice = self._t("The fields are saved.")  # type: ignore[attr-defined]
