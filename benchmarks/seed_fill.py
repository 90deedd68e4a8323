"""What seed_large.py adds in SQL once the rows are loaded: a custom field's values and tags,
for the queue's `field:` and `tag:` filters (benchmarks/queries.py, benchmarks/tag_cases.py).
`timer` is seed_large's Timer."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


def seed_field_values(engine: sa.Engine, timer) -> None:
    """An "Order ID" custom field on Trading, filled on every trading ticket (ORD-<ticket id>):
    what the queue's field:order_id=... filter searches (benchmarks/queries.py)."""
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM ticket_field_values"))
        conn.execute(sa.text("DELETE FROM category_fields WHERE key = 'order_id'"))
        category = conn.execute(sa.text("SELECT id FROM categories WHERE key = 'trading'")).scalar()
        field = conn.execute(
            sa.text(
                "INSERT INTO category_fields (category_id, key, labels, kind, options, required,"
                " customer_visible, customer_editable, position, is_active, created_at)"
                " VALUES (:c, 'order_id', '{\"en\": \"Order ID\"}', 'short_text', '[]', false,"
                " true, true, 0, true, :now) RETURNING id"
            ),
            {"c": category, "now": datetime.now(UTC)},
        ).scalar()
        count = conn.execute(
            sa.text(
                "INSERT INTO ticket_field_values (ticket_id, field_id, value_text, updated_at)"
                " SELECT id, :f, 'ORD-' || id, :now FROM tickets WHERE category = 'trading'"
            ),
            {"f": field, "now": datetime.now(UTC)},
        ).rowcount
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE ticket_field_values"))
    timer.lap("INSERT ticket_field_values", count)


# The queue's tag filter (benchmarks/queries.py): tag -> every how many tickets carries it.
TAGS = (("vip", 100), ("refund", 20), ("billing", 5))


def seed_tags(engine: sa.Engine, timer) -> None:
    """Tags "vip" on 1 % of the tickets, "refund" on 5 %, "billing" on 20 %, by ticket id (so
    the tagged tickets spread evenly over the history): what the queue's tag:... filter reads."""
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM ticket_tags"))
        count = sum(
            conn.execute(
                sa.text(
                    "INSERT INTO ticket_tags (ticket_id, tag) SELECT id, :tag FROM tickets"
                    " WHERE id % :every = 0"
                ),
                {"tag": tag, "every": every},
            ).rowcount
            for tag, every in TAGS
        )
    with engine.begin() as conn:  # committed: ANALYZE's statistics roll back with a rollback
        conn.execute(sa.text("ANALYZE ticket_tags"))
    timer.lap("INSERT ticket_tags", count)
