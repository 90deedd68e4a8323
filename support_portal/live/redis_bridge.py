"""Live updates across workers and machines: every publish goes through one Redis channel.

Each worker runs `bridge()` as a lifespan task: it subscribes to the channel and feeds what
arrives into its local hub; the hub's forwarder publishes to Redis instead of delivering
locally, so every worker (this one included) gets each event exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import asdict

from support_portal.live.hub import Hub, LiveEvent, hub

log = logging.getLogger(__name__)
CHANNEL = "support_portal:live"


def make_forwarder(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, health_check_interval=30)

    def forward(event: LiveEvent) -> None:
        client.publish(CHANNEL, json.dumps(asdict(event)))

    return forward


async def _listen(url: str, target: Hub, ready: asyncio.Event) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url, health_check_interval=30)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(CHANNEL)
        ready.set()
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                target.deliver_local(LiveEvent(**json.loads(message["data"])))
            except (TypeError, ValueError):
                log.warning("ignored a malformed live event")
    finally:
        with contextlib.suppress(Exception):
            await pubsub.aclose()
            await client.aclose()


@contextlib.asynccontextmanager
async def bridge(url: str | None = None, target: Hub = hub):
    """Subscribe first, then forward publishes; reconnects if Redis drops."""
    from support_portal.settings import get_settings

    url = url or get_settings().redis_url
    if not url:
        yield
        return
    ready = asyncio.Event()

    async def run_forever() -> None:
        while True:
            try:
                await _listen(url, target, ready)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live-update bridge lost Redis; reconnecting")
                await asyncio.sleep(1.0)

    task = asyncio.create_task(run_forever())
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ready.wait(), 10)
    target.set_forwarder(make_forwarder(url))
    try:
        yield
    finally:
        target.set_forwarder(None)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
