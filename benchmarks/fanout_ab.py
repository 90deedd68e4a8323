"""Fan-out, old and new code interleaved: one ticket open in 200 tabs on each of two apps.

`live_latency.py --phases baseline,hub` measures the two checkouts one after the other, so a
change in the machine's load between the phases (other jobs share the two cores) moves one
side and not the other. Here both apps run at once, each with its own SQLite database, its 200
viewers of one ticket and one agent tab, and the replies alternate between them (old, new,
new, old, ...; `gap` seconds apart, so only one app is busy at a time): both sides see the
same load. Per side: the time until all viewers have a reply (p50 / max), per-viewer latency,
and the app's CPU time per reply.

Run (not part of the test suite; about 3 minutes):
    git worktree add /tmp/old <commit>
    python benchmarks/fanout_ab.py --baseline /tmp/old --json /tmp/fanout.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.live_latency import (  # noqa: E402
    _RUNNING,
    Agent,
    AppServer,
    LoopLag,
    Sent,
    app_env,
    close_tabs,
    drain,
    free_port,
    git_head,
    latencies,
    loadavg,
    machine,
    migrate,
    open_tabs,
    pct,
    seed,
    state_names,
    summary,
)


class Side:
    def __init__(self, label: str, root: Path, data: Path, viewers: int) -> None:
        self.label, self.root = label, root
        data.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{data / 'live.db'}"
        port = free_port()
        env = app_env(self.db_url, "127.0.0.1", port, data)
        migrate(env)
        self.seeded = seed(self.db_url, customers=0, agents=1, fanout=viewers, long_tickets=False)
        self.app = AppServer(label, env, "127.0.0.1", port, data / "app.log", root=root)
        self.sent: list[Sent] = []
        self.cpu = 0.0
        self.loads: list[str] = []

    async def open(self, http, names) -> None:
        number = self.seeded.fanout_number
        self.tabs, self.failed = await open_tabs(
            http, self.app.url, [(number, s) for s in self.seeded.fanout_sessions], names[0]
        )
        self.agent = Agent(http, self.app.url, self.seeded.agents[0], names)
        await self.agent.show(number)

    async def send_one(self) -> None:
        self.loads.append(loadavg().split()[0])
        item = Sent(
            token=f"LB{uuid.uuid4().hex[:16]}", number=self.seeded.fanout_number, scheduled=0
        )
        before = self.app.cpu_seconds()
        item.started = time.time()
        await self.agent.send(item.token)
        item.posted = time.time()
        self.sent.append(item)
        await drain({item.number: self.tabs}, [item], limit=10)
        self.cpu += self.app.cpu_seconds() - before

    def result(self) -> dict:
        number = self.seeded.fanout_number
        values, expected, missing, committed = latencies(
            self.db_url, {number: self.tabs}, self.sent
        )
        out: dict = {"viewers": len(self.tabs), "connect_failed": self.failed, **summary(values)}
        out["expected"], out["missing"] = expected, missing
        all_have = []
        for item in self.sent:
            arrivals = [t.seen.get(item.token) for t in self.tabs]
            if item.token in committed and all(arrivals):
                all_have.append((max(arrivals) - committed[item.token]) * 1000)  # type: ignore[type-var]
        out["all_have_ms"] = [round(v) for v in all_have]
        out["all_have_p50_ms"] = round(pct(all_have, 50), 1)
        out["all_have_max_ms"] = round(max(all_have), 1) if all_have else None
        out["server_cpu_ms_per_reply"] = round(self.cpu * 1000 / max(1, len(self.sent)))
        out["load_1min_at_each_reply"] = self.loads
        return out


async def run(args) -> dict:
    from benchmarks.live_latency import http_session

    names = state_names()
    workdir = Path(tempfile.mkdtemp(prefix="fanout-ab-"))
    results: dict = {"machine": machine(), "commit": git_head(), "load_at_start": loadavg()}
    try:
        old = Side("old", Path(args.baseline).resolve(), workdir / "old", args.viewers)
        new = Side("new", ROOT, workdir / "new", args.viewers)
        for side in (old, new):
            side.app.start()
        async with http_session() as http:
            for side in (old, new):
                await side.open(http, names)
            await asyncio.sleep(2)
            with LoopLag() as lag:
                for k in range(args.messages):
                    for side in (old, new) if k % 2 == 0 else (new, old):
                        await side.send_one()
                        await asyncio.sleep(args.gap)
            results["client_loop_lag_p99_ms"] = round(pct(lag.samples, 99), 1)
            results["old"], results["new"] = old.result(), new.result()
            for side in (old, new):
                await side.agent.tab.close()
                await close_tabs(side.tabs)
    finally:
        while _RUNNING:
            _RUNNING.pop().stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["load_at_end"] = loadavg()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", required=True, help="the old checkout")
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=15, help="replies per side")
    parser.add_argument("--gap", type=float, default=1.5, help="seconds between replies")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    print(f"load {results['load_at_start']} -> {results['load_at_end']}")
    print("| code | all have it: p50 / max ms | per viewer p50 / p99 ms | server CPU per reply |")
    print("|---|---:|---:|---:|")
    for label in ("old", "new"):
        r = results[label]
        print(
            f"| {label} | {r['all_have_p50_ms']} / {r['all_have_max_ms']} | {r['p50_ms']} / "
            f"{r['p99_ms']} | {r['server_cpu_ms_per_reply']} ms | "
            f"{r['expected'] - r['missing']}/{r['expected']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
