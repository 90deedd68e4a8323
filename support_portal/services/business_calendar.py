"""The opening hours service levels count in (issue 16): what is in force, and what an
administrator types, checked field by field. Saved by services/service_level_admin.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from support_portal.i18n import _
from support_portal.models import BusinessCalendar
from support_portal.services.business_time import BusinessHours
from support_portal.services.errors import InvalidInput
from support_portal.settings import get_settings

MAX_HOLIDAYS = 200


@dataclass(frozen=True)
class Calendar:
    timezone: str
    hours: str
    holidays: str  # ISO dates, one per line
    from_settings: bool  # no administrator has saved one: the BUSINESS_HOURS settings apply


def current(db: Session) -> Calendar:
    row = db.get(BusinessCalendar, 1)
    if row is None:
        s = get_settings()
        return Calendar(s.default_timezone, s.business_hours, _lines(s.business_holidays), True)
    return Calendar(row.timezone, row.hours, _lines(row.holidays), False)


def _lines(holidays: str) -> str:
    return "\n".join(d.strip() for d in holidays.split(",") if d.strip())


def clean(timezone: str, hours: str, holidays: str) -> tuple[str, str, str]:
    """A time zone, weekly hours and holidays as typed -> as stored; InvalidInput per field."""
    timezone = str(timezone or "").strip()[:64]
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            _("Type a time zone such as Europe/Prague or UTC."), field="timezone"
        ) from None
    hours = " ".join(str(hours or "").split())[:400]
    try:
        parsed = BusinessHours.parse(hours, timezone)
    except ValueError:
        raise InvalidInput(
            _('Write the hours as "mon-fri 09:00-17:00; sat 10:00-12:00", or "24/7".'),
            field="hours",
        ) from None
    if not any(parsed.week):
        raise InvalidInput(_("Open at least one day a week."), field="hours")
    days = []
    for word in str(holidays or "").replace(",", "\n").split():
        try:
            days.append(date.fromisoformat(word))
        except ValueError:
            raise InvalidInput(
                _("{word} is not a date: write holidays as 2026-12-24."),
                field="holidays",
                word=word[:20],
            ) from None
    if len(set(days)) > MAX_HOLIDAYS:
        raise InvalidInput(_("At most {n} holidays."), field="holidays", n=MAX_HOLIDAYS)
    return timezone, hours, ",".join(d.isoformat() for d in sorted(set(days)))
