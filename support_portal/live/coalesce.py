"""Many open pages woken by one event ask for the same kind of read at the same moment: answer
them together with one call instead of one call each.

`Coalescer.ask(request)` queues the request on the running event loop; a drain task waits a
moment for the other pages the same event woke, then hands every queued request to
`run_many` at once and gives each caller its own answer (`run_many` returns one answer per
request, in order). While a batch runs, new requests queue for the next one, so a burst never
runs more than one batch at a time per event loop. It knows nothing of what is read: the
caller's `run_many` keeps each answer to what that request's viewer may see.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")


@dataclass
class _Queue(Generic[Req, Res]):
    waiting: list[tuple[Req, asyncio.Future[Res]]] = field(default_factory=list)
    drain: asyncio.Task | None = None


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

    async def ask(self, request: Req) -> Res:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[Res] = loop.create_future()
        queue.waiting.append((request, future))
        if queue.drain is None:
            queue.drain = loop.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[Req, Res]) -> None:
        try:
            await asyncio.sleep(self.gather_seconds)  # the other pages this event woke
            while queue.waiting:
                batch = queue.waiting[: self.max_batch]
                del queue.waiting[: self.max_batch]
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
