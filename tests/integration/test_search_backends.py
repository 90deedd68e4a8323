"""Issue 19: the search tests of tests/unit/test_search.py on schemas built by the migrations:
a migrated SQLite file (FTS5 tables and triggers) and PostgreSQL (tsvector and pg_trgm GIN
indexes), each test in a fresh database."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import Session

from support_portal import db as db_module
from support_portal.models import Role
from tests.integration.test_migrations import _config
from tests.unit.conftest import make_viewer
from tests.unit.test_search import (  # noqa: F401  (collected here again, on these databases)
    test_a_customer_never_finds_another_customers_ticket,
    test_an_agent_finds_a_transaction_id_and_a_phrase_in_a_message_body,
    test_czech_text_is_found_whatever_the_case,
    test_internal_notes_are_found_by_agents_only,
    test_my_tickets_search_reads_message_bodies_in_every_tab_with_the_status,
    test_no_query_string_raises,
    test_parts_of_an_id_and_of_an_email_match,
    test_relevance_pages_and_the_other_sorts_page_through_the_matches,
    test_results_come_best_match_first,
    test_special_characters_never_raise_and_are_only_characters,
    test_tag_search_still_filters_and_combines_with_words,
    test_the_index_follows_changed_and_deleted_messages,
)

pytestmark = pytest.mark.integration
_names = itertools.count()


@pytest.fixture(scope="module")
def pg_template(pg_server) -> str:
    """A database migrated to head, copied for each test (CREATE DATABASE ... TEMPLATE)."""
    from alembic import command

    command.upgrade(_config(pg_server.create_database("search_template")), "head")
    return "search_template"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        from alembic import command

        url = f"sqlite:///{tmp_path / 'search.db'}"
        command.upgrade(_config(url), "head")
    else:
        server = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("pg_template")
        name = f"search_{next(_names)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = server.url(name)
    engine = db_module.make_engine(url)
    db_module.set_engine(engine)
    yield engine
    db_module.set_engine(None)
    engine.dispose()


@pytest.fixture
def db(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def alice(db):
    return make_viewer(db)


@pytest.fixture
def bob(db):
    return make_viewer(db, name="Bob", email="bob@example.com")


@pytest.fixture
def agent(db):
    return make_viewer(db, name="Agnes Agent", email="agnes@support.test", role=Role.agent)


def test_the_postgresql_search_uses_its_indexes(request):
    """The plan of a body search reads the GIN indexes, not every message."""
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    engine = db_module.make_engine(server.url(template))
    try:
        with engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(
                row[0]
                for row in conn.execute(
                    text(
                        "EXPLAIN SELECT id FROM messages WHERE to_tsvector('simple', body) "
                        "@@ to_tsquery('simple', 'refund:*') OR body ILIKE '%TX-884%'"
                    )
                )
            )
    finally:
        engine.dispose()
    assert "search_messages_fts" in plan and "search_messages_trgm" in plan
