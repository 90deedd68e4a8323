"""The time, for every layer: timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware UTC; SQLModel stores it as UTC and always returns aware values."""
    return datetime.now(UTC)
