from __future__ import annotations

import sqlalchemy as sa

from support_portal.clock import utcnow

__all__ = ["enum_type", "utcnow"]


def enum_type(enum_cls: type, length: int) -> sa.Enum:
    """Enums stored as short strings (validated in Python), not native PostgreSQL types, so a
    new value needs no type migration on any database."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )
