"""The two Reflex state managers this app uses (memory, Redis), bounded: a tab's tree that holds
no session lives ANONYMOUS minutes after its last event and one address holds at most
`anonymous_states_per_address` of them; trees bound to a session are indexed by its key so that
states/store.py can purge them when it ends (X2, X6)."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
import sys
import time
from typing import Any

from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import BaseState, State

from support_portal.settings import get_settings
from support_portal.states.state_tree import (
    address_of,
    session_of,
    session_state_cls,
    state_keys,
    still_bound_to,
    wipe_tree,
)

log = logging.getLogger(__name__)

EXPIRY_CHECK_SECONDS = 30.0  # how late an anonymous tree may outlive its lifetime (memory)
_PREFIX = "support_portal:"
_SESSION_TABS = _PREFIX + "session_tabs:"  # set of client tokens per session key
_BOUND_SESSIONS = _PREFIX + "bound_sessions"  # set of session keys with trees
_ANONYMOUS_TABS = _PREFIX + "anonymous_tabs:"  # sorted set per address: token -> last event


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
        session = session_of(root) if root is not None else None
        if session is None or session._session_key:
            self._forget_anonymous(token.ident)
            return
        self._token_expires_at[token.cache_key] = (time.time() + self.anonymous_expiration, token)
        self._note_anonymous(token.ident, address_of(root))

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
            if not still_bound_to(root, key):
                return
            await wipe_tree(root)
            self.states.pop(ident, None)
        self._forget_anonymous(ident)
        self._unbind(ident)

    # -- for tests and the benchmark --

    def held(self) -> tuple[int, int]:
        """(trees held, anonymous trees among them)."""
        return len(self.states), len(self._anonymous_address)


def redis_manager_cls():
    from reflex.istate.manager.redis import StateManagerRedis

    @dataclasses.dataclass
    class BoundedStateManagerRedis(StateManagerRedis):
        """Reflex's Redis manager: anonymous trees get a short TTL and a per-address cap."""

        anonymous_expiration: int = dataclasses.field(default_factory=_anonymous_seconds)
        anonymous_per_address: int = dataclasses.field(default_factory=_anonymous_cap)

        async def set_state(self, token, state, *, lock_id=None, **context) -> None:
            token = self._coerce_token(token)
            root = state._get_root_state() if isinstance(state, BaseState) else None
            session = session_of(root) if root is not None else None
            if session is None:
                await super().set_state(token, state, lock_id=lock_id, **context)
                return
            # The tree says which address bucket it sits in, so leaving it needs no lookup.
            previous = session._anonymous_address
            address = "" if session._session_key else (address_of(root) or "-")
            if previous != address:
                session._anonymous_address = address
            await super().set_state(token, state, lock_id=lock_id, **context)
            if not address and not previous:
                return  # bound to a session, and never counted as anonymous
            pipe = self.redis.pipeline(transaction=False)
            if previous and previous != address:
                pipe.zrem(_ANONYMOUS_TABS + previous, token.ident)
            if address:
                for key in state_keys(token.ident):
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
                    await self.redis.delete(*(k for v in doomed for k in state_keys(v)))

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
                if not still_bound_to(root, key):
                    return
                await wipe_tree(root)
            await self.redis.delete(*state_keys(ident))

        async def held(self) -> tuple[int, int]:
            """(trees held, anonymous trees among them), by their SessionState keys."""
            suffix = "_" + session_state_cls().get_full_name()
            total = 0
            async for _ in self.redis.scan_iter(match="*" + suffix, count=1000):
                total += 1
            anonymous = 0
            async for bucket in self.redis.scan_iter(match=_ANONYMOUS_TABS + "*", count=1000):
                anonymous += await self.redis.zcard(bucket)
            return total, anonymous

    return BoundedStateManagerRedis


def current_manager() -> Any | None:
    """The running app's bounded manager (None outside the app, e.g. in unit tests)."""
    app = getattr(sys.modules.get("support_portal.support_portal"), "app", None)
    manager = getattr(app, "_state_manager", None)
    return manager if hasattr(manager, "purge_tab") else None
