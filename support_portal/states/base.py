"""The root state every page shares: who is logged in, the UI language, the unread bell.

Any client can call any event handler by name (A6), so every privileged handler re-reads the
server-side session from the HttpOnly cookie with `await self._viewer()`; nothing the browser
holds is trusted.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any, TypeVar
from urllib.parse import quote

import reflex as rx

from support_portal import i18n, routes
from support_portal.services import auth, notifications, sessions
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, RateLimited
from support_portal.services.unit_of_work import call
from support_portal.settings import get_settings
from support_portal.states import state_tree, store
from support_portal.web.cookies import read_session_cookie

log = logging.getLogger(__name__)
R = TypeVar("R")


def new_login_nonce() -> str:
    """The nonce a login ticket is bound to; `sign_in` sets it as a cookie in this browser."""
    return secrets.token_urlsafe(24)


def sign_in(ticket: str, nonce: str, *, replace: bool = False) -> rx.event.EventSpec:
    """Send this browser to the exchange route with its login ticket, after setting the nonce
    cookie the ticket is bound to (X5): the route refuses the ticket in any other browser."""
    secure = "; secure" if get_settings().public_url.startswith("https://") else ""
    cookie = (
        f"{auth.LOGIN_NONCE_COOKIE}={nonce}; path={routes.AUTH_SESSION}; max-age=120;"
        f" samesite=strict{secure}"
    )
    target = f"{routes.AUTH_SESSION}?ticket={quote(ticket)}"
    method = "replace" if replace else "assign"  # replace: Back never shows a guest link
    return rx.call_script(
        f"document.cookie = {json.dumps(cookie)}; window.location.{method}({json.dumps(target)})"
    )


def go(path: str) -> rx.event.EventSpec:
    """A full page load (not client-side routing): used for HTTP routes that set cookies."""
    return rx.call_script(f"window.location.assign({json.dumps(path)})")


class SessionState(rx.State):
    """Public, display-only facts about the viewer. Never a credential."""

    viewer_kind: str = ""  # "", "user" or "guest"
    viewer_name: str = ""
    viewer_email: str = ""
    viewer_role: str = ""
    email_verified: bool = True
    locale: str = "en"
    tr: dict[str, str] = {}
    unread_count: int = 0
    session_checked: bool = False
    timezone: str = ""
    _user_locale: str = ""
    _user_timezone: str = ""  # the account's own setting; else the browser's zone
    _browser_languages: str = ""
    # The session this tab's tree holds data of (its hash), and the address bucket an anonymous
    # tree is counted in: see states/store.py (X2, X6). Server-side only.
    _session_key: str = ""
    _anonymous_address: str = ""

    @rx.var
    def is_logged_in(self) -> bool:
        return self.viewer_kind == "user"

    @rx.var
    def is_guest(self) -> bool:
        return self.viewer_kind == "guest"

    @rx.var
    def is_agent(self) -> bool:
        return self.viewer_role in ("agent", "admin")

    @rx.var
    def is_admin(self) -> bool:
        return self.viewer_role == "admin"

    @rx.var
    def unread_label(self) -> str:
        return "99+" if self.unread_count > 99 else str(self.unread_count)

    # --- helpers (not events) ---------------------------------------------------------------

    def _session_token(self) -> str | None:
        return read_session_cookie(self.router.headers.cookie)

    def _client_ip(self) -> str | None:
        return self.router.session.client_ip or None

    async def _viewer(self) -> Viewer | None:
        """Re-read the server-side session (A6). Call this in every privileged handler."""
        token = self._session_token()
        if not token:
            return None
        viewer = await call(sessions.viewer_for_token, session_token=token)
        if viewer is not None:
            # From now on this tab's tree holds this session's data: it goes when it ends (X2).
            await store.bind(self, token)
        return viewer

    async def _refresh_session(self) -> Viewer | None:
        """Load the viewer and update the display facts (header, language, bell)."""
        viewer = await self._viewer()
        self.viewer_kind = viewer.kind.value if viewer else ""
        self.viewer_name = viewer.name if viewer else ""
        self.viewer_email = viewer.email if viewer else ""
        self.viewer_role = viewer.role.value if viewer and viewer.role else ""
        self.email_verified = viewer.email_verified if viewer else True
        self._apply_locale(viewer.locale if viewer else None)
        self._user_timezone = (viewer.timezone if viewer else None) or ""
        self.unread_count = (
            await call(notifications.unread_count, viewer=viewer)
            if viewer and viewer.user_id
            else 0
        )
        self.session_checked = True
        return viewer

    def _apply_locale(self, preferred: str | None) -> None:
        """The user's setting, else the switcher's cookie, else the browser's languages."""
        settings = get_settings()
        self._user_locale = preferred or ""
        browser = self._browser_languages or self.router.headers.accept_language
        chosen = (
            preferred
            or self._cookie("sp_locale")
            or i18n.negotiate(browser, settings.default_locale)
        )
        chosen = i18n.normalize_locale(chosen, settings.default_locale)
        if chosen != self.locale or (chosen != "en" and not self.tr):
            self.locale = chosen
            self.tr = i18n.ui_catalog(chosen)

    def _cookie(self, name: str) -> str | None:
        """A display preference cookie (language, time zone); never a credential."""
        from http.cookies import SimpleCookie
        from urllib.parse import unquote

        jar = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except Exception:
            return None
        morsel = jar.get(name)
        return unquote(morsel.value)[:64] if morsel else None

    def _tz(self) -> str:
        return (
            self._user_timezone
            or self.timezone
            or self._cookie("sp_tz")
            or get_settings().default_timezone
        )

    def _t(self, message: str, **params: Any) -> str:
        return i18n.gettext(self.locale, message, **params)

    def _error_text(self, exc: DomainError) -> str:
        params = dict(exc.params)
        if isinstance(exc, RateLimited):
            params["wait"] = self._wait_text(exc.retry_after)
        try:
            return self._t(exc.message, **params)
        except (KeyError, IndexError):
            return self._t(exc.message)

    def _wait_text(self, seconds: int) -> str:
        if seconds < 90:
            return i18n.ngettext(self.locale, "{n} second", "{n} seconds", seconds)
        minutes = (seconds + 59) // 60
        return i18n.ngettext(self.locale, "{n} minute", "{n} minutes", minutes)

    def _login_redirect(self) -> rx.event.EventSpec:
        return rx.redirect(routes.login_path(self.router.url.path))

    # --- events -----------------------------------------------------------------------------

    @rx.event
    async def load_session(self):
        """on_load for public pages: show the header right."""
        await self._refresh_session()

    @rx.event
    def set_browser_prefs(self, prefs: dict):
        """The browser's time zone and languages (navigator.languages), for display only.

        Some clients send a different Accept-Language on the websocket than on pages, so the
        languages the page itself reports win over the handshake's header.
        """
        if not isinstance(prefs, dict):
            return
        tz = prefs.get("tz")
        if isinstance(tz, str) and 0 < len(tz) <= 64 and i18n.zone(tz).key == tz:
            self.timezone = tz
        languages = prefs.get("languages")
        if isinstance(languages, list):
            cleaned = [str(x)[:16] for x in languages[:10] if isinstance(x, str)]
            weighted = ",".join(f"{lang};q={1 - i / 20:.2f}" for i, lang in enumerate(cleaned))
            if weighted != self._browser_languages:
                self._browser_languages = weighted
                self._apply_locale(self._user_locale or None)
        # The served HTML says lang="en"; screen readers need the language the page is in.
        return rx.call_script(f"document.documentElement.lang = {json.dumps(self.locale)}")

    @rx.event
    def files_rejected(self, rejected: list[dict]):
        """The file picker turned files down (type, size or count): say why, in the UI's
        language, where it does not cover the Send button. `rejected` is what
        components.conversation.rejected_files sends: [{"name": ..., "codes": [...]}]."""
        settings = get_settings()
        lines = []
        for item in rejected[:10] if isinstance(rejected, list) else []:
            if not isinstance(item, dict):
                continue
            name = str(item.get("name") or "")[:80]
            codes = item.get("codes") if isinstance(item.get("codes"), list) else []
            if "too-many-files" in codes:
                count = settings.max_attachments_per_message
                lines.append(self._t("At most {count} files per message.", count=count))
            elif "file-too-large" in codes:
                size = settings.max_attachment_bytes // (1024 * 1024)
                lines.append(self._t("{name}: larger than {size} MB.", name=name, size=size))
            else:
                lines.append(
                    self._t(
                        "{name}: this type of file is not accepted "
                        "(png, jpg, gif, webp, pdf, txt, csv, log).",
                        name=name,
                    )
                )
        return rx.toast.error(
            self._t("Some files were not added"),
            description="\n".join(dict.fromkeys(lines)),
            position="top-center",
            close_button=True,
            style={"white_space": "pre-line"},
        )

    @rx.event
    async def logout(self):
        """End the session on the server first (P4); the HTTP route then drops the cookie."""
        token = self._session_token()
        was_guest = self.viewer_kind == "guest"
        await call(sessions.revoke_session, session_token=token)
        # Every tab's server-side state of this session goes, this one included (X2).
        await store.purge_session(token, current=self)
        # Guests have no login to return to: they go back to the start page.
        target = f"{routes.AUTH_LOGOUT}?next={routes.HOME}" if was_guest else routes.AUTH_LOGOUT
        # Drop the tab's Reflex token too: the next person in this tab starts from a new,
        # empty state tree, not the one holding this session's tickets and notes (A5).
        # Logout is a POST from this page (X5): a cross-site link cannot log anyone out.
        return rx.call_script(
            "window.sessionStorage.removeItem('token');"
            "const form = document.createElement('form'); form.method = 'post';"
            f"form.action = {json.dumps(target)}; document.body.appendChild(form); form.submit()"
        )

    @rx.event
    async def set_language(self, locale: str):
        locale = i18n.normalize_locale(locale, get_settings().default_locale)
        viewer = await self._viewer()
        if viewer is not None and viewer.user_id is not None:
            from support_portal.services.accounts import set_locale

            await call(set_locale, viewer=viewer, locale=locale)
        self.locale = locale
        self.tr = i18n.ui_catalog(locale)
        # Reload: dates, counts and messages the server formatted are in the old language,
        # and the page's load handler formats them again in the new one.
        return rx.call_script(
            f"document.cookie = 'sp_locale={locale}; path=/; max-age=31536000; samesite=lax';"
            f"document.documentElement.lang = '{locale}'; window.location.reload();"
        )


# The state tree whose trees store.py purges and bounds (X2, X6).
state_tree.set_root_state(SessionState)
