"""login tickets bound to the browser that started the login (X5); pending registrations (X4)

A login ticket stores the hash of a nonce that the login page set as a cookie in the same
browser; the exchange route refuses a ticket whose nonce cookie is missing or different, so a
ticket sent to someone else logs nobody in (login CSRF).

A registration waits in pending_registrations until its emailed code is entered: the account
exists only then, and the page answers the same for known and unknown addresses.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('login_tickets') as batch:
        batch.add_column(sa.Column('binding_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_table(
        'pending_registrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pending_registrations_email', 'pending_registrations', ['email', 'id'])


def downgrade() -> None:
    op.drop_index('ix_pending_registrations_email', table_name='pending_registrations')
    op.drop_table('pending_registrations')
    with op.batch_alter_table('login_tickets') as batch:
        batch.drop_column('binding_hash')
