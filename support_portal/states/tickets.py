"""My tickets (list) and Submit a ticket."""

from __future__ import annotations

import uuid

import reflex as rx

from support_portal import routes
from support_portal.clock import utcnow
from support_portal.live.hub import guest_topic, user_topic
from support_portal.services import (
    attachments,
    categories,
    conversation,
    ticket_form,
    ticket_lists,
)
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, InvalidInput
from support_portal.services.field_values import FieldsInvalid
from support_portal.states.actions import FOCUS_FIRST_INVALID, Outcome, attempt
from support_portal.states.base import call
from support_portal.states.field_views import (
    CategoryOption,
    FieldInput,
    category_option,
    field_errors,
    field_input,
    submitted_fields,
)
from support_portal.states.forms import clean_form, read_uploads
from support_portal.states.guest import SubmittedState
from support_portal.states.live import LivePageState
from support_portal.states.upload_feedback import UploadFeedback
from support_portal.states.views import TicketRow, ticket_row

LIVE_SAFETY_NET = 15.0


class MyTicketsState(LivePageState):
    tab: str = "open"
    search: str = ""
    rows: list[TicketRow] = []
    counts: dict[str, int] = {"open": 0, "closed": 0}
    cursor: str = ""
    next_cursor: str = ""
    previous: list[str] = []
    loaded: bool = False
    error: str = ""
    _target: str = ""  # the address of the list shown, or on its way

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is None:
            yield self._login_redirect()
            return
        # Tab and search come from the address: set_tab and run_search navigate, so reload
        # and Back bring the same list again.
        params = self.router.url.query_parameters
        self.tab = "closed" if params.get("tab") == "closed" else "open"
        self.search = " ".join(str(params.get("q", "")).split())[:100]
        self._target = routes.my_tickets_path(self.tab, self.search)
        self.cursor = ""
        self.previous = []
        yield rx.set_value("ticket-search", self.search)  # the input is uncontrolled
        await self._fetch(viewer)
        self._begin_live()
        yield MyTicketsState.live_loop

    async def _fetch(self, viewer: Viewer | None = None) -> None:
        viewer = viewer or await self._viewer()
        if viewer is None:
            return
        try:
            page = await call(
                ticket_lists.list_tickets,
                viewer=viewer,
                tab=self.tab,
                search=self.search,
                cursor=self.cursor or None,
            )
            # The tabs count all the viewer's tickets, as the agent queue's views do: a search
            # narrows the list, not the totals.
            self.counts = await call(ticket_lists.tab_counts, viewer=viewer)
        except DomainError as exc:
            self.error = self._error_text(exc)
            return
        now = utcnow()
        self.rows = [ticket_row(t, self.locale, self._tz(), now) for t in page.items]
        self.next_cursor = page.next_cursor or ""
        self.error = ""
        self.loaded = True

    @rx.event
    async def set_tab(self, tab: str):
        """A tab lists that tab's tickets (a search, which spans all of them, ends)."""
        return await self._show("closed" if tab == "closed" else "open", "")

    @rx.event
    async def run_search(self, form: dict):
        return await self._show(self.tab, " ".join(str(form.get("q", "")).split())[:100])

    @rx.event
    async def clear_search(self):
        return await self._show(self.tab, "")

    async def _show(self, tab: str, search: str):
        """Go to the list's address (load reads it); the same list again is just re-read. A
        second request for the address already on its way is dropped (a Radix tab reports a
        click twice: on mouse down and on focus), so Back is not stuck on a duplicate."""
        if (tab, search) != (self.tab, self.search):
            target = routes.my_tickets_path(tab, search)
            if target == self._target:
                return None
            self._target = target
            return rx.redirect(target)
        self.cursor = ""
        self.previous = []
        await self._fetch()
        return None

    @rx.event
    async def next_page(self):
        if not self.next_cursor:
            return
        self.previous = [*self.previous, self.cursor]
        self.cursor = self.next_cursor
        await self._fetch()

    @rx.event
    async def previous_page(self):
        if not self.previous:
            return
        self.cursor = self.previous[-1]
        self.previous = self.previous[:-1]
        await self._fetch()

    @rx.event(background=True)
    async def live_loop(self):
        """Refresh the list when one of the viewer's tickets changes (ends with the page)."""
        await self._run_live()

    def _live_topics(self, viewer: Viewer | None) -> list[str]:
        if viewer is None:
            return []
        return [user_topic(viewer.user_id) if viewer.user_id else guest_topic(viewer.email)]

    def _live_interval(self) -> float:
        return LIVE_SAFETY_NET

    # New events, or the safety net: refresh (also keeps "2 minutes ago" fresh).
    def _live_request(self, loop) -> tuple[str, str, str]:
        return (self.tab, self.search, self.cursor)

    @staticmethod
    def _live_read(db, viewer: Viewer | None, request: tuple[str, str, str]):
        tab, search, cursor = request
        try:
            page = ticket_lists.list_tickets(
                db, viewer=viewer, tab=tab, search=search, cursor=cursor or None
            )
            return request, page, ticket_lists.tab_counts(db, viewer=viewer)
        except DomainError as exc:
            return request, exc, None

    async def _on_live(self, loop, viewer: Viewer | None, found, events: list) -> bool:
        request, page, counts = found
        if request != (self.tab, self.search, self.cursor):
            loop.again = True  # the viewer chose another list meanwhile: read that one
            return True
        if isinstance(page, DomainError):
            self.error = self._error_text(page)
            return True
        self.counts = counts
        now = utcnow()
        self.rows = [ticket_row(t, self.locale, self._tz(), now) for t in page.items]
        self.next_cursor = page.next_cursor or ""
        self.error = ""
        self.loaded = True
        return True


