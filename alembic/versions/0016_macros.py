"""macros: a saved reply's actions (status, assignee, priority, tags), issue 15

Revision ID: 0016
Revises: 0009
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("saved_replies") as batch:
        batch.add_column(
            sa.Column("macro_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch.add_column(
            sa.Column("macro_assign", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch.add_column(
            sa.Column("macro_priority", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch.add_column(sa.Column("macro_tags", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("saved_replies") as batch:
        batch.drop_column("macro_tags")
        batch.drop_column("macro_priority")
        batch.drop_column("macro_assign")
        batch.drop_column("macro_status")
