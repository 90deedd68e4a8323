"""REST API tokens (/admin/api-tokens): an agent creates and revokes their own tokens (an
administrator sees and revokes everyone's). A new token's secret is shown once."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from support_portal import i18n
from support_portal.clock import utcnow
from support_portal.services import api_tokens
from support_portal.services.api_tokens import ApiTokenPublic
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from support_portal.states.actions import dashboard_viewer
from support_portal.states.base import SessionState, call

FORM_ID = "api-token-form"
LIFETIMES = ("30", "90", "365", "0")  # days; 0: no expiry


@dataclass
class TokenView:
    id: int
    name: str
    prefix: str
    owner: str
    scopes: str
    expires: str
    last_used: str
    active: bool
    state: str


def token_view(t: ApiTokenPublic, locale: str, tz: str | None) -> TokenView:
    expired = t.expires_at is not None and t.expires_at <= utcnow()
    if t.revoked_at is not None:
        state = i18n.gettext(locale, "Revoked")
    elif expired:
        state = i18n.gettext(locale, "Expired")
    else:
        state = i18n.gettext(locale, "Active")
    if "write" in t.scopes:
        scopes = i18n.gettext(locale, "Read and write")
    else:
        scopes = i18n.gettext(locale, "Read")
    never = i18n.gettext(locale, "Never")
    return TokenView(
        id=t.id,
        name=t.name,
        prefix=t.prefix + "…",
        owner=t.owner_email,
        scopes=scopes,
        expires=i18n.format_when(locale, t.expires_at, tz) if t.expires_at else never,
        last_used=i18n.format_when(locale, t.last_used_at, tz) if t.last_used_at else never,
        active=t.revoked_at is None and not expired,
        state=state,
    )


class ApiTokensState(SessionState):
    tokens: list[TokenView] = []
    loaded: bool = False
    forbidden: bool = False  # customers and guests: the generic not-found page
    error: str = ""
    field_errors: dict[str, str] = {}
    new_secret: str = ""  # the token just created: shown once, gone on the next load
    submitting: bool = False
    busy_id: int = 0

    @rx.event
    async def load(self):
        viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.error = self.new_secret = ""
        self.field_errors = {}
        self.forbidden = False
        await self._fetch(viewer)
        self.loaded = True

    async def _fetch(self, viewer: Viewer) -> None:
        try:  # refuses (and logs) customers and guests (A2)
            found = await call(api_tokens.list_tokens, viewer=viewer)
        except (PermissionDenied, NotAuthenticated):
            self.tokens = []
            self.forbidden = True
            return
        self.tokens = [token_view(t, self.locale, self._tz()) for t in found]

    @rx.event
    async def create(self, form: dict):
        if self.submitting:
            return
        viewer = await self._viewer()
        if viewer is None:
            yield self._login_redirect()
            return
        self.submitting = True
        self.error = self.new_secret = ""
        self.field_errors = {}
        yield
        scope = "write" if str(form.get("scope", "")) == "write" else "read"
        days_text = str(form.get("days", "90"))
        days = int(days_text) if days_text in LIFETIMES else 90
        try:
            created = await call(
                api_tokens.create_token,
                viewer=viewer,
                name=str(form.get("name", "")),
                scopes=[scope],
                days=days or None,
            )
        except (PermissionDenied, NotAuthenticated):
            self.forbidden = True
            self.submitting = False
            return
        except InvalidInput as exc:
            if exc.field:
                self.field_errors = {exc.field: self._error_text(exc)}
            self.error = self._error_text(exc)
            self.submitting = False
            return
        except DomainError as exc:
            self.error = self._error_text(exc)
            self.submitting = False
            return
        self.new_secret = created.secret
        self.submitting = False
        await self._fetch(viewer)
        yield rx.call_script(f"document.getElementById('{FORM_ID}')?.reset()")

    @rx.event
    async def revoke(self, token_id: int):
        if self.busy_id:
            return
        try:
            token_id = int(token_id)
        except (TypeError, ValueError):
            return
        viewer = await self._viewer()
        if viewer is None:
            yield self._login_redirect()
            return
        self.busy_id = token_id
        self.error = ""
        yield
        try:
            await call(api_tokens.revoke_token, viewer=viewer, token_id=token_id)
        except (PermissionDenied, NotAuthenticated):
            self.forbidden = True
        except NotFound:
            self.error = self._t("That token no longer exists.")
        except DomainError as exc:
            self.error = self._error_text(exc)
        self.busy_id = 0
        await self._fetch(viewer)
