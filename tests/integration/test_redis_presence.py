"""Presence in Redis goes through the asyncio client: a slow Redis never stalls the event loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from support_portal.live import presence

pytestmark = pytest.mark.integration


def test_presence_in_redis_is_shared_and_does_not_block_the_event_loop(redis_server, monkeypatch):
    import redis

    monkeypatch.setattr(presence, "_store", presence.RedisPresence(redis_server.url))
    admin = redis.Redis.from_url(redis_server.url)

    async def scenario() -> tuple[float, int, float]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        counting = asyncio.create_task(ticker())
        await asyncio.sleep(0.05)
        ticks = 0
        admin.execute_command("CLIENT", "PAUSE", "400", "ALL")  # Redis answers nobody for 0.4 s
        started = time.monotonic()
        await presence.writing(7, key="agent:1", name="Ann Agent", kind="agent")
        waited = time.monotonic() - started
        counted = ticks
        counting.cancel()
        return waited, counted, await presence.support_writing(7)

    waited, ticks, writing_for = asyncio.run(scenario())
    assert waited >= 0.3  # the call did wait for Redis...
    assert ticks >= 10  # ...while the loop went on serving everything else
    assert 0 < writing_for <= presence.TYPING_TTL
    assert admin.hget("support_portal:presence:7", "agent:1")  # every worker sees it
    admin.delete("support_portal:presence:7")
