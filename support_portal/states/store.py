"""Where Reflex keeps each browser tab's state: purged when its session ends, bounded when it has
none (X2, X6).

Reflex keeps a state tree per client token (one per tab) on the server for an hour after its
last event, and anyone who presents the token gets it back on hydrate. So:

- A tree remembers the session it loaded viewer data under (`SessionState._session_key`, the
  hash the sessions table stores). `purge_session` (logout) and `sweep_ended_sessions` (expiry,
  revocation, a deactivated user) wipe and delete every tree bound to the session.
- `SessionEndGuard` (a Reflex middleware, before every event) wipes a bound tree at once when the
  event's connection carries another session cookie or none, and on hydrate also when the
  session has ended: a replayed token never gets the previous viewer's data back.
- A tree bound to no session is anonymous: it lives ANONYMOUS minutes after its last event (not
  Reflex's hour), and one client address holds at most `anonymous_states_per_address` of them;
  the least recently used go first. Both Reflex state managers we use (memory, Redis) are
  subclassed here and set on the app by `install`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from reflex.istate.manager import StateManager
from reflex.istate.manager.memory import StateManagerMemory
from reflex.middleware import Middleware
from reflex.state import BaseState

from support_portal.services import sessions
from support_portal.services.unit_of_work import call
from support_portal.states.state_managers import (
    BoundedStateManagerMemory,
    current_manager,
    redis_manager_cls,
)
from support_portal.states.state_tree import hydrate_events, session_of, wipe_tree
from support_portal.web.cookies import read_session_cookie

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

SWEEP_EVERY = 60.0  # how often ended sessions are looked for
PURGE_TIMEOUT = 10.0
_background: set[asyncio.Task] = set()


def bounded(manager: StateManager) -> StateManager:
    """The bounded variant of the manager Reflex created from the config."""
    if isinstance(manager, StateManagerMemory):
        return BoundedStateManagerMemory(token_expiration=manager.token_expiration)
    redis_cls = redis_manager_cls()
    from reflex.istate.manager.redis import StateManagerRedis

    if isinstance(manager, StateManagerRedis):
        return redis_cls(
            redis=manager.redis,
            token_expiration=manager.token_expiration,
            lock_expiration=manager.lock_expiration,
            lock_warning_threshold=manager.lock_warning_threshold,
        )
    return manager  # the disk manager: not used by this app


# --- binding, purging -----------------------------------------------------------------------


async def bind(state: BaseState, session_token: str | None) -> None:
    """Remember that this tab's tree now holds data of this (valid) session."""
    key = sessions.session_key(session_token)
    session = session_of(state._get_root_state())
    if not key or session is None or session._session_key == key:
        return
    session._session_key = key
    manager = current_manager()
    if manager is not None:
        await manager.bind_session(state.router.session.client_token, key)


def _spawn(coro) -> asyncio.Task:
    task = asyncio.create_task(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("purging a tab's state failed", exc_info=task.exception())


async def purge_session(session_token: str | None, *, current: BaseState | None = None) -> None:
    """Logout: wipe and delete every tab's state loaded under this session (X2).

    Call it when the session ends. From an event handler pass `current=self`: that tab's tree
    (whose lock the handler holds) is wiped at once, and every tab's tree is deleted once its
    lock is free. From an HTTP route (no lock held) it returns when every tree is gone.
    """
    await purge_session_key(sessions.session_key(session_token), current=current)


async def purge_session_key(key: str, *, current: BaseState | None = None) -> None:
    own = ""
    if current is not None:
        root = current._get_root_state()
        session = session_of(root)
        if session is not None and session._session_key in ("", key):
            own = current.router.session.client_token
            await wipe_tree(root)
    manager = current_manager()
    if manager is None:
        return
    tabs = await manager.session_tabs(key) if key else set()
    if key:
        await manager.forget_session(key)
    if own:
        tabs.add(own)
    jobs = [_spawn(manager.purge_tab(ident, key)) for ident in sorted(tabs)]
    if current is None and jobs:
        # Outside an event no lock of ours is held: wait, so the caller answers after the purge.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), PURGE_TIMEOUT)


async def purge_ended(keys: Iterable[str]) -> int:
    """Purge the tabs of sessions that have ended; returns how many sessions."""
    keys = [k for k in keys if k]
    if not keys:
        return 0

    alive = await call(sessions.active_keys, keys=keys)
    ended = [k for k in keys if k not in alive]
    for key in ended:
        await purge_session_key(key)
    return len(ended)


async def sweep_ended_sessions() -> None:
    """Lifespan task: session expiry (idle or absolute), revocation elsewhere, deactivated
    users: the tabs' trees go within SWEEP_EVERY seconds, open or not."""
    while True:
        await asyncio.sleep(SWEEP_EVERY)
        manager = current_manager()
        if manager is None:
            continue
        try:
            ended = await purge_ended(await manager.bound_sessions())
            if ended:
                log.info("purged the state of %d ended sessions", ended)
        except Exception:
            log.exception("sweeping ended sessions failed")


class SessionEndGuard(Middleware):
    """Before every event: a tree bound to a session that this connection does not carry (or,
    on hydrate, that has ended) is wiped before anything is sent (X2, A6)."""

    async def preprocess(self, app, state, event):
        session = session_of(state)
        bound = session._session_key if session is not None else ""
        if not bound:
            return None
        cookie = read_session_cookie(session.router.headers.cookie)
        ended = sessions.session_key(cookie) != bound
        if not ended and event.name in hydrate_events():
            ended = not await call(sessions.is_active, key=bound)
        if ended:
            await wipe_tree(state)
            manager = current_manager()
            if manager is not None:
                await manager.bind_session(state.router.session.client_token, "")
        return None


def install(app) -> None:
    """Bounded managers, the guard and the expiry sweep, on the Reflex app."""
    if app._state_manager is not None:
        app._state_manager = bounded(app._state_manager)
    app.add_middleware(SessionEndGuard())
    app.register_lifespan_task(sweep_ended_sessions)
