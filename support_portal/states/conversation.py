"""A ticket's conversation, shared by the customer, guest and agent pages.

The page keeps two message lists so a live update stays small however long the conversation
is: `history` (loaded once, plus "Load older") and `live` (what arrived while the page was
open). Reflex resends a whole var when it changes; a new message only touches `live`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

import reflex as rx

from support_portal import i18n
from support_portal.clock import utcnow
from support_portal.i18n import _
from support_portal.services import attachments, conversation, tickets
from support_portal.services.categories import display_name
from support_portal.services.dto import MessagePublic, TicketDetail, Viewer
from support_portal.services.errors import DomainError, NotAuthenticated, NotFound
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState, call
from support_portal.states.conversation_live import ConversationLiveHooks
from support_portal.states.field_views import FieldShown, field_shown
from support_portal.states.forms import clean_form, read_uploads
from support_portal.states.live import (
    run_live,
)
from support_portal.states.upload_feedback import UploadFeedback
from support_portal.states.views import MessageView, message_view

log = logging.getLogger(__name__)


WINDOW = conversation.MESSAGE_WINDOW
LIVE_FOLD = 50
UPLOAD_ID = "reply-files"


class ConversationState(UploadFeedback, ConversationLiveHooks, SessionState):
    ticket_number: int = 0
    subject: str = ""
    status: str = ""
    category: str = ""  # its key
    category_name: str = ""
    custom_fields: list[FieldShown] = []  # the fields visible to the customer (A5)
    created: str = ""
    is_guest_ticket: bool = False
    requester_name: str = ""
    follow_up_of_number: int = 0
    follow_up_numbers: list[int] = []
    history: list[MessageView] = []
    live: list[MessageView] = []
    has_older: bool = False
    loading_older: bool = False
    not_found: bool = False
    loaded: bool = False
    draft_key: str = ""
    sending: bool = False
    send_error: str = ""
    support_writing: bool = False
    reply_by: str = ""  # "Monday 12:00": the reply a waiting customer was promised
    moved_to: int = 0  # this ticket was merged into that one: the page goes there
    reply_overdue: bool = False
    _reply_due_at: datetime | None = None  # the promise not yet broken, for the live loop
    _ticket_id: int = 0
    _first_id: int = 0
    _last_id: int = 0
    _generation: int = 0
    # The language and time zone the shown dates were formatted in: a change reloads them.
    _formatted_for: tuple[str, str] = ("", "")

    # --- loading ----------------------------------------------------------------------------

    def _reset(self) -> None:
        self.history = []
        self.live = []
        self.has_older = False
        self.not_found = False
        self.loaded = False
        self.send_error = ""
        self.sending = False
        self._end_upload()
        self.draft_key = uuid.uuid4().hex
        self._ticket_id = self._first_id = self._last_id = 0
        self.moved_to = 0
        self.custom_fields = []

    def _include_internal(self, viewer: Viewer) -> bool:
        return viewer.is_agent

    async def _open(self, viewer: Viewer, number: str) -> bool:
        """Load the ticket and its latest messages; False (and `not_found`) when not visible."""
        self._reset()
        try:
            detail: TicketDetail = await call(conversation.detail, viewer=viewer, number=number)
            messages = await call(conversation.list_messages, viewer=viewer, number=number)
        except (NotFound, NotAuthenticated):
            self.not_found = True
            self.loaded = True
            return False
        self._apply_detail(detail)
        self._ticket_id = detail.id
        self._formatted_for = (self.locale, self._tz())
        self.history = self._views(messages)
        if messages:
            self._first_id, self._last_id = messages[0].id, messages[-1].id
            self.has_older = await self._older_exists(viewer)
        self.loaded = True
        await call(conversation.mark_read, viewer=viewer, number=detail.number)
        self._generation += 1
        return True

    def _apply_detail(self, detail: TicketDetail) -> None:
        self._put(
            ticket_number=detail.number,
            subject=detail.subject,
            status=detail.status,
            category=detail.category,
            category_name=display_name(detail.category_names, self.locale) or detail.category,
            custom_fields=[field_shown(f, self.locale) for f in detail.fields],
            created=self._format_time(detail.created_at),
            is_guest_ticket=detail.is_guest,
            requester_name=detail.requester_name,
            follow_up_of_number=detail.follow_up_of_number or 0,
            follow_up_numbers=detail.follow_up_numbers,
        )
        self._show_promise(detail.reply_due_at)
        self._put(moved_to=detail.merged_into_number or 0)

    def _show_promise(self, due) -> None:
        now = utcnow()
        self._put(
            reply_by=i18n.format_deadline(self.locale, due, now, self._tz()) if due else "",
            reply_overdue=bool(due and now > due),
        )
        self._reply_due_at = due if due and not self.reply_overdue else None

    def _put(self, **values) -> None:
        """Assign only what changed: Reflex sends every assigned var (and recomputes the vars
        that depend on it) in the next delta, even when the value is the same."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _format_time(self, moment) -> str:
        return i18n.format_when(self.locale, moment, self._tz())

    def _views(self, messages: list[MessagePublic]) -> list[MessageView]:
        now = utcnow()
        return [message_view(m, self.locale, self._tz(), now) for m in messages]

    async def _older_exists(self, viewer: Viewer) -> bool:
        return await call(
            lambda db, **_: conversation.has_older(
                db,
                ticket_id=self._ticket_id,
                before_id=self._first_id,
                include_internal=self._include_internal(viewer),
            ),
        )

    @rx.event
    async def load_older(self):
        viewer = await self._viewer()
        if viewer is None or not self._first_id:
            return
        self.loading_older = True
        yield
        try:
            older = await call(
                conversation.list_messages,
                viewer=viewer,
                number=self.ticket_number,
                before_id=self._first_id,
            )
        except DomainError:
            self.loading_older = False
            return
        if older:
            self.history = self._views(older) + self.history
            self._first_id = older[0].id
            self.has_older = await self._older_exists(viewer)
        else:
            self.has_older = False
        self.loading_older = False

    # --- live updates -----------------------------------------------------------------------

    def _append(self, new: list[MessagePublic]) -> None:
        known = {m.id for m in self.live} | {m.id for m in self.history[-WINDOW:]}
        fresh = [m for m in new if m.id not in known and m.id > self._last_id]
        if not fresh:
            return
        self._last_id = max(self._last_id, *(m.id for m in fresh))
        if not self._first_id:
            self._first_id = fresh[0].id
        live = self.live + self._views(fresh)
        if len(live) > LIVE_FOLD:  # rare: fold into history so `live` stays small
            self.history = self.history + live
            live = []
        self.live = live

    def _still_here(self, generation: int) -> bool:
        return self._generation == generation and self.router.url.path.rstrip("/").endswith(
            f"/{self.ticket_number}"
        )

    async def _resume(self, viewer: Viewer, number: str) -> bool:
        """Open the ticket, or, when this page already shows it (a reconnect, or coming back),
        catch up from the last message it has instead of starting over."""
        if (
            self.loaded
            and not self.not_found
            and self._ticket_id
            and str(self.ticket_number) == str(number)
            and self._formatted_for == (self.locale, self._tz())
        ):
            try:
                if not await self._catch_up():
                    return False
            except (NotFound, NotAuthenticated):
                self._reset()
                self.not_found = self.loaded = True
                return False
            await call(conversation.mark_read, viewer=viewer, number=self.ticket_number)
            self._generation += 1
            return True
        return await self._open(viewer, number)

    @rx.event(background=True)
    async def watch(self):
        """Push new messages, status changes and "Support is writing" into this open page.

        The shared live loop (states/live.py): a wake-up by an event re-reads the session and
        the ticket with the viewer's own permissions in one call outside the state lock (A4); a
        quiet timeout only runs a cheap fingerprint query and fetches when something changed
        without an event (a write that bypassed the hub). Ends when the page is left, the
        session ends, or access is lost.
        """
        await run_live(self)

    # The hooks of the live loop.

    # --- replying ---------------------------------------------------------------------------

    @rx.event
    async def send_with_files(self, files: list[rx.UploadFile], form: dict):
        """Send: the text and idempotency key arrive with the files in one request."""
        self._upload_arrived()
        incoming = await read_uploads(files)
        async for event in self._send(clean_form(form), incoming):
            yield event

    async def _send(self, form: dict, files: list[attachments.IncomingFile]):
        use_case, kwargs = self._reply_call(form)
        done = Outcome()
        async for update in attempt(
            self,
            done,
            use_case,
            busy="sending",
            error="send_error",
            viewer=True,
            ended_text=_("Your session has ended. Log in again to reply."),
            # e.g. the database is locked: nothing was saved (R1)
            failed_text=_("Your message could not be sent. Please try again."),
            number=self.ticket_number,
            body=str(form.get("body", "")),
            files=files,
            idempotency_key=str(form.get("key", "")) or None,
            **kwargs,
        ):
            yield update
        if not done.ok:
            return
        self._append([done.value])
        self.draft_key = uuid.uuid4().hex
        yield rx.set_value("reply-body", "")
        yield rx.clear_selected_files(UPLOAD_ID)
        async for event in self._after_send(done.viewer):
            yield event

    async def _after_send(self, viewer: Viewer):
        detail = await call(conversation.detail, viewer=viewer, number=self.ticket_number)
        self._apply_detail(detail)
        return
        yield

    def _reply_call(self, form: dict) -> tuple[Callable[..., MessagePublic], dict]:
        """The reply's use case and its own arguments; one use case stores the reply with its
        files, committed together (R1). Only the text and the idempotency key come from the
        form: any other key (author_id, is_internal, ...) is ignored (A3)."""
        return tickets.add_customer_reply, {}
