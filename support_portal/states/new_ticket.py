"""/tickets/new: the new-ticket form's state (logged in, or a guest with a name and email)."""

from __future__ import annotations

import uuid

import reflex as rx

from support_portal import routes
from support_portal.services import (
    attachments,
    categories,
    conversation,
    ticket_form,
    ticket_lists,
)
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
