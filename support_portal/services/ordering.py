"""Moving a row one place in a list that keeps its order in a `position` column (the
categories, and each category's fields)."""

from __future__ import annotations


def move_one_place(rows: list, index: int, offset: int) -> int | None:
    """Swap rows[index] with its neighbour up (offset < 0) or down and number every row's
    `position` in the new order; the new index, or None at either end (nothing moves)."""
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(rows):
        return None
    rows[index], rows[target] = rows[target], rows[index]
    for position, row in enumerate(rows):
        row.position = position
    return target
