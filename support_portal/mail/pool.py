"""Sending a claimed batch over a small pool of SMTP connections (MAIL_CONNECTIONS).

Each connection works through its own share of the batch, one email after the other. A thread
(the emails to one address about one ticket, see mail/claim.py) is never split: all its rows
go to one connection, in id order, so they arrive in the order they were queued. When one of
them is refused for now (4xx), the rest of that thread is put back untouched (released, no
attempt counted) and waits behind it; the other threads and connections carry on.

Results are written as they come: a recorder task marks rows sent (or due for a retry, or
failed) in one transaction for whatever finished in the last FLUSH_SECONDS (or sooner, once
FLUSH_ROWS are waiting), so a row is marked sent within about 20 ms plus one write of the
server's 250, not at the end of the batch, while the writes stay few (one per 1-2 emails
without the wait cost more CPU than the connections saved). The only way a row goes out twice
is a crash between that 250 and the write: the lease runs out and the row is sent again with
the same Message-ID (R2, R3).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage

from support_portal.mail.smtp import Mailer, PermanentError, TransientError
from support_portal.settings import Settings


@dataclass
class Claimed:
    id: int
    message: EmailMessage | None
    error: str | None = None
    thread: tuple[str, int | None] = ("", None)


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)
    retry: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    released: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sent) + len(self.retry) + len(self.failed) + len(self.released)

    def merge(self, other: Outcome) -> None:
        self.sent.extend(other.sent)
        self.retry.update(other.retry)
        self.failed.update(other.failed)
        self.released.extend(other.released)


Writer = Callable[[Outcome], None]
FLUSH_SECONDS = 0.02
FLUSH_ROWS = 50


class Recorder:
    """Collects results from every connection; one writer in a thread writes them as they come."""

    def __init__(self, write: Writer) -> None:
        self.write = write
        self.total = Outcome()
        self._pending = Outcome()
        self._wake = asyncio.Event()
        self._urgent = asyncio.Event()  # enough rows waiting, or the batch is done
        self._done = False
        self.broken = False

    def sent(self, row_id: int) -> None:
        self._pending.sent.append(row_id)
        self._woken()

    def retry(self, row_id: int, error: str) -> None:
        self._pending.retry[row_id] = error
        self._woken()

    def failed(self, row_id: int, error: str) -> None:
        self._pending.failed[row_id] = error
        self._woken()

    def release(self, row_id: int) -> None:
        self._pending.released.append(row_id)
        self._woken()

    def _woken(self) -> None:
        self._wake.set()
        if len(self._pending) >= FLUSH_ROWS:
            self._urgent.set()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            if not (self._urgent.is_set() or self._done):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._urgent.wait(), FLUSH_SECONDS)
            self._wake.clear()
            self._urgent.clear()
            batch, self._pending = self._pending, Outcome()
            if batch:
                try:
                    await asyncio.to_thread(self.write, batch)
                except BaseException:
                    self.broken = True
                    raise
                self.total.merge(batch)
            if self._done and not self._pending:
                return

    def finish(self) -> None:
        self._done = True
        self._wake.set()
        self._urgent.set()


class MailerPool:
    """`size` reusable connections (each reconnects when it drops), opened as they are needed."""

    def __init__(self, mailers: Iterable[Mailer]) -> None:
        self.mailers = list(mailers)
        if not self.mailers:
            raise ValueError("a mailer pool needs at least one connection")

    @classmethod
    def of(cls, settings: Settings, size: int) -> MailerPool:
        return cls(Mailer(settings) for _ in range(max(1, size)))

    @property
    def connections_opened(self) -> int:
        return sum(getattr(m, "connections_opened", 0) for m in self.mailers)

    async def close(self) -> None:
        await asyncio.gather(*(m.close() for m in self.mailers))

    def shares(self, batch: list[Claimed]) -> list[list[Claimed]]:
        """Whole threads, dealt round-robin in order of first appearance; id order inside."""
        shares: list[list[Claimed]] = [[] for _ in self.mailers]
        seat: dict[tuple[str, int | None], int] = {}
        for item in sorted(batch, key=lambda c: c.id):
            n = seat.setdefault(item.thread, len(seat) % len(shares))
            shares[n].append(item)
        return shares

    async def deliver(self, batch: list[Claimed], write: Writer) -> Outcome:
        recorder = Recorder(write)
        writer = asyncio.create_task(recorder.run())
        try:
            async with asyncio.TaskGroup() as senders:
                for mailer, share in zip(self.mailers, self.shares(batch), strict=True):
                    if share:
                        senders.create_task(_send_share(mailer, share, recorder))
        finally:
            recorder.finish()  # what was sent before a failure is still marked sent
            await writer
        return recorder.total


async def _send_share(mailer: Mailer, share: list[Claimed], recorder: Recorder) -> None:
    down: str | None = None
    stalled: set[tuple[str, int | None]] = set()
    for item in share:
        if recorder.broken:
            return  # results can no longer be written: send nothing more (the lease expires)
        if item.message is None:
            recorder.failed(item.id, item.error or "render failed")
        elif item.thread in stalled:
            recorder.release(item.id)  # behind a sibling that waits for its retry
        elif down is not None:  # do not hammer a server that just refused us
            recorder.retry(item.id, down)
            stalled.add(item.thread)
        else:
            try:
                await mailer.send(item.message)
            except PermanentError as exc:
                recorder.failed(item.id, str(exc))
            except TransientError as exc:
                recorder.retry(item.id, str(exc))
                stalled.add(item.thread)
                if not mailer.connected:
                    down = str(exc)
            else:
                recorder.sent(item.id)
