"""merging a duplicate ticket into another (issue 15)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_tickets_merged_into", "tickets", ["merged_into_id"], ["id"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("merged_from", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("merged_from")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("fk_tickets_merged_into", type_="foreignkey")
        batch.drop_column("merged_into_id")
