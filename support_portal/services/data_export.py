"""'Download my data': an account's ZIP, built in the background, downloadable for a day.

A job row (`data_exports`) carries the state: pending -> building (a builder holds a lease and
writes the progress) -> ready (a file under EXPORT_DIR, `expires_at` a day later) or failed.
Starting one takes the account's lock, so any number of parallel clicks make one export, and
a partial unique index allows no second unfinished one whatever happens (X1). At most
EXPORTS_PER_DAY are made a day.

The builder runs in a thread of the process that took the click, started after the commit. If
that process dies, the lease runs out and the next status read (or the hourly cleanup) starts
it again. The file is handed out only by the download route, after the same session and owner
check as attachments (A1, C2).
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from support_portal.db import after_commit, session_scope
from support_portal.models import DataExport, User, utcnow
from support_portal.services import audit, export_archive, throttle
from support_portal.services.account_settings import account_of
from support_portal.services.dto import Viewer
from support_portal.services.errors import NotFound, RateLimited
from support_portal.settings import get_settings

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(days=1)
LEASE = timedelta(minutes=2)
UNCLAIMED = timedelta(minutes=1)  # a pending job nobody took this long after the click
EXPORTS_PER_DAY = 5
FAILED_KEPT = timedelta(days=1)
PROGRESS_EVERY = 0.5  # seconds between progress writes


@dataclass(frozen=True)
class ExportStatus:
    id: int
    status: str  # pending, building, ready, failed
    progress: int
    created_at: datetime
    expires_at: datetime | None
    size: int | None

    @property
    def running(self) -> bool:
        return self.status in ("pending", "building")


def export_dir() -> Path:
    settings = get_settings()
    folder = settings.export_dir or str(Path(settings.upload_dir).parent / "exports")
    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _status(row: DataExport) -> ExportStatus:
    return ExportStatus(
        id=row.id,  # type: ignore[arg-type]
        status=row.status,
        progress=row.progress,
        created_at=row.created_at,
        expires_at=row.expires_at,
        size=row.size,
    )


def _running(db: Session, user_id: int) -> DataExport | None:
    return db.exec(
        select(DataExport).where(
            DataExport.user_id == user_id,
            col(DataExport.finished_at).is_(None),
        )
    ).first()


def start_export(db: Session, *, viewer: Viewer | None) -> ExportStatus:
    """Start building the account's ZIP, or return the export already being built. Parallel
    clicks queue on the account's lock and find the first one's export (X1)."""
    user = account_of(db, viewer)
    assert user.id is not None
    limit = throttle.Limit("data_export", str(user.id), EXPORTS_PER_DAY, timedelta(days=1))
    throttle.lock(db, scope=limit.scope, key=limit.key)
    running = _running(db, user.id)
    if running is not None:
        return _status(running)
    throttle.take(db, limit)
    row = DataExport(user_id=user.id)
    db.add(row)
    try:
        db.flush()  # the partial unique index: one unfinished export per account, always
    except IntegrityError:
        db.rollback()
        running = _running(db, user.id)
        if running is None:  # finished in the meantime: the next click makes a new one
            raise RateLimited(retry_after=1) from None
        return _status(running)
    audit.record(db, action="data_export.requested", actor_id=user.id, actor_kind="user")
    export_id = row.id
    after_commit(db, lambda: launch(export_id))  # type: ignore[arg-type]
    return _status(row)


def export_status(db: Session, *, viewer: Viewer | None) -> ExportStatus | None:
    """The account's latest export (None: none, or its link has expired). A job whose builder
    died is started again."""
    user = account_of(db, viewer)
    row = db.exec(
        select(DataExport)
        .where(DataExport.user_id == user.id)
        .order_by(col(DataExport.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    now = utcnow()
    if row.status == "ready" and row.expires_at is not None and row.expires_at <= now:
        return None
    if _stale(row, now):
        export_id = row.id
        after_commit(db, lambda: launch(export_id))  # type: ignore[arg-type]
    return _status(row)


def _stale(row: DataExport, now: datetime) -> bool:
    if row.finished_at is not None:
        return False
    if row.lease_until is None:
        return row.created_at < now - UNCLAIMED
    return row.lease_until < now


def file_for_download(db: Session, *, viewer: Viewer | None, export_id: int) -> tuple[Path, str]:
    """(path, file name) of a ready export of the viewer's own account; NotFound for anyone
    else, an unfinished or expired export, or a missing file (A1)."""
    if viewer is None or viewer.is_guest or viewer.user_id is None:
        raise NotFound()
    row = db.get(DataExport, export_id)
    now = utcnow()
    if (
        row is None
        or row.user_id != viewer.user_id
        or row.status != "ready"
        or row.storage_name is None
        or row.expires_at is None
        or row.expires_at <= now
    ):
        raise NotFound()
    path = export_dir() / row.storage_name
    if not row.storage_name.isalnum() or not path.is_file():
        raise NotFound()
    return path, f"my-data-{row.created_at:%Y-%m-%d}.zip"


# --- the builder ----------------------------------------------------------------------------


def launch(export_id: int) -> None:
    """Build in a thread of this process (tests replace this to build in place)."""
    threading.Thread(
        target=build, args=(export_id,), name=f"data-export-{export_id}", daemon=True
    ).start()


def _claim(export_id: int) -> bool:
    now = utcnow()
    with session_scope() as db:
        claimed = db.exec(
            update(DataExport)
            .where(
                col(DataExport.id) == export_id,
                col(DataExport.finished_at).is_(None),
                or_(col(DataExport.lease_until).is_(None), col(DataExport.lease_until) < now),
            )
            .values(status="building", lease_until=now + LEASE, progress=5)
        )
        return bool(claimed.rowcount)


def _write_progress(export_id: int, percent: int) -> None:
    with session_scope() as db:
        db.exec(
            update(DataExport)
            .where(col(DataExport.id) == export_id, col(DataExport.finished_at).is_(None))
            .values(progress=percent, lease_until=utcnow() + LEASE)
        )


def build(export_id: int) -> bool:
    """Claim the job and write the ZIP; False when another builder holds it or it is done."""
    if not _claim(export_id):
        return False
    storage_name = secrets.token_hex(16)
    target = export_dir() / storage_name
    last = [0.0]

    def progress(percent: int) -> None:
        moment = utcnow().timestamp()
        if moment - last[0] >= PROGRESS_EVERY:
            last[0] = moment
            _write_progress(export_id, percent)

    try:
        with session_scope() as db:
            row = db.get(DataExport, export_id)
            user = db.get(User, row.user_id) if row else None
            if user is None or not user.is_active:
                raise NotFound()
            export_archive.write_zip(db, user, target, progress=progress)
        _finish(export_id, storage_name=storage_name, size=target.stat().st_size)
        return True
    except Exception:
        log.exception("data export %s failed", export_id)
        target.unlink(missing_ok=True)
        _fail(export_id)
        return False


def _finish(export_id: int, *, storage_name: str, size: int) -> None:
    """Ready: the earlier exports of the account go (rows and files), this one stays a day."""
    now = utcnow()
    with session_scope() as db:
        row = db.get(DataExport, export_id)
        assert row is not None
        older = db.exec(
            select(DataExport).where(
                DataExport.user_id == row.user_id, col(DataExport.id) != export_id
            )
        ).all()
        row.status, row.progress = "ready", 100
        row.storage_name, row.size = storage_name, size
        row.finished_at, row.lease_until, row.expires_at = now, None, now + LINK_LIFETIME
        forget(db, list(older))


def _fail(export_id: int) -> None:
    with session_scope() as db:
        db.exec(
            update(DataExport)
            .where(col(DataExport.id) == export_id)
            .values(status="failed", finished_at=utcnow(), lease_until=None)
        )


def forget(db: Session, rows: list[DataExport]) -> int:
    """Delete export rows; their files go once that commits."""
    names = [r.storage_name for r in rows if r.storage_name]
    for row in rows:
        db.delete(row)
    if names:
        after_commit(db, lambda: _unlink(names))
    return len(rows)


def _unlink(names: list[str]) -> None:
    root = export_dir()
    for name in names:
        if name.isalnum():
            (root / name).unlink(missing_ok=True)


def forget_user(db: Session, *, user_id: int) -> int:
    """Every export of an account (its erasure)."""
    rows = db.exec(select(DataExport).where(DataExport.user_id == user_id)).all()
    return forget(db, list(rows))


def prune(db: Session, *, now: datetime | None = None) -> int:
    """Expired exports and failed ones after a day go; stuck builds are started again."""
    now = now or utcnow()
    rows = db.exec(
        select(DataExport).where(
            or_(
                col(DataExport.expires_at) <= now,
                (DataExport.status == "failed") & (col(DataExport.finished_at) < now - FAILED_KEPT),
            )
        )
    ).all()
    gone = forget(db, list(rows))
    for row in db.exec(select(DataExport).where(col(DataExport.finished_at).is_(None))).all():
        if _stale(row, now):
            export_id = row.id
            after_commit(db, lambda export_id=export_id: launch(export_id))  # type: ignore[misc]
    return gone
