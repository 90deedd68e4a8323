"""Live updates: reply-commit -> delta-received latency with N open conversations.

Starts the app itself (granian serving the Reflex backend; no frontend is needed because the
clients are not browsers), seeds customers, tickets and agents straight into the database, and
opens one Socket.IO client per conversation that boots the way a browser tab does: the
`hydrate_and_load` event rides in the CONNECT packet with router data for /tickets/<number>, so
TicketState.load runs and starts the page's `watch` background task. Agent clients open
/admin/tickets/<number> (AgentTicketState) and post replies through /_upload exactly as the
Send button does. A reply's latency is the time its viewer's websocket delivered the frame that
carries the reply's unique token minus the message's `created_at` in the database (one machine,
one clock).

Phases (each a fresh app start, stopped at the end):
  hub      SQLite, in-process hub: N = 10, 100, 1000; fan-out to 200 viewers of one ticket;
           bytes per update at 10 and 500 messages; memory per connected client.
  poll     the same app with LIVE_POLL_SECONDS=0.5 (the database-polling baseline), same N.
  cluster  PostgreSQL + Redis (throwaway servers from tests/backends.py), two app instances;
           viewers on instance A, agents on instance B.
  baseline the hub phase (without the bytes) with the app served from another checkout
           (--baseline DIR, e.g. a `git worktree` of the previous commit): old and new code
           side by side in one run.

Run (not part of the test suite; takes about 15 minutes on 2 cores):
    python benchmarks/live_latency.py --json /tmp/live.json
    python benchmarks/live_latency.py --phases hub --sizes 10,100 --replies 60   # quick look
    python benchmarks/live_latency.py --phases baseline,hub --sizes 1000 --baseline ../old
    python benchmarks/live_latency.py --phases hub --sizes 5000 --fanout 0 --server uvicorn
        # the same app behind uvicorn + websockets (pip install uvicorn websockets)
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import functools
import gc
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "live-bench-secret-key-0123456789abcdefghijklmnop"
os.environ["SECRET_KEY"] = SECRET
os.environ["DB_URL"] = "sqlite://"  # the benchmark process opens its own engines

import aiohttp  # noqa: E402
import socketio  # noqa: E402

from support_portal.services import sessions  # noqa: E402
from tests.mailbox import free_port  # noqa: E402

NAMESPACE = "/_event"
TOKEN_RE = re.compile(r"LB[0-9a-f]{16}")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def state_names() -> tuple[str, str, str]:
    """The conversation state, the customer's ticket state and the agent's ticket state."""
    from support_portal.states.agent_ticket import AgentTicketState
    from support_portal.states.conversation import ConversationState
    from support_portal.states.ticket import TicketState

    return (
        ConversationState.get_full_name(),
        TicketState.get_full_name(),
        AgentTicketState.get_full_name(),
    )


@functools.cache
def boot_events() -> tuple[str, str]:
    """The events a browser tab sends: on (re)connect, and on client-side navigation."""
    from reflex.state import OnLoadInternalState, State
    from reflex_base.utils.format import format_event_handler

    return (
        format_event_handler(State.event_handlers["hydrate_and_load"]),
        format_event_handler(OnLoadInternalState.event_handlers["on_load_internal"]),
    )


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), in the values' unit."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the app under test ---------------------------------------------------------------------

_RUNNING: list = []  # servers and backends to stop, whatever way the benchmark ends


def _stop_everything() -> None:
    while _RUNNING:
        with contextlib.suppress(Exception):
            _RUNNING.pop().stop()


atexit.register(_stop_everything)


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


class AppServer:
    """One app instance: granian (or uvicorn) serving the Reflex backend in its own process
    group."""

    def __init__(
        self,
        name: str,
        env: dict[str, str],
        host: str,
        port: int,
        log: Path,
        root: Path = ROOT,
        server: str = "granian",
    ):
        self.name, self.env, self.host, self.port, self.log = name, env, host, port, log
        self.root, self.server = root, server
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        workers = self.env.get("WORKERS", "1")
        host, port, target = self.host, str(self.port), "support_portal.support_portal:app"
        if self.server == "uvicorn":
            # `pip install uvicorn websockets`: the same ASGI app behind uvicorn and the
            # `websockets` library instead of granian (Rust); for the memory comparison.
            return [
                *(sys.executable, "-m", "uvicorn", "--factory", "--ws", "websockets"),
                *("--host", host, "--port", port, "--workers", workers),
                *("--log-level", "warning", target),
            ]
        granian = Path(sys.executable).parent / "granian"
        return [
            *(str(granian), "--interface", "asgi", "--factory", "--host", host),
            *("--port", port, "--workers", workers, target),
        ]

    def start(self, timeout: float = 180) -> AppServer:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.root,
                env={**self.env, "PYTHONPATH": str(self.root)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _RUNNING.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()[-3000:]}")

    def pids(self) -> list[int]:
        if self.proc is None:
            return []
        kids, found, todo = _children(), [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(kids.get(pid, []))
        return found

    def rss(self) -> int:
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        return total

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        return total / CLK_TCK

    @contextlib.contextmanager
    def profiled(self, output: Path | None):
        """py-spy (pip install py-spy) records the app's processes while the block runs."""
        if output is None:
            yield
            return
        spy = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--pid",
                str(self.pid_of_worker()),
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(output),
                "--nonblocking",
                "--threads",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield
        finally:
            spy.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(timeout=30)

    def pid_of_worker(self) -> int:
        return self.pids()[-1]

    def stop(self) -> None:
        with contextlib.suppress(ValueError):
            _RUNNING.remove(self)
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def app_env(
    db_url: str,
    host: str,
    port: int,
    data: Path,
    *,
    poll: float = 0.0,
    redis_url: str | None = None,
    state_manager: str | None = None,
    workers: int = 1,
) -> dict[str, str]:
    env = {
        **os.environ,
        "APP_ENV": "prod",
        "DB_URL": db_url,
        "SECRET_KEY": SECRET,
        "PUBLIC_URL": f"http://{host}:{port}",
        "PORT": str(port),
        "WORKERS": str(workers),
        "UPLOAD_DIR": str(data / "uploads"),
        "MAILBOX_DIR": str(data / "mailbox"),
        # Replies queue notification emails; sending them is another benchmark's business.
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": "9",
        "MAIL_SENDER_IN_APP": "false",
        "LIVE_POLL_SECONDS": str(poll),
        "REFLEX_ENV_MODE": "prod",
        "__REFLEX_SKIP_COMPILE": "1",
        # Reflex's disk state manager keeps a pickle per state and token here: a fresh folder
        # per phase, outside the checkout.
        "REFLEX_STATES_WORKDIR": str(data / f"states-{port}"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("REDIS_URL", None)
    env.pop("REFLEX_REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.pop("REFLEX_STATE_MANAGER_MODE", None)
    if state_manager:
        env["REFLEX_STATE_MANAGER_MODE"] = state_manager
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "support_portal.cli", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


# --- data -----------------------------------------------------------------------------------


@dataclass
class Seeded:
    conversations: list[tuple[int, str]]  # (ticket number, the customer's session token)
    agents: list[str]  # agent session tokens
    fanout_number: int = 0
    fanout_sessions: list[str] = field(default_factory=list)
    short_number: int = 0  # a ticket with 10 messages
    long_number: int = 0  # a ticket with 500 messages
    bytes_session: str = ""


def seed(db_url: str, *, customers: int, agents: int, fanout: int, long_tickets: bool) -> Seeded:
    from sqlmodel import select

    from support_portal.db import make_engine, session_scope
    from support_portal.models import AuthorKind, Message, Role, Ticket, User
    from support_portal.services import tickets

    engine = make_engine(db_url)
    tag = uuid.uuid4().hex[:6]

    def user(db, name: str, role: Role = Role.customer) -> User:
        row = User(
            email=f"{name}-{tag}@bench.test",
            name=name.replace("-", " ").title(),
            password_hash="!",  # no password: sessions are minted below
            role=role,
            email_verified=True,
        )
        db.add(row)
        db.flush()
        return row

    def session_for(db, user_id: int) -> str:
        ticket = sessions.create_login_ticket(db, user_id=user_id)
        token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
        return token

    def ticket_for(db, token: str, subject: str) -> int:
        viewer = sessions.viewer_for_token(db, session_token=token)
        return tickets.create_ticket(
            db, viewer=viewer, subject=subject, category="other", description="Hello, support!"
        ).number

    out = Seeded(conversations=[], agents=[])
    try:
        with session_scope(engine) as db:
            for i in range(agents):
                out.agents.append(session_for(db, user(db, f"agent-{i}", Role.agent).id))
        for start in range(0, customers, 200):
            with session_scope(engine) as db:
                for i in range(start, min(customers, start + 200)):
                    token = session_for(db, user(db, f"customer-{i}").id)
                    out.conversations.append((ticket_for(db, token, f"Question {i}"), token))
        if fanout:
            with session_scope(engine) as db:
                crowd = user(db, "many-tabs")
                out.fanout_sessions = [session_for(db, crowd.id) for _ in range(fanout)]
                out.fanout_number = ticket_for(db, out.fanout_sessions[0], "Watched by many")
        if long_tickets:
            with session_scope(engine) as db:
                reader = user(db, "long-reader")
                out.bytes_session = session_for(db, reader.id)
                out.short_number = ticket_for(db, out.bytes_session, "Ten messages")
                out.long_number = ticket_for(db, out.bytes_session, "Five hundred messages")
                for number, total in ((out.short_number, 10), (out.long_number, 500)):
                    row = db.exec(select(Ticket).where(Ticket.number == number)).one()
                    for k in range(1, total):  # the first message came with the ticket
                        db.add(
                            Message(
                                ticket_id=row.id,
                                author_kind=AuthorKind.agent if k % 2 else AuthorKind.customer,
                                author_name="Agent 0" if k % 2 else "Long Reader",
                                body=f"Earlier message {k}: " + "lorem ipsum dolor sit " * 4,
                            )
                        )
                    row.message_count = total
    finally:
        engine.dispose()
    return out


def commit_times(db_url: str, tokens: list[str]) -> dict[str, float]:
    from sqlmodel import col, select

    from support_portal.db import make_engine, session_scope
    from support_portal.models import Message

    engine = make_engine(db_url)
    found: dict[str, float] = {}
    try:
        with session_scope(engine) as db:
            for start in range(0, len(tokens), 500):
                chunk = tokens[start : start + 500]
                rows = db.exec(
                    select(Message.body, Message.created_at).where(col(Message.body).in_(chunk))
                ).all()
                for body, created in rows:
                    if created.tzinfo is None:
                        created = created.replace(tzinfo=UTC)
                    found[body] = created.timestamp()
    finally:
        engine.dispose()
    return found


# --- clients --------------------------------------------------------------------------------


class RecordingWebSocket(aiohttp.ClientWebSocketResponse):
    """Hands every text frame to `sink` the moment the client reads it."""

    sink = None

    async def receive(self, *args, **kwargs):
        message = await super().receive(*args, **kwargs)
        if message.type == aiohttp.WSMsgType.TEXT and self.sink is not None:
            self.sink(message.data)
        return message


def http_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        ws_response_class=RecordingWebSocket,
        cookie_jar=aiohttp.DummyCookieJar(),  # each client sends its own session cookie
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=120),
    )


def router_data(path: str, number: int) -> dict:
    return {"pathname": path, "asPath": path, "query": {"number": str(number)}}


class Tab:
    """One browser tab's websocket: boots a page with hydrate_and_load, records frames."""

    def __init__(self, http: aiohttp.ClientSession, url: str, session: str, conv_state: str):
        self.url, self.conv_state = url, conv_state
        self.token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(
            reconnection=False,
            http_session=http,
            websocket_extra_options={"headers": {"Cookie": f"sp_session={session}"}},
        )
        self.sio.on("event", self._on_event, namespace=NAMESPACE)
        self.sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self.conv: dict = {}
        self.changed = asyncio.Event()
        self.seen: dict[str, float] = {}
        self.frames: list[tuple[float, int, str]] | None = None
        self.bytes = 0
        self.dropped = False

    def _on_frame(self, data: str) -> None:
        now = time.time()
        size = len(data.encode())
        self.bytes += size
        if "LB" in data:
            for token in TOKEN_RE.findall(data):
                self.seen.setdefault(token, now)
        if self.frames is not None and data[:1] == "4":  # Engine.IO messages, not pings
            self.frames.append((now, size, data))

    async def _on_event(self, data) -> None:
        delta = data.get("delta") if isinstance(data, dict) else None
        if delta and self.conv_state in delta:
            self.conv.update(delta[self.conv_state])
            self.changed.set()

    async def _on_disconnect(self, *_args) -> None:
        self.dropped = True

    def showing(self, number: int) -> bool:
        return (
            self.conv.get("ticket_number_rx_state_") == number
            and self.conv.get("loaded_rx_state_") is True
        )

    async def wait_showing(self, number: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.showing(number):
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"page for ticket {number} did not load")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 1.0))

    async def open(self, path: str, number: int, timeout: float = 120) -> None:
        boot = {"name": boot_events()[0], "payload": {}, "router_data": router_data(path, number)}
        await self.sio.connect(
            f"{self.url}?token={self.token}",
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers={"Origin": self.url},
            auth={"event": boot},
            wait_timeout=timeout,
        )
        self.sio.eio.ws.sink = self._on_frame
        await self.wait_showing(number, timeout)

    async def navigate(self, path: str, number: int, timeout: float = 60) -> None:
        """Client-side navigation: the page's on_load chain (it supersedes the previous one)."""
        event = {"name": boot_events()[1], "payload": {}, "router_data": router_data(path, number)}
        await self.sio.emit("event", event, namespace=NAMESPACE)
        await self.wait_showing(number, timeout)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


