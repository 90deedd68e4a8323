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
import collections
import contextlib
import dataclasses
import functools
import logging
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reflex.istate.manager import StateManager
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.middleware import Middleware
from reflex.state import BaseState, State
from reflex_base import constants
from reflex_base.utils.format import format_event_handler

from support_portal.services import sessions
from support_portal.services.unit_of_work import call
from support_portal.settings import get_settings
from support_portal.web.cookies import read_session_cookie

if TYPE_CHECKING:
    from support_portal.states.base import SessionState

log = logging.getLogger(__name__)

EXPIRY_CHECK_SECONDS = 30.0  # how late an anonymous tree may outlive its lifetime (memory)
SWEEP_EVERY = 60.0  # how often ended sessions are looked for
PURGE_TIMEOUT = 10.0
_PREFIX = "support_portal:"
_SESSION_TABS = _PREFIX + "session_tabs:"  # set of client tokens per session key
_BOUND_SESSIONS = _PREFIX + "bound_sessions"  # set of session keys with trees
_ANONYMOUS_TABS = _PREFIX + "anonymous_tabs:"  # sorted set per address: token -> last event

_background: set[asyncio.Task] = set()

# One address's anonymous tokens, by last event: add or refresh this one, drop the expired, and
# cut the oldest beyond the cap in the same step (concurrent events must not cut more than
# needed). KEYS: the bucket. ARGV: token, now, lifetime, cap. Returns the tokens cut.
_TRIM_BUCKET_SCRIPT = """
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[1], ARGV[3])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if excess <= 0 then
    return {}
end
local cut = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
return cut
"""


# --- the state tree -------------------------------------------------------------------------


_root: list[type[SessionState]] = []  # set by states/base.py, which this module must not import


def set_root_state(cls: type[SessionState]) -> None:
    """The state every page's state derives from: its subtree is what can hold viewer data."""
    _root[:] = [cls]
    _subtree_classes.cache_clear()


def _session_state_cls() -> type[SessionState]:
    if not _root:
        raise RuntimeError("states.base has not registered its SessionState")
    return _root[0]


@functools.cache
def _subtree_classes() -> tuple[type[BaseState], ...]:
    """SessionState and every state under it: everything that can hold viewer data."""
    found: list[type[BaseState]] = []
    todo: list[type[BaseState]] = [_session_state_cls()]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return tuple(found)


@functools.cache
def _all_classes() -> tuple[type[BaseState], ...]:
    found: list[type[BaseState]] = []
    todo: list[type[BaseState]] = [State]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return tuple(found)


def _state_keys(ident: str) -> list[str]:
    """Every Redis key a tab's tree can be stored under."""
    token = BaseStateToken(ident=ident, cls=State)
    return [token._state_key(cls) for cls in _all_classes()]


@functools.cache
def _hydrate_events() -> frozenset[str]:
    return frozenset(
        format_event_handler(State.event_handlers[name]) for name in ("hydrate", "hydrate_and_load")
    )


def _session_of(root: BaseState) -> Any | None:
    """The tree's SessionState when it is loaded (Redis loads only what an event needs)."""
    return root.substates.get(_session_state_cls().get_name())


def _address_of(root: BaseState) -> str:
    return str((root.router_data or {}).get(constants.RouteVar.CLIENT_IP) or "")


def _still_bound_to(root: BaseState, key: str) -> bool:
    """Purging session `key`'s tabs: is this tree still of that session (or of none)? A tab that
    has since loaded another session's data is not that session's to purge."""
    session = _session_of(root)
    return not key or session is None or session._session_key in ("", key)


async def wipe_tree(root: BaseState) -> None:
    """Reset every state that can hold viewer data to its defaults (the caller holds the lock).

    Running page loops see a new generation and stop; the next page load starts from nothing.
    """
    for cls in _subtree_classes():
        await root.get_state(cls)  # Redis: load what this event did not need
    session = _session_of(root)
    if session is not None:
        session.reset()


# --- the managers ---------------------------------------------------------------------------


def _anonymous_cap() -> int:
    settings = get_settings()
    return max(1, round(settings.anonymous_states_per_address * settings.rate_limit_ip_factor))


def _anonymous_seconds() -> int:
    return max(1, round(get_settings().anonymous_state_minutes * 60))


def _session_seconds() -> int:
    settings = get_settings()
    return max(settings.session_absolute_days * 86400, settings.guest_session_absolute_hours * 3600)


