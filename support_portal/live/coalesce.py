"""Many open pages woken by one event ask for the same kind of read at the same moment: answer
them together with one call instead of one call each.

`Coalescer.ask(request)` queues the request on the running event loop; a drain task waits a
moment for the other pages the same event woke, then hands every queued request to
`run_many` at once and gives each caller its own answer (`run_many` returns one answer per
request, in order). Pages that `join` a group (their ticket) and ask with it end the wait
as soon as every open page of the groups asked for has asked, so a lone page is not held back.
While a batch runs, new requests queue for the next one, so a burst never runs more than one
batch at a time per event loop. It knows nothing of what is read: the
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
    waiting: list[tuple[Req, asyncio.Future[Res]]] = field(default_factory=list)
    drain: asyncio.Task | None = None
    asked: Counter = field(default_factory=Counter)  # waiting requests per group
    complete: asyncio.Event = field(default_factory=asyncio.Event)


class Coalescer(Generic[Req, Res]):
    def __init__(
        self,
        run_many: Callable[[list[Req]], Awaitable[Sequence[Res]]],
        *,
        gather_seconds: float = 0.005,
        max_batch: int = 500,
    ) -> None:
        self._run_many = run_many
        self.gather_seconds = gather_seconds
        self.max_batch = max_batch
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
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[Res] = loop.create_future()
        queue.waiting.append((request, future))
        queue.asked[group] += 1
        if None not in queue.asked and all(
            n >= self._members.get(g, 1) for g, n in queue.asked.items()
        ):
            queue.complete.set()
        if queue.drain is None:
            queue.drain = loop.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[Req, Res]) -> None:
        try:
            with contextlib.suppress(TimeoutError):  # the other pages this event woke
                await asyncio.wait_for(queue.complete.wait(), self.gather_seconds)
            while queue.waiting:
                batch = queue.waiting[: self.max_batch]
                del queue.waiting[: self.max_batch]
                queue.asked.clear()  # what arrives while this batch runs goes into the next
                queue.complete.clear()
                batch = [(request, future) for request, future in batch if not future.done()]
                if not batch:
                    continue
                self.batches += 1
                try:
                    answers = await self._run_many([request for request, _ in batch])
                    if len(answers) != len(batch):
                        raise RuntimeError("run_many must answer every request")
                except asyncio.CancelledError:
                    for _, future in batch:
                        future.cancel()
                    raise
                except Exception as exc:  # every caller of this batch sees the failure
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), answer in zip(batch, answers, strict=True):
                    if not future.done():
                        future.set_result(answer)
        finally:
            queue.drain = None
            for _, future in queue.waiting:  # only when cancelled (the loop is shutting down)
                future.cancel()
            queue.waiting.clear()
