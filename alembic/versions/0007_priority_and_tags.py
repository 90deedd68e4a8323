"""ticket priority and tags, for agents only (issue 15)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
    op.create_index(
        "ix_tickets_priority_list", "tickets", ["priority", "last_activity_at", "id"]
    )
    op.create_table(
        "ticket_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "tag", name="uq_ticket_tag"),
    )
    op.create_index("ix_ticket_tags_tag", "ticket_tags", ["tag", "ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_tags_tag", table_name="ticket_tags")
    op.drop_table("ticket_tags")
    op.drop_index("ix_tickets_priority_list", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("priority")
