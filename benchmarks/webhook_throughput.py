"""Webhook delivery throughput to a local HTTP receiver, against the email outbox to a local SMTP
server, in the same run.

    python -m benchmarks.webhook_throughput [--db-url URL] [--events 2000] [--rounds 3]

The receiver is Python's ThreadingHTTPServer in its own process, answering 204 and counting;
the SMTP server is the email benchmark's (benchmarks/outbox_throughput.py). Each round queues
`--events` deliveries the way the services do (`webhooks.on_ticket_changed`, one endpoint), then
times `webhook_sender.run_once()` until every one is delivered and checked as received; then
the same number of emails through `OutboxSender.run_once()` (its reused connection). The
database defaults to a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import col, select

from benchmarks import outbox_throughput as emails
from benchmarks.seed_large import migrate
from benchmarks.timing import machine
from support_portal import db as db_module
from support_portal import webhook_sender
from support_portal.models import Ticket, WebhookDelivery, WebhookEndpoint
from support_portal.services import webhooks
from support_portal.settings import get_settings


def serve_http(port: int, received, ready) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Count(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length", 0)))
            with received.get_lock():
                received.value += 1
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the default backlog of 5 resets a batch's parallel connects

    server = Server(("127.0.0.1", port), Count)
    ready.set()
    server.serve_forever()


def queue_deliveries(count: int, tickets: list[int]) -> None:
    with db_module.session_scope() as db:
        rows = {t.id: t for t in db.exec(select(Ticket).where(col(Ticket.id).in_(tickets)))}
        for n in range(count):
            ticket = rows[tickets[n % len(tickets)]]
            webhooks.on_ticket_changed(db, ticket, kind="created", message_id=None)


def clear_deliveries() -> None:
    with db_module.session_scope() as db:
        db.exec(delete(WebhookDelivery))  # type: ignore[call-overload]


def webhook_round(count: int, tickets: list[int], received) -> dict:
    clear_deliveries()
    queue_deliveries(count, tickets)
    before = received.value
    start = time.perf_counter()
    sent = 0
    while sent < count:
        batch = asyncio.run(webhook_sender.run_once())
        if batch == 0:
            with db_module.session_scope() as db:
                errors = db.exec(
                    select(WebhookDelivery.last_error).where(WebhookDelivery.status != "sent")
                ).all()
            raise AssertionError(f"stalled after {sent} of {count}: {errors[:5]}")
        sent += batch
    elapsed = time.perf_counter() - start
    assert received.value - before == count, (received.value - before, count)
    return {"variant": "webhooks", "n": count, "seconds": elapsed, "per_second": count / elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Webhook throughput against the email outbox.")
    parser.add_argument("--db-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    scratch = None if args.db_url else Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    url = args.db_url or f"sqlite:///{scratch / 'db'}"
    migrate(url)
    engine = db_module.make_engine(url)
    db_module.set_engine(engine)
    from tests.mailbox import free_port

    http_port, smtp_port = free_port(), free_port()
    hooks_received, mails_received = multiprocessing.Value("l", 0), multiprocessing.Value("l", 0)
    http_ready, smtp_ready = multiprocessing.Event(), multiprocessing.Event()
    servers = [
        multiprocessing.Process(
            target=serve_http, args=(http_port, hooks_received, http_ready), daemon=True
        ),
        multiprocessing.Process(
            target=emails.serve_smtp, args=(smtp_port, mails_received, smtp_ready), daemon=True
        ),
    ]
    for server in servers:
        server.start()
    http_ready.wait(30)
    smtp_ready.wait(30)
    settings = get_settings()
    settings.webhook_allow_private = True  # the receiver is on loopback
    mail_settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_security": "none"}
    )
    started = machine()
    results = []
    try:
        with db_module.session_scope() as db:
            webhooks.add_endpoint(
                db, url=f"http://127.0.0.1:{http_port}/hook", events=["ticket.created"]
            )
        tickets = emails.ticket_ids()
        print(f"{engine.dialect.name}: {args.events} per round")
        print("| Round | What | Per second | Seconds |\n|---|---|---|---|")
        for n in range(args.rounds):
            hooks = webhook_round(args.events, tickets, hooks_received)
            mail = emails.one_round(mail_settings, variant="c1", emails=args.events,
                                    tickets=tickets, received=mails_received)  # fmt: skip
            mail = {**mail, "variant": "emails (OutboxSender, one SMTP connection)"}
            for result in (hooks, mail):
                results.append(result)
                print(f"| {n + 1} | {result['variant']} | {result['per_second']:.0f} | "
                      f"{result['seconds']:.2f} |", flush=True)  # fmt: skip
        for label in dict.fromkeys(r["variant"] for r in results):
            rates = [r["per_second"] for r in results if r["variant"] == label]
            print(f"median, {label}: {statistics.median(rates):.0f}/s")
    finally:
        clear_deliveries()
        emails.clear_emails()
        with db_module.session_scope() as db:
            db.exec(delete(WebhookEndpoint))  # type: ignore[call-overload]
        for server in servers:
            server.terminate()
            server.join(10)
        engine.dispose()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"machine at start: {started}, at end: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
