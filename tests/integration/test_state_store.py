"""X6 and X2 at the state manager: anonymous trees are few per address and short-lived; a
session's trees are found and purged. Both managers the app uses: memory and Redis."""

from __future__ import annotations

import asyncio
import time

import pytest
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from support_portal.states import state_managers, store
from support_portal.states.base import SessionState
from support_portal.states.ticket import TicketState

pytestmark = pytest.mark.integration

CAP = 20
FRESH = 300


async def event(manager, ident: str, address: str, *, session_key: str = "", secret: str = ""):
    """What one event does to a tab's tree: Reflex records the connection's address; a page
    load under a session binds the tree and fills it."""
    async with manager.modify_state(BaseStateToken(ident=ident, cls=State)) as root:
        root.router_data = {"ip": address, "token": ident}
        if session_key:
            session = await root.get_state(SessionState)
            session._session_key = session_key
            session.viewer_email = secret
            ticket = await root.get_state(TicketState)
            ticket.subject = secret


def test_memory_anonymous_trees_are_capped_per_address_and_short_lived():
    async def scenario():
        manager = state_managers.BoundedStateManagerMemory(
            anonymous_per_address=CAP, anonymous_expiration=600, token_expiration=3600
        )
        try:
            await event(manager, "signed-in", "10.0.0.1", session_key="k1", secret="s@x.test")
            for n in range(FRESH):
                await event(manager, f"fresh-{n}", "10.0.0.1")
            await event(manager, "elsewhere", "10.0.0.2")
            held, anonymous = manager.held()
            deadlines = {
                ident: manager._token_expires_at[ident][0] - time.time()
                for ident in ("signed-in", f"fresh-{FRESH - 1}")
            }
            survivors = {i for i in manager.states if i.startswith("fresh-")}
            return held, anonymous, deadlines, survivors, set(manager.states)
        finally:
            await manager.close()

    held, anonymous, deadlines, survivors, idents = asyncio.run(scenario())
    # 300 fresh tokens from one address leave CAP trees, the newest; others are untouched.
    assert (held, anonymous) == (CAP + 2, CAP + 1)
    assert survivors == {f"fresh-{n}" for n in range(FRESH - CAP, FRESH)}
    assert {"signed-in", "elsewhere"} <= idents
    assert 590 < deadlines[f"fresh-{FRESH - 1}"] <= 600  # anonymous: minutes
    assert 3590 < deadlines["signed-in"] <= 3600  # bound to a session: Reflex's hour


def test_memory_anonymous_trees_expire_after_their_short_lifetime():
    async def scenario():
        manager = state_managers.BoundedStateManagerMemory(
            anonymous_expiration=1, token_expiration=3600
        )
        try:
            await event(manager, "signed-in", "10.0.0.1", session_key="k1", secret="s@x.test")
            for n in range(10):
                await event(manager, f"fresh-{n}", "10.0.0.1")
            assert manager.held() == (11, 10)
            await asyncio.sleep(1.2)
            manager._purge_expired_tokens()
            return set(manager.states)
        finally:
            await manager.close()

    assert asyncio.run(scenario()) == {"signed-in"}


def test_memory_purging_a_session_removes_its_trees_and_no_other():
    async def scenario():
        manager = state_managers.BoundedStateManagerMemory()
        try:
            for ident, key in (("tab-a", "k1"), ("tab-b", "k1"), ("tab-c", "k2")):
                await event(manager, ident, "10.0.0.1", session_key=key, secret=f"{ident}@x")
                await manager.bind_session(ident, key)
            assert await manager.session_tabs("k1") == {"tab-a", "tab-b"}
            for ident in await manager.session_tabs("k1"):
                await manager.purge_tab(ident)
            await manager.forget_session("k1")
            return set(manager.states), await manager.bound_sessions()
        finally:
            await manager.close()

    idents, bound = asyncio.run(scenario())
    assert idents == {"tab-c"}
    assert bound == {"k2"}


