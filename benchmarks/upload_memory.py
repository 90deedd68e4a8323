"""X3: the backend's memory while someone posts 300 MB uploads to /_upload.

Starts the app (granian serving the Reflex backend, as benchmarks/live_latency.py does), then
sends anonymous uploads to the guest ticket form's handler (NewTicketState.submit_with_files,
the one upload handler open to anyone) from raw sockets, generating the body as it goes (the
client never holds it):

  declared  one upload with `Content-Length: 300 MB`
  chunked   one upload with `Transfer-Encoding: chunked` (no declared size), 300 MB
  10 x ...  ten of each at once

For each phase it samples the RSS of the app's processes (from /proc) every 10 ms: the value
before, the peak, and the status each upload got and how many bytes the client managed to send
before the answer. Meanwhile another client fetches /healthz (a database round trip) every
100 ms: its worst latency and any failure show whether the app kept serving.

Run (about a minute; not part of the test suite):
    python benchmarks/upload_memory.py [--size-mb 300] [--json /tmp/upload.json]
    python benchmarks/upload_memory.py --phases declared      # one phase only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.live_latency import AppServer, app_env, loadavg, migrate  # noqa: E402
from tests.mailbox import free_port  # noqa: E402

MB = 1024 * 1024
BOUNDARY = "benchboundary"
FILLER = b"x" * (256 * 1024)


def handler_name() -> str:
    from support_portal.states.tickets import NewTicketState

    return f"{NewTicketState.get_full_name()}.submit_with_files"


def form_start() -> bytes:
    args = json.dumps({"form": {"name": "Big", "email": "big@example.com", "subject": "Big",
                                "category": "other", "description": "A big file"}})  # fmt: skip
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="__reflex_event_args"\r\n\r\n'
        f"{args}\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()


@dataclass
class UploadResult:
    status: int | None
    sent_mb: float
    seconds: float
    detail: str = ""


async def upload(host: str, port: int, size: int, *, declared: bool) -> UploadResult:
    """One upload of `size` bytes, generated on the fly; stops sending once answered."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        f"POST /_upload HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Reflex-Client-Token: {uuid.uuid4()}\r\nReflex-Event-Handler: {handler_name()}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        + (f"Content-Length: {size}\r\n" if declared else "Transfer-Encoding: chunked\r\n")
        + "\r\n"
    )
    writer.write(head.encode())

    async def read_answer() -> tuple[int, str]:
        status_line = await reader.readline()
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:  # a streamed answer (the handler ran): wait for all of it, as a browser does
            body = b""
            while not body.endswith(b"0\r\n\r\n") and (data := await reader.read(65536)):
                body += data
            body = f"a streamed answer of {len(body)} bytes (the handler ran)".encode()
        return status, body.decode("utf-8", "replace")[:200]

    answer = asyncio.create_task(read_answer())
    sent = 0
    first = form_start()
    try:
        closing = f"\r\n--{BOUNDARY}--\r\n".encode()  # a well-formed form: the file ends
        while sent < size and not answer.done():
            left = size - sent
            if sent == 0:
                data = first
            elif left > len(closing):
                data = FILLER[: left - len(closing)]
            else:
                data = closing
            writer.write(data if declared else b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
            sent += len(data)
        if not declared and not answer.done():
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (ConnectionError, OSError):
        pass  # the server closed the connection after answering
    try:
        status, detail = await asyncio.wait_for(answer, timeout=120)
    except (TimeoutError, ConnectionError, OSError, ValueError, IndexError):
        status, detail = None, ""
    writer.close()
    return UploadResult(status, round(sent / MB, 1), round(time.monotonic() - started, 2), detail)


class Sampler:
    """The app's RSS every 10 ms, and /healthz every 100 ms, in threads."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.peak = 0
        self.health_worst = 0.0
        self.health_failures = 0
        self.health_count = 0
        self._stop = threading.Event()

    def __enter__(self) -> Sampler:
        self.threads = [threading.Thread(target=self._rss), threading.Thread(target=self._health)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self.threads:
            thread.join()

    def _rss(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss())
            time.sleep(0.01)

    def _health(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.server.url + "/healthz", timeout=10) as r:
                    ok = r.status == 200
            except OSError:
                ok = False
            self.health_count += 1
            self.health_failures += not ok
            self.health_worst = max(self.health_worst, time.monotonic() - started)
            time.sleep(0.1)


@dataclass
class Phase:
    name: str
    rss_before_mb: float
    rss_peak_mb: float
    increase_mb: float
    results: list[UploadResult] = field(default_factory=list)
    health_checks: int = 0
    health_failures: int = 0
    health_worst_ms: float = 0.0


def run_phase(server: AppServer, name: str, size: int, count: int, declared: bool) -> Phase:
    time.sleep(1.0)  # let the previous phase's memory settle
    before = server.rss()
    with Sampler(server) as sampler:

        async def all_at_once():
            return await asyncio.gather(
                *(upload("127.0.0.1", server.port, size, declared=declared) for _ in range(count))
            )

        results = asyncio.run(all_at_once())
        time.sleep(0.5)  # whatever the app does after answering counts too
    return Phase(
        name=name,
        rss_before_mb=round(before / MB, 1),
        rss_peak_mb=round(sampler.peak / MB, 1),
        increase_mb=round((sampler.peak - before) / MB, 1),
        results=list(results),
        health_checks=sampler.health_count,
        health_failures=sampler.health_failures,
        health_worst_ms=round(sampler.health_worst * 1000, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=300)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--phases", default="declared,chunked,10 x declared,10 x chunked", help="comma-separated"
    )
    args = parser.parse_args()
    size = args.size_mb * MB

    data = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    port = free_port()
    env = app_env(f"sqlite:///{data / 'bench.db'}", "127.0.0.1", port, data)
    env["REFLEX_WEB_WORKDIR"] = str(data / "web")  # the backend's markers, outside the checkout
    migrate(env)
    server = AppServer("app", env, "127.0.0.1", port, data / "app.log").start()
    phases = []
    print(f"load average at the start: {loadavg()}", flush=True)
    try:
        # A first small request warms the route (handler lookup, first imports).
        asyncio.run(upload("127.0.0.1", port, MB, declared=True))
        wanted = args.phases.split(",")
        for name, count, declared in [
            ("declared", 1, True),
            ("chunked", 1, False),
            ("10 x declared", 10, True),
            ("10 x chunked", 10, False),
        ]:
            if name not in wanted:
                continue
            phase = run_phase(server, name, size, count, declared)
            phases.append(phase)
            statuses = sorted({str(r.status) for r in phase.results})
            sent = max(r.sent_mb for r in phase.results)
            print(
                f"{name:14} RSS {phase.rss_before_mb:6.1f} -> peak {phase.rss_peak_mb:6.1f} MB "
                f"(+{phase.increase_mb:5.1f})  answers {','.join(statuses):8} "
                f"sent before the answer <= {sent:6.1f} MB  slowest answer "
                f"{max(r.seconds for r in phase.results):5.2f} s  /healthz "
                f"{phase.health_checks - phase.health_failures}/{phase.health_checks} ok, "
                f"worst {phase.health_worst_ms:.0f} ms",
                flush=True,
            )
        details = sorted({r.detail[:100] for p in phases for r in p.results})
        print("answers:", " | ".join(details))
    finally:
        server.stop()
    print(f"load average at the end: {loadavg()}")
    if args.json:
        args.json.write_text(json.dumps([asdict(p) for p in phases], indent=2))


if __name__ == "__main__":
    main()
