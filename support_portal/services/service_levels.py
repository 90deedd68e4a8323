"""What a customer may expect on their ticket, from the opening hours and the reply target
(issue 16). A waiting customer is promised a reply REPLY_TARGET_HOURS business hours after
they started waiting; the promise, never a policy name or internal state, is what they see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

from support_portal.models import Ticket, TicketStatus
from support_portal.services.business_time import BusinessHours, add
from support_portal.settings import get_settings


@cache
def _hours(spec: str, timezone: str, holidays: str) -> BusinessHours:
    days = frozenset(date.fromisoformat(d.strip()) for d in holidays.split(",") if d.strip())
    return BusinessHours.parse(spec, timezone, days)


def opening_hours() -> BusinessHours:
    settings = get_settings()
    return _hours(settings.business_hours, settings.default_timezone, settings.business_holidays)


def reply_due(ticket: Ticket) -> datetime | None:
    """When the waiting customer was promised a reply; None when nobody waits on us."""
    if ticket.status != TicketStatus.open or ticket.waiting_since is None:
        return None
    minutes = round(get_settings().reply_target_hours * 60)
    since = ticket.waiting_since
    if since.tzinfo is None:  # stored as UTC
        since = since.replace(tzinfo=UTC)
    return add(since, minutes, opening_hours())


def first_response_due(created_at: datetime) -> datetime:
    """The first reply's target for a ticket opened at `created_at` (kept for reports)."""
    return add(created_at, round(get_settings().reply_target_hours * 60), opening_hours())
