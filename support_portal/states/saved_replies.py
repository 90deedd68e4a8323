"""Saved replies: the management page (/admin/replies) and the picker in the agent's composer."""

from __future__ import annotations

import json
from dataclasses import dataclass

import reflex as rx

from support_portal.services import macro_actions, saved_replies
from support_portal.states.actions import Outcome, attempt, dashboard_call, dashboard_viewer
from support_portal.states.agent_ticket import AgentTicketState
from support_portal.states.base import SessionState
from support_portal.states.macros import macro_summary

KEEP = "keep"  # the Actions selects' "leave it as it is"

FORM_ID = "saved-reply-form"


@dataclass
class SavedReplyView:
    id: int
    title: str
    shared: bool
    mine: bool
    text_en: str
    text_cs: str
    preview: str
    usage_count: int
    macro_status: str = KEEP
    macro_assign: str = KEEP
    macro_priority: str = KEEP
    macro_tags: str = ""
    macro_summary: str = ""  # "": not a macro


def reply_view(r: saved_replies.SavedReplyPublic, locale: str) -> SavedReplyView:
    preview = saved_replies.pick_text(r.texts, locale)
    return SavedReplyView(
        id=r.id,
        title=r.title,
        shared=r.shared,
        mine=r.mine,
        text_en=r.texts.get("en", ""),
        text_cs=r.texts.get("cs", ""),
        preview=preview[:140] + ("…" if len(preview) > 140 else ""),
        usage_count=r.usage_count,
        macro_status=r.actions.status or KEEP,
        macro_assign=r.actions.assign or KEEP,
        macro_priority=r.actions.priority or KEEP,
        macro_tags=", ".join(r.actions.tags),
        macro_summary=macro_summary(r.actions, locale),
    )


def form_actions(form: dict) -> dict:
    """The Actions section of the form, checked (InvalidInput names the field)."""
    chosen = {
        name: "" if str(form.get(f"macro_{name}", "")) == KEEP else form.get(f"macro_{name}")
        for name in ("status", "assign", "priority")
    }
    return {"actions": macro_actions.clean(**chosen, tags=str(form.get("macro_tags", "")))}


class SavedRepliesState(SessionState):
    """The list of the shared replies and the agent's own, and the form that adds or edits one."""

    replies: list[SavedReplyView] = []
    loaded: bool = False
    forbidden: bool = False
    error: str = ""
    field_errors: dict[str, str] = {}
    notice: str = ""
    saving: bool = False
    deleting: int = 0
    editing_id: int = 0  # 0: the form adds a new reply
    form_title: str = ""
    form_en: str = ""
    form_cs: str = ""
    form_shared: bool = False
    form_macro: SavedReplyView = SavedReplyView(0, "", False, False, "", "", "", 0)
    _fetching: bool = False

    @rx.event
    async def load(self):
        _, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.error = self.notice = ""
        self._clear_form()
        await self._fetch()
        self.loaded = True

    async def _fetch(self) -> None:
        done = await dashboard_call(self, saved_replies.list_replies, busy="_fetching")
        if self.forbidden:
            self.replies = []
        elif done.ok:
            self.replies = [reply_view(r, self.locale) for r in done.value]

    def _clear_form(self) -> None:
        self.editing_id = 0
        self.form_title = self.form_en = self.form_cs = ""
        self.form_shared = False
        self.form_macro = SavedReplyView(0, "", False, False, "", "", "", 0)
        self.field_errors = {}

    @rx.event
    def edit(self, reply_id: int):
        found = next((r for r in self.replies if r.id == reply_id and r.mine), None)
        if found is None:
            return
        self.editing_id = found.id
        self.form_title, self.form_en, self.form_cs = found.title, found.text_en, found.text_cs
        self.form_shared = found.shared
        self.form_macro = found
        self.field_errors = {}
        self.notice = ""
        return rx.set_focus("saved-reply-title")

    @rx.event
    def new(self):
        self._clear_form()
        self.notice = ""

    @rx.event
    async def save(self, form: dict):
        if not self.saving:
            self.notice = ""
        editing = self.editing_id or None
        done = Outcome()
        async for update in attempt(
            self,
            done,
            saved_replies.save_reply,
            busy="saving",
            field_errors="field_errors",
            viewer=True,
            reply_id=editing,
            title=str(form.get("title", "")),
            texts={"en": str(form.get("text_en", "")), "cs": str(form.get("text_cs", ""))},
            shared=str(form.get("shared", "")).lower() in ("on", "true", "1"),
            inputs=lambda: form_actions(form),
        ):
            yield update
        if not done.ok:
            return
        self.notice = self._t("Saved “{title}”.", title=done.value.title)
        self._clear_form()
        await self._fetch()
        yield rx.call_script(f"document.getElementById('{FORM_ID}')?.reset()")

    @rx.event
    async def delete(self, reply_id: int):
        try:
            reply_id = int(reply_id)
        except (TypeError, ValueError):
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            saved_replies.delete_reply,
            busy="deleting",
            busy_value=reply_id,
            viewer=True,
            reply_id=reply_id,
        ):
            yield update
        if done.ok:
            self.notice = self._t("The saved reply is deleted.")
            if self.editing_id == reply_id:
                self._clear_form()
            await self._fetch()


