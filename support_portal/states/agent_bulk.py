"""Bulk actions in the agent queue: the selected rows (up to 100, kept across pages), the bar's
choices and the summary of what was done and what was refused (bulk.apply: one service call)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from support_portal import i18n
from support_portal.services import bulk
from support_portal.services.errors import NotAuthenticated, PermissionDenied
from support_portal.states.actions import Outcome, attempt
from support_portal.states.agent_queue import AgentQueueState
from support_portal.states.base import SessionState
from support_portal.states.macros import refusal_text

MAX_SELECTED = bulk.MAX_TICKETS


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class RefusedView:
    number: int
    reason: str


class BulkState(SessionState):
    selected: list[int] = []
    action: str = "assign"
    agent_choices: list[Choice] = []
    macro_choices: list[Choice] = []
    applying: bool = False
    done_count: int = 0
    refused: list[RefusedView] = []
    summary_shown: bool = False
    bulk_error: str = ""
    close_title: str = ""  # closing the selected tickets waits for confirmation ("": no)
    _loading_options: bool = False

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @rx.event
    async def toggle(self, number: int, checked: bool):
        try:
            number = int(number)
        except (TypeError, ValueError):
            return
        chosen = [n for n in self.selected if n != number]
        if checked is True:
            if len(chosen) >= MAX_SELECTED:
                self.bulk_error = self._t("Select at most {n} tickets at a time.", n=MAX_SELECTED)
                return
            chosen.append(number)
        self.selected = chosen
        async for update in self._options():
            yield update

    @rx.event
    async def toggle_page(self, checked: bool):
        queue = await self.get_state(AgentQueueState)
        on_page = [row.number for row in queue.rows]
        rest = [n for n in self.selected if n not in on_page]
        self.selected = (rest + on_page)[:MAX_SELECTED] if checked is True else rest
        async for update in self._options():
            yield update

    @rx.event
    def clear(self):
        self.selected, self.bulk_error = [], ""

    @rx.event
    def set_action(self, action: str):
        if action in bulk.ACTIONS:
            self.action = action

    @rx.event
    def dismiss(self):
        self.summary_shown = False

    async def _options(self):
        """The agents and macros to choose from, read once the first row is selected."""
        if not self.selected or self.agent_choices:
            return
        done = Outcome()
        async for update in attempt(
            self, done, bulk.options, busy="_loading_options", error="bulk_error", viewer=True
        ):
            yield update
        if done.ok:
            self.agent_choices = [Choice(str(a.id), a.name) for a in done.value.agents]
            self.macro_choices = [Choice(str(m.id), m.title) for m in done.value.macros]

    @rx.event
    async def apply(self, form: dict):
        value = str(form.get(f"value_{self.action}", "")).strip()[:100]
        if self.action == "status" and value == "close":  # asked first: see confirm_close
            self.close_title = i18n.ngettext(
                self.locale, "Close {n} ticket?", "Close {n} tickets?", len(self.selected)
            )
            return
        async for update in self._apply(value):
            yield update

    @rx.event
    async def confirm_close(self):
        if not self.close_title:
            return
        async for update in self._apply("close"):
            yield update
        self.close_title = ""

    @rx.event
    def cancel_close(self):
        self.close_title = ""

    async def _apply(self, value: str):
        done = Outcome()
        async for update in attempt(
            self,
            done,
            bulk.apply,
            busy="applying",
            error="bulk_error",
            viewer=True,
            numbers=list(self.selected),
            action=self.action,
            value=value,
        ):
            yield update
        if isinstance(done.error, PermissionDenied | NotAuthenticated):
            self.selected, self.agent_choices, self.macro_choices = [], [], []
            return
        if not done.ok:
            return
        result: bulk.BulkResult = done.value
        self.done_count = len(result.done)
        self.refused = [RefusedView(r.number, refusal_text(self, r.error)) for r in result.refused]
        self.summary_shown = True
        self.selected = []
        queue = await self.get_state(AgentQueueState)
        await queue._fetch()
