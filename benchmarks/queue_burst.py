"""The agents' queue under a burst: N agents with /admin open while tickets arrive at a rate.

Starts the app (granian serving the Reflex backend, as `live_latency.py` does) on a fresh SQLite
database, seeds a backlog of tickets and N agents with sessions, opens one Socket.IO client per
agent that boots /admin the way a browser tab does (AgentQueueState.load, then its live loop),
and creates tickets through the REST API (`POST /api/v1/tickets`, a guest's ticket, one unique
token in each subject) at a fixed rate for a while. New tickets are unassigned, so each one
lands at the top of every agent's default view ("unassigned", newest activity first).

A delivery's latency is the time an agent's websocket delivered the first frame carrying the
ticket's token minus the ticket's `created_at` in the database (one machine, one clock).
Also reported: when every agent has a ticket, how many queue refreshes each agent's page got
per second (a burst should be coalesced, not replayed ticket by ticket), the app's CPU and RSS,
and the API's own response times.

Phases: `current` (this checkout) and `baseline` (the app served from another checkout, e.g.
a `git worktree` of the previous commit): both in one run, side by side.

    python benchmarks/queue_burst.py --json /tmp/burst.json
    python benchmarks/queue_burst.py --phases baseline,current --baseline ../old
    python benchmarks/queue_burst.py --agents 20 --seconds 10      # a quick look
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import live_latency as live  # noqa: E402  (sets the benchmark's env first)

QUERY_ROWS = "rows_rx_state_"


def queue_state() -> str:
    from support_portal.states.agent_queue import AgentQueueState

    return AgentQueueState.get_full_name()


class QueueTab(live.Tab):
    """An agent's tab on /admin: records frames (tokens) and counts the queue's refreshes."""

    def __init__(self, http, url: str, session: str, state: str):
        super().__init__(http, url, session, state)
        self.refreshes = 0

    async def _on_event(self, data) -> None:
        delta = data.get("delta") if isinstance(data, dict) else None
        if delta and self.conv_state in delta:
            part = delta[self.conv_state]
            if QUERY_ROWS in part and self.conv.get("loaded_rx_state_"):
                self.refreshes += 1
            self.conv.update(part)
            self.changed.set()

    def showing(self, number: int) -> bool:
        return self.conv.get("loaded_rx_state_") is True and QUERY_ROWS in self.conv

    async def open(self, path: str, number: int = 0, timeout: float = 120) -> None:
        boot = {
            "name": live.boot_events()[0],
            "payload": {},
            "router_data": {"pathname": path, "asPath": path, "query": {}},
        }
        await self.sio.connect(
            f"{self.url}?token={self.token}",
            socketio_path=live.NAMESPACE,
            namespaces=[live.NAMESPACE],
            transports=["websocket"],
            headers={"Origin": self.url},
            auth={"event": boot},
            wait_timeout=timeout,
        )
        self.sio.eio.ws.sink = self._on_frame
        await self.wait_showing(0, timeout)


@dataclass
class Created:
    token: str
    scheduled: float
    started: float = 0.0
    answered: float = 0.0
    status: int = 0
    error: str = ""


def api_secret(db_url: str) -> str:
    """A write token for the first agent (the administrator's command line does the same)."""
    from sqlmodel import select

    from support_portal.db import make_engine, session_scope
    from support_portal.models import Role, User
    from support_portal.services import api_tokens

    engine = make_engine(db_url)
    try:
        with session_scope(engine) as db:
            agent = db.exec(select(User).where(User.role == Role.agent).order_by(User.id)).first()
            made = api_tokens.create_token_for_email(
                db, email=agent.email, name="burst", scopes=["read", "write"], days=1
            )
            return made.secret
    finally:
        engine.dispose()


def created_times(db_url: str, tokens: list[str]) -> dict[str, float]:
    from datetime import UTC

    from sqlmodel import col, select

    from support_portal.db import make_engine, session_scope
    from support_portal.models import Ticket

    engine = make_engine(db_url)
    found: dict[str, float] = {}
    try:
        with session_scope(engine) as db:
            subjects = [f"Burst {t}" for t in tokens]
            for start in range(0, len(subjects), 500):
                rows = db.exec(
                    select(Ticket.subject, Ticket.created_at).where(
                        col(Ticket.subject).in_(subjects[start : start + 500])
                    )
                ).all()
                for subject, created in rows:
                    if created.tzinfo is None:
                        created = created.replace(tzinfo=UTC)
                    found[subject.removeprefix("Burst ")] = created.timestamp()
    finally:
        engine.dispose()
    return found


async def write_tickets(http, url: str, secret: str, *, rate: float, seconds: float) -> list:
    """`rate` tickets per second for `seconds`, each request started on schedule."""
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    made: list[Created] = []
    tasks = []

    async def one(item: Created) -> None:
        body = {
            "email": "burst-guest@bench.test",
            "name": "Burst Guest",
            "subject": f"Burst {item.token}",
            "category": "other",
            "description": "Card payment declined twice, please help.",
        }
        item.started = time.time()
        try:
            async with http.post(f"{url}/api/v1/tickets", json=body, headers=headers) as response:
                item.status = response.status
                await response.read()
        except Exception as exc:
            item.error = repr(exc)[:200]
        item.answered = time.time()

    start = time.time()
    for i in range(int(rate * seconds)):
        item = Created(token=f"LB{uuid.uuid4().hex[:16]}", scheduled=start + i / rate)
        delay = item.scheduled - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        made.append(item)
        tasks.append(asyncio.create_task(one(item)))
    await asyncio.gather(*tasks)
    return made


async def drain(tabs: list[QueueTab], tokens: list[str], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(t in tab.seen for tab in tabs for t in tokens):
            return
        await asyncio.sleep(0.2)


async def run_phase(name: str, args, workdir: Path) -> dict:
    data = workdir / name
    data.mkdir(parents=True)
    if args.backend == "postgres":
        from tests.backends import Postgres

        pg = Postgres()
        live._RUNNING.append(pg)
        pg.start()
        db_url = pg.create_database(f"burst_{name}")
    else:
        pg = None
        db_url = f"sqlite:///{data / 'burst.db'}"
    port = live.free_port()
    env = live.app_env(db_url, "127.0.0.1", port, data)
    env["API_RATE_LIMIT_PER_MINUTE"] = str(int(args.rate * 60 * 10))
    live.migrate(env)
    out: dict = {"phase": name, "backend": args.backend}
    t0 = time.monotonic()
    seeded = live.seed(
        db_url, customers=args.backlog, agents=args.agents, fanout=0, long_tickets=False
    )
    secret = api_secret(db_url)
    out["seed_s"] = round(time.monotonic() - t0, 1)
    root = Path(args.baseline).resolve() if name == "baseline" else live.ROOT
    app = live.AppServer(name, env, "127.0.0.1", port, data / "app.log", root=root)
    state = queue_state()
    try:
        app.start()
        async with live.http_session() as http:
            gate = asyncio.Semaphore(20)
            tabs: list[QueueTab] = []
            failed = 0

            async def open_one(session: str) -> None:
                nonlocal failed
                tab = QueueTab(http, app.url, session, state)
                async with gate:
                    try:
                        await tab.open("/admin")
                        tabs.append(tab)
                    except Exception:
                        failed += 1
                        await tab.close()

            started = time.monotonic()
            await asyncio.gather(*(open_one(s) for s in seeded.agents))
            out["agents"], out["open_failed"] = len(tabs), failed
            out["open_s"] = round(time.monotonic() - started, 1)
            await asyncio.sleep(3)  # let the boot's own refreshes settle
            for tab in tabs:
                tab.refreshes = 0
            out["load_before"] = live.loadavg()
            rss0, cpu0, wall0 = app.rss(), app.cpu_seconds(), time.monotonic()
            with live.LoopLag() as lag, app.profiled(args.profile and args.profile / f"{name}.txt"):
                made = await write_tickets(
                    http, app.url, secret, rate=args.rate, seconds=args.seconds
                )
                writing = time.monotonic() - wall0
                cpu_writing = app.cpu_seconds() - cpu0
                ok = [m.token for m in made if m.status == 201]
                await drain(tabs, ok, limit=20)
            out["load_after"] = live.loadavg()
            out["cpu_pct_while_writing"] = round(cpu_writing / writing * 100, 1)
            out["rss_mb"] = round(app.rss() / 2**20, 1)
            out["rss_growth_mb"] = round((app.rss() - rss0) / 2**20, 1)
            out["client_loop_lag_p99_ms"] = round(live.pct(lag.samples, 99), 1)
            out["created"], out["api_errors"] = len(ok), len(made) - len(ok)
            out["api_error_sample"] = next(
                (f"{m.status} {m.error}" for m in made if m.status != 201), ""
            )
            answers = [(m.answered - m.started) * 1000 for m in made if m.status == 201]
            out["api_p50_ms"] = round(live.pct(answers, 50), 1)
            out["api_p99_ms"] = round(live.pct(answers, 99), 1)
            committed = created_times(db_url, ok)
            answered = {m.token: m.answered for m in made}
            values, every, missing, after_answer, every_after = [], [], 0, [], []
            for token in ok:
                if token not in committed:
                    continue
                arrivals = [tab.seen.get(token) for tab in tabs]
                missing += sum(1 for a in arrivals if a is None)
                got = [(a - committed[token]) * 1000 for a in arrivals if a is not None]
                values += got
                late = [max(0.0, a - answered[token]) * 1000 for a in arrivals if a is not None]
                after_answer += late
                if len(got) == len(tabs):
                    every.append(max(got))
                    every_after.append(max(late))
            out.update(live.summary(values))
            # From the API's answer (the ticket was committed before it): what the queue pages
            # alone add, without the wait of the ticket's own transaction for SQLite's lock.
            out["after_answer_p50_ms"] = round(live.pct(after_answer, 50), 1)
            out["after_answer_p99_ms"] = round(live.pct(after_answer, 99), 1)
            out["all_agents_after_answer_p99_ms"] = round(live.pct(every_after, 99), 1)
            # When in the run the slow ones were (seconds after the first ticket).
            start = made[0].scheduled if made else 0
            out["slowest_at_s"] = sorted(
                (
                    (
                        round(
                            max(
                                0.0,
                                max(
                                    v
                                    for v in [
                                        (tab.seen[t] - committed[t]) * 1000
                                        for tab in tabs
                                        if t in tab.seen
                                    ]
                                    or [0]
                                ),
                            )
                        ),
                        round(answered[t] - start, 1),
                    )
                    for t in ok
                    if t in committed
                ),
                reverse=True,
            )[:8]
            out["expected"], out["missing"] = len(ok) * len(tabs), missing
            out["all_agents_p50_ms"] = round(live.pct(every, 50), 1)
            out["all_agents_p99_ms"] = round(live.pct(every, 99), 1)
            out["all_agents_max_ms"] = round(max(every), 1) if every else None
            per_second = [tab.refreshes / args.seconds for tab in tabs]
            out["refreshes_per_agent_per_s"] = round(sum(per_second) / max(1, len(tabs)), 2)
            out["tickets_per_s"] = round(len(ok) / writing, 2)
            out["dropped"] = sum(1 for t in tabs if t.dropped)
            await live.close_tabs(tabs)
    finally:
        app.stop()
        if pg is not None:
            pg.stop()
    return out


def markdown(results: dict) -> str:
    lines = [
        "| phase | agents | tickets/s | per delivery p50 / p99 / max ms | every agent has it "
        "p50 / p99 / max ms | delivered | refreshes per agent per s | app CPU while writing "
        "| after the API's answer p50 / p99 ms | API p50 / p99 ms | load before / after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results["phases"].items():
        lines.append(
            f"| {name} | {r['agents']} | {r['tickets_per_s']} "
            f"| {r['p50_ms']} / {r['p99_ms']} / {r['max_ms']} "
            f"| {r['all_agents_p50_ms']} / {r['all_agents_p99_ms']} / {r['all_agents_max_ms']} "
            f"| {r['expected'] - r['missing']}/{r['expected']} "
            f"| {r['refreshes_per_agent_per_s']} | {r['cpu_pct_while_writing']} % "
            f"| {r['after_answer_p50_ms']} / {r['after_answer_p99_ms']} "
            f"| {r['api_p50_ms']} / {r['api_p99_ms']} | {r['load_before']} / {r['load_after']} |"
        )
    return "\n".join(lines)


async def main_async(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="queue-burst-"))
    results: dict = {
        "machine": live.machine(),
        "commit": live.git_head(),
        "settings": {k: str(v) for k, v in vars(args).items()},
        "phases": {},
    }
    try:
        for phase in args.phases.split(","):
            print(f"== phase {phase} (load {live.loadavg()})", flush=True)
            results["phases"][phase] = await run_phase(phase, args, workdir)
            print(json.dumps(results["phases"][phase]), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["machine"]["load_at_end"] = live.loadavg()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phases", default="current")
    parser.add_argument("--baseline", help="a checkout to serve the baseline phase from")
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rate", type=float, default=20.0, help="tickets per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--backlog", type=int, default=300, help="tickets before the burst")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path, help="a folder for py-spy profiles of the app")
    args = parser.parse_args()
    if "baseline" in args.phases and not args.baseline:
        parser.error("--baseline DIR is needed for the baseline phase")
    results = asyncio.run(main_async(args))
    table = markdown(results)
    results["markdown"] = table
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
