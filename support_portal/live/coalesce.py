"""Many open pages woken by one event ask for the same kind of read at the same moment: answer
them together with one call instead of one call each.

`Coalescer.ask(request)` queues the request on the running event loop; a drain task waits a
moment for the other pages the same event woke, then hands every queued request to
`run_many` at once and gives each caller its own answer (`run_many` returns one answer per
request, in order). Pages that `join` a group (their ticket) and ask with it end the wait
as soon as every open page of the groups asked for has asked, so a lone page is not held back.
Up to `max_in_flight` batches run at once; past that, requests gather into the batch that waits
for the next free slot. It knows nothing of what is read: the
caller's `run_many` keeps each answer to what that request's viewer may see.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")


@dataclass
class _Queue(Generic[Req, Res]):
    slots: asyncio.Semaphore  # batches running at once
    waiting: list[tuple[Req, asyncio.Future[Res]]] = field(default_factory=list)
    gathering: asyncio.Task | None = None  # the drain task that will take the waiting requests
    asked: Counter = field(default_factory=Counter)  # waiting requests per group
    complete: asyncio.Event = field(default_factory=asyncio.Event)


class Coalescer(Generic[Req, Res]):
    def __init__(
        self,
        run_many: Callable[[list[Req]], Awaitable[Sequence[Res]]],
        *,
        gather_seconds: float = 0.005,
        max_batch: int = 500,
        max_in_flight: int = 4,
    ) -> None:
        self._run_many = run_many
        self.gather_seconds = gather_seconds
        self.max_batch = max_batch
        self.max_in_flight = max_in_flight
        self.batches = 0  # how many times run_many ran (tests, benchmarks)
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[Req, Res]] = (
            weakref.WeakKeyDictionary()
        )
        self._members: Counter = Counter()  # open pages per group in this process

    def join(self, group: Hashable) -> None:
        """A page that will ask with `group` (e.g. its ticket) is open: once every open page
        of the groups asked for has asked, the batch need not wait any longer."""
        self._members[group] += 1

    def leave(self, group: Hashable) -> None:
        self._members[group] -= 1
        if self._members[group] <= 0:
            del self._members[group]

    async def ask(self, request: Req, group: Hashable | None = None) -> Res:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue(slots=asyncio.Semaphore(self.max_in_flight))
        future: asyncio.Future[Res] = loop.create_future()
        queue.waiting.append((request, future))
        queue.asked[group] += 1
        if None not in queue.asked and all(
            n >= self._members.get(g, 1) for g, n in queue.asked.items()
        ):
            queue.complete.set()
        if queue.gathering is None:
            queue.gathering = loop.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[Req, Res]) -> None:
        """Gather one batch, wait for a free slot (requests keep joining meanwhile), take the
        batch and answer it. Taking it lets the next request start the next batch, so one slow
        batch (a database lock) does not hold back the pages of other events."""
        me = asyncio.current_task()
        batch: list[tuple[Req, asyncio.Future[Res]]] = []
        try:
            with contextlib.suppress(TimeoutError):  # the other pages this event woke
                await asyncio.wait_for(queue.complete.wait(), self.gather_seconds)
            async with queue.slots:
                batch = [(r, f) for r, f in queue.waiting[: self.max_batch] if not f.done()]
                del queue.waiting[: self.max_batch]
                queue.asked.clear()
                queue.complete.clear()
                queue.gathering = None
                if queue.waiting:  # more than one batch's worth
                    queue.gathering = asyncio.get_running_loop().create_task(self._drain(queue))
                if not batch:
                    return
                self.batches += 1
                try:
                    answers = await self._run_many([request for request, _ in batch])
                    if len(answers) != len(batch):
                        raise RuntimeError("run_many must answer every request")
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # every caller of this batch sees the failure
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    return
                for (_, future), answer in zip(batch, answers, strict=True):
                    if not future.done():
                        future.set_result(answer)
        except asyncio.CancelledError:  # the loop is shutting down
            for _, future in batch:
                future.cancel()
            if queue.gathering is me:
                queue.gathering = None
                for _, future in queue.waiting:
                    future.cancel()
                queue.waiting.clear()
                queue.asked.clear()
            raise
