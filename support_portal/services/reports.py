"""Reports for agents (issue 16): tickets created and resolved per day, first-response and
resolution times (median and 90th percentile), the share of first replies within their target,
and CSAT by week, for a date range, a category and an agent.

Everything is computed in SQL, in five statements: counts per day (and the targets met) by
the range indexes (`ix_tickets_created`, `ix_tickets_resolved`, `ix_surveys_answered`), which
hold every column a report reads, so each statement is an index-only range scan; and
percentiles by nearest rank (PostgreSQL's percentile_disc; on SQLite, which has no percentile
function, ROW_NUMBER over the durations: the same definition). Days and weeks are UTC days;
durations are calendar time.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from support_portal.i18n import _
from support_portal.models import SatisfactionSurvey, SurveyStatus, Ticket, utcnow
from support_portal.services import access, categories
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput
from support_portal.services.report_types import DayCount, Durations, Report, WeekCsat

MAX_DAYS = 366


def parse_range(start: str, end: str, *, today: date) -> tuple[date, date]:
    """ "2026-11-01", "2026-11-30" (inclusive); the last 30 days when both are empty."""
    if not start and not end:
        return today - timedelta(days=29), today
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise InvalidInput(_("Enter the dates as YYYY-MM-DD."), field="range") from None
    if last < first:
        raise InvalidInput(_("The end date is before the start date."), field="range")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(_("Choose at most {n} days."), field="range", n=MAX_DAYS)
    return first, last


def build(
    db: Session,
    *,
    viewer: Viewer | None,
    start: str = "",
    end: str = "",
    category: str = "",
    agent_id: int | None = None,
    now: datetime | None = None,
) -> Report:
    """The report for agents (A2). `category` "" means all; `agent_id` None means everyone."""
    access.require_agent(db, viewer, action="reports")
    now = now or utcnow()
    first, last = parse_range(start, end, today=now.astimezone(UTC).date())
    if category and categories.by_key(db, category) is None:
        raise InvalidInput(_("Unknown category."), field="category")
    q = _Query(db, first, last, category or None, agent_id, now)
    created, targets = q.created()
    resolved = q.resolved_per_day()
    span = (last - first).days + 1
    days = [first + timedelta(days=i) for i in range(span)]
    return Report(
        start=first,
        end=last,
        days=[DayCount(d, created.get(d, 0), resolved.get(d, 0)) for d in days],
        # First replies of the tickets created in the range; resolutions made in the range.
        first_response=q.durations(
            Ticket.first_response_at, Ticket.created_at, by=Ticket.created_at
        ),
        resolution=q.durations(Ticket.resolved_at, Ticket.created_at),
        **targets,
        csat=q.csat_weeks(),
    )


class _Query:
    def __init__(self, db, first: date, last: date, category, agent_id, now) -> None:
        self.db, self.category, self.agent_id, self.now = db, category, agent_id, now
        self.lo = datetime.combine(first, time.min, UTC)
        self.hi = datetime.combine(last + timedelta(days=1), time.min, UTC)
        self.first, self.last = first, last
        self.pg = db.get_bind().dialect.name == "postgresql"

    # dialect helpers: UTC day, UTC Monday, seconds between two moments
    def _day(self, column):
        if self.pg:
            return sa.func.date(sa.func.timezone("UTC", column))
        return sa.func.date(column)

    def _monday(self, column):
        if self.pg:
            return sa.func.date(sa.func.date_trunc("week", sa.func.timezone("UTC", column)))
        return sa.func.date(column, "weekday 0", "-6 days")

    def _seconds(self, later, earlier):
        if self.pg:
            # date_part gives float8; EXTRACT gives numeric, whose sort cost twice as much
            return sa.func.date_part("epoch", later - earlier)
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0

    def _filters(self, *, agent_column=Ticket.assignee_id):
        where = []
        if self.category:
            where.append(Ticket.category == self.category)
        if self.agent_id is not None:
            where.append(agent_column == self.agent_id)
        return where

    def _in_range(self, column):
        return sa.and_(column >= self.lo, column < self.hi)

    def created(self) -> tuple[dict[date, int], dict[str, int]]:
        """The tickets created in the range per day, and the outcome of their targets: met (in
        time or not), or still not met past the target, for the first reply and the resolution.
        One pass over the range (`ix_tickets_created` holds every column): at 1M tickets a
        year's range is about 330,000 index entries, and reading them was most of the cost of
        each of the two statements this replaces (docs/benchmarks.md, Reports)."""
        day = self._day(Ticket.created_at).label("day")
        sums = []
        for due, done in (
            (Ticket.first_response_due_at, Ticket.first_response_at),
            (Ticket.resolution_due_at, Ticket.resolved_at),
        ):
            known = sa.and_(due.is_not(None), sa.or_(done.is_not(None), due < self.now))
            met = sa.and_(done.is_not(None), done <= due)
            sums += [
                sa.func.sum(sa.case((met, 1), else_=0)),
                sa.func.sum(sa.case((known, 1), else_=0)),
            ]
        query = (
            sa.select(day, sa.func.count(), *sums)
            .where(self._in_range(Ticket.created_at), *self._filters())
            .group_by(day)
        )
        per_day: dict[date, int] = {}
        totals = [0, 0, 0, 0]
        for value, n, *parts in self.db.execute(query):
            per_day[_as_date(value)] = n
            totals = [total + int(part or 0) for total, part in zip(totals, parts, strict=True)]
        within, total, resolved_within, resolved_total = totals
        return per_day, {
            "within_target": within,
            "with_target": total,
            "resolved_within_target": resolved_within,
            "resolution_with_target": resolved_total,
        }

    def resolved_per_day(self) -> dict[date, int]:
        day = self._day(Ticket.resolved_at).label("day")
        query = (
            sa.select(day, sa.func.count())
            .where(self._in_range(Ticket.resolved_at), *self._filters())
            .group_by(day)
        )
        return {_as_date(value): n for value, n in self.db.execute(query)}

    def durations(self, end_column, start_column, *, by=None) -> Durations:
        """The time from `start_column` to `end_column`, for the tickets whose `by` column
        (default `end_column`) falls in the range: the count, and the median and 90th
        percentile by nearest rank (the smallest value whose rank reaches p % of the count),
        in whole minutes (what the page and the CSV show).

        PostgreSQL: one ordered-set aggregate per percentile over the sorted seconds. SQLite
        (no percentile function): the tickets counted per minute, the ranks walked here.
        Counting per minute was tried on PostgreSQL too and was slower: the planner cannot
        tell how few distinct minutes there are, so it sorted every row anyway before grouping
        (docs/benchmarks.md, Reports).
        """
        seconds = self._seconds(end_column, start_column)
        where = (self._in_range(end_column if by is None else by), end_column.is_not(None))
        where += tuple(self._filters())
        if self.pg:
            # Over the seconds, rounded after: a nearest rank commutes with rounding (both keep
            # the order), and sorting the plain values is cheaper than rounding each first.
            n, median, p90 = self.db.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.percentile_disc(0.5).within_group(seconds),
                    sa.func.percentile_disc(0.9).within_group(seconds),
                ).where(*where)
            ).one()
            if not n:
                return Durations(count=0, median=None, p90=None)
            return Durations(count=int(n), median=_whole(median), p90=_whole(p90))
        minute = sa.func.round(seconds / 60)
        counts = self.db.execute(
            sa.select(minute.label("m"), sa.func.count())
            .where(*where)
            .group_by(sa.literal_column("m"))
            .order_by(sa.literal_column("m"))
        ).all()
        return nearest_rank(counts)

    def csat_weeks(self) -> list[WeekCsat]:
        survey = SatisfactionSurvey
        week = self._monday(survey.answered_at).label("week")
        good = sa.func.sum(sa.case((survey.rating == "good", 1), else_=0))
        bad = sa.func.sum(sa.case((survey.rating == "bad", 1), else_=0))
        query = (
            sa.select(week, good, bad)
            .select_from(survey)
            .where(
                survey.status == SurveyStatus.answered,
                self._in_range(survey.answered_at),
                *self._filters(agent_column=survey.agent_id),
            )
            .group_by(week)
            .order_by(week)
        )
        if self.category:  # only then the tickets: the survey index covers the rest
            query = query.join(Ticket, Ticket.id == survey.ticket_id)
        return [WeekCsat(_as_date(w), int(g), int(b)) for w, g, b in self.db.execute(query)]


def _whole(seconds) -> float:
    """Whole minutes, as SQL's round() of seconds / 60 does (halves away from zero)."""
    return float(max(math.floor(float(seconds) / 60 + 0.5), 0))


def nearest_rank(counts: list[tuple[float, int]]) -> Durations:
    """Median and 90th percentile of values given as (value in minutes, how many), in
    ascending order: the smallest value whose cumulative count reaches p % of the total."""
    total = sum(n for _, n in counts)
    if not total:
        return Durations(count=0, median=None, p90=None)
    found: dict[int, float] = {}
    seen = 0
    for value, n in counts:
        seen += n
        for percent in (50, 90):
            if percent not in found and seen * 100 >= total * percent:
                found[percent] = float(max(value, 0))
    return Durations(count=total, median=found[50], p90=found[90])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def page(db: Session, **filters) -> tuple[list[tuple[int, str]], dict[str, dict[str, str]], Report]:
    """The page's first load, in one transaction: the agent filter's choices (id, name), the
    category filter's (key -> name per language) and the report (`build`'s arguments)."""
    from support_portal.services.agents import list_agents

    report = build(db, **filters)
    everyone = list_agents(db, viewer=filters["viewer"], include_inactive=True)
    return [(a.id, a.name) for a in everyone], categories.names_by_key(db), report
