"""The account page (/settings/account): name and language, password, and the sessions list.

Every handler re-reads the server-side session (A6) and makes one service call. Sessions the
services end are purged at once (their tabs' server-side state goes, X2); their open pages get
nothing more, since every live read re-checks the session (A4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import reflex as rx

from support_portal import i18n
from support_portal.clock import utcnow
from support_portal.services import account_settings
from support_portal.services.account_settings import AccountOverview, SessionInfo
from support_portal.services.errors import DomainError, InvalidInput, NotAuthenticated
from support_portal.states.base import SessionState, call
from support_portal.states.password_reset import purge_ended
from support_portal.states.views import when


@dataclass
class SessionRow:
    id: int
    device: str
    ip: str
    started: str
    last_seen: str
    last_seen_title: str
    current: bool


class AccountState(SessionState):
    loaded: bool = False
    error: str = ""  # the page could not load
    name: str = ""
    email: str = ""
    account_locale: str = "en"
    account_timezone: str = ""  # "": the browser's
    profile_errors: dict[str, str] = {}
    profile_notice: str = ""
    saving_profile: bool = False
    password_errors: dict[str, str] = {}
    password_notice: str = ""
    changing_password: bool = False
    sessions: list[SessionRow] = []
    sessions_error: str = ""
    sessions_notice: str = ""
    ending_id: int = 0
    ending_others: bool = False

    @rx.var
    def other_sessions(self) -> int:
        return sum(1 for s in self.sessions if not s.current)

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is None or viewer.is_guest:
            self.loaded = False
            return self._login_redirect()
        self.error = self.profile_notice = self.password_notice = ""
        self.sessions_error = self.sessions_notice = ""
        self.profile_errors = {}
        self.password_errors = {}
        try:
            self._show(await call(account_settings.overview, viewer=viewer))
        except NotAuthenticated:
            return self._login_redirect()
        except DomainError as exc:
            self.error = self._error_text(exc)
        self.loaded = True

    def _show(self, found: AccountOverview) -> None:
        self.name = found.name
        self.email = found.email
        # Never chosen: the language the page is in now is what saving keeps.
        self.account_locale = found.locale or self.locale
        self.account_timezone = found.timezone or ""
        self.sessions = [self._row(s) for s in found.sessions]

    def _row(self, info: SessionInfo) -> SessionRow:
        now = utcnow()
        if info.browser and info.system:
            device = self._t("{browser} on {system}", browser=info.browser, system=info.system)
        else:
            device = info.browser or info.system or self._t("Unknown device")
        seen, seen_title = when(self.locale, info.last_seen_at, self._tz(), now)
        return SessionRow(
            id=info.id,
            device=device,
            ip=info.ip or "—",
            started=i18n.format_when(self.locale, info.started_at, self._tz()),
            last_seen=seen,
            last_seen_title=seen_title,
            current=info.current,
        )

    def _field_error(self, exc: DomainError) -> dict[str, str] | None:
        if isinstance(exc, InvalidInput) and exc.field:
            return {exc.field: self._error_text(exc)}
        return None

    @rx.event
    def choose_locale(self, value: str):
        if value in i18n.SUPPORTED:
            self.account_locale = value

    @rx.event
    async def save_profile(self, form: dict):
        if self.saving_profile:
            return
        self.saving_profile = True
        self.profile_errors = {}
        self.profile_notice = ""
        yield
        before = self.locale
        try:
            saved = await call(
                account_settings.save_profile,
                viewer=await self._viewer(),
                name=str(form.get("name", ""))[:500],
                locale=self.account_locale,
                timezone=str(form.get("timezone", ""))[:64],
            )
        except NotAuthenticated:  # the session ended meanwhile
            yield self._login_redirect()
            return
        except DomainError as exc:
            self.profile_errors = self._field_error(exc) or {"form": self._error_text(exc)}
            self.saving_profile = False
            return
        self.name = self.viewer_name = saved.name
        self._user_timezone = saved.timezone or ""
        self.account_timezone = self._user_timezone
        self.sessions = [self._row(s) for s in saved.sessions]  # their times, in the new zone
        self.saving_profile = False
        if saved.locale != before:
            # The whole page (and the header) is in the old language: load it again in the new.
            yield rx.call_script(
                f"document.cookie = 'sp_locale={saved.locale}; path=/; max-age=31536000;"
                f" samesite=lax'; window.location.reload();"
            )
            return
        self.profile_notice = self._t("Saved.")

    @rx.event
    async def change_password(self, form: dict):
        if self.changing_password:
            return
        self.changing_password = True
        self.password_errors = {}
        self.password_notice = ""
        yield
        try:
            ended = await call(
                account_settings.change_password,
                viewer=await self._viewer(),
                current_password=str(form.get("current_password", "")),
                new_password=str(form.get("password", "")),
                ip=self._client_ip(),
            )
        except NotAuthenticated:  # the session ended meanwhile
            yield self._login_redirect()
            return
        except DomainError as exc:
            self.password_errors = self._field_error(exc) or {"form": self._error_text(exc)}
            self.changing_password = False
            return
        await purge_ended(ended)
        self.sessions = [s for s in self.sessions if s.current]
        self.password_notice = self._t(
            "Your password was changed. Every other device was logged out."
        )
        self.changing_password = False
        yield rx.call_script(f"document.getElementById({json.dumps('password-form')})?.reset()")

    @rx.event
    async def end_session(self, session_id: int):
        if self.ending_id or not isinstance(session_id, int):
            return
        self.ending_id = session_id
        self.sessions_error = self.sessions_notice = ""
        yield
        try:
            ended = await call(
                account_settings.end_session, viewer=await self._viewer(), session_id=session_id
            )
        except NotAuthenticated:  # the session ended meanwhile
            yield self._login_redirect()
            return
        except DomainError as exc:
            self.sessions_error = self._error_text(exc)
            self.ending_id = 0
            return
        await purge_ended(ended)
        self.sessions = [s for s in self.sessions if s.id != session_id]
        self.sessions_notice = self._t("That device was logged out.")
        self.ending_id = 0

    @rx.event
    async def end_other_sessions(self):
        if self.ending_others:
            return
        self.ending_others = True
        self.sessions_error = self.sessions_notice = ""
        yield
        try:
            ended = await call(account_settings.end_other_sessions, viewer=await self._viewer())
        except NotAuthenticated:  # the session ended meanwhile
            yield self._login_redirect()
            return
        except DomainError as exc:
            self.sessions_error = self._error_text(exc)
            self.ending_others = False
            return
        await purge_ended(ended)
        self.sessions = [s for s in self.sessions if s.current]
        self.sessions_notice = self._t("Every other device was logged out.")
        self.ending_others = False
