"""/admin/webhooks: administrators register endpoints, switch them on and off, delete them, read
an endpoint's delivery log (live) and send it a test event. A new endpoint's secret is shown
once."""

from __future__ import annotations

import reflex as rx

from support_portal.clock import utcnow
from support_portal.live.hub import LiveEvent, user_topic
from support_portal.services import webhook_admin
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, NotAuthenticated, PermissionDenied
from support_portal.services.webhooks import EVENTS, LOG_TOPIC
from support_portal.states.actions import Outcome, attempt, dashboard_viewer
from support_portal.states.base import call
from support_portal.states.live import LivePageState
from support_portal.states.webhook_views import (
    DeliveryView,
    EndpointView,
    delivery_view,
    endpoint_view,
)

FORM_ID = "webhook-form"
CHECKED = ("on", "true", "1")


class WebhooksState(LivePageState):
    endpoints: list[EndpointView] = []
    log: list[DeliveryView] = []
    log_id: int = 0  # the endpoint whose delivery log is open
    loaded: bool = False
    forbidden: bool = False  # customers and guests: the generic not-found page
    admin_only: bool = False  # an agent, but not an administrator
    error: str = ""
    field_errors: dict[str, str] = {}
    notice: str = ""
    new_secret: str = ""  # the endpoint just registered: shown once, gone on the next load
    new_secret_url: str = ""
    submitting: bool = False
    toggling: int = 0
    testing: int = 0
    deleting: int = 0
    opening: int = 0

    @rx.var
    def log_url(self) -> str:
        return next((e.url for e in self.endpoints if e.id == self.log_id), "")

    @rx.event
    async def load(self):
        viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.loaded = False
        self.error = self.notice = self.new_secret = self.new_secret_url = ""
        self.field_errors = {}
        self.forbidden = self.admin_only = False
        self.log_id = 0
        try:  # refuses (and logs) everyone but administrators (A2)
            self._show(await call(webhook_admin.show, viewer=viewer))
        except (PermissionDenied, NotAuthenticated):
            self._refused(viewer)
        except DomainError as exc:
            self.error = self._error_text(exc)
        self.loaded = True
        if not (self.forbidden or self.admin_only):
            self._begin_live()
            yield WebhooksState.live_loop

    @rx.event(background=True)
    async def live_loop(self):
        await self._run_live()

    def _refused(self, viewer: Viewer | None) -> None:
        self.endpoints, self.log, self.log_id = [], [], 0
        self.error = self.notice = self.new_secret = ""
        if viewer is not None and viewer.is_agent:
            self.admin_only = True
        else:
            self.forbidden = True

    def _show(self, page: webhook_admin.WebhooksPage) -> None:
        tz, now = self._tz(), utcnow()
        self.endpoints = [endpoint_view(e, locale=self.locale, tz=tz) for e in page.endpoints]
        self.log_id = page.log_endpoint_id
        self.log = [delivery_view(d, locale=self.locale, tz=tz, now=now) for d in page.log]

    def _after(self, done: Outcome) -> bool:
        """Show the page the action returned; True when it succeeded."""
        if isinstance(done.error, PermissionDenied | NotAuthenticated):
            self._refused(done.viewer)
            return False
        if done.ok:
            self._show(done.value)
        return done.ok

    # --- live: the delivery log fills in as the sender works ---------------------------------

    def _live_topics(self, viewer: Viewer | None) -> list[str]:
        topics = [LOG_TOPIC]
        if viewer is not None and viewer.user_id is not None:
            topics.append(user_topic(viewer.user_id))
        return topics

    def _live_request(self, loop) -> int:
        return self.log_id

    @staticmethod
    def _live_read(db, viewer: Viewer | None, log_id: int):
        try:
            return webhook_admin.show(db, viewer=viewer, log_endpoint_id=log_id or 0)
        except DomainError as exc:
            return exc

    async def _on_live(self, loop, viewer: Viewer | None, page, events: list[LiveEvent]) -> bool:
        if isinstance(page, PermissionDenied | NotAuthenticated):
            self._refused(viewer)
            return False
        if isinstance(page, DomainError):
            self.error = self._error_text(page)
            return True
        if page.log_endpoint_id == self.log_id:  # not a log the admin has closed meanwhile
            self._show(page)
        return True

    # --- actions -----------------------------------------------------------------------------

    @rx.event
    async def register(self, form: dict):
        if not self.submitting:
            self.notice = self.new_secret = self.new_secret_url = ""
        chosen = [e for e in EVENTS if str(form.get(e, "")).lower() in CHECKED]
        done = Outcome()
        async for update in attempt(
            self,
            done,
            webhook_admin.register,
            busy="submitting",
            field_errors="field_errors",
            viewer=True,
            url=str(form.get("url", ""))[:4000],
            events=chosen,
        ):
            yield update
        if isinstance(done.error, PermissionDenied | NotAuthenticated):
            self._refused(done.viewer)
        if not done.ok:
            return
        self._show(done.value.page)
        self.new_secret = done.value.secret
        self.new_secret_url = next(
            (e.url for e in self.endpoints if e.id == done.value.endpoint_id), ""
        )
        yield rx.call_script(f"document.getElementById('{FORM_ID}')?.reset()")

    async def _on_endpoint(self, raw_id, use_case, busy: str, args, notice: str = ""):
        """One action on one endpoint: the id checked, one service call that returns the page,
        then the page shown with `notice` (already translated) when it succeeded."""
        try:
            endpoint_id = int(raw_id)
        except (TypeError, ValueError):
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            use_case,
            busy=busy,
            busy_value=endpoint_id,
            viewer=True,
            **args(endpoint_id),
        ):
            yield update
        if self._after(done) and notice:
            self.notice = notice

    @rx.event
    async def set_active(self, endpoint_id: int, active: bool):
        active = active is True  # a handler argument is not trusted to be a bool
        notice = (
            self._t("The webhook is enabled again.")
            if active
            else self._t("The webhook is disabled: nothing is sent to it until you enable it.")
        )
        args = {"active": active, "log_endpoint_id": self.log_id}
        async for update in self._on_endpoint(
            endpoint_id,
            webhook_admin.set_active,
            "toggling",
            lambda eid: {"endpoint_id": eid, **args},
            notice,
        ):
            yield update

    @rx.event
    async def delete(self, endpoint_id: int):
        log_id = self.log_id
        async for update in self._on_endpoint(
            endpoint_id,
            webhook_admin.delete,
            "deleting",
            lambda eid: {"endpoint_id": eid, "log_endpoint_id": log_id},
            self._t("The webhook is deleted."),
        ):
            yield update

    @rx.event
    async def send_test(self, endpoint_id: int):
        async for update in self._on_endpoint(
            endpoint_id,
            webhook_admin.send_test,
            "testing",
            lambda eid: {"endpoint_id": eid},
            self._t("A test event is on its way; its result appears in the log."),
        ):
            yield update

    @rx.event
    async def open_log(self, endpoint_id: int):
        async for update in self._on_endpoint(
            endpoint_id, webhook_admin.show, "opening", lambda eid: {"log_endpoint_id": eid}
        ):
            yield update

    @rx.event
    def close_log(self):
        self.log_id = 0
        self.log = []
