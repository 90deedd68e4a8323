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
- PostgreSQL only: unassigned tickets are always active, but the planner multiplied the two
  selectivities and expected 1,100 such rows instead of 18,000, so it sorted them all rather
  than read ix_tickets_waiting in order (24 ms instead of 0.1 ms). Extended statistics on
  (is_active, assignee_id) give it the real combined frequencies. They are not part of the
  model metadata (SQLAlchemy has no construct for them), so autogenerate ignores them.

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


def upgrade() -> None:
    op.create_index('ix_tickets_activity', 'tickets', ['last_activity_at', 'id'])
    op.drop_index('ix_tickets_waiting', table_name='tickets')
    op.create_index(
        'ix_tickets_waiting', 'tickets', ['waiting_since', 'id'],
        postgresql_where=WAITING, sqlite_where=WAITING,
    )
    op.create_index(op.f('ix_tickets_follow_up_of_id'), 'tickets', ['follow_up_of_id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE STATISTICS IF NOT EXISTS st_tickets_active_assignee (mcv) '
            'ON is_active, assignee_id FROM tickets'
        )
        op.execute('ANALYZE tickets')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS IF EXISTS st_tickets_active_assignee')
    op.drop_index(op.f('ix_tickets_follow_up_of_id'), table_name='tickets')
    op.drop_index('ix_tickets_waiting', table_name='tickets')
    op.create_index('ix_tickets_waiting', 'tickets', ['is_active', 'waiting_since', 'id'])
    op.drop_index('ix_tickets_activity', table_name='tickets')
