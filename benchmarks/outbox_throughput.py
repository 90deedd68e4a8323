"""Outbox throughput to a local SMTP server: the sender with MAIL_CONNECTIONS=1 (one reused
connection, one email at a time), 4 and 8 connections, and two senders with 4 each sharing the
outbox, in the same run (optionally also one connection per email: `--variants ...,fresh`).

    python -m benchmarks.outbox_throughput [--db-url URL] [--emails 2000] [--rounds 3]
        [--variants c1,c4,c8,two4]

The SMTP server is aiosmtpd in its own process (so it does not share this one's GIL), with a
handler that counts and drops each message. Each round queues `--emails` rows the way the
services do (outbox.enqueue, half for guests so their signed links are rendered at send time),
then times `OutboxSender.run_once()` until every row is sent. The database defaults to a
temporary SQLite file; with --db-url the benchmark uses the first tickets there (or creates
200) and deletes the outbox rows it queued.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import col, select

from benchmarks.seed_large import migrate
from benchmarks.timing import dump, machine
from support_portal import db as db_module
from support_portal.mail.pool import MailerPool
from support_portal.mail.sender import OutboxSender
from support_portal.mail.smtp import Mailer
from support_portal.models import OutboxEmail, OutboxStatus, Ticket
from support_portal.services import outbox
from support_portal.settings import get_settings

DOMAIN = "outbox-bench.example"
TEMPLATES = ("ticket_received", "agent_replied", "info_requested", "resolved", "closed")


class OneConnectionPerEmail(Mailer):
    """The same Mailer, but it hangs up after every message (connect, EHLO, send, QUIT)."""

    async def send(self, message) -> None:
        try:
            await super().send(message)
        finally:
            await self.close()


def serve_smtp(port: int, received, ready, delay: float = 0.0) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            if delay:  # a provider across the internet answers each message later
                await asyncio.sleep(delay)
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def ticket_ids(count: int = 200) -> list[int]:
    with db_module.session_scope() as db:
        ids = list(db.exec(select(Ticket.id).order_by(col(Ticket.id)).limit(count)).all())
        for n in range(len(ids), count):
            ticket = Ticket(number=90_000_000 + n, subject=f"Benchmark {n}",
                            category="other", guest_email=f"guest{n}@{DOMAIN}",
                            guest_name=f"Guest {n}", guest_link_nonce=f"{n:032x}")  # fmt: skip
            db.add(ticket)
            db.flush()
            ids.append(ticket.id)  # type: ignore[arg-type]
    return ids  # type: ignore[return-value]


def queue_emails(count: int, tickets: list[int]) -> None:
    with db_module.session_scope() as db:
        guests = {t.id: t for t in db.exec(select(Ticket).where(col(Ticket.id).in_(tickets)))}
        for n in range(count):
            ticket = guests[tickets[n % len(tickets)]]
            guest = n % 2 == 0 and ticket.guest_link_nonce is not None and ticket.guest_email
            outbox.enqueue(
                db,
                to_email=f"customer{n}@{DOMAIN}",
                to_name=f"Customer {n}",
                template=TEMPLATES[n % len(TEMPLATES)],
                ticket_id=ticket.id,
                params={"event": TEMPLATES[n % len(TEMPLATES)], "guest": bool(guest)},
            )


def clear_emails() -> None:
    with db_module.session_scope() as db:
        db.exec(delete(OutboxEmail).where(col(OutboxEmail.to_email).like(f"%@{DOMAIN}")))


def pending() -> int:
    with db_module.session_scope() as db:
        return len(
            db.exec(
                select(OutboxEmail.id).where(
                    col(OutboxEmail.to_email).like(f"%@{DOMAIN}"),
                    OutboxEmail.status != OutboxStatus.sent,
                )
            ).all()
        )


# name: (label, senders, MAIL_CONNECTIONS of each)
VARIANTS = {
    "c1": ("MAIL_CONNECTIONS=1", 1, 1),
    "c4": ("MAIL_CONNECTIONS=4", 1, 4),
    "c8": ("MAIL_CONNECTIONS=8", 1, 8),
    "two4": ("two senders, MAIL_CONNECTIONS=4 each", 2, 4),
    "two1": ("two senders, MAIL_CONNECTIONS=1 each", 2, 1),
    "fresh": ("one connection per email", 1, 1),
}


def one_round(settings, *, variant: str, emails: int, tickets: list[int], received, profile=None):
    clear_emails()
    queue_emails(emails, tickets)
    # "two..." is what two app workers (or two `support-portal send-mail` processes) do: two
    # senders claiming from the same outbox, here in one process and so sharing one GIL.
    label, count, connections = VARIANTS[variant]
    senders = [
        OutboxSender(settings, worker=f"bench-{n}", connections=connections) for n in range(count)
    ]
    if variant == "fresh":
        senders[0].mailer = MailerPool([OneConnectionPerEmail(settings)])
    before = received.value
    if profile is not None:
        profile.enable()
    start = time.perf_counter()
    sent_by_each = asyncio.run(_send_all(senders))
    elapsed = time.perf_counter() - start
    sent = sum(sent_by_each)
    if profile is not None:
        profile.disable()
    assert sent == emails and pending() == 0, (sent, pending())
    delivered = received.value - before
    assert delivered == emails, f"the server got {delivered} of {emails}"
    return {
        "variant": label,
        "emails": emails,
        "seconds": round(elapsed, 3),
        "per_second": round(emails / elapsed, 1),
        "connections": sum(sender.mailer.connections_opened for sender in senders),
        "sent_by_each": sent_by_each,
    }


async def _send_all(senders: list[OutboxSender]) -> list[int]:
    try:
        return list(await asyncio.gather(*(sender.run_once() for sender in senders)))
    finally:
        for sender in senders:
            await sender.mailer.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Outbox throughput to a local SMTP server.")
    parser.add_argument("--db-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="each variant, alternating")
    parser.add_argument(
        "--smtp-delay-ms", type=float, default=0.0, help="the server waits this long per message"
    )
    parser.add_argument("--variants", default="c1,c4,c8,two4", help=f"of {','.join(VARIANTS)}")
    parser.add_argument("--profile", action="store_true", help="cProfile MAIL_CONNECTIONS=4")
    parser.add_argument("--out", default=None, help="write the results as JSON")
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    if unknown := set(variants) - set(VARIANTS):
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")

    scratch = None if args.db_url else Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    url = args.db_url or f"sqlite:///{scratch / 'db'}"
    migrate(url)
    engine = db_module.make_engine(url)
    db_module.set_engine(engine)

    from tests.mailbox import free_port

    port = free_port()
    received, ready = multiprocessing.Value("l", 0), multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve_smtp, args=(port, received, ready, args.smtp_delay_ms / 1000), daemon=True
    )
    server.start()
    ready.wait(30)
    settings = get_settings().model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    started = machine()
    results = []
    try:
        tickets = ticket_ids()
        print(f"{engine.dialect.name}: {args.emails} emails per round, "
              f"SMTP server delay {args.smtp_delay_ms:g} ms per message")  # fmt: skip
        print("| Round | Variant | Emails/s | Seconds | Connections |\n|---|---|---|---|---|")
        for n in range(args.rounds):
            for variant in variants:
                result = one_round(settings, variant=variant, emails=args.emails,
                                   tickets=tickets, received=received)  # fmt: skip
                results.append(result)
                cells = (n + 1, result["variant"], f"{result['per_second']:.0f}",
                         f"{result['seconds']:.2f}", result["connections"])  # fmt: skip
                print("| " + " | ".join(map(str, cells)) + " |", flush=True)
        for label in dict.fromkeys(r["variant"] for r in results):
            rates = [r["per_second"] for r in results if r["variant"] == label]
            print(f"median, {label}: {statistics.median(rates):.0f} emails/s")
        if args.profile:
            profile = cProfile.Profile()
            one_round(settings, variant="c4", emails=args.emails, tickets=tickets,
                      received=received, profile=profile)  # fmt: skip
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    finally:
        clear_emails()
        server.terminate()
        server.join(10)
        engine.dispose()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"machine at start: {started}, at end: {machine()}")
    if args.out:
        dump(args.out, {"db": engine.dialect.name, "results": results,
                        "machine": [started, machine()]})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
