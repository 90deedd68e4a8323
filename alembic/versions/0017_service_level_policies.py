"""service-level policies, the business calendar and stored due times, issue 16

- sla_policies: first-response, next-response and resolution targets per category and
  priority ("" and -1 for "any", so one unique constraint holds on both databases).
- business_calendar: the opening hours an administrator keeps (one row; without it the
  BUSINESS_HOURS settings apply).
- tickets.reply_due_at and resolution_due_at, kept by services/service_levels.py. The
  "waiting" queue order and the breach check read reply_due_at through partial indexes that
  replace the ones on waiting_since. Waiting tickets get their reply due time now, from the
  settings (no policy exists yet), so the queue order does not change at upgrade.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:40:00
"""

from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE = sa.text("reply_due_at IS NOT NULL")
UNASSIGNED_DUE = sa.text("reply_due_at IS NOT NULL AND assignee_id IS NULL")
WAITING = sa.text("waiting_since IS NOT NULL")
UNASSIGNED_WAITING = sa.text("waiting_since IS NOT NULL AND assignee_id IS NULL")
BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=True),
        sa.Column("next_response_minutes", sa.Integer(), nullable=True),
        sa.Column("resolution_minutes", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category", "priority", name="uq_sla_policies_scope"),
    )
    op.create_table(
        "business_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hours", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("holidays", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("reply_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column("resolution_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    _backfill_reply_due()
    op.drop_index("ix_tickets_unassigned_waiting", table_name="tickets")
    op.drop_index("ix_tickets_waiting", table_name="tickets")
    op.create_index(
        "ix_tickets_reply_due",
        "tickets",
        ["reply_due_at", "waiting_since", "id"],
        postgresql_where=DUE,
        sqlite_where=DUE,
    )
    op.create_index(
        "ix_tickets_unassigned_reply_due",
        "tickets",
        ["reply_due_at", "waiting_since", "id"],
        postgresql_where=UNASSIGNED_DUE,
        sqlite_where=UNASSIGNED_DUE,
    )


def _backfill_reply_due() -> None:
    from support_portal.services.business_time import add
    from support_portal.services.service_levels import parse_hours
    from support_portal.settings import get_settings

    settings = get_settings()
    hours = parse_hours(
        settings.business_hours, settings.default_timezone, settings.business_holidays
    )
    minutes = round(settings.reply_target_hours * 60)
    bind = op.get_bind()
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("waiting_since", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("reply_due_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(tickets.c.id, tickets.c.waiting_since)
            .where(
                tickets.c.status == "open",
                tickets.c.waiting_since.is_not(None),
                tickets.c.id > last,
            )
            .order_by(tickets.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, since in rows:
            due = add(since.astimezone(UTC), minutes, hours)
            bind.execute(tickets.update().where(tickets.c.id == row_id).values(reply_due_at=due))
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_tickets_unassigned_reply_due", table_name="tickets")
    op.drop_index("ix_tickets_reply_due", table_name="tickets")
    op.create_index(
        "ix_tickets_waiting",
        "tickets",
        ["waiting_since", "id"],
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )
    op.create_index(
        "ix_tickets_unassigned_waiting",
        "tickets",
        ["waiting_since", "id"],
        postgresql_where=UNASSIGNED_WAITING,
        sqlite_where=UNASSIGNED_WAITING,
    )
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("resolution_due_at")
        batch.drop_column("reply_due_at")
    op.drop_table("business_calendar")
    op.drop_table("sla_policies")
