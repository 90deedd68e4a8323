"""An in-process publish/subscribe hub for live updates.

Events are tiny ("ticket 42 changed"); every subscriber re-reads what it may see, so the hub
never carries data a viewer should not have (A4, A5). `publish` is thread-safe: services run in
worker threads and publish after their transaction commits. With REDIS_URL set, a bridge
(`live.redis_bridge`) forwards every publish through Redis so all workers see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveEvent:
    topic: str
    kind: str
    ticket_id: int | None = None
    message_id: int | None = None
    user_id: int | None = None


@dataclass(eq=False)
class Subscription:
    topics: frozenset[str]
    loop: asyncio.AbstractEventLoop
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    events: list[LiveEvent] = field(default_factory=list)

    def _deliver(self, event: LiveEvent) -> None:
        if len(self.events) < 1000:
            self.events.append(event)
        self.wakeup.set()

    async def wait(self, timeout: float) -> list[LiveEvent]:
        """Wait for events (or the timeout); returns and clears what arrived."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wakeup.wait(), timeout)
        return self.take()

    def take(self) -> list[LiveEvent]:
        """What arrived so far (possibly nothing), cleared."""
        self.wakeup.clear()
        events, self.events = self.events, []
        return events


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._forwarder: Callable[[LiveEvent], None] | None = None

    def set_forwarder(self, forwarder: Callable[[LiveEvent], None] | None) -> None:
        """Send publishes elsewhere (Redis) instead of delivering them locally."""
        self._forwarder = forwarder

    def publish(self, event: LiveEvent) -> None:
        if self._forwarder is not None:
            try:
                self._forwarder(event)
                return
            except Exception:  # Redis down: at least this worker's viewers get it
                log.exception("live-update forwarder failed; delivering locally")
        self.deliver_local(event)

    def deliver_local(self, event: LiveEvent) -> None:
        with self._lock:
            subs = list(self._subs.get(event.topic, ()))
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub._deliver, event)
            except RuntimeError:  # loop closed
                self._remove(sub)

    @contextlib.contextmanager
    def subscribe(self, *topics: str) -> Iterator[Subscription]:
        sub = Subscription(topics=frozenset(topics), loop=asyncio.get_running_loop())
        with self._lock:
            for topic in sub.topics:
                self._subs[topic].add(sub)
        try:
            yield sub
        finally:
            self._remove(sub)

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            for topic in sub.topics:
                subs = self._subs.get(topic)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[topic]

    def subscriber_count(self) -> int:
        with self._lock:
            return len({sub for subs in self._subs.values() for sub in subs})


hub = Hub()


def ticket_topic(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def user_topic(user_id: int) -> str:
    return f"user:{user_id}"


def guest_topic(email: str) -> str:
    return f"guest:{email}"


AGENTS_TOPIC = "agents"
