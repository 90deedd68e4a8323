"""Demo data for a first `make run`: one agent, one customer with two tickets."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlmodel import func, select

from support_portal.db import session_scope
from support_portal.models import Role, User
from support_portal.services import agent as agent_service
from support_portal.services import auth, categories, custom_fields, tickets
from support_portal.settings import DATA_DIR

LOGINS_FILE = DATA_DIR / "demo_logins.txt"


def seed_if_empty() -> str:
    with session_scope() as db:
        if db.exec(select(func.count(User.id))).one() > 0:
            return _logins_text(existing=True)
    agent_password = secrets.token_urlsafe(9)
    customer_password = secrets.token_urlsafe(9)
    with session_scope() as db:
        auth.create_user(
            db,
            name="Alex Admin",
            email="agent@example.com",
            password=agent_password,
            role=Role.admin,
            email_verified=True,
        )
        auth.create_user(
            db,
            name="Carla Customer",
            email="customer@example.com",
            password=customer_password,
            email_verified=True,
        )
    with session_scope() as db:
        agent_viewer = _viewer(db, "agent@example.com")
        _demo_fields(db, agent_viewer)
    with session_scope() as db:
        agent_viewer = _viewer(db, "agent@example.com")
        customer = _viewer(db, "customer@example.com")
        first = tickets.create_ticket(
            db,
            viewer=customer,
            subject="My deposit has not arrived",
            category="deposits_withdrawals",
            description="I sent 0.5 ETH two hours ago (transaction 0x9f2c...e41a) and it is "
            "still not in my balance.",
            fields={"transaction_id": "0x9f2c...e41a"},
        )
        agent_service.agent_reply(
            db,
            viewer=agent_viewer,
            number=first.number,
            request_info=True,
            body="Thanks for reaching out. Could you send a screenshot of the transfer in your "
            "wallet and the exact time you sent it?",
        )
        second = tickets.create_ticket(
            db,
            viewer=customer,
            subject="How do I enable two-factor authentication?",
            category="security",
            description="I would like to secure my account with 2FA.",
        )
        agent_service.agent_reply(
            db,
            viewer=agent_viewer,
            number=second.number,
            body="Go to Settings > Security > Two-factor authentication and follow the steps. "
            "Let us know if anything is unclear.",
        )
        agent_service.change_status(db, viewer=agent_viewer, number=second.number, action="resolve")
    LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
    LOGINS_FILE.write_text(
        f"Agent (admin): agent@example.com / {agent_password}\n"
        f"Customer:      customer@example.com / {customer_password}\n"
    )
    LOGINS_FILE.chmod(0o600)
    return _logins_text(existing=False)


def _viewer(db, email: str):
    from support_portal.models import SessionKind
    from support_portal.services.dto import Viewer

    user = db.exec(select(User).where(User.email == email)).one()
    return Viewer(
        kind=SessionKind.user,
        session_id=0,
        user_id=user.id,
        role=user.role,
        name=user.name,
        email=user.email,
    )


def _logins_text(*, existing: bool) -> str:
    head = "Demo data already present." if existing else "Created demo data."
    if Path(LOGINS_FILE).exists():
        return f"{head} Demo logins:\n{LOGINS_FILE.read_text()}"
    return f"{head} (No demo logins file: accounts were created another way.)"


def _demo_fields(db, admin) -> None:
    """The custom fields that fit the product: a transaction ID (required) for deposits and
    withdrawals, an order ID for trading."""
    by_key = {c.key: c.id for c in categories.offered(db)}
    for category, en, cs, required in (
        ("deposits_withdrawals", "Transaction ID", "ID transakce", True),
        ("trading", "Order ID", "ID pokynu", False),
    ):
        if category in by_key:
            custom_fields.save_field(
                db,
                viewer=admin,
                category_id=by_key[category],
                labels={"en": en, "cs": cs},
                kind="short_text",
                required=required,
            )