def test_redis_anonymous_trees_are_capped_short_lived_and_sessions_purged(redis_server):
    import redis.asyncio

    async def scenario():
        cls = state_managers.redis_manager_cls()
        manager = cls(
            redis=redis.asyncio.Redis.from_url(redis_server.url),
            token_expiration=3600,
            anonymous_expiration=600,
            anonymous_per_address=CAP,
        )
        try:
            await event(manager, "signed-in", "10.0.0.1", session_key="k1", secret="s@x.test")
            await manager.bind_session("signed-in", "k1")
            for n in range(FRESH):
                await event(manager, f"fresh-{n}", "10.0.0.1")
            held, anonymous = await manager.held()
            ttl_fresh = await manager.redis.ttl(
                BaseStateToken(ident=f"fresh-{FRESH - 1}", cls=State)._state_key(SessionState)
            )
            bound_key = BaseStateToken(ident="signed-in", cls=State)._state_key(SessionState)
            ttl_bound = await manager.redis.ttl(bound_key)
            oldest = await manager.redis.exists(
                BaseStateToken(ident="fresh-0", cls=State)._state_key(SessionState)
            )
            tabs = await manager.session_tabs("k1")
            for ident in tabs:
                await manager.purge_tab(ident)
            await manager.forget_session("k1")
            after = await manager.redis.exists(bound_key)
            leftover = [k async for k in manager.redis.scan_iter(match="signed-in_*")]
            return held, anonymous, ttl_fresh, ttl_bound, oldest, tabs, after, leftover
        finally:
            await manager.redis.flushdb()
            await manager.close()

    held, anonymous, ttl_fresh, ttl_bound, oldest, tabs, after, leftover = asyncio.run(scenario())
    assert (held, anonymous) == (CAP + 1, CAP)
    assert oldest == 0
    assert 590 < ttl_fresh <= 600
    assert 3590 < ttl_bound <= 3600
    assert tabs == {"signed-in"}
    assert after == 0 and leftover == []


def test_redis_concurrent_fresh_tokens_never_cut_more_than_the_cap(redis_server):
    import redis.asyncio

    async def scenario():
        cls = state_managers.redis_manager_cls()
        manager = cls(
            redis=redis.asyncio.Redis.from_url(redis_server.url), anonymous_per_address=CAP
        )
        try:
            for start in range(0, 200, 40):
                await asyncio.gather(
                    *(event(manager, f"burst-{n}", "10.0.0.9") for n in range(start, start + 40))
                )
            return await manager.held()
        finally:
            await manager.redis.flushdb()
            await manager.close()

    assert asyncio.run(scenario()) == (CAP, CAP)


def test_the_sweep_purges_the_tabs_of_expired_and_revoked_sessions_only(
    engine, monkeypatch: pytest.MonkeyPatch
):
    from datetime import timedelta

    from sqlmodel import select

    from support_portal.db import session_scope
    from support_portal.models import AuthSession, utcnow
    from support_portal.services import sessions
    from tests.integration.conftest import make_viewer

    make_viewer(engine, name="Sam Sweep", email="sam@example.com")

    def new_session() -> str:
        with session_scope(engine) as db:
            user_id = db.exec(select(AuthSession.user_id)).first()
            ticket = sessions.create_login_ticket(db, user_id=user_id)
            return sessions.exchange_login_ticket(db, token=ticket)[0]

    live, expired, revoked = new_session(), new_session(), new_session()
    with session_scope(engine) as db:
        row = db.exec(
            select(AuthSession).where(AuthSession.token_hash == sessions.session_key(expired))
        ).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        sessions.revoke_session(db, session_token=revoked)

    async def scenario():
        manager = state_managers.BoundedStateManagerMemory()
        monkeypatch.setattr(store, "current_manager", lambda: manager)
        try:
            for ident, token in (("tab-live", live), ("tab-exp", expired), ("tab-rev", revoked)):
                key = sessions.session_key(token)
                await event(manager, ident, "10.0.0.1", session_key=key, secret=f"{ident}@x")
                await manager.bind_session(ident, key)
            ended = await store.purge_ended(await manager.bound_sessions())
            return ended, set(manager.states), await manager.bound_sessions()
        finally:
            await manager.close()

    ended, idents, bound = asyncio.run(scenario())
    assert ended == 2
    assert idents == {"tab-live"}
    assert bound == {sessions.session_key(live)}


def test_redis_a_tab_that_moved_to_another_session_survives_the_old_ones_end(
    redis_server, monkeypatch: pytest.MonkeyPatch
):
    import redis.asyncio

    async def scenario():
        cls = state_managers.redis_manager_cls()
        manager = cls(redis=redis.asyncio.Redis.from_url(redis_server.url))
        monkeypatch.setattr(store, "current_manager", lambda: manager)
        try:
            await event(manager, "tab-x", "10.0.0.1", session_key="old", secret="old@x")
            await manager.bind_session("tab-x", "old")
            await event(manager, "tab-y", "10.0.0.1", session_key="old", secret="old@y")
            await manager.bind_session("tab-y", "old")
            # tab-x logs in again: a new session, while the old one is still valid
            await event(manager, "tab-x", "10.0.0.1", session_key="new", secret="new@x")
            await manager.bind_session("tab-x", "new")
            await store.purge_session_key("old")
            kept = await manager.get_state(BaseStateToken(ident="tab-x", cls=State))
            gone = await manager.redis.exists(
                BaseStateToken(ident="tab-y", cls=State)._state_key(SessionState)
            )
            session = kept.substates[SessionState.get_name()]
            return session._session_key, session.viewer_email, gone
        finally:
            await manager.redis.flushdb()
            await manager.close()

    assert asyncio.run(scenario()) == ("new", "new@x", 0)