class Agent:
    """An agent's tab on /admin/tickets/<n>: opens a ticket, then sends like the Send button."""

    def __init__(self, http, url: str, session: str, names: tuple[str, str, str]):
        self.http, self.url = http, url
        self.handler = f"{names[2]}.send_with_files"
        self.session = session
        self.tab = Tab(http, url, session, names[0])
        self.opened = False

    async def show(self, number: int) -> None:
        path = f"/admin/tickets/{number}"
        if not self.opened:
            await self.tab.open(path, number)
            self.opened = True
        elif not self.tab.showing(number):
            await self.tab.navigate(path, number)

    async def send(self, body: str) -> None:
        form = aiohttp.FormData(default_to_multipart=True)
        args = {"form": {"body": body, "key": uuid.uuid4().hex}}
        form.add_field("__reflex_event_args", json.dumps(args))
        headers = {
            "Reflex-Client-Token": self.tab.token,
            "Reflex-Event-Handler": self.handler,
            "Origin": self.url,
            # Like the browser: an upload to a session-only handler carries the session cookie.
            "Cookie": f"sp_session={self.session}",
        }
        async with self.http.post(f"{self.url}/_upload", data=form, headers=headers) as response:
            response.raise_for_status()
            await response.read()


async def open_tabs(
    http, url: str, targets: list[tuple[int, str]], conv_state: str, concurrency: int = 20
) -> tuple[list[Tab], int]:
    """Open one customer tab per (ticket number, session); returns the tabs and failures."""
    gate = asyncio.Semaphore(concurrency)
    tabs: list[Tab] = []
    failed = 0

    async def one(number: int, session: str) -> None:
        nonlocal failed
        tab = Tab(http, url, session, conv_state)
        tab.number = number  # type: ignore[attr-defined]
        async with gate:
            try:
                await tab.open(f"/tickets/{number}", number)
                tabs.append(tab)
            except Exception:
                failed += 1
                await tab.close()

    await asyncio.gather(*(one(n, s) for n, s in targets))
    return tabs, failed


