"""The steps every action handler shares, in one place: the busy flag, the session check and the
login redirect, the one service call, and the domain error shown on the page.

    outcome = Outcome()
    async for update in attempt(self, outcome, tickets.add_reply, busy="sending",
                                error="send_error", viewer=True, number=self.ticket_number):
        yield update
    if outcome.ok:
        ...  # map outcome.value onto the page

A handler that maps some errors its own way looks at `outcome.error` afterwards; the generic
text is already on the error var by then.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from support_portal import routes
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
)
from support_portal.services.unit_of_work import call
from support_portal.settings import get_settings

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Outcome:
    """What `attempt` did: `value` is the use case's result, `error` its domain error."""

    value: Any = None
    error: DomainError | None = None
    viewer: Viewer | None = None
    ran: bool = False  # False: the action was already running, or the session had ended
    failed: bool = False  # an unexpected failure (nothing was saved: one transaction)

    @property
    def ok(self) -> bool:
        return self.ran and self.error is None and not self.failed


async def attempt(
    state: Any,
    outcome: Outcome,
    use_case: Callable[..., Any],
    /,
    *,
    busy: str,
    busy_value: Any = True,
    error: str = "error",
    field_errors: str | None = None,
    viewer: bool | str = False,
    ended_text: str | None = None,
    keep_busy: bool = False,
    failed_text: str | None = None,
    inputs: Callable[[], dict[str, Any]] | None = None,
    before: Callable[[], Awaitable[None]] | None = None,
    **kwargs: Any,
):
    """Run one user action: an async generator of the updates to send (yield each on).

    - `busy`: the var that shows the action running (set to `busy_value`); a second click while
      it is set does nothing. It is cleared afterwards, except after success with `keep_busy`
      (the page is about to change).
    - `error`: the var that shows what went wrong; cleared when the action starts.
    - `field_errors`: a dict var; an InvalidInput naming a field shows under that field there
      instead of in `error`. Cleared when the action starts.
    - `viewer=True`: the server-side session is re-read (A6) and passed as `viewer=`; when it has
      ended, `ended_text` is shown, or without one the browser goes to the login page.
      `viewer="optional"`: the same, but without a session the use case gets `viewer=None`.
    - `inputs`: cleans the form into more keyword arguments; its InvalidInput shows like the
      service's own errors. `before`: awaited once the busy state is on screen.
    - `failed_text`: shown on an unexpected exception (logged) instead of raising it.
    """
    if getattr(state, busy):
        return
    setattr(state, busy, busy_value)
    if error:
        setattr(state, error, "")
    if field_errors:
        setattr(state, field_errors, {})
    yield
    try:
        if viewer:
            who = await state._viewer()
            if who is None and viewer != "optional":
                if ended_text is not None:
                    setattr(state, error, state._t(ended_text))
                else:
                    yield state._login_redirect()
                return
            outcome.viewer = kwargs["viewer"] = who
        outcome.ran = True
        try:
            if before is not None:
                await before()
            if inputs is not None:
                kwargs.update(inputs())
            outcome.value = await call(use_case, **kwargs)
        except DomainError as exc:
            outcome.error = exc
            field = getattr(exc, "field", None) if isinstance(exc, InvalidInput) else None
            if field and field_errors:
                setattr(state, field_errors, {field: state._error_text(exc)})
            elif error:
                setattr(state, error, state._error_text(exc))
        except Exception:
            if failed_text is None:
                raise
            log.exception("%s failed", getattr(use_case, "__name__", "an action"))
            outcome.failed = True
            if error:
                setattr(state, error, state._t(failed_text))
    finally:
        if not (keep_busy and outcome.ok):
            setattr(state, busy, type(busy_value)())


async def dashboard_call(state: Any, use_case: Callable[..., Any], /, **options: Any) -> Outcome:
    """A dashboard page's one service call with the session's viewer (see `attempt` for the
    options). Someone who is no longer allowed there (logged out, role taken away: the service
    refuses, A2) gets the page's refusal: `forbidden` on, no error text. Returns the outcome;
    on success the page maps `outcome.value` onto its vars."""
    done = Outcome()
    async for _update in attempt(state, done, use_case, viewer=True, **options):
        pass
    if isinstance(done.error, PermissionDenied | NotAuthenticated):
        state.forbidden, state.error = True, ""
    elif done.ok:
        state.forbidden = False
    return done


def focus_when_ready(selector: str):
    """Move the keyboard to the first element matching `selector` once it is rendered and
    enabled (a delta renders a frame or two after the event that yields this)."""
    return rx.call_script(
        "(function f(n){const e=document.querySelector(" + json.dumps(selector) + ");"
        "if(e&&!e.disabled){e.focus()}else if(n>0){requestAnimationFrame(()=>f(n-1))}})(60)"
    )


# After a refused form: the keyboard goes to the first field that says it is invalid.
FOCUS_FIRST_INVALID = focus_when_ready('#main [aria-invalid="true"]')


async def dashboard_viewer(state) -> tuple[Viewer, None] | tuple[None, rx.event.EventSpec]:
    """The start of every dashboard page's load: the session, or where to go instead (the
    login page, or the two-factor setup when REQUIRE_AGENT_2FA asks for it)."""
    viewer = await state._refresh_session()
    if viewer is None:
        return None, state._login_redirect()
    if viewer.is_agent and not viewer.two_factor and get_settings().require_agent_2fa:
        return None, rx.redirect(routes.ACCOUNT_SETTINGS + "?setup=two-factor")
    return viewer, None
