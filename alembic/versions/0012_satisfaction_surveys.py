"""satisfaction surveys (CSAT) and what reports read (issue 16)

"How did we do?" after each resolution; the first public agent reply and its target on each
ticket (earlier tickets get their first reply from the messages, and no target), and the
indexes of the reports' date ranges.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _where(condition: str) -> dict:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("first_response_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column("first_response_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.execute(
        "UPDATE tickets SET first_response_at = (SELECT min(m.created_at) FROM messages m"
        " WHERE m.ticket_id = tickets.id AND m.author_kind = 'agent' AND m.is_internal = false)"
    )
    op.create_index(
        "ix_tickets_created",
        "tickets",
        ["created_at", "category", "assignee_id", "first_response_at", "first_response_due_at"],
    )
    op.create_index(
        "ix_tickets_resolved",
        "tickets",
        ["resolved_at", "category", "assignee_id", "created_at"],
        **_where("resolved_at IS NOT NULL"),
    )
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
        "ix_surveys_answered",
        "satisfaction_surveys",
        ["answered_at", "agent_id", "rating", "ticket_id"],
        **_where("status = 'answered'"),
    )


def downgrade() -> None:
    op.drop_index("ix_surveys_answered", table_name="satisfaction_surveys")
    op.drop_index("ix_surveys_ticket", table_name="satisfaction_surveys")
    op.drop_index("uq_surveys_one_pending", table_name="satisfaction_surveys")
    op.drop_table("satisfaction_surveys")
    op.drop_index("ix_tickets_resolved", table_name="tickets")
    op.drop_index("ix_tickets_created", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("first_response_due_at")
        batch.drop_column("first_response_at")