async def close_tabs(tabs: list[Tab]) -> None:
    gate = asyncio.Semaphore(50)

    async def one(tab: Tab) -> None:
        async with gate:
            await tab.close()

    await asyncio.gather(*(one(t) for t in tabs))


class LoopLag:
    """How late this (client) process's event loop wakes up: clients must not be the bottleneck.

    The client's own garbage collector is paused meanwhile: with a thousand clients a full
    collection took up to 400 ms here, which would be counted as delivery latency.
    """

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.02)
            self.samples.append((time.perf_counter() - start - 0.02) * 1000)

    def __enter__(self) -> LoopLag:
        gc.collect()
        gc.freeze()
        gc.disable()
        self.samples = []
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_exc) -> None:
        if self.task:
            self.task.cancel()
        gc.enable()
        gc.unfreeze()


@dataclass
class Sent:
    token: str
    number: int
    scheduled: float
    started: float = 0.0
    posted: float = 0.0
    error: str = ""


async def write_replies(
    agents: list[Agent], numbers: list[int], *, rate: float, count: int
) -> list[Sent]:
    """`count` replies at `rate` per second, spread over `numbers` round-robin."""
    order = numbers[:]
    random.Random(7).shuffle(order)
    free: asyncio.Queue[Agent] = asyncio.Queue()
    for agent in agents:
        free.put_nowait(agent)
    sent: list[Sent] = []
    tasks = []

    async def one(agent: Agent, item: Sent) -> None:
        try:
            item.started = time.time()
            await agent.show(item.number)
            await agent.send(item.token)
            item.posted = time.time()
        except Exception as exc:
            item.error = repr(exc)[:200]
        finally:
            free.put_nowait(agent)

    start = time.time()
    for i in range(count):
        item = Sent(token=f"LB{uuid.uuid4().hex[:16]}", number=order[i % len(order)], scheduled=0)
        item.scheduled = start + i / rate
        delay = item.scheduled - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        agent = await free.get()
        sent.append(item)
        tasks.append(asyncio.create_task(one(agent, item)))
    await asyncio.gather(*tasks)
    return sent


