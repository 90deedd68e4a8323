"""What a ticket's service levels promise, and when (issue 16).

The targets come from the service-level policies (per category and priority, the most specific
policy that sets a target wins, REPLY_TARGET_HOURS when none does) and count in the opening
hours (the business calendar an administrator keeps, BUSINESS_HOURS when there is none).

The due times are stored on the ticket, so queues sort and filter by them with an index. They
are kept by one hook, before every flush: whenever a ticket is created or its status, waiting
time, first response, category or priority changes, its due times are computed again. No use
case has to remember to do it, and none can do it differently. A customer only ever sees the
promise itself, never a policy or an internal state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from types import SimpleNamespace

from sqlalchemy import event, inspect, update
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE
from sqlmodel import Session, col, select

from support_portal.models import BusinessCalendar, SlaPolicy, Ticket, TicketStatus
from support_portal.models.service_levels import ANY_CATEGORY, ANY_PRIORITY
from support_portal.services.business_time import BusinessHours, add
from support_portal.settings import get_settings

# What a ticket's due times depend on: a change to any of these computes them again.
_INPUTS = ("status", "waiting_since", "first_response_at", "category", "priority", "created_at")
_DUE = ("first_response_due_at", "reply_due_at", "resolution_due_at")
_BATCH = 1000
_CACHE = "service_levels"  # session.info key: the policies and calendar of this transaction


@dataclass(frozen=True)
class Targets:
    """Business minutes; None: no target."""

    first_response: int | None
    next_response: int | None
    resolution: int | None


@dataclass(frozen=True)
class Rules:
    hours: BusinessHours
    policies: tuple[SlaPolicy, ...]

    def targets(self, category: str, priority: int) -> Targets:
        default = round(get_settings().reply_target_hours * 60)
        found = {"first_response": default, "next_response": default, "resolution": None}
        # Broadest first, so each more specific policy overrides the targets it sets.
        for policy in sorted(self.policies, key=_specificity):
            if policy.category not in (ANY_CATEGORY, category):
                continue
            if policy.priority not in (ANY_PRIORITY, priority):
                continue
            for name in found:
                value = getattr(policy, f"{name}_minutes")
                if value is not None:
                    found[name] = value
        return Targets(**found)


def _specificity(policy: SlaPolicy) -> tuple[int, int]:
    # category-only outranks priority-only: a category names the kind of problem.
    return (policy.category != ANY_CATEGORY, policy.priority != ANY_PRIORITY)


@cache
def parse_hours(spec: str, timezone: str, holidays: str) -> BusinessHours:
    days = frozenset(date.fromisoformat(d.strip()) for d in holidays.split(",") if d.strip())
    return BusinessHours.parse(spec, timezone, days)


def rules(db: Session) -> Rules:
    """This transaction's policies and opening hours (read once per transaction)."""
    cached = db.info.get(_CACHE)
    if cached is None:
        with db.no_autoflush:
            calendar = db.get(BusinessCalendar, 1)
            policies = tuple(db.exec(select(SlaPolicy)).all())
        settings = get_settings()
        if calendar is None:
            hours = parse_hours(
                settings.business_hours, settings.default_timezone, settings.business_holidays
            )
        else:
            hours = parse_hours(calendar.hours, calendar.timezone, calendar.holidays)
        cached = db.info[_CACHE] = Rules(hours=hours, policies=policies)
    return cached


def forget_rules(db: Session) -> None:
    """After a policy or the calendar changed in this transaction."""
    db.info.pop(_CACHE, None)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)  # stored as UTC


def refresh(ticket: Ticket, current: Rules) -> None:
    """Compute the ticket's due times from what it is now."""
    targets = current.targets(ticket.category, ticket.priority)
    created = _aware(ticket.created_at)
    if created is not None and targets.first_response is not None:
        ticket.first_response_due_at = add(created, targets.first_response, current.hours)
    else:
        ticket.first_response_due_at = None
    reply_due = None
    if ticket.status == TicketStatus.open and ticket.waiting_since is not None:
        wanted = targets.first_response if ticket.first_response_at is None else None
        wanted = wanted if wanted is not None else targets.next_response
        if wanted is not None:
            reply_due = add(_aware(ticket.waiting_since), wanted, current.hours)  # type: ignore[arg-type]
    ticket.reply_due_at = reply_due
    # Kept after the resolution too: the reports count the tickets resolved in time.
    if created is not None and targets.resolution is not None:
        ticket.resolution_due_at = add(created, targets.resolution, current.hours)
    else:
        ticket.resolution_due_at = None


def _changed(ticket: Ticket) -> bool:
    state = inspect(ticket)
    if state.pending or state.transient:
        return True
    # `state.attrs` would build an AttributeState per column, in reference cycles, on every flush
    return any(state.get_history(name, PASSIVE_NO_INITIALIZE).has_changes() for name in _INPUTS)


def recompute(db: Session) -> int:
    """The due times of every ticket in progress, from the rules as they are now, written in
    batches of plain UPDATEs (no ticket is loaded as an object). Returns how many."""
    forget_rules(db)
    current = rules(db)
    columns = (
        Ticket.id,
        Ticket.category,
        Ticket.priority,
        Ticket.status,
        Ticket.created_at,
        Ticket.waiting_since,
        Ticket.first_response_at,
    )
    active = (TicketStatus.open, TicketStatus.awaiting_customer)
    done, last = 0, 0
    while True:
        rows = db.exec(
            select(*columns)
            .where(col(Ticket.status).in_(active), col(Ticket.id) > last)
            .order_by(col(Ticket.id))
            .limit(_BATCH)
        ).all()
        if not rows:
            return done
        changes = []
        for row in rows:
            ticket = SimpleNamespace(**row._mapping)
            refresh(ticket, current)  # type: ignore[arg-type]
            changes.append({"id": row.id, **{name: getattr(ticket, name) for name in _DUE}})
        db.exec(update(Ticket), params=changes)  # type: ignore[call-overload]
        done += len(rows)
        last = rows[-1].id


@event.listens_for(Session, "before_flush")
def _keep_due_times(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Ticket) and _changed(obj):
            refresh(obj, rules(session))


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, _transaction) -> None:
    session.info.pop(_CACHE, None)  # the next transaction reads the rules it sees


def reply_due(ticket: Ticket) -> datetime | None:
    """When the waiting customer was promised a reply; None when nobody waits on us."""
    if ticket.status != TicketStatus.open:
        return None
    return _aware(ticket.reply_due_at)
