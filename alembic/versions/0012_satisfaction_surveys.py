"""satisfaction surveys: "How did we do?" after each resolution (issue 16)

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _where(condition: str) -> dict:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    op.create_table(
        "satisfaction_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "answered", "cancelled", name="surveystatus", native_enum=False,
                    length=16),
            nullable=False,
        ),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column(
            "rating",
            sa.Enum("good", "bad", name="rating", native_enum=False, length=8),
            nullable=True,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answered_via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_surveys_one_pending",
        "satisfaction_surveys",
        ["ticket_id"],
        unique=True,
        **_where("status = 'pending'"),
    )
    op.create_index("ix_surveys_ticket", "satisfaction_surveys", ["ticket_id", "id"])
    op.create_index(
        "ix_surveys_answered", "satisfaction_surveys", ["answered_at"], **_where("status = 'answered'")
    )


def downgrade() -> None:
    op.drop_index("ix_surveys_answered", table_name="satisfaction_surveys")
    op.drop_index("ix_surveys_ticket", table_name="satisfaction_surveys")
    op.drop_index("uq_surveys_one_pending", table_name="satisfaction_surveys")
    op.drop_table("satisfaction_surveys")