async def drain(tabs_by_number: dict[int, list[Tab]], sent: list[Sent], limit: float) -> None:
    """Wait until every viewer has every reply sent to its ticket (or `limit` seconds)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(
            item.token in tab.seen
            for item in sent
            if not item.error
            for tab in tabs_by_number.get(item.number, [])
        ):
            return
        await asyncio.sleep(0.2)


def latencies(
    db_url: str, tabs_by_number: dict[int, list[Tab]], sent: list[Sent]
) -> tuple[list[float], int, int, dict[str, float]]:
    """Per-viewer latencies in ms, deliveries expected, deliveries missing, commit times."""
    committed = commit_times(db_url, [s.token for s in sent if not s.error])
    values: list[float] = []
    expected = missing = 0
    for item in sent:
        if item.token not in committed:
            continue
        for tab in tabs_by_number.get(item.number, []):
            expected += 1
            if item.token in tab.seen:
                values.append((tab.seen[item.token] - committed[item.token]) * 1000)
            else:
                missing += 1
    return values, expected, missing, committed


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(pct(values, 50), 1),
        "p90_ms": round(pct(values, 90), 1),
        "p99_ms": round(pct(values, 99), 1),
        "max_ms": round(max(values), 1) if values else float("nan"),
        "samples": len(values),
    }


# --- measurements ---------------------------------------------------------------------------


async def measure_n(
    *,
    viewers_app: AppServer,
    writers_app: AppServer,
    db_url: str,
    seeded: Seeded,
    n: int,
    rate: float,
    replies: int,
    names: tuple[str, str, str],
    idle_seconds: float,
    connect_budget: float,
    profile: Path | None = None,
) -> dict:
    result: dict = {"n": n, "load_before": loadavg()}
    async with http_session() as http:
        rss_before = viewers_app.rss()
        started = time.monotonic()
        try:
            tabs, failed = await asyncio.wait_for(
                open_tabs(http, viewers_app.url, seeded.conversations[:n], names[0]),
                connect_budget,
            )
        except TimeoutError:
            result["error"] = f"{n} pages did not all load within {connect_budget:.0f} s"
            return result
        result["connect_s"] = round(time.monotonic() - started, 1)
        result["connect_failed"] = failed
        await asyncio.sleep(2)
        rss_after = viewers_app.rss()
        result["rss_before_mb"] = round(rss_before / 2**20, 1)
        result["rss_after_mb"] = round(rss_after / 2**20, 1)
        result["rss_per_client_kb"] = round((rss_after - rss_before) / max(1, len(tabs)) / 1024, 1)
        # The server's CPU with N pages open and nothing happening (polling costs show here).
        cpu0 = viewers_app.cpu_seconds() + (
            writers_app.cpu_seconds() if writers_app is not viewers_app else 0
        )
        idle_profile = profile and profile.with_name(f"{profile.stem}-idle.txt")
        with viewers_app.profiled(idle_profile):
            await asyncio.sleep(idle_seconds)
        cpu1 = viewers_app.cpu_seconds() + (
            writers_app.cpu_seconds() if writers_app is not viewers_app else 0
        )
        result["idle_cpu_pct"] = round((cpu1 - cpu0) / idle_seconds * 100, 1)

        agents = [Agent(http, writers_app.url, s, names) for s in seeded.agents]
        by_number: dict[int, list[Tab]] = {}
        for tab in tabs:
            by_number.setdefault(tab.number, []).append(tab)  # type: ignore[attr-defined]
        result["load_at_write"] = loadavg()
        wall0 = time.monotonic()
        with LoopLag() as lag, viewers_app.profiled(profile):
            sent = await write_replies(agents, list(by_number), rate=rate, count=replies)
            await drain(by_number, sent, limit=15)
        wall = time.monotonic() - wall0
        cpu2 = viewers_app.cpu_seconds() + (
            writers_app.cpu_seconds() if writers_app is not viewers_app else 0
        )
        result["busy_cpu_pct"] = round((cpu2 - cpu1) / wall * 100, 1)
        result["client_loop_lag_p99_ms"] = round(pct(lag.samples, 99), 1)
        result["client_loop_lag_max_ms"] = round(max(lag.samples, default=0), 1)
        values, expected, missing, committed = latencies(db_url, by_number, sent)
        result.update(summary(values))
        # The slowest deliveries and when they were committed (seconds into the writing).
        slow = sorted(
            (
                (tab.seen[s.token] - committed[s.token]) * 1000,
                committed[s.token] - sent[0].scheduled,
            )
            for s in sent
            if s.token in committed
            for tab in by_number.get(s.number, [])
            if s.token in tab.seen
        )[-5:]
        result["slowest"] = [[round(ms), round(at, 1)] for ms, at in slow]
        result["writing_started"] = round(sent[0].scheduled, 3) if sent else None
        result["expected"], result["missing"] = expected, missing
        result["send_errors"] = sum(1 for s in sent if s.error)
        posts = [(s.posted - s.started) * 1000 for s in sent if s.posted]
        result["agent_open_and_send_p50_ms"] = round(pct(posts, 50), 1)
        result["dropped"] = sum(1 for t in tabs if t.dropped)
        for agent in agents:
            await agent.tab.close()
        await close_tabs(tabs)
    await asyncio.sleep(3)  # let the server end the pages' watch loops
    return result


async def measure_fanout(
    *,
    app: AppServer,
    db_url: str,
    seeded: Seeded,
    names,
    messages: int,
    gap: float,
    profile: Path | None = None,
) -> dict:
    result: dict = {"viewers": len(seeded.fanout_sessions), "load_before": loadavg()}
    number = seeded.fanout_number
    async with http_session() as http:
        started = time.monotonic()
        tabs, failed = await open_tabs(
            http, app.url, [(number, s) for s in seeded.fanout_sessions], names[0]
        )
        result["connect_s"] = round(time.monotonic() - started, 1)
        result["connect_failed"] = failed
        await asyncio.sleep(2)
        agent = Agent(http, app.url, seeded.agents[0], names)
        await agent.show(number)
        sent: list[Sent] = []
        cpu_before = app.cpu_seconds()
        with LoopLag() as lag, app.profiled(profile):
            for _ in range(messages):
                item = Sent(token=f"LB{uuid.uuid4().hex[:16]}", number=number, scheduled=0)
                item.started = time.time()
                await agent.send(item.token)
                item.posted = time.time()
                sent.append(item)
                await asyncio.sleep(gap)
            await drain({number: tabs}, sent, limit=15)
        # The app's CPU time per reply (all 200 deliveries): unlike latency, hardly moved by
        # other jobs sharing the machine.
        result["server_cpu_ms_per_reply"] = round(
            (app.cpu_seconds() - cpu_before) * 1000 / messages
        )
        result["client_loop_lag_p99_ms"] = round(pct(lag.samples, 99), 1)
        result["client_loop_lag_max_ms"] = round(max(lag.samples, default=0), 1)
        values, expected, missing, committed = latencies(db_url, {number: tabs}, sent)
        result.update(summary(values))
        result["expected"], result["missing"] = expected, missing
        all_have = []
        for item in sent:
            arrivals = [t.seen.get(item.token) for t in tabs]
            if item.token in committed and all(arrivals):
                all_have.append((max(arrivals) - committed[item.token]) * 1000)  # type: ignore[type-var]
        result["all_have_ms"] = [round(v) for v in all_have]
        result["all_have_p50_ms"] = round(pct(all_have, 50), 1)
        result["all_have_max_ms"] = round(max(all_have), 1) if all_have else None
        await agent.tab.close()
        await close_tabs(tabs)
    await asyncio.sleep(3)
    return result


async def measure_bytes(*, app: AppServer, seeded: Seeded, names, replies: int) -> dict:
    """What one viewer receives for one new message, on a 10- and a 500-message ticket."""
    result: dict = {}
    async with http_session() as http:
        agent = Agent(http, app.url, seeded.agents[0], names)
        for label, number in (("10", seeded.short_number), ("500", seeded.long_number)):
            tab = Tab(http, app.url, seeded.bytes_session, names[0])
            await tab.open(f"/tickets/{number}", number)
            await agent.show(number)
            await asyncio.sleep(1.5)  # the agent's arrival (presence) reaches the viewer first
            rows = []
            for k in range(replies):
                tab.frames = []
                token = f"LB{uuid.uuid4().hex[:16]}"
                await agent.send(token)
                await asyncio.sleep(1.2)
                frames, tab.frames = tab.frames, None
                carrying = [size for _, size, data in frames if token in data]
                rows.append(
                    {
                        "reply": k + 1,
                        "frame_with_message": carrying[0] if carrying else None,
                        "frames": len(frames),
                        "bytes_all_frames": sum(size for _, size, _ in frames),
                    }
                )
                if k == 0:
                    result[f"sample_frame_{label}"] = next(
                        (data for _, _, data in frames if token in data), ""
                    )
            result[label] = rows
            await tab.close()
        await agent.tab.close()
    await asyncio.sleep(1)
    return result


# --- phases ---------------------------------------------------------------------------------


async def run_phase(name: str, args, workdir: Path, names) -> dict:
    data = workdir / name
    data.mkdir(parents=True, exist_ok=True)
    servers: list[AppServer] = []
    backends = []
    out: dict = {"phase": name}
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
        root = ROOT
        if name == "cluster":
            from tests.backends import Postgres, Redis

            pg = Postgres()
            _RUNNING.append(pg)
            backends.append(pg.start())
            redis = Redis()
            _RUNNING.append(redis)
            backends.append(redis.start())
            db_url = pg.create_database("live_bench")
            port_a, port_b = free_port(), free_port()
            env_a = app_env(
                db_url, "127.0.0.1", port_a, data, redis_url=redis.url, workers=args.workers
            )
            env_b = app_env(
                db_url, "127.0.0.1", port_b, data, redis_url=redis.url, workers=args.workers
            )
            migrate(env_a)
            sizes = [int(s) for s in args.cluster_sizes.split(",")]
        else:
            db_url = f"sqlite:///{data / 'live.db'}"
            port = free_port()
            poll = args.poll_seconds if name == "poll" else 0.0
            if name == "baseline":
                root = Path(args.baseline).resolve()
            env_a = app_env(
                db_url, "127.0.0.1", port, data, poll=poll, state_manager=args.state_manager
            )
            env_b = None
            migrate(env_a)
        t0 = time.monotonic()
        seeded = seed(
            db_url,
            customers=max(sizes),
            agents=args.agents,
            fanout=args.fanout if name in ("hub", "baseline") else 0,
            long_tickets=name == "hub",
        )
        out["seed_s"] = round(time.monotonic() - t0, 1)
        app_a = AppServer(
            f"{name}-a",
            env_a,
            "127.0.0.1",
            int(env_a["PORT"]),
            data / "a.log",
            root=root,
            server=args.server,
        )
        servers.append(app_a)
        app_a.start()
        app_b = app_a
        if env_b is not None:
            app_b = AppServer(
                f"{name}-b",
                env_b,
                "127.0.0.1",
                int(env_b["PORT"]),
                data / "b.log",
                server=args.server,
            )
            servers.append(app_b)
            app_b.start()
        await asyncio.sleep(2)
        out["rss_idle_mb"] = round(app_a.rss() / 2**20, 1)
        out["runs"] = []
        for n in sizes:
            print(f"[{name}] N={n} (load {loadavg()})", flush=True)
            run = await measure_n(
                viewers_app=app_a,
                writers_app=app_b,
                db_url=db_url,
                seeded=seeded,
                n=n,
                rate=args.rate,
                replies=args.replies,
                names=names,
                idle_seconds=args.idle_seconds,
                connect_budget=args.connect_budget,
                profile=args.profile and args.profile / f"{name}-n{n}.txt",
            )
            print(json.dumps(run), flush=True)
            out["runs"].append(run)
        if name in ("hub", "baseline") and args.fanout:
            print(f"[{name}] fan-out to {args.fanout} (load {loadavg()})", flush=True)
            out["fanout"] = await measure_fanout(
                app=app_a,
                db_url=db_url,
                seeded=seeded,
                names=names,
                messages=args.fanout_messages,
                gap=2.0,
                profile=args.profile and args.profile / f"{name}-fanout.txt",
            )
            print(json.dumps(out["fanout"]), flush=True)
        if name == "hub":
            print(f"[{name}] bytes per update (load {loadavg()})", flush=True)
            out["bytes"] = await measure_bytes(app=app_a, seeded=seeded, names=names, replies=5)
            print(json.dumps({k: v for k, v in out["bytes"].items() if "sample" not in k}))
    finally:
        for server in servers:
            server.stop()
        for backend in backends:
            backend.stop()
    return out


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "mem_gib": round(int(mem) / 2**20, 1),
        "python": sys.version.split()[0],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_at_start": loadavg(),
    }


def markdown(results: dict) -> str:
    """The tables docs/benchmarks.md shows."""
    lines = [
        "| phase | N | p50 ms | p90 ms | p99 ms | max ms | delivered | server CPU idle / busy "
        "| RSS per client | client loop lag p99 / max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, phase in results["phases"].items():
        for run in phase.get("runs", []):
            if "error" in run:
                lines.append(f"| {name} | {run['n']} | {run['error']} |||||||")
                continue
            lines.append(
                f"| {name} | {run['n']} | {run['p50_ms']} | {run['p90_ms']} | {run['p99_ms']} "
                f"| {run['max_ms']} | {run['expected'] - run['missing']}/{run['expected']} "
                f"| {run['idle_cpu_pct']} % / {run['busy_cpu_pct']} % "
                f"| {run['rss_per_client_kb']} KB | {run['client_loop_lag_p99_ms']} / "
                f"{run.get('client_loop_lag_max_ms', '?')} ms |"
            )
    fans = [
        (name, phase["fanout"]) for name, phase in results["phases"].items() if "fanout" in phase
    ]
    if fans:
        lines += [
            "",
            "| fan-out | viewers | all have it: p50 / max ms | per viewer p50 / p99 ms "
            "| delivered | server CPU per reply | load before |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        lines += [
            f"| {name} | {fan['viewers']} "
            f"| {fan['all_have_p50_ms']} / {fan['all_have_max_ms']} "
            f"| {fan['p50_ms']} / {fan['p99_ms']} | {fan['expected'] - fan['missing']}"
            f"/{fan['expected']} | {fan.get('server_cpu_ms_per_reply', '?')} ms "
            f"| {fan['load_before']} |"
            for name, fan in fans
        ]
    sizes = results["phases"].get("hub", {}).get("bytes")
    if sizes:
        lines += [
            "",
            "| messages on the ticket | bytes received for reply 1, 2, 3, 4, 5 after opening |",
            "|---:|---|",
        ]
        for label in ("10", "500"):
            row = ", ".join(str(r["bytes_all_frames"]) for r in sizes[label])
            lines.append(f"| {label} | {row} |")
    return "\n".join(lines)


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


async def main_async(args) -> dict:
    names = state_names()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)  # py-spy does not create it
    workdir = Path(tempfile.mkdtemp(prefix="live-bench-"))
    results: dict = {
        "machine": machine(),
        "commit": git_head(),
        "settings": {k: str(v) for k, v in vars(args).items()},
        "phases": {},
    }
    try:
        for phase in args.phases.split(","):
            print(f"== phase {phase} (load {loadavg()})", flush=True)
            results["phases"][phase] = await run_phase(phase, args, workdir, names)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["machine"]["load_at_end"] = loadavg()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phases", default="hub,poll,cluster")
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--cluster-sizes", default="1000")
    parser.add_argument("--rate", type=float, default=5.0, help="replies per second")
    parser.add_argument("--replies", type=int, default=200, help="replies per N")
    parser.add_argument("--agents", type=int, default=4, help="agent tabs sending")
    parser.add_argument("--fanout", type=int, default=200)
    parser.add_argument("--fanout-messages", type=int, default=15)
    parser.add_argument(
        "--workers", type=int, default=1, help="backend workers per instance (cluster only)"
    )
    parser.add_argument("--poll-seconds", type=float, default=0.5)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--connect-budget", type=float, default=600.0)
    parser.add_argument("--json", type=Path, help="write all results here")
    parser.add_argument(
        "--state-manager", help="override Reflex's state manager (disk, memory) for hub/poll"
    )
    parser.add_argument("--profile", type=Path, help="py-spy the app into this folder")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and logs")
    parser.add_argument("--baseline", help="the checkout the baseline phase serves the app from")
    parser.add_argument(
        "--server",
        choices=("granian", "uvicorn"),
        default="granian",
        help="the ASGI server (uvicorn: pip install uvicorn websockets)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # atexit stops the servers
    results = asyncio.run(main_async(args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
