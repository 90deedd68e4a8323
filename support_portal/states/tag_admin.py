"""/admin/tags: administrators see every tag with its number of tickets, rename one (into an
existing tag: a merge, confirmed first) and delete one (confirmed first). Each action is one
service call that re-checks the administrator (A2); the page then re-reads the list."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from support_portal import i18n
from support_portal.services import tag_admin
from support_portal.services.errors import NotAuthenticated, NotFound, PermissionDenied
from support_portal.states.actions import Outcome, attempt, dashboard_viewer, focus_when_ready
from support_portal.states.base import SessionState

RENAME_INPUT = "tag-rename-input"
MAX_LISTED = tag_admin.MAX_LISTED


@dataclass
class TagRow:
    tag: str
    tickets: int


class TagAdminState(SessionState):
    tags: list[TagRow] = []
    more: bool = False  # more tags match than are listed
    search: str = ""
    loaded: bool = False
    forbidden: bool = False
    admin_only: bool = False  # an agent, but not an administrator
    error: str = ""
    notice: str = ""
    busy: str = ""  # the action running: "rename", "merge", "delete"
    editing: str = ""  # the tag whose name is being changed ("": none)
    rename_error: str = ""
    merge_from: str = ""  # a merge waiting for confirmation ("": none)
    merge_to: str = ""
    merge_text: str = ""
    delete_name: str = ""  # a deletion waiting for confirmation ("": none)
    delete_text: str = ""
    _fetching: bool = False

    @rx.event
    async def load(self):
        _, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.error = self.notice = self.rename_error = ""
        self.editing = self.merge_from = self.delete_name = ""
        await self._fetch()
        self.loaded = True

    async def _fetch(self) -> None:
        done = Outcome()
        async for _update in attempt(
            self, done, tag_admin.list_tags, busy="_fetching", viewer=True, query=self.search
        ):
            pass
        if not self._refused(done) and done.ok:
            self.tags = [TagRow(t.tag, t.tickets) for t in done.value.items]
            self.more = done.value.more

    def _refused(self, done: Outcome) -> bool:
        """Agents who are not administrators are told so; customers and guests see the
        not-found page (A2)."""
        if isinstance(done.error, PermissionDenied | NotAuthenticated):
            self.tags, self.error, self.notice = [], "", ""
            agent = done.viewer is not None and done.viewer.is_agent
            self.admin_only, self.forbidden = agent, not agent
            return True
        self.forbidden = self.admin_only = False
        return False

    @rx.event
    async def run_search(self, form: dict):
        self.search = " ".join(str(form.get("q", "")).split())[:40]
        self.editing = ""
        await self._fetch()

    @rx.event
    async def clear_search(self):
        self.search, self.editing = "", ""
        yield rx.set_value("tag-search", "")
        await self._fetch()

    # --- rename and merge -------------------------------------------------------------------

    @rx.event
    def start_rename(self, tag: str):
        self.editing = str(tag) if any(t.tag == tag for t in self.tags) else ""
        self.rename_error = self.notice = ""
        return focus_when_ready(f"#{RENAME_INPUT}")

    @rx.event
    def cancel_rename(self):
        self.editing, self.rename_error = "", ""

    @rx.event
    async def rename(self, form: dict):
        old = self.editing
        if not old:
            return
        new = str(form.get("new_name", ""))[:100]
        done = Outcome()
        async for update in attempt(
            self,
            done,
            tag_admin.rename_tag,
            busy="busy",
            busy_value="rename",
            error="rename_error",
            viewer=True,
            old=old,
            new=new,
        ):
            yield update
        if self._refused(done):
            return
        if isinstance(done.error, tag_admin.MergeNeeded):
            params = done.error.params
            self.rename_error = ""
            self.merge_from, self.merge_to = str(params["old"]), str(params["new"])
            self.merge_text = i18n.ngettext(
                self.locale,
                "This merges “{old}” into “{new}” ({n} ticket).",
                "This merges “{old}” into “{new}” ({n} tickets).",
                int(params["tickets"]),  # type: ignore[call-overload]
                old=self.merge_from,
                new=self.merge_to,
            )
            return
        if isinstance(done.error, NotFound):
            await self._fetch()
        if done.ok:
            change: tag_admin.TagChange = done.value
            self.editing = ""
            if change.old != change.new:
                self.notice = i18n.ngettext(
                    self.locale,
                    "Renamed “{old}” to “{new}” on {n} ticket.",
                    "Renamed “{old}” to “{new}” on {n} tickets.",
                    change.tickets,
                    old=change.old,
                    new=change.new,
                )
            await self._fetch()

    @rx.event
    def cancel_merge(self):
        self.merge_from = self.merge_to = self.merge_text = ""
        return focus_when_ready(f"#{RENAME_INPUT}")

    @rx.event
    async def confirm_merge(self):
        if not self.merge_from:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            tag_admin.merge_tags,
            busy="busy",
            busy_value="merge",
            error="rename_error",
            viewer=True,
            source=self.merge_from,
            target=self.merge_to,
        ):
            yield update
        self.merge_from = self.merge_to = self.merge_text = ""
        if self._refused(done):
            return
        if done.ok:
            change: tag_admin.TagChange = done.value
            self.editing = ""
            self.notice = i18n.ngettext(
                self.locale,
                "Merged “{old}” into “{new}” on {n} ticket.",
                "Merged “{old}” into “{new}” on {n} tickets.",
                change.tickets,
                old=change.old,
                new=change.new,
            )
        await self._fetch()

    # --- delete -----------------------------------------------------------------------------

    @rx.event
    def ask_delete(self, tag: str):
        found = next((t for t in self.tags if t.tag == tag), None)
        if found is None:
            return
        self.editing, self.notice, self.error = "", "", ""
        self.delete_name = found.tag
        self.delete_text = i18n.ngettext(
            self.locale,
            "It is taken off {n} ticket. This cannot be undone.",
            "It is taken off {n} tickets. This cannot be undone.",
            found.tickets,
        )

    @rx.event
    def cancel_delete(self):
        self.delete_name = self.delete_text = ""

    @rx.event
    async def confirm_delete(self):
        tag = self.delete_name
        if not tag:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            tag_admin.delete_tag,
            busy="busy",
            busy_value="delete",
            viewer=True,
            tag=tag,
        ):
            yield update
        self.delete_name = self.delete_text = ""
        if self._refused(done):
            return
        if done.ok:
            self.notice = i18n.ngettext(
                self.locale,
                "Deleted the tag “{tag}” from {n} ticket.",
                "Deleted the tag “{tag}” from {n} tickets.",
                done.value,
                tag=tag,
            )
        await self._fetch()
