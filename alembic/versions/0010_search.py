"""full-text search over subjects, customers and message bodies (issue 19)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 11:45:00

PostgreSQL: pg_trgm and GIN indexes (tsvector and trigram). SQLite: FTS5 tables kept up to
date by triggers, filled from the rows already there. The DDL lives in
support_portal/models/search_index.py, which create_all runs too.
"""

from collections.abc import Sequence

from alembic import op

from support_portal.models import search_index

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.create(op.get_bind())


def downgrade() -> None:
    search_index.drop(op.get_bind())
