"""the reports' share of tickets resolved within their target, issue 16

ix_tickets_created holds every column a report reads of the tickets created in a range, so
each of its statements is an index-only scan (docs/benchmarks.md); the resolution target
joins them: resolved_at and resolution_due_at.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 16:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ["created_at", "category", "assignee_id", "first_response_at", "first_response_due_at"]


def upgrade() -> None:
    op.drop_index("ix_tickets_created", table_name="tickets")
    op.create_index(
        "ix_tickets_created", "tickets", [*BEFORE, "resolved_at", "resolution_due_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_created", table_name="tickets")
    op.create_index("ix_tickets_created", "tickets", BEFORE)
