"""indexes for queues and ticket pages at a million tickets

Measured with benchmarks/queries.py on 1M tickets (docs/benchmarks.md):
- the "all" view sorted by activity had no index for its order: a parallel seq scan and a
  sort of every ticket (~250 ms). ix_tickets_activity (last_activity_at, id) reads one page.
- the "waiting" sort's first segment (waiting_since IS NOT NULL, oldest first) could only use
  (is_active, waiting_since, id) when the view fixes is_active, so "all" and "open" sorted
  ~40,000 rows per page (40-50 ms). ix_tickets_waiting becomes (waiting_since, id) over the
  tickets someone waits on only, in that order for every view.
- the ticket page looks up follow-ups by follow_up_of_id, which had no index: a seq scan of
  the whole table on every ticket page (~250 ms).
- the unassigned queue sorted by waiting: unassigned tickets are active and waiting, but the
  planner multiplies the selectivities, expects a few dozen rows instead of 18,000 and sorts
  them all (18 ms at page 200, growing with the backlog). ix_tickets_unassigned_waiting holds
  just those tickets, in order (0.04 ms).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text('waiting_since IS NOT NULL')
UNASSIGNED_WAITING = sa.text('waiting_since IS NOT NULL AND assignee_id IS NULL')


def upgrade() -> None:
    op.create_index('ix_tickets_activity', 'tickets', ['last_activity_at', 'id'])
    op.drop_index('ix_tickets_waiting', table_name='tickets')
    op.create_index(
        'ix_tickets_waiting', 'tickets', ['waiting_since', 'id'],
        postgresql_where=WAITING, sqlite_where=WAITING,
    )
    op.create_index(
        'ix_tickets_unassigned_waiting', 'tickets', ['waiting_since', 'id'],
        postgresql_where=UNASSIGNED_WAITING, sqlite_where=UNASSIGNED_WAITING,
    )
    op.create_index(op.f('ix_tickets_follow_up_of_id'), 'tickets', ['follow_up_of_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_tickets_follow_up_of_id'), table_name='tickets')
    op.drop_index('ix_tickets_unassigned_waiting', table_name='tickets')
    op.drop_index('ix_tickets_waiting', table_name='tickets')
    op.create_index('ix_tickets_waiting', 'tickets', ['is_active', 'waiting_since', 'id'])
    op.drop_index('ix_tickets_activity', table_name='tickets')
