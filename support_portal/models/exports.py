"""A customer's "Download my data" export: a job row the background builder works through."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from support_portal.models.base import utcnow


class DataExport(SQLModel, table=True):
    """One ZIP of an account's data. While it is being built (`finished_at` is NULL) the partial
    unique index allows one per account, so any number of parallel clicks make one export."""

    __tablename__ = "data_exports"
    __table_args__ = (
        Index(
            "uq_data_exports_running",
            "user_id",
            unique=True,
            postgresql_where=text("finished_at IS NULL"),
            sqlite_where=text("finished_at IS NULL"),
        ),
        Index("ix_data_exports_user", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    status: str = Field(default="pending", max_length=16)  # pending, building, ready, failed
    progress: int = 0  # percent
    # The builder that works on it holds it until then; a builder that died lets it go.
    lease_until: datetime | None = None
    storage_name: str | None = Field(default=None, max_length=64)  # random, under EXPORT_DIR
    size: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    expires_at: datetime | None = None  # the download link works until then
