"""Administrators keep the opening hours and the service-level policies (issue 16).

A policy sets first-response, next-response and resolution targets, in business hours, for a
category, a priority, both, or every ticket; a target left empty falls back to the broader
policy. Every change is audited, serialised on one lock (two administrators saving at once
never make two policies for one scope), and the due times of the tickets still in progress are
computed again in the same transaction, so queues and customers see the new promise at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlmodel import Session, col, select

from support_portal.i18n import _
from support_portal.models import BusinessCalendar, SlaPolicy, utcnow
from support_portal.models.service_levels import ANY_CATEGORY, ANY_PRIORITY
from support_portal.services import (
    access,
    audit,
    business_calendar,
    categories,
    service_levels,
    throttle,
)
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotFound
from support_portal.services.ticket_tags import PRIORITIES
from support_portal.settings import get_settings

MAX_POLICIES = 200
MAX_TARGET_HOURS = 24 * 365  # a year of business hours
TARGETS = ("first_response", "next_response", "resolution")
_BATCH = 1000
_DUE = ("first_response_due_at", "reply_due_at", "resolution_due_at")


@dataclass(frozen=True)
class PolicyPublic:
    id: int
    category: str  # a category key, "" for every category
    priority: str  # a PRIORITIES name, "" for every priority
    first_response_hours: float | None
    next_response_hours: float | None
    resolution_hours: float | None


@dataclass(frozen=True)
class ServiceLevels:
    calendar: business_calendar.Calendar
    policies: tuple[PolicyPublic, ...]
    default_reply_hours: float  # REPLY_TARGET_HOURS: the targets no policy sets
    category_names: dict[str, dict[str, str]]  # every category's names, for the scope choice


def overview(db: Session, *, viewer: Viewer | None) -> ServiceLevels:
    access.require_admin(db, viewer, action="service_levels.view")
    return _overview(db)


def _overview(db: Session) -> ServiceLevels:
    rows = db.exec(select(SlaPolicy).order_by(col(SlaPolicy.category), col(SlaPolicy.priority)))
    return ServiceLevels(
        calendar=business_calendar.current(db),
        policies=tuple(_public(p) for p in rows.all()),
        default_reply_hours=get_settings().reply_target_hours,
        category_names=categories.names_by_key(db),
    )


def save_calendar(
    db: Session, *, viewer: Viewer | None, timezone: str, hours: str, holidays: str
) -> ServiceLevels:
    """Set the opening hours: a time zone, the weekly hours ("mon-fri 09:00-17:00; sat
    10:00-12:00" or "24/7") and holidays (ISO dates, one per line or separated by commas)."""
    viewer = access.require_admin(db, viewer, action="service_levels.calendar")
    timezone, hours, days = business_calendar.clean(timezone, hours, holidays)
    throttle.lock(db, scope="admin", key="service_levels")
    row = db.get(BusinessCalendar, 1)
    if row is None:
        row = BusinessCalendar(id=1, timezone=timezone, hours=hours)
        db.add(row)
    row.timezone, row.hours, row.holidays, row.updated_at = timezone, hours, days, utcnow()
    db.flush()
    audit.record(
        db,
        action="service_levels.calendar",
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={"timezone": timezone, "hours": hours, "holidays": days},
    )
    service_levels.recompute(db)
    return _overview(db)


def save_policy(
    db: Session,
    *,
    viewer: Viewer | None,
    category: str = "",
    priority: str = "",
    first_response_hours: str | float | None = None,
    next_response_hours: str | float | None = None,
    resolution_hours: str | float | None = None,
    policy_id: int | None = None,
) -> ServiceLevels:
    """Add a policy (no `policy_id`) or change one; its scope may change too."""
    viewer = access.require_admin(db, viewer, action="service_levels.policy")
    scope_category = _category(db, category)
    scope_priority = _priority(priority)
    minutes = {
        "first_response": _minutes(first_response_hours, "first_response_hours"),
        "next_response": _minutes(next_response_hours, "next_response_hours"),
        "resolution": _minutes(resolution_hours, "resolution_hours"),
    }
    if all(m is None for m in minutes.values()):
        raise InvalidInput(_("Set at least one target."), field="first_response_hours")
    throttle.lock(db, scope="admin", key="service_levels")
    same_scope = db.exec(
        select(SlaPolicy).where(
            SlaPolicy.category == scope_category, SlaPolicy.priority == scope_priority
        )
    ).first()
    if same_scope is not None and same_scope.id != policy_id:
        raise InvalidInput(_("A policy for this category and priority exists: change that one."))
    if policy_id is None:
        if len(db.exec(select(SlaPolicy.id)).all()) >= MAX_POLICIES:
            raise InvalidInput(_("There can be at most {n} policies."), n=MAX_POLICIES)
        row = SlaPolicy()
        db.add(row)
    else:
        row = _policy(db, policy_id)
    row.category, row.priority, row.updated_at = scope_category, scope_priority, utcnow()
    for name in TARGETS:
        setattr(row, f"{name}_minutes", minutes[name])
    db.flush()
    audit.record(
        db,
        action="service_levels.policy_saved",
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={"policy": row.id, "category": scope_category, "priority": priority, **minutes},
    )
    service_levels.recompute(db)
    return _overview(db)


def delete_policy(db: Session, *, viewer: Viewer | None, policy_id: int) -> ServiceLevels:
    viewer = access.require_admin(db, viewer, action="service_levels.policy_deleted")
    throttle.lock(db, scope="admin", key="service_levels")
    row = _policy(db, policy_id)
    db.delete(row)
    db.flush()
    audit.record(
        db,
        action="service_levels.policy_deleted",
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={"policy": policy_id, "category": row.category, "priority": row.priority},
    )
    service_levels.recompute(db)
    return _overview(db)


def _category(db: Session, key: str) -> str:
    key = str(key or "").strip()[:32]
    if key == ANY_CATEGORY:
        return key
    if categories.by_key(db, key) is None:
        raise InvalidInput(_("Choose a category."), field="category")
    return key


def _priority(name: str) -> int:
    name = str(name or "").strip()
    if not name:
        return ANY_PRIORITY
    if name not in PRIORITIES:
        raise InvalidInput(_("Choose a priority."), field="priority")
    return PRIORITIES.index(name)


def _minutes(hours: str | float | None, field: str) -> int | None:
    """Business hours as typed ("4", "1.5", "", None) -> whole minutes; None: no target."""
    text = str(hours if hours is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value <= MAX_TARGET_HOURS) or round(value * 60) < 1:
        raise InvalidInput(
            _("Type a number of hours from 0.02 to {n}, or leave it empty."),
            field=field,
            n=MAX_TARGET_HOURS,
        )
    return round(value * 60)


def _policy(db: Session, policy_id: object) -> SlaPolicy:
    try:
        row = db.get(SlaPolicy, int(policy_id))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound(_("This policy no longer exists."))
    return row


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def _public(p: SlaPolicy) -> PolicyPublic:
    return PolicyPublic(
        id=p.id,  # type: ignore[arg-type]
        category=p.category,
        priority=PRIORITIES[p.priority] if 0 <= p.priority < len(PRIORITIES) else "",
        first_response_hours=_hours(p.first_response_minutes),
        next_response_hours=_hours(p.next_response_minutes),
        resolution_hours=_hours(p.resolution_minutes),
    )