class ReplyPickerState(SessionState):
    """ "Saved replies" in the agent's composer: search, arrows, Enter inserts at the cursor."""

    picker_open: bool = False
    query: str = ""
    choices: list[SavedReplyView] = []
    highlighted: int = 0
    loading: bool = False
    error: str = ""

    @rx.event
    async def set_open(self, is_open: bool):
        self.picker_open = is_open is True
        if self.picker_open:
            self.query, self.highlighted = "", 0
            await self._search()

    @rx.event
    async def search(self, query: str):
        self.query = str(query)[:100]
        self.highlighted = 0
        await self._search()

    async def _search(self) -> None:
        done = Outcome()
        async for _ in attempt(
            self, done, saved_replies.list_replies, busy="loading", viewer=True, query=self.query
        ):
            pass
        self.choices = [reply_view(r, self.locale) for r in done.value] if done.ok else []

    @rx.event
    async def key_down(self, key: str):
        if key == "ArrowDown" and self.choices:
            self.highlighted = (self.highlighted + 1) % len(self.choices)
        elif key == "ArrowUp" and self.choices:
            self.highlighted = (self.highlighted - 1) % len(self.choices)
        elif key == "Enter" and self.choices:
            async for update in self._insert(self.choices[self.highlighted].id):
                yield update

    @rx.event
    async def insert(self, reply_id: int):
        async for update in self._insert(reply_id):
            yield update

    async def _insert(self, reply_id: int):
        try:
            reply_id = int(reply_id)
        except (TypeError, ValueError):
            return
        page = await self.get_state(AgentTicketState)
        if not page.ticket_number:
            return
        text = await call_insert(self, reply_id, page.ticket_number)
        if text is None:
            return
        self.picker_open = False
        yield rx.call_script(insert_script("reply-body", text))


async def call_insert(state: ReplyPickerState, reply_id: int, number: int) -> str | None:
    done = Outcome()
    async for _ in attempt(
        state,
        done,
        saved_replies.insert_reply,
        busy="loading",
        viewer=True,
        reply_id=reply_id,
        number=number,
    ):
        pass
    return done.value if done.ok else None


def insert_script(element_id: str, text: str) -> str:
    """Put `text` at the cursor of the (uncontrolled) text area, replacing any selection."""
    return (
        f"(() => {{ const el = document.getElementById({json.dumps(element_id)}); if (!el) return;"
        " const start = el.selectionStart ?? el.value.length;"
        " const end = el.selectionEnd ?? el.value.length;"
        f" el.setRangeText({json.dumps(text)}, start, end, 'end');"
        " el.dispatchEvent(new Event('input', {bubbles: true})); el.focus(); })()"
    )
