"""`support-portal` command line: migrations, demo data, agents, the mail sender."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
from pathlib import Path

from support_portal import logs
from support_portal.settings import get_settings


def migrate(_args: argparse.Namespace | None = None) -> int:
    """Apply every migration (alembic upgrade head)."""
    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    command.upgrade(config, "head")
    return 0


def create_agent(args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.models import Role
    from support_portal.services.auth import create_user
    from support_portal.services.errors import DomainError

    password = os.environ.get("SUPPORT_PORTAL_PASSWORD")
    if not password:
        password = getpass.getpass("Password for the new agent: ")
        if password != getpass.getpass("Repeat the password: "):
            print("The passwords do not match.", file=sys.stderr)
            return 2
    try:
        with session_scope() as db:
            user = create_user(
                db,
                name=args.name,
                email=args.email,
                password=password,
                role=Role.admin if args.admin else Role.agent,
                email_verified=True,
            )
    except DomainError as exc:
        print(f"Could not create the agent: {exc.message.format(**exc.params)}", file=sys.stderr)
        return 1
    print(f"Created {user.role} {user.email}")
    return 0


def seed_demo(_args: argparse.Namespace | None = None) -> int:
    from support_portal.demo import seed_if_empty

    print(seed_if_empty())
    return 0


def send_mail(args: argparse.Namespace) -> int:
    from support_portal.mail.sender import OutboxSender

    sender = OutboxSender()
    if args.once:
        sent = asyncio.run(sender.run_once())
        print(f"Sent {sent} emails")
        return 0
    print("Sending emails from the outbox; Ctrl+C stops.")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(sender.run_forever())
    return 0


def auto_close(_args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.services.reminders import run_due

    with session_scope() as db:
        done = run_due(db)
    print(
        f"Resolved {len(done['resolved'])}, reminded {len(done['reminded'])}, "
        f"closed {len(done['closed'])} tickets; {len(done['overdue'])} overdue replies "
        f"reported, {len(done['escalated'])} escalated"
    )
    return 0


def prune(_args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.services.retention import prune as prune_rows

    with session_scope() as db:
        deleted = prune_rows(db)
    print("Deleted " + ", ".join(f"{count} {table}" for table, count in deleted.items()))
    return 0


def retention(args: argparse.Namespace) -> int:
    """Anonymise tickets closed longer ago than RETENTION_CLOSED_DAYS (or --days)."""
    from support_portal.db import session_scope
    from support_portal.services.gdpr import anonymise_closed

    with session_scope() as db:
        report = anonymise_closed(db, days=args.days, dry_run=args.dry_run)
        if args.dry_run:
            db.rollback()
    if report.days is None:
        print("RETENTION_CLOSED_DAYS is not set: closed tickets are kept.")
        return 0
    verb = "Would anonymise" if args.dry_run else "Anonymised"
    counts = report.erased
    print(
        f"{verb} {len(report.numbers)} tickets closed before {report.cutoff:%Y-%m-%d %H:%M} UTC"
        f" ({counts.messages} customer messages, {counts.attachments} attachments)"
    )
    for number in report.numbers:
        print(f"  {number}")
    return 0


def api_token(args: argparse.Namespace) -> int:
    """Create, list or revoke personal access tokens for the REST API (docs/api.md)."""
    from support_portal.db import session_scope
    from support_portal.services import api_tokens
    from support_portal.services.errors import DomainError

    try:
        with session_scope() as db:
            if args.action == "create":
                days = None if args.days == 0 else args.days
                new = api_tokens.create_token_for_email(
                    db, email=args.email, name=args.name, scopes=args.scope or ["read"], days=days
                )
                expires = new.token.expires_at.isoformat() if new.token.expires_at else "never"
                print(f"Token {new.token.id} for {new.token.owner_email}")
                print(f"  scopes: {' '.join(new.token.scopes)}; expires: {expires}")
                print("  Shown once, copy it now:")
                print(f"  {new.secret}")
            elif args.action == "list":
                for t in api_tokens.list_all_tokens(db):
                    state = "revoked" if t.revoked_at else "active"
                    used = t.last_used_at.isoformat() if t.last_used_at else "never"
                    expires = t.expires_at.isoformat() if t.expires_at else "never"
                    print(
                        f"{t.id}\t{t.prefix}…\t{t.owner_email}\t{t.name}\t{' '.join(t.scopes)}"
                        f"\t{state}\texpires {expires}\tlast used {used}"
                    )
            else:
                api_tokens.revoke_token_by_id(db, token_id=args.id)
                print(f"Revoked token {args.id}")
    except DomainError as exc:
        print(f"Failed: {exc.message.format(**exc.params)}", file=sys.stderr)
        return 1
    return 0


def webhook(args: argparse.Namespace) -> int:
    """Register, list, disable or enable webhook endpoints (docs/api.md)."""
    from support_portal.db import session_scope
    from support_portal.services import webhooks
    from support_portal.services.errors import DomainError

    try:
        with session_scope() as db:
            if args.action == "add":
                new = webhooks.add_endpoint(db, url=args.url, events=args.event or [])
                print(f"Webhook {new.endpoint.id}: {new.endpoint.url}")
                print(f"  events: {' '.join(new.endpoint.events)}")
                print("  Signing secret, shown once:")
                print(f"  {new.secret}")
            elif args.action == "list":
                for e in webhooks.list_endpoints(db):
                    state = "active" if e.is_active else "disabled"
                    print(
                        f"{e.id}\t{e.url}\t{' '.join(e.events)}\t{state}"
                        f"\tfailures in a row: {e.consecutive_failures}"
                    )
            else:
                webhooks.set_active(db, endpoint_id=args.id, active=args.action == "enable")
                print(f"Webhook {args.id} {args.action}d")
    except DomainError as exc:
        print(f"Failed: {exc.message.format(**exc.params)}", file=sys.stderr)
        return 1
    return 0


def send_webhooks(args: argparse.Namespace) -> int:
    from support_portal import webhook_sender

    if args.once:
        print(f"Delivered {asyncio.run(webhook_sender.run_once())} webhooks")
        return 0
    print("Sending webhooks; Ctrl+C stops.")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(webhook_sender.run_forever())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="support-portal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=migrate)
    sub.add_parser("seed-demo", help="create demo data when the database is empty").set_defaults(
        func=seed_demo
    )
    agent = sub.add_parser(
        "create-agent",
        help="create a support agent (password from SUPPORT_PORTAL_PASSWORD or a prompt)",
    )
    agent.add_argument("--email", required=True)
    agent.add_argument("--name", required=True)
    agent.add_argument("--admin", action="store_true", help="may add and deactivate agents")
    agent.set_defaults(func=create_agent)
    mail = sub.add_parser("send-mail", help="run the outbox sender as its own process")
    mail.add_argument("--once", action="store_true", help="send what is due, then exit")
    mail.set_defaults(func=send_mail)
    tokens = sub.add_parser("api-token", help="REST API tokens for agents and admins")
    token_actions = tokens.add_subparsers(dest="action", required=True)
    create = token_actions.add_parser("create", help="create a token (shown once)")
    create.add_argument("--email", required=True, help="the agent or admin who holds it")
    create.add_argument("--name", required=True, help="what it is for, e.g. 'CRM sync'")
    create.add_argument(
        "--scope", action="append", choices=["read", "write"], help="repeatable; default read"
    )
    create.add_argument("--days", type=int, default=90, help="lifetime in days; 0: no expiry")
    token_actions.add_parser("list", help="every token (never the secret)")
    revoke = token_actions.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("--id", type=int, required=True)
    tokens.set_defaults(func=api_token)
    hooks = sub.add_parser("webhook", help="webhook endpoints (administrators)")
    hook_actions = hooks.add_subparsers(dest="action", required=True)
    add = hook_actions.add_parser("add", help="register an endpoint (secret shown once)")
    add.add_argument("--url", required=True)
    add.add_argument("--event", action="append", help="repeatable: ticket.created, ...")
    hook_actions.add_parser("list", help="every endpoint")
    for name in ("disable", "enable"):
        hook_actions.add_parser(name, help=f"{name} an endpoint").add_argument(
            "--id", type=int, required=True
        )
    hooks.set_defaults(func=webhook)
    sender = sub.add_parser("send-webhooks", help="run the webhook sender as its own process")
    sender.add_argument("--once", action="store_true", help="send what is due, then exit")
    sender.set_defaults(func=send_webhooks)
    sub.add_parser(
        "auto-close", help="resolve unanswered, remind waiting and close resolved tickets"
    ).set_defaults(func=auto_close)
    sub.add_parser(
        "prune", help="delete old rate events, sessions, login tickets and codes"
    ).set_defaults(func=prune)
    keep = sub.add_parser(
        "retention", help="anonymise tickets closed longer ago than RETENTION_CLOSED_DAYS"
    )
    keep.add_argument("--dry-run", action="store_true", help="only list what would change")
    keep.add_argument("--days", type=int, help="instead of RETENTION_CLOSED_DAYS")
    keep.set_defaults(func=retention)
    args = parser.parse_args(argv)
    logs.configure(get_settings().log_format, text=True)  # and fail early on bad configuration
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
