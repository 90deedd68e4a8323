"""Who is viewing or writing on a ticket, for "Support is writing a reply…" and collision warnings.

Entries expire on their own (a short TTL refreshed while the page is open or the agent types).
The in-process store is the default; with REDIS_URL every worker shares a Redis hash per ticket,
read and written through the asyncio Redis client (the functions here are coroutines).

A writing spell is public (a reply the customer will read) or internal (a note): the flag belongs
to the spell, so the viewing heartbeat keeps it as it is, and only public agent spells ever count
for the customer's "Support is writing a reply…" (X10).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass

VIEW_TTL = 30.0
TYPING_TTL = 6.0


@dataclass(frozen=True)
class Presence:
    key: str  # who: "agent:12", "customer:5", "guest:<email>"
    name: str
    kind: str  # "agent" | "customer"
    writing_until: float
    seen_until: float
    internal: bool = False  # the writing spell is an internal note, never shown to customers

    def writing(self, now: float) -> bool:
        return self.writing_until > now

    def active(self, now: float) -> bool:
        return self.seen_until > now or self.writing(now)

    def writing_publicly(self, now: float) -> bool:
        """An agent writing something the customer will read."""
        return self.kind == "agent" and not self.internal and self.writing(now)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Presence:
        data = json.loads(raw)
        if data.get("kind") == "agent_note":  # entries written before the `internal` flag
            data["kind"], data["internal"] = "agent", True
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class MemoryPresence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[int, dict[str, Presence]] = {}

    async def put(self, ticket_id: int, entry: Presence) -> None:
        with self._lock:
            self._tickets.setdefault(ticket_id, {})[entry.key] = entry

    async def get(self, ticket_id: int, key: str) -> Presence | None:
        with self._lock:
            return self._tickets.get(ticket_id, {}).get(key)

    async def remove(self, ticket_id: int, key: str) -> None:
        with self._lock:
            entries = self._tickets.get(ticket_id)
            if entries is not None:
                entries.pop(key, None)
                if not entries:
                    del self._tickets[ticket_id]

    async def all(self, ticket_id: int) -> list[Presence]:
        now = time.time()
        with self._lock:
            entries = self._tickets.get(ticket_id, {})
            for key in [k for k, e in entries.items() if not e.active(now)]:
                del entries[key]
            return list(entries.values())


class RedisPresence:
    """A Redis hash per ticket, through the asyncio client: no call blocks the event loop.

    The client's connection pool belongs to the event loop that first used it, so one client
    is kept per loop (the app has one; tests may run several)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._clients: dict[int, object] = {}

    def _redis(self):
        import asyncio

        import redis.asyncio as aioredis

        loop = asyncio.get_running_loop()
        client = self._clients.get(id(loop))
        if client is None:
            client = aioredis.Redis.from_url(self._url, socket_timeout=2)
            self._clients[id(loop)] = client
        return client

    @staticmethod
    def _key(ticket_id: int) -> str:
        return f"support_portal:presence:{ticket_id}"

    async def put(self, ticket_id: int, entry: Presence) -> None:
        async with self._redis().pipeline() as pipe:
            pipe.hset(self._key(ticket_id), entry.key, json.dumps(asdict(entry)))
            pipe.expire(self._key(ticket_id), int(VIEW_TTL * 2))
            await pipe.execute()

    async def get(self, ticket_id: int, key: str) -> Presence | None:
        raw = await self._redis().hget(self._key(ticket_id), key)
        return Presence.from_json(raw) if raw else None

    async def remove(self, ticket_id: int, key: str) -> None:
        await self._redis().hdel(self._key(ticket_id), key)

    async def all(self, ticket_id: int) -> list[Presence]:
        now = time.time()
        values = await self._redis().hvals(self._key(ticket_id))
        entries = [Presence.from_json(v) for v in values]
        stale = [e.key for e in entries if not e.active(now)]
        if stale:
            await self._redis().hdel(self._key(ticket_id), *stale)
        return [e for e in entries if e.active(now)]


_store: MemoryPresence | RedisPresence | None = None


def store() -> MemoryPresence | RedisPresence:
    global _store
    if _store is None:
        from support_portal.settings import get_settings

        url = get_settings().redis_url
        _store = RedisPresence(url) if url else MemoryPresence()
    return _store


async def seen(ticket_id: int, *, key: str, name: str, kind: str) -> None:
    """The page is open (refresh at least every VIEW_TTL seconds). A writing spell keeps its
    end and whether it is internal: viewing never turns a note into a public reply."""
    current = await store().get(ticket_id, key)
    await store().put(
        ticket_id,
        Presence(
            key=key,
            name=name,
            kind=kind,
            writing_until=current.writing_until if current else 0.0,
            seen_until=time.time() + VIEW_TTL,
            internal=current.internal if current else False,
        ),
    )


async def writing(
    ticket_id: int, *, key: str, name: str, kind: str, internal: bool = False
) -> bool:
    """A keystroke in the composer (`internal`: in an internal note). True when this starts a
    writing spell, or turns a note into a reply or back (worth announcing)."""
    now = time.time()
    current = await store().get(ticket_id, key)
    was_writing = current is not None and current.writing(now) and current.internal == internal
    await store().put(
        ticket_id,
        Presence(
            key=key,
            name=name,
            kind=kind,
            writing_until=now + TYPING_TTL,
            seen_until=now + VIEW_TTL,
            internal=internal,
        ),
    )
    return not was_writing


async def stopped_writing(ticket_id: int, *, key: str) -> bool:
    """The spell ends (a message was sent, or the composer switched mode). True when a writing
    spell was running (worth announcing)."""
    current = await store().get(ticket_id, key)
    if current is None or current.writing_until == 0.0:
        return False
    await store().put(
        ticket_id,
        Presence(
            key=current.key,
            name=current.name,
            kind=current.kind,
            writing_until=0.0,
            seen_until=current.seen_until,
        ),
    )
    return current.writing(time.time())


async def left(ticket_id: int, *, key: str) -> None:
    await store().remove(ticket_id, key)


async def others(ticket_id: int, *, key: str) -> list[Presence]:
    return [e for e in await store().all(ticket_id) if e.key != key]


async def support_writing(ticket_id: int) -> float:
    """Seconds until the latest public agent typing spell ends (0 when no agent is writing a
    reply). Internal notes never count: this is what the customer's page shows (X10)."""
    now = time.time()
    until = max(
        (e.writing_until for e in await store().all(ticket_id) if e.writing_publicly(now)),
        default=0.0,
    )
    return max(0.0, until - now)
