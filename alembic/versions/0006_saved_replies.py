"""saved replies: shared or personal, one text per language (issue 15)

Revision ID: 0006
Revises: 0005_webhooks
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_saved_replies_owner", "saved_replies", ["owner_id", "title"])
    op.create_table(
        "saved_reply_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["reply_id"], ["saved_replies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reply_id", "locale", name="uq_saved_reply_locale"),
    )
    op.create_index("ix_saved_reply_texts_reply_id", "saved_reply_texts", ["reply_id"])


def downgrade() -> None:
    op.drop_index("ix_saved_reply_texts_reply_id", table_name="saved_reply_texts")
    op.drop_table("saved_reply_texts")
    op.drop_index("ix_saved_replies_owner", table_name="saved_replies")
    op.drop_table("saved_replies")
