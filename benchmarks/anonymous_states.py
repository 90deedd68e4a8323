"""Anonymous server-side state (X6): 2,000 fresh client tokens from one address.

Starts the app (granian serving the Reflex backend, as benchmarks/live_latency.py does), then
opens N raw Socket.IO clients from 127.0.0.1, in small concurrent batches, each with a new
client token, and then a second burst of N (a bounded server's growth shows as a plateau). Each
boots the way a first visit to the start page does (the `hydrate_and_load` event in the CONNECT
packet), leaves a mark in its tree (the time-zone preference event), waits for the answer and
disconnects. That is what makes Reflex keep a state tree for the token.

Measured per phase:
  - RSS of the app's processes before and after each burst (and the growth per token);
  - how many of the trees the server still holds, found from the outside: each token is
    replayed, newest first, and a tree that still carries its mark is held (replaying an evicted
    token creates a new tree, which can only evict trees already counted); with Redis also by
    counting the keys;
  - Redis' used memory (redis phases).

Phases:
  memory            the app as configured (in-memory state, the anonymous bound on)
  memory-unbounded  the same with the bound lifted (ANONYMOUS_STATE_MINUTES=60, a cap of a
                    million): how Reflex behaves by default, for comparison
  redis             Reflex's state in Redis (a throwaway redis-server), the bound on
  redis-unbounded   the same with the bound lifted

Run (not part of the test suite; a few minutes on 2 cores):
    python -m benchmarks.anonymous_states --json /tmp/anon.json
    python -m benchmarks.anonymous_states --phases memory --tokens 500   # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
    NAMESPACE,
    AppServer,
    app_env,
    boot_events,
    http_session,
    loadavg,
    migrate,
)
from tests.mailbox import free_port  # noqa: E402

MARK = "Pacific/Chatham"
UNBOUNDED = {"ANONYMOUS_STATE_MINUTES": "60", "ANONYMOUS_STATES_PER_ADDRESS": "1000000"}


def state_names() -> tuple[str, str]:
    from support_portal.states.base import SessionState

    return SessionState.get_full_name(), f"{SessionState.get_full_name()}.set_browser_prefs"


async def visit(http, url: str, token: str, *, mark: bool, timeout: float = 60) -> bool:
    """One tab's first visit to "/" with this token. Returns whether the tree it found already
    carried the mark (a replay of a held tree)."""
    import socketio

    session_name, prefs_event = state_names()
    router = {"pathname": "/", "asPath": "/", "query": {}}
    got_boot = asyncio.Event()
    got_mark = asyncio.Event()
    seen = {"tz": None}

    async def on_event(data) -> None:
        delta = data.get("delta") if isinstance(data, dict) else None
        if delta and session_name in delta:
            tz = delta[session_name].get("timezone_rx_state_")
            if tz is not None and seen["tz"] is None:
                seen["tz"] = tz
            if tz == MARK and mark:
                got_mark.set()
        got_boot.set()

    sio = socketio.AsyncClient(reconnection=False, http_session=http)
    sio.on("event", on_event, namespace=NAMESPACE)
    boot = {"name": boot_events()[0], "payload": {}, "router_data": router}
    await sio.connect(
        f"{url}?token={token}",
        socketio_path=NAMESPACE,
        namespaces=[NAMESPACE],
        transports=["websocket"],
        headers={"Origin": url},
        auth={"event": boot},
        wait_timeout=timeout,
    )
    try:
        await asyncio.wait_for(got_boot.wait(), timeout)
        if mark:
            event = {"name": prefs_event, "payload": {"prefs": {"tz": MARK}}, "router_data": router}
            await sio.emit("event", event, namespace=NAMESPACE)
            await asyncio.wait_for(got_mark.wait(), timeout)
    finally:
        await sio.disconnect()
    return seen["tz"] == MARK


async def fresh_tokens(url: str, n: int, concurrency: int) -> tuple[list[str], float, int]:
    tokens = [str(uuid.uuid4()) for _ in range(n)]
    gate = asyncio.Semaphore(concurrency)
    failed = 0

    async def one(http, token: str) -> None:
        nonlocal failed
        async with gate:
            try:
                await visit(http, url, token, mark=True)
            except Exception:
                failed += 1

    start = time.monotonic()
    async with http_session() as http:
        # In batches, so the creation order (oldest first) is the list's order.
        for i in range(0, n, concurrency):
            await asyncio.gather(*(one(http, t) for t in tokens[i : i + concurrency]))
    return tokens, time.monotonic() - start, failed


async def count_held(url: str, tokens: list[str]) -> int:
    """Replay every token, newest first; a tree still carrying its mark is held."""
    held = 0
    async with http_session() as http:
        for token in reversed(tokens):
            if await visit(http, url, token, mark=False):
                held += 1
    return held


async def redis_counts(redis_url: str) -> dict:
    import redis.asyncio

    session_name, _ = state_names()
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        trees = 0
        async for _ in client.scan_iter(match=f"*_{session_name}", count=1000):
            trees += 1
        info = await client.info("memory")
        return {"redis_trees": trees, "redis_used_mb": round(info["used_memory"] / 2**20, 1)}
    finally:
        await client.aclose()


async def run_phase(name: str, args, workdir: Path) -> dict:
    data = workdir / name
    data.mkdir(parents=True, exist_ok=True)
    out: dict = {"phase": name, "tokens": args.tokens, "load_start": loadavg()}
    redis_server = None
    try:
        redis_url = None
        if name.startswith("redis"):
            from tests.backends import Redis

            redis_server = Redis()
            _RUNNING.append(redis_server)
            redis_server.start()
            redis_url = redis_server.url
        port = free_port()
        env = app_env(f"sqlite:///{data / 'anon.db'}", "127.0.0.1", port, data, redis_url=redis_url)
        if name.endswith("unbounded"):
            env.update(UNBOUNDED)
        migrate(env)
        app = AppServer(name, env, "127.0.0.1", port, data / "app.log").start()
        try:
            # Warm up (imports, first events), then the baseline.
            await fresh_tokens(app.url, 20, 10)
            await asyncio.sleep(2)
            if redis_url:
                out["before"] = await redis_counts(redis_url)
            rss_before = app.rss()
            out["rounds"] = []
            all_tokens: list[str] = []
            for _ in range(args.rounds):
                tokens, seconds, failed = await fresh_tokens(app.url, args.tokens, args.concurrency)
                all_tokens += tokens
                await asyncio.sleep(2)
                out["rounds"].append(
                    {
                        "seconds": round(seconds, 1),
                        "failed": failed,
                        "rss_after_mb": round(app.rss() / 2**20, 1),
                    }
                )
            rss_after = app.rss()
            out.update(
                rss_before_mb=round(rss_before / 2**20, 1),
                rss_after_mb=round(rss_after / 2**20, 1),
                rss_per_token_kb=round(
                    (rss_after - rss_before) / (args.tokens * args.rounds) / 1024, 1
                ),
            )
            if redis_url:
                out["after"] = await redis_counts(redis_url)
            out["held"] = await count_held(app.url, all_tokens)
            out["load_end"] = loadavg()
        finally:
            app.stop()
    finally:
        if redis_server is not None:
            redis_server.stop()
            _RUNNING.remove(redis_server)
    return out


def table(results: list[dict]) -> str:
    lines = [
        "| phase | tokens | seconds per round | RSS before -> after each round (MB) "
        "| growth per token | trees held | Redis trees / used MB after |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        after = r.get("after")
        redis_cell = f"{after['redis_trees']} / {after['redis_used_mb']}" if after else "-"
        rounds = r["rounds"]
        tokens = r["tokens"] * len(rounds)
        failed = sum(x["failed"] for x in rounds)
        rss = " -> ".join([str(r["rss_before_mb"])] + [str(x["rss_after_mb"]) for x in rounds])
        lines.append(
            f"| {r['phase']} | {tokens}{f' ({failed} failed)' if failed else ''} "
            f"| {', '.join(str(x['seconds']) for x in rounds)} | {rss} "
            f"| {r['rss_per_token_kb']} KB | {r['held']} | {redis_cell} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phases", default="memory,memory-unbounded,redis,redis-unbounded")
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2, help="bursts of --tokens each")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sp-anon-bench-"))
    results = []
    for name in args.phases.split(","):
        print(f"[{name}] {args.tokens} fresh tokens (load {loadavg()})", flush=True)
        result = asyncio.run(run_phase(name, args, workdir))
        print(json.dumps(result), flush=True)
        results.append(result)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
