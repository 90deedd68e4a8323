"""A ticket's conversation, shared by the customer, guest and agent pages.

The page keeps two message lists so a live update stays small however long the conversation
is: `history` (loaded once, plus "Load older") and `live` (what arrived while the page was
open). Reflex resends a whole var when it changes; a new message only touches `live`.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

import reflex as rx

from support_portal.clock import utcnow
from support_portal.live import presence
from support_portal.live.hub import LiveEvent, ticket_topic
from support_portal.services import attachments, conversation, live_reads, sessions, tickets
from support_portal.services.dto import MessagePublic, TicketDetail, Viewer
from support_portal.services.errors import DomainError, NotAuthenticated, NotFound, PermissionDenied
from support_portal.services.unit_of_work import in_db
from support_portal.settings import get_settings
from support_portal.states.base import SessionState, call
from support_portal.states.live import (
    SAFETY_NET_SECONDS,
    Ended,
    LiveHooks,
    LiveLoop,
    conversation_reads,
    fingerprints_now,
    fingerprints_quiet,
    run_live,
)
from support_portal.states.views import MessageView, message_view

log = logging.getLogger(__name__)


async def read_uploads(files: list[rx.UploadFile]) -> list[attachments.IncomingFile]:
    """The uploaded files' bytes (one more than allowed, so "too many" gets its message).

    A file is read up to one byte past the size limit, enough for "larger than" and never
    more, whatever reached the handler.
    """
    settings = get_settings()
    incoming = []
    for upload in files[: settings.max_attachments_per_message + 1]:
        data = await upload.read(settings.max_attachment_bytes + 1)
        incoming.append(attachments.IncomingFile(filename=upload.filename or "", data=data))
    return incoming


def clean_form(form: object) -> dict[str, str]:
    """Form values as plain strings; anything else the client sends is dropped (A3)."""
    if not isinstance(form, dict):
        return {}
    return {str(k)[:64]: str(v) for k, v in form.items() if isinstance(v, str | int | bool)}


WINDOW = conversation.MESSAGE_WINDOW
LIVE_FOLD = 50
UPLOAD_ID = "reply-files"


class ConversationState(LiveHooks, SessionState):
    ticket_number: int = 0
    subject: str = ""
    status: str = ""
    category: str = ""
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
    upload_progress: int = 0
    support_writing: bool = False
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
        self.upload_progress = 0
        self.draft_key = uuid.uuid4().hex
        self._ticket_id = self._first_id = self._last_id = 0

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
            created=self._format_time(detail.created_at),
            is_guest_ticket=detail.is_guest,
            requester_name=detail.requester_name,
            follow_up_of_number=detail.follow_up_of_number or 0,
            follow_up_numbers=detail.follow_up_numbers,
        )

    def _put(self, **values) -> None:
        """Assign only what changed: Reflex sends every assigned var (and recomputes the vars
        that depend on it) in the next delta, even when the value is the same."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _format_time(self, moment) -> str:
        from support_portal import i18n

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

    async def _catch_up(self) -> bool:
        """Append what is new since the last message we have (also after a reconnect).

        False when the session has ended. Raises NotFound when the ticket is out of reach.
        """
        update = await call(
            live_reads.conversation_update,
            session_token=self._session_token(),
            number=self.ticket_number,
            after_id=self._last_id,
        )
        if update is None:
            return False
        self._apply_detail(update.detail)
        self._append(update.messages)
        self._put(unread_count=update.unread_count)
        return True

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

    def _presence_key(self, viewer: Viewer) -> str:
        if viewer.user_id is not None:
            return f"{'agent' if viewer.is_agent else 'customer'}:{viewer.user_id}"
        return f"guest:{viewer.email}"

    async def _update_presence(self) -> float:
        """Refresh what this page shows about others; returns seconds until it may change."""
        remaining = await presence.support_writing(self._ticket_id)
        self._put(support_writing=remaining > 0)
        return remaining

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

    async def _live_start(self) -> LiveLoop | None:
        if not self._ticket_id:
            return None
        poll = get_settings().live_poll_seconds  # > 0 only for the benchmark's baseline
        loop = LiveLoop(
            generation=self._generation,
            path=self.router.url.path,
            token=self.router.session.client_token,
            session=self._session_token(),
            viewer=None,
            topics=[] if poll else [ticket_topic(self._ticket_id)],
            timeout=poll or SAFETY_NET_SECONDS,
        )
        loop.data.update(ticket_id=self._ticket_id, shown=(self._last_id, self.status), poll=poll)
        loop.request = self._live_request(loop)
        return loop

    def _live_request(self, loop: LiveLoop) -> tuple[int, int]:
        return (self.ticket_number, self._last_id)

    def _live_still_here(self, loop: LiveLoop) -> bool:
        return self._still_here(loop.generation)

    async def _live_begin(self, loop: LiveLoop) -> bool:
        # Subscribed first: what committed after the page loaded but before this point
        # published to nobody, so catch up at once when the ticket moved on since then.
        if self._live_update_reader() is live_reads.conversation_update:
            conversation_reads.join(loop.data["ticket_id"])  # asks with the others woken
            loop.data["joined"] = True
        known = await fingerprints_now.ask(loop.data["ticket_id"])
        loop.data["known"] = known
        return known is None or (known.last_message_id, known.status) != loop.data["shown"]

    async def _live_finish(self, loop: LiveLoop) -> None:
        if loop.data.pop("joined", False):
            conversation_reads.leave(loop.data["ticket_id"])

    async def _live_quiet_changed(self, loop: LiveLoop) -> bool:
        current = await fingerprints_quiet.ask(loop.data["ticket_id"])
        if current == loop.data["known"] and (
            loop.data["poll"] or not self._presence_may_change(loop.timeout)
        ):
            return False
        loop.data["known"] = current
        return True

    @staticmethod
    def _live_update_reader():
        """The one service call a wake-up makes: (db, session_token, number, after_id)."""
        return live_reads.conversation_update

    def _presence_reader(self, loop: LiveLoop):
        """A coroutine function: what the page shows about others (never in a thread)."""
        ticket_id = loop.data["ticket_id"]
        return lambda: presence.support_writing(ticket_id)

    async def _live_fetch(self, loop: LiveLoop, events: list[LiveEvent]):
        only_presence = bool(events) and all(e.kind == "presence" for e in events)
        number, after_id = loop.request
        token = loop.session
        read_update = self._live_update_reader()
        read_presence = self._presence_reader(loop)
        if read_update is live_reads.conversation_update:  # read with the others woken now
            update = await conversation_reads.ask(
                live_reads.UpdateRequest(token, number, after_id, session_only=only_presence),
                group=loop.data["ticket_id"],
            )
            if update is None:
                raise Ended()
            return (None if only_presence else update), await read_presence()

        def fetch(db):
            update = None
            if only_presence:
                if sessions.viewer_for_token(db, session_token=token) is None:
                    raise Ended()
            else:
                try:
                    update = read_update(db, session_token=token, number=number, after_id=after_id)
                except (NotFound, NotAuthenticated, PermissionDenied) as exc:
                    return exc
                if update is None:
                    raise Ended()
            return update

        update = await in_db(fetch)
        return update, await read_presence()

    async def _live_apply(self, loop: LiveLoop, data, events: list[LiveEvent]) -> bool:
        update, seen = data
        if isinstance(update, Exception):
            self.not_found = True
            return False
        if update is not None:
            self._apply_detail(update.detail)
            self._append(update.messages)
            self._put(unread_count=update.unread_count)
        self._set_live_timeout(loop, self._show_presence(seen))
        return True

    def _set_live_timeout(self, loop: LiveLoop, changes_in: float) -> None:
        loop.timeout = loop.data["poll"] or (
            min(SAFETY_NET_SECONDS, changes_in + 0.2) if changes_in else SAFETY_NET_SECONDS
        )

    def _show_presence(self, remaining: float) -> float:
        self._put(support_writing=remaining > 0)
        return remaining

    def _presence_may_change(self, timeout: float) -> bool:
        """A short timeout was set to clear a typing indicator: let it through."""
        return timeout < SAFETY_NET_SECONDS

    # --- replying ---------------------------------------------------------------------------

    @rx.event
    def on_progress(self, progress: dict):
        with contextlib.suppress(KeyError, TypeError, ValueError):
            self.upload_progress = round(float(progress["progress"]) * 100)

    @rx.event
    async def send_with_files(self, files: list[rx.UploadFile], form: dict):
        """Send: the text and idempotency key arrive with the files in one request."""
        incoming = await read_uploads(files)
        async for event in self._send(clean_form(form), incoming):
            yield event

    async def _send(self, form: dict, files: list[attachments.IncomingFile]):
        if self.sending:
            return
        self.sending = True
        self.send_error = ""
        yield
        viewer = await self._viewer()
        if viewer is None:
            self.sending = False
            self.send_error = self._t("Your session has ended. Log in again to reply.")
            return
        try:
            message = await self._post(viewer, form, files)
        except DomainError as exc:
            self.send_error = self._error_text(exc)
            self.sending = False
            return
        except Exception:  # e.g. the database is locked: nothing was saved (R1)
            log.exception("reply failed on ticket %s", self.ticket_number)
            self.send_error = self._t("Your message could not be sent. Please try again.")
            self.sending = False
            return
        self._append([message])
        self.sending = False
        self.upload_progress = 0
        self.draft_key = uuid.uuid4().hex
        yield rx.set_value("reply-body", "")
        yield rx.clear_selected_files(UPLOAD_ID)
        async for event in self._after_send(viewer):
            yield event

    async def _after_send(self, viewer: Viewer):
        detail = await call(conversation.detail, viewer=viewer, number=self.ticket_number)
        self._apply_detail(detail)
        return
        yield

    async def _post(
        self, viewer: Viewer, form: dict, files: list[attachments.IncomingFile]
    ) -> MessagePublic:
        """One use case: the reply with its files, stored and committed together (R1)."""
        return await call(
            tickets.add_customer_reply,
            viewer=viewer,
            number=self.ticket_number,
            body=str(form.get("body", "")),
            files=files,
            idempotency_key=str(form.get("key", "")) or None,
        )
