"""Priority and tags on the agent's ticket page (issue 15): agent-only values, so they live only
in the agent page's state (A5); each change is one action of that page (`_act`)."""

from __future__ import annotations

import reflex as rx

from support_portal.services import agent_page, ticket_merge
from support_portal.states.actions import Outcome, attempt

PRIORITY_LABELS = ("low", "normal", "high", "urgent")


class TicketLabels(rx.State, mixin=True):
    priority: str = "normal"
    tags: list[str] = []
    known_tags: list[str] = []  # the tags in use, for the input's suggestions
    tag_error: str = ""
    merge_error: str = ""
    merge_confirm: bool = False  # the target is another customer's: ask before merging
    merging: bool = False

    def _show_labels(self, found: agent_page.AgentPanels | agent_page.AgentPageUpdate) -> None:
        self._put(  # type: ignore[attr-defined]
            priority=found.priority, tags=list(found.tags), known_tags=list(found.known_tags)
        )

    def _forget_labels(self) -> None:
        self.priority, self.tags, self.known_tags, self.tag_error = "normal", [], [], ""
        self.merge_error, self.merge_confirm, self.merging = "", False, False

    @rx.event
    async def set_priority(self, value: str):
        value = str(value)
        if value not in PRIORITY_LABELS:
            return
        async for update in self._act("priority", "priority", priority=value):  # type: ignore[attr-defined]
            yield update

    @rx.event
    async def add_tag(self, form: dict):
        tag = str(form.get("tag", "") if isinstance(form, dict) else "")[:200]
        self.tag_error = ""
        async for update in self._act("tag", "add_tag", tag=tag):  # type: ignore[attr-defined]
            yield update
        if self.action_error:  # type: ignore[attr-defined]
            self.tag_error, self.action_error = self.action_error, ""  # type: ignore[attr-defined]
        else:
            yield rx.set_value("tag-input", "")

    @rx.event
    async def merge(self, form: dict):
        """Merge this ticket (a duplicate) into the one the agent names; the page follows."""
        into = "".join(ch for ch in str(form.get("into", ""))[:20] if ch.isdigit())
        confirmed = self.merge_confirm and str(form.get("confirm", "")) in ("on", "true")
        done = Outcome()
        async for update in attempt(
            self,
            done,
            ticket_merge.merge,
            busy="merging",
            error="merge_error",
            viewer=True,
            number=self.ticket_number,  # type: ignore[attr-defined]
            into=into or "0",
            other_customer_confirmed=confirmed,
        ):
            yield update
        self.merge_confirm = isinstance(done.error, ticket_merge.OtherCustomer)
        if done.ok:
            self.moved_to = done.value.target_number  # type: ignore[attr-defined]

    @rx.event
    async def remove_tag(self, tag: str):
        async for update in self._act("tag", "remove_tag", tag=str(tag)[:200]):  # type: ignore[attr-defined]
            yield update