@dataclasses.dataclass
class BoundedStateManagerMemory(StateManagerMemory):
    """Reflex's in-memory manager, with short-lived, capped anonymous trees and a session index."""

    anonymous_expiration: int = dataclasses.field(default_factory=_anonymous_seconds)
    anonymous_per_address: int = dataclasses.field(default_factory=_anonymous_cap)
    # address -> anonymous tokens, least recently used first
    _anonymous: dict[str, collections.OrderedDict[str, None]] = dataclasses.field(
        default_factory=dict, init=False
    )
    _anonymous_address: dict[str, str] = dataclasses.field(default_factory=dict, init=False)
    _session_tabs: dict[str, set[str]] = dataclasses.field(default_factory=dict, init=False)
    _tab_session: dict[str, str] = dataclasses.field(default_factory=dict, init=False)

    # -- expiry and the per-address cap --

    def _track_token(self, token) -> None:
        super()._track_token(token)
        if not isinstance(token, BaseStateToken):
            return
        root = self.states.get(token.cache_key)
        session = _session_of(root) if root is not None else None
        if session is None or session._session_key:
            self._forget_anonymous(token.ident)
            return
        self._token_expires_at[token.cache_key] = (time.time() + self.anonymous_expiration, token)
        self._note_anonymous(token.ident, _address_of(root))

    def _note_anonymous(self, ident: str, address: str) -> None:
        if self._anonymous_address.get(ident, address) != address:
            self._forget_anonymous(ident)
        self._anonymous_address[ident] = address
        tabs = self._anonymous.setdefault(address, collections.OrderedDict())
        tabs[ident] = None
        tabs.move_to_end(ident)
        excess = len(tabs) - self.anonymous_per_address
        if excess <= 0:
            return
        victims = []
        for other in tabs:
            if len(victims) == excess:
                break
            lock = self._states_locks.get(other)
            if other != ident and not (lock is not None and lock.locked()):
                victims.append(other)
        for other in victims:
            self._purge_token(BaseStateToken(ident=other, cls=State))

    def _forget_anonymous(self, ident: str) -> None:
        address = self._anonymous_address.pop(ident, None)
        if address is None:
            return
        tabs = self._anonymous.get(address)
        if tabs is not None:
            tabs.pop(ident, None)
            if not tabs:
                del self._anonymous[address]

    def _purge_token(self, token) -> None:
        super()._purge_token(token)
        self._forget_anonymous(token.ident)
        self._unbind(token.ident)

    async def _expire_states(self) -> None:
        """As Reflex's, but wakes at least every EXPIRY_CHECK_SECONDS: deadlines are no longer
        all the same length, so a new short one may come before the one it sleeps towards."""
        try:
            while True:
                if (next_expires_at := self._purge_expired_tokens()) is None:
                    return
                wait = min(max(0.0, next_expires_at - time.time()), EXPIRY_CHECK_SECONDS)
                await asyncio.sleep(wait)
        finally:
            if self._expiration_task is asyncio.current_task():
                self._expiration_task = None

    # -- sessions --

    def _unbind(self, ident: str) -> None:
        key = self._tab_session.pop(ident, None)
        tabs = self._session_tabs.get(key) if key else None
        if tabs is not None:
            tabs.discard(ident)
            if not tabs:
                del self._session_tabs[key]  # type: ignore[arg-type]

    async def bind_session(self, ident: str, key: str) -> None:
        self._unbind(ident)
        if key:
            self._tab_session[ident] = key
            self._session_tabs.setdefault(key, set()).add(ident)

    async def session_tabs(self, key: str) -> set[str]:
        return set(self._session_tabs.get(key, ()))

    async def bound_sessions(self) -> set[str]:
        return set(self._session_tabs)

    async def forget_session(self, key: str) -> None:
        for ident in self._session_tabs.pop(key, set()):
            self._tab_session.pop(ident, None)

    async def purge_tab(self, ident: str, key: str = "") -> None:
        async with self.modify_state(BaseStateToken(ident=ident, cls=State)) as root:
            if not _still_bound_to(root, key):
                return
            await wipe_tree(root)
            self.states.pop(ident, None)
        self._forget_anonymous(ident)
        self._unbind(ident)

    # -- for tests and the benchmark --

    def held(self) -> tuple[int, int]:
        """(trees held, anonymous trees among them)."""
        return len(self.states), len(self._anonymous_address)


