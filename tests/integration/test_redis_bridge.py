"""Live events cross workers through Redis: each worker's hub gets every event exactly once."""

from __future__ import annotations

import asyncio

import pytest

from support_portal.live.hub import Hub, LiveEvent
from support_portal.live.redis_bridge import bridge

pytestmark = pytest.mark.integration


def test_an_event_published_on_one_worker_reaches_subscribers_on_another(redis_server):
    async def scenario() -> tuple[list[LiveEvent], list[LiveEvent]]:
        worker_a, worker_b = Hub(), Hub()
        async with bridge(redis_server.url, worker_a), bridge(redis_server.url, worker_b):
            with worker_a.subscribe("ticket:7") as on_a, worker_b.subscribe("ticket:7") as on_b:
                worker_a.publish(
                    LiveEvent(topic="ticket:7", kind="message", ticket_id=7, message_id=1)
                )
                worker_a.publish(LiveEvent(topic="ticket:8", kind="message", ticket_id=8))
                got_a = await on_a.wait(5)
                got_b = await on_b.wait(5)
                await asyncio.sleep(0.2)  # nothing else (no duplicate) arrives
                got_a += await on_a.wait(0.01)
                got_b += await on_b.wait(0.01)
        return got_a, got_b

    got_a, got_b = asyncio.run(scenario())
    expected = [LiveEvent(topic="ticket:7", kind="message", ticket_id=7, message_id=1)]
    assert got_a == expected
    assert got_b == expected


def test_without_redis_the_hub_delivers_in_process():
    async def scenario() -> list[LiveEvent]:
        hub = Hub()
        async with bridge(None, hub):
            with hub.subscribe("user:1") as sub:
                hub.publish(LiveEvent(topic="user:1", kind="notification", user_id=1))
                return await sub.wait(1)

    assert asyncio.run(scenario()) == [LiveEvent(topic="user:1", kind="notification", user_id=1)]
