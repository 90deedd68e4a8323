"""The one live loop (states/live.py run_live): an event is handled at once, even when it
arrives while the page's safety-net check is still waiting to share its query."""

from __future__ import annotations

import asyncio

from support_portal.live.hub import LiveEvent, hub
from support_portal.states.live import LiveLoop, run_live

TOPIC = "test:live-loop"


class FakePage:
    """The hooks run_live calls, recording what happened and when."""

    def __init__(self, quiet_check_seconds: float, quiet_answer: bool = False) -> None:
        self.quiet_check_seconds = quiet_check_seconds
        self.quiet_answer = quiet_answer
        self.quiet_started = asyncio.Event()
        self.quiet_checks = 0
        self.quiet_cancelled = 0
        self.applied: list[tuple[float, list[str]]] = []
        self.done = asyncio.Event()
        self.lock = asyncio.Lock()

    async def __aenter__(self):
        await self.lock.acquire()
        return self

    async def __aexit__(self, *exc):
        self.lock.release()

    async def _live_start(self) -> LiveLoop:
        return LiveLoop(
            generation=1, path="/x", token="t", session=None, viewer=None, topics=[TOPIC],
            timeout=0.01,
        )  # fmt: skip

    async def _live_begin(self, loop) -> bool:
        return False

    async def _live_quiet_changed(self, loop) -> bool:
        self.quiet_checks += 1
        self.quiet_started.set()
        try:
            await asyncio.sleep(self.quiet_check_seconds)  # e.g. gathering with other pages
        except asyncio.CancelledError:
            self.quiet_cancelled += 1
            raise
        return self.quiet_answer

    async def _live_settle(self, events) -> None:
        pass

    async def _live_fetch(self, loop, events):
        return [e.kind for e in events]

    def _live_still_here(self, loop) -> bool:
        return True

    async def _live_apply(self, loop, data, events) -> bool:
        self.applied.append((asyncio.get_running_loop().time(), data))
        if data:  # a real event: enough for the test
            self.done.set()
            return False
        return True

    def _live_request(self, loop):
        return None

    async def _live_finish(self, loop) -> None:
        pass


async def test_an_event_during_a_slow_safety_net_check_is_handled_at_once():
    page = FakePage(quiet_check_seconds=5.0)
    task = asyncio.create_task(run_live(page))
    await asyncio.wait_for(page.quiet_started.wait(), 2)  # the page is in its quiet check
    sent = asyncio.get_running_loop().time()
    hub.deliver_local(LiveEvent(topic=TOPIC, kind="message"))
    await asyncio.wait_for(page.done.wait(), 2)
    await asyncio.wait_for(task, 2)
    at, kinds = page.applied[-1]
    assert kinds == ["message"]
    assert at - sent < 1.0  # not after the 5 s check
    assert page.quiet_cancelled == 1  # the check was dropped, not left running


async def test_a_quiet_check_that_finds_nothing_fetches_nothing():
    page = FakePage(quiet_check_seconds=0.0, quiet_answer=False)
    task = asyncio.create_task(run_live(page))
    while page.quiet_checks < 5:
        await asyncio.sleep(0.01)
    assert page.applied == []
    hub.deliver_local(LiveEvent(topic=TOPIC, kind="status"))
    await asyncio.wait_for(page.done.wait(), 2)
    await asyncio.wait_for(task, 2)
    assert page.applied[-1][1] == ["status"]


async def test_a_quiet_check_that_finds_a_change_fetches_without_events():
    page = FakePage(quiet_check_seconds=0.0, quiet_answer=True)
    task = asyncio.create_task(run_live(page))
    while len(page.applied) < 2:
        await asyncio.sleep(0.01)
    assert all(kinds == [] for _, kinds in page.applied)
    hub.deliver_local(LiveEvent(topic=TOPIC, kind="message"))
    await asyncio.wait_for(page.done.wait(), 2)
    await asyncio.wait_for(task, 2)


class BurstPage(FakePage):
    """A page that refreshes at most every `min_gap` seconds and stays open for `until`
    events."""

    def __init__(self, min_gap: float, until: int) -> None:
        super().__init__(quiet_check_seconds=0.0)
        self.min_gap, self.until = min_gap, until

    async def _live_start(self) -> LiveLoop:
        loop = await super()._live_start()
        loop.timeout, loop.min_gap = 30.0, self.min_gap
        return loop

    async def _live_apply(self, loop, data, events) -> bool:
        self.applied.append((asyncio.get_running_loop().time(), data))
        if sum(len(kinds) for _, kinds in self.applied) >= self.until:
            self.done.set()
            return False
        return True


async def test_a_burst_of_events_is_one_refresh_and_a_lone_event_is_not_held_back():
    page = BurstPage(min_gap=0.3, until=6)
    task = asyncio.create_task(run_live(page))
    await asyncio.sleep(0.05)  # subscribed
    clock = asyncio.get_running_loop().time
    first = clock()
    hub.deliver_local(LiveEvent(topic=TOPIC, kind="e0"))
    while not page.applied:
        await asyncio.sleep(0.005)
    for k in range(1, 6):  # five more within the gap
        hub.deliver_local(LiveEvent(topic=TOPIC, kind=f"e{k}"))
        await asyncio.sleep(0.02)
    await asyncio.wait_for(page.done.wait(), 3)
    await asyncio.wait_for(task, 2)
    (at0, kinds0), (at1, kinds1) = page.applied
    assert kinds0 == ["e0"] and at0 - first < 0.2  # the first at once
    assert kinds1 == ["e1", "e2", "e3", "e4", "e5"]  # the burst: one refresh
    assert at1 - at0 >= 0.3 - 0.01
