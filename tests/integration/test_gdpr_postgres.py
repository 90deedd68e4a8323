"""Your data on the real databases: 50 parallel "Download my data" clicks make one export (X1),
on SQLite and PostgreSQL; after "Delete my account" no text column of any table holds the
address (every text, varchar and JSON column, found by SQLAlchemy inspection)."""

from __future__ import annotations

import zipfile

import pytest
from sqlalchemy import JSON, String, inspect, text
from sqlmodel import select

from support_portal.db import get_engine, session_scope
from support_portal.models import AuditEvent, DataExport, Role
from support_portal.services import agent as agent_service
from support_portal.services import attachments, auth, data_export, gdpr, sessions, tickets
from support_portal.services.attachments import IncomingFile
from support_portal.services.errors import InvalidCredentials
from tests.integration.test_throttle_concurrency import (  # noqa: F401  (the backend fixture)
    CLIENTS,
    PASSWORD,
    at_once,
    backend,
    count,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("backend")]
EMAIL = "carol@example.com"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def login(email: str, role: Role = Role.customer, name: str = "Carol Customer"):
    with session_scope() as db:
        user = auth.create_user(
            db, name=name, email=email, password=PASSWORD, role=role,
            email_verified=True,
        )  # fmt: skip
        token, _, _ = sessions.exchange_login_ticket(
            db, token=sessions.create_login_ticket(db, user_id=user.id), ip="203.0.113.5"
        )
        return sessions.viewer_for_token(db, session_token=token)


def test_fifty_parallel_export_clicks_make_one_export(monkeypatch):
    launched: list[int] = []
    monkeypatch.setattr(data_export, "launch", launched.append)
    viewer = login(EMAIL)
    seen: list[int] = []

    def click(_i: int) -> None:
        with session_scope() as db:
            seen.append(data_export.start_export(db, viewer=viewer).id)

    assert at_once(click) == {"ok": CLIENTS}
    assert count(DataExport) == 1
    assert len(set(seen)) == 1 and launched == [seen[0]]


def test_a_built_export_downloads_as_a_zip(monkeypatch, tmp_path):
    monkeypatch.setattr(data_export, "launch", lambda _id: None)
    viewer = login(EMAIL)
    with session_scope() as db:
        tickets.create_ticket(
            db, viewer=viewer, subject="Withdrawal", category="trading", description="Hello"
        )
        export_id = data_export.start_export(db, viewer=viewer).id
    assert data_export.build(export_id)
    with session_scope() as db:
        path, _ = data_export.file_for_download(db, viewer=viewer, export_id=export_id)
    assert "account.json" in zipfile.ZipFile(path).namelist()


def text_columns_holding(needle: str) -> list[str]:
    """Every text, varchar and JSON column of every table whose value contains `needle`."""
    engine = get_engine()
    found = []
    inspector = inspect(engine)
    with engine.connect() as connection:
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if not isinstance(column["type"], String | JSON):
                    continue
                hit = connection.execute(
                    text(
                        f'SELECT 1 FROM "{table}" WHERE lower(CAST("{column["name"]}" AS TEXT)) '
                        "LIKE :needle LIMIT 1"
                    ),
                    {"needle": f"%{needle.lower()}%"},
                ).first()
                if hit:
                    found.append(f"{table}.{column['name']}")
    return found


def test_after_deleting_the_account_no_text_column_of_any_table_holds_its_address(monkeypatch):
    monkeypatch.setattr(data_export, "launch", lambda _id: None)
    customer = login(EMAIL)
    agent = login("agnes@support.test", Role.agent, "Agnes Agent")
    with session_scope() as db:
        number = tickets.create_ticket(
            db,
            viewer=customer,
            subject=f"Account {EMAIL} locked",
            category="account",
            description=f"I am Carol Customer, {EMAIL.upper()}",
            files=attachments.store([IncomingFile("carol.png", PNG)]),
        ).number
        agent_service.agent_reply(db, viewer=agent, number=number, body=f"Mailed {EMAIL}")
        agent_service.agent_reply(db, viewer=agent, number=number, body=EMAIL, internal=True)
        export_id = data_export.start_export(db, viewer=customer).id
    data_export.build(export_id)
    with pytest.raises(InvalidCredentials), session_scope() as db:  # a throttle row keyed by it
        auth.authenticate(db, email=EMAIL, password="wrong guess", ip="203.0.113.5")
    before = set(text_columns_holding(EMAIL))
    assert {"users.email", "messages.body", "rate_events.key", "outbox_emails.to_email"} <= before
    with session_scope() as db:
        gdpr.delete_account(db, viewer=customer, password=PASSWORD, ip="203.0.113.5")
    assert text_columns_holding(EMAIL) == []
    assert text_columns_holding("Carol Customer") == []
    with session_scope() as db:
        assert db.exec(select(DataExport)).all() == []


def test_fifty_parallel_confirmations_delete_the_account_once():
    customer = login(EMAIL)

    def confirm(_i: int) -> None:
        with session_scope() as db:
            gdpr.delete_account(db, viewer=customer, password=PASSWORD, ip="203.0.113.5")

    outcomes = at_once(confirm)
    assert outcomes["ok"] == 1
    assert set(outcomes) <= {"ok", "NotAuthenticated", "RateLimited"}
    assert count(AuditEvent, AuditEvent.action == "account.deleted") == 1
