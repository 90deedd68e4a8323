"""ticket categories as data, and custom fields per category (issue 15)

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-02 12:00:00

Tickets keep their category's key in tickets.category (a VARCHAR(32) already), so the five
categories of the former fixed list are inserted with those keys and no ticket changes.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The fixed list as it was (key, English, Czech): a copy, so this migration never changes.
CATEGORIES = (
    ("account", "Account", "Účet"),
    ("deposits_withdrawals", "Deposits and withdrawals", "Vklady a výběry"),
    ("trading", "Trading", "Obchodování"),
    ("security", "Security", "Zabezpečení"),
    ("other", "Other", "Ostatní"),
)


def upgrade() -> None:
    categories = op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        categories,
        [
            {
                "key": key,
                "names": {"en": en, "cs": cs},
                "position": index,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
            for index, (key, en, cs) in enumerate(CATEGORIES)
        ],
    )
    op.create_table(
        "category_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("customer_visible", sa.Boolean(), nullable=False),
        sa.Column("customer_editable", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_category_fields_category", "category_fields", ["category_id", "position"])
    op.create_table(
        "ticket_field_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("value_text", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("value_long", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("value_bool", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["field_id"], ["category_fields.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "field_id", name="uq_ticket_field"),
    )
    op.create_index("ix_field_values_text", "ticket_field_values", ["field_id", "value_text"])
    op.create_index("ix_field_values_number", "ticket_field_values", ["field_id", "value_number"])
    op.create_index("ix_field_values_date", "ticket_field_values", ["field_id", "value_date"])


def downgrade() -> None:
    op.drop_index("ix_field_values_date", table_name="ticket_field_values")
    op.drop_index("ix_field_values_number", table_name="ticket_field_values")
    op.drop_index("ix_field_values_text", table_name="ticket_field_values")
    op.drop_table("ticket_field_values")
    op.drop_index("ix_category_fields_category", table_name="category_fields")
    op.drop_table("category_fields")
    op.drop_table("categories")