# An error about one of these is said once, under it (the callout: what no field shows).
FORM_FIELDS = frozenset({"name", "email", "subject", "category", "description"})


class NewTicketState(UploadFeedback, LivePageState):
    category: str = ""
    categories: list[CategoryOption] = []  # the active ones, in the administrators' order
    fields: list[FieldInput] = []  # the chosen category's fields the customer fills in
    _fields_by_category: dict[str, list[FieldInput]] = {}
    suggestion_number: int = 0
    suggestion_subject: str = ""
    error: str = ""
    field_errors: dict[str, str] = {}
    submitting: bool = False
    draft_key: str = ""
    follow_up_of: int = 0
    subject_prefill: str = ""

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.error = ""
        self.field_errors = {}
        self.suggestion_number = 0
        self.submitting = False
        self._end_upload()
        self.draft_key = uuid.uuid4().hex
        params = self.router.url.query_parameters
        follow = params.get("follow_up", "")
        self.follow_up_of = int(follow) if follow.isdigit() else 0
        self.category = params.get("category", "") if follow else ""
        self.subject_prefill = ""
        if self.follow_up_of and viewer is not None:
            try:
                original = await call(conversation.detail, viewer=viewer, number=self.follow_up_of)
            except DomainError:  # not theirs, or gone: an ordinary new ticket
                self.follow_up_of = 0
            else:
                self.subject_prefill = self._t("Follow-up: {subject}", subject=original.subject)[
                    :200
                ]
        offered = await call(categories.offered)
        self.categories = [category_option(c, self.locale) for c in offered]
        self._fields_by_category = {
            c.key: [field_input(f, self.locale) for f in c.fields] for c in offered
        }
        self.fields = self._fields_by_category.get(self.category, [])
        if viewer is not None and viewer.user_id is not None:  # keep the bell live
            self._begin_live()
            yield NewTicketState.live_loop

    @rx.event(background=True)
    async def live_loop(self):
        await self._run_live()

    @rx.event
    async def choose_category(self, category: str):
        self.category = str(category)[:32]
        self.fields = self._fields_by_category.get(self.category, [])
        self.suggestion_number = 0
        viewer = await self._viewer()
        if viewer is None or self.follow_up_of:
            return
        suggestion = await call(
            ticket_lists.open_ticket_in_category, viewer=viewer, category=category
        )
        if suggestion is not None:
            self.suggestion_number = suggestion.number
            self.suggestion_subject = suggestion.subject

    def _show_upload_error(self, text: str) -> None:
        self.error = text

    @rx.event
    async def submit_with_files(self, files: list[rx.UploadFile], form: dict):
        """Submit: the form's values arrive with the files in one request."""
        self._upload_arrived()
        incoming = await read_uploads(files)
        async for event in self._create(clean_form(form), incoming):
            yield event

    async def _create(self, form: dict, files: list[attachments.IncomingFile]):
        if not self.submitting:
            self.field_errors = {}
        done = Outcome()
        async for update in attempt(
            self,
            done,
            ticket_form.submit_form,
            busy="submitting",
            viewer="optional",
            form=form,
            files=files,
            ip=self._client_ip(),
            category=str(form.get("category", self.category)),
            locale=self.locale,
            follow_up_of=self.follow_up_of or None,
            fields=submitted_fields(form),
        ):
            yield update
        if isinstance(done.error, FieldsInvalid):
            self.field_errors = field_errors(done.error.errors, self._t)
        elif isinstance(done.error, InvalidInput) and done.error.field in FORM_FIELDS:
            self.field_errors, self.error = {done.error.field: self.error}, ""
        if self.field_errors:
            yield FOCUS_FIRST_INVALID
        if not done.ok:
            return
        self.draft_key = uuid.uuid4().hex
        yield rx.clear_selected_files("ticket-files")
        if done.viewer is None:
            submitted = await self.get_state(SubmittedState)
            submitted.remember(done.value.number, str(form.get("email", "")))
            yield rx.redirect(routes.submitted_path(done.value.number))
        else:
            yield rx.redirect(routes.ticket_path(done.value.number))
