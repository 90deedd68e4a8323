"""Ticket categories and their custom fields (issue 15): data that administrators manage.

A ticket keeps its category's `key` (the value stored before categories became data), so old
tickets keep theirs whatever is renamed. Categories and fields are never deleted, only
deactivated: every stored key and value keeps its meaning.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from support_portal.models.base import utcnow

# The five categories every new database starts with: key, English and Czech names.
DEFAULT_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("account", "Account", "Účet"),
    ("deposits_withdrawals", "Deposits and withdrawals", "Vklady a výběry"),
    ("trading", "Trading", "Obchodování"),
    ("security", "Security", "Zabezpečení"),
    ("other", "Other", "Ostatní"),
)


class TicketCategory(SQLModel, table=True):
    __tablename__ = "categories"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True)  # what tickets.category holds
    names: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # locale->
    position: int = 0
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CategoryField(SQLModel, table=True):
    """A field of a category's tickets: its kind (short_text, long_text, number, dropdown, date,
    checkbox), who sees it and who fills it in."""

    __tablename__ = "category_fields"
    __table_args__ = (Index("ix_category_fields_category", "category_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="categories.id")
    key: str = Field(max_length=40, unique=True)  # the name in searches: field:order_id=123
    labels: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    kind: str = Field(max_length=16)
    options: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    required: bool = False
    customer_visible: bool = True
    customer_editable: bool = True  # filled in by the customer on the new-ticket form
    position: int = 0
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class TicketFieldValue(SQLModel, table=True):
    """One field's value on one ticket, in the column of its kind (the others stay NULL)."""

    __tablename__ = "ticket_field_values"
    __table_args__ = (
        UniqueConstraint("ticket_id", "field_id", name="uq_ticket_field"),
        # The queue's field:key=value filter: one index per searchable column.
        Index("ix_field_values_text", "field_id", "value_text"),
        Index("ix_field_values_number", "field_id", "value_number"),
        Index("ix_field_values_date", "field_id", "value_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id")
    field_id: int = Field(foreign_key="category_fields.id")
    value_text: str | None = Field(default=None, max_length=200)  # short text, dropdown
    value_long: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    value_number: float | None = None
    value_date: date | None = None
    value_bool: bool | None = None
    updated_at: datetime = Field(default_factory=utcnow)


def _insert_default_categories(target, connection, **_kw) -> None:
    """A schema made from the models (tests, a first run without migrations) starts with the
    five categories, as the migration inserts them."""
    connection.execute(
        target.insert(),
        [
            {
                "key": key,
                "names": {"en": en, "cs": cs},
                "position": index,
                "is_active": True,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for index, (key, en, cs) in enumerate(DEFAULT_CATEGORIES)
        ],
    )


event.listen(TicketCategory.__table__, "after_create", _insert_default_categories)