def _redis_manager_cls():
    from reflex.istate.manager.redis import StateManagerRedis

    @dataclasses.dataclass
    class BoundedStateManagerRedis(StateManagerRedis):
        """Reflex's Redis manager: anonymous trees get a short TTL and a per-address cap."""

        anonymous_expiration: int = dataclasses.field(default_factory=_anonymous_seconds)
        anonymous_per_address: int = dataclasses.field(default_factory=_anonymous_cap)

        async def set_state(self, token, state, *, lock_id=None, **context) -> None:
            token = self._coerce_token(token)
            root = state._get_root_state() if isinstance(state, BaseState) else None
            session = _session_of(root) if root is not None else None
            if session is None:
                await super().set_state(token, state, lock_id=lock_id, **context)
                return
            # The tree says which address bucket it sits in, so leaving it needs no lookup.
            previous = session._anonymous_address
            address = "" if session._session_key else (_address_of(root) or "-")
            if previous != address:
                session._anonymous_address = address
            await super().set_state(token, state, lock_id=lock_id, **context)
            if not address and not previous:
                return  # bound to a session, and never counted as anonymous
            pipe = self.redis.pipeline(transaction=False)
            if previous and previous != address:
                pipe.zrem(_ANONYMOUS_TABS + previous, token.ident)
            if address:
                for key in _state_keys(token.ident):
                    pipe.expire(key, self.anonymous_expiration)
                pipe.eval(
                    _TRIM_BUCKET_SCRIPT,
                    1,
                    _ANONYMOUS_TABS + address,
                    token.ident,
                    time.time(),
                    self.anonymous_expiration,
                    self.anonymous_per_address,
                )
            results = await pipe.execute()
            if address:
                doomed = [v.decode() if isinstance(v, bytes) else v for v in results[-1]]
                if doomed:
                    await self.redis.delete(*(k for v in doomed for k in _state_keys(v)))

        async def bind_session(self, ident: str, key: str) -> None:
            if not key:
                return
            pipe = self.redis.pipeline(transaction=False)
            pipe.sadd(_SESSION_TABS + key, ident)
            pipe.expire(_SESSION_TABS + key, _session_seconds())
            pipe.sadd(_BOUND_SESSIONS, key)
            await pipe.execute()

        async def session_tabs(self, key: str) -> set[str]:
            members = await self.redis.smembers(_SESSION_TABS + key)
            return {m.decode() if isinstance(m, bytes) else m for m in members}

        async def bound_sessions(self) -> set[str]:
            members = await self.redis.smembers(_BOUND_SESSIONS)
            return {m.decode() if isinstance(m, bytes) else m for m in members}

        async def forget_session(self, key: str) -> None:
            pipe = self.redis.pipeline(transaction=False)
            pipe.delete(_SESSION_TABS + key)
            pipe.srem(_BOUND_SESSIONS, key)
            await pipe.execute()

        async def purge_tab(self, ident: str, key: str = "") -> None:
            async with self.modify_state(BaseStateToken(ident=ident, cls=State)) as root:
                if not _still_bound_to(root, key):
                    return
                await wipe_tree(root)
            await self.redis.delete(*_state_keys(ident))

        async def held(self) -> tuple[int, int]:
            """(trees held, anonymous trees among them), by their SessionState keys."""
            suffix = "_" + _session_state_cls().get_full_name()
            total = 0
            async for _ in self.redis.scan_iter(match="*" + suffix, count=1000):
                total += 1
            anonymous = 0
            async for bucket in self.redis.scan_iter(match=_ANONYMOUS_TABS + "*", count=1000):
                anonymous += await self.redis.zcard(bucket)
            return total, anonymous

    return BoundedStateManagerRedis


def bounded(manager: StateManager) -> StateManager:
    """The bounded variant of the manager Reflex created from the config."""
    if isinstance(manager, StateManagerMemory):
        return BoundedStateManagerMemory(token_expiration=manager.token_expiration)
    redis_cls = _redis_manager_cls()
    from reflex.istate.manager.redis import StateManagerRedis

    if isinstance(manager, StateManagerRedis):
        return redis_cls(
            redis=manager.redis,
            token_expiration=manager.token_expiration,
            lock_expiration=manager.lock_expiration,
            lock_warning_threshold=manager.lock_warning_threshold,
        )
    return manager  # the disk manager: not used by this app


def current_manager() -> Any | None:
    """The running app's bounded manager (None outside the app, e.g. in unit tests)."""
    app = getattr(sys.modules.get("support_portal.support_portal"), "app", None)
    manager = getattr(app, "_state_manager", None)
    return manager if hasattr(manager, "purge_tab") else None


# --- binding, purging -----------------------------------------------------------------------


async def bind(state: BaseState, session_token: str | None) -> None:
    """Remember that this tab's tree now holds data of this (valid) session."""
    key = sessions.session_key(session_token)
    session = _session_of(state._get_root_state())
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
        session = _session_of(root)
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
        session = _session_of(state)
        bound = session._session_key if session is not None else ""
        if not bound:
            return None
        cookie = read_session_cookie(session.router.headers.cookie)
        ended = sessions.session_key(cookie) != bound
        if not ended and event.name in _hydrate_events():
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
