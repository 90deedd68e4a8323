"""The alembic chain builds the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import support_portal.models  # noqa: F401
from support_portal.cli import migrate
from support_portal.models.search_index import is_search_object
from tests.backends import Postgres

pytestmark = pytest.mark.integration


def _config(url: str) -> Config:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    config.attributes["db_url"] = url
    config.attributes["configure_logger"] = False
    return config


def _assert_matches_models(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, *_: not is_search_object(name)}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def _round_trip(url: str) -> None:
    config = _config(url)
    command.upgrade(config, "head")
    _assert_matches_models(url)
    command.downgrade(config, "base")
    engine = sa.create_engine(url)
    tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
    command.upgrade(config, "head")
    _assert_search_index(url)


def _assert_search_index(url: str) -> None:
    """Issue 19: the search index is there at head. On SQLite its triggers must survive every
    later migration: a batch migration that copies `messages`, `tickets` or `users` to a new
    table drops their triggers, and it then has to create them again (search_index.create)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        if url.startswith("sqlite"):
            found = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            expected = {
                f"search_{table}_{event}"
                for table in ("messages", "tickets", "users")
                for event in ("insert", "delete", "update")
            }
        else:
            statistics = conn.execute(sa.text("SELECT stxname FROM pg_statistic_ext")).all()
            assert ("st_tickets_assignee_active",) in statistics  # the unassigned queue's plans
            found = conn.execute(sa.text("SELECT indexname FROM pg_indexes"))
            expected = {"search_messages_fts", "search_messages_trgm", "search_tickets_fts",
                        "search_tickets_trgm", "search_users_trgm"}  # fmt: skip
        assert expected <= {name for (name,) in found}
    engine.dispose()


def test_migrations_build_the_model_schema_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'migrations.db'}")


def test_migrations_build_the_model_schema_on_postgresql():
    server = Postgres().start()
    try:
        _round_trip(server.url())
    finally:
        server.stop()


def test_the_cli_migrates_an_empty_database(tmp_path, monkeypatch):
    from support_portal.settings import get_settings

    monkeypatch.setenv("DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        assert migrate() == 0
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
        assert "tickets" in sa.inspect(engine).get_table_names()
        engine.dispose()
    finally:
        get_settings.cache_clear()


def _categories_become_data(url: str) -> None:
    """0014 turns the fixed list into rows with the same keys: old tickets keep theirs."""
    config = _config(url)
    command.upgrade(config, "0009")
    engine = sa.create_engine(url)
    now = "2026-01-01 00:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO tickets (number, subject, category, status, is_active, priority,"
                " created_at, updated_at, last_activity_at, message_count, guest_email)"
                " VALUES (12345678, 'Old', 'trading', 'open', true, 1, :now, :now, :now, 0,"
                " 'old@example.com')"
            ),
            {"now": now},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT key, names FROM categories ORDER BY position")).all()
        category = conn.execute(
            sa.text("SELECT category FROM tickets WHERE number = 12345678")
        ).scalar()
    engine.dispose()
    keys = [key for key, _names in rows]
    assert keys == ["account", "deposits_withdrawals", "trading", "security", "other"]
    names = {key: (n if isinstance(n, dict) else __import__("json").loads(n)) for key, n in rows}
    assert names["deposits_withdrawals"] == {
        "en": "Deposits and withdrawals",
        "cs": "Vklady a výběry",
    }
    assert category == "trading"
    command.downgrade(config, "0009")  # and back: the tickets stay
    command.upgrade(config, "head")


def test_categories_become_data_on_sqlite(tmp_path):
    _categories_become_data(f"sqlite:///{tmp_path / 'categories.db'}")


def test_categories_become_data_on_postgresql():
    server = Postgres().start()
    try:
        _categories_become_data(server.url())
    finally:
        server.stop()
