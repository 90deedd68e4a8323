"""Server time of the reports page (issue 16) on the large history (see seed_large.py).

    python -m benchmarks.report_queries --db-url postgresql+psycopg://... [--repeat 20]

`benchmarks.queries` runs these cases too. The seed has no first replies, targets or surveys:
`prepare` fills them once, in SQL (the first public agent reply from the messages, as the
migration does; a target 8 hours after creation; an answered survey for every third resolved
ticket, one in five of them "bad"), then ANALYZE.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from support_portal.services import report_csv, reports

FIRST_REPLY = (
    "UPDATE tickets SET first_response_at = (SELECT min(m.created_at) FROM messages m"
    " WHERE m.ticket_id = tickets.id AND m.author_kind = 'agent' AND m.is_internal = false),"
    " first_response_due_at = {due}"
)
SURVEYS = (
    "INSERT INTO satisfaction_surveys (ticket_id, status, nonce, agent_id, created_at,"
    " expires_at, rating, answered_at, answered_via)"
    " SELECT id, 'answered', 'bench', assignee_id, resolved_at, {expires},"
    " CASE WHEN id % 15 = 0 THEN 'bad' ELSE 'good' END, {answered}, 'email'"
    " FROM tickets WHERE resolved_at IS NOT NULL AND id % 3 = 0"
)


def prepare(engine: sa.Engine) -> float:
    """Fill what the reports read, once. Returns the seconds it took (0 when already there)."""
    with engine.begin() as conn:
        if conn.execute(sa.text("SELECT 1 FROM satisfaction_surveys LIMIT 1")).first():
            return 0.0
        started = time.perf_counter()
        if engine.dialect.name == "postgresql":
            due, expires, answered = (
                "created_at + interval '8 hours'",
                "resolved_at + interval '7 days'",
                "resolved_at + interval '1 hour'",
            )
        else:
            due, expires, answered = (
                "datetime(created_at, '+8 hours')",
                "datetime(resolved_at, '+7 days')",
                "datetime(resolved_at, '+1 hour')",
            )
        conn.execute(sa.text(FIRST_REPLY.format(due=due)))
        conn.execute(sa.text(SURVEYS.format(expires=expires, answered=answered)))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    return time.perf_counter() - started


def sorted_durations(self, end_column, start_column, *, by=None) -> reports.Durations:
    """The durations as the reports read them before per-minute counts: every value sorted,
    percentile_disc on PostgreSQL, ROW_NUMBER on SQLite (the side-by-side baseline)."""
    seconds = self._seconds(end_column, start_column)
    where = (self._in_range(end_column if by is None else by), end_column.is_not(None))
    where += tuple(self._filters())
    if self.pg:
        n, median, p90 = self.db.execute(
            sa.select(
                sa.func.count(),
                sa.func.percentile_disc(0.5).within_group(seconds),
                sa.func.percentile_disc(0.9).within_group(seconds),
            ).where(*where)
        ).one()
    else:
        inner = sa.select(seconds.label("s")).where(*where).subquery()
        ranked = sa.select(
            inner.c.s,
            sa.func.row_number().over(order_by=inner.c.s).label("rn"),
            sa.func.count().over().label("n"),
        ).subquery()

        def at(percent: int):
            return sa.func.min(sa.case((ranked.c.rn * 100 >= ranked.c.n * percent, ranked.c.s)))

        n, median, p90 = self.db.execute(sa.select(sa.func.max(ranked.c.n), at(50), at(90))).one()

    def minutes(value):
        return None if value is None else round(float(value) / 60)

    return reports.Durations(count=int(n or 0), median=minutes(median), p90=minutes(p90))


def with_sorted_durations(run):
    """`run` with the reports reading their durations the old way."""

    def baseline(db):
        current = reports._Query.durations
        reports._Query.durations = sorted_durations  # type: ignore[method-assign]
        try:
            return run(db)
        finally:
            reports._Query.durations = current  # type: ignore[method-assign]

    return baseline


def report_cases(engine: sa.Engine, staff, case_type) -> list:
    """`case_type` is queries.Case; `staff` an agent Viewer (filters by that agent)."""
    with Session(engine) as db:
        latest = db.execute(sa.select(sa.func.max(sa.column("created_at"))).select_from(
            sa.table("tickets"))).scalar_one()  # fmt: skip
    if isinstance(latest, str):  # SQLite returns the stored text of an untyped column
        latest = datetime.fromisoformat(latest)
    now = latest if latest.tzinfo else latest.replace(tzinfo=UTC)
    end = now.date()

    def build(days: int, **filters):
        start = (end - timedelta(days=days - 1)).isoformat()
        return lambda db: reports.build(
            db, viewer=staff, start=start, end=end.isoformat(), now=now, **filters
        )

    def export(db):
        start = (end - timedelta(days=29)).isoformat()
        return report_csv.csv_export(db, viewer=staff, start=start, end=end.isoformat(), now=now)

    def case(name: str, run, **kw):
        # The second column: the same report with every duration sorted (before per-minute
        # counts), in the same run.
        return case_type(name, "-", run, offset=with_sorted_durations(run), same_rows=False, **kw)

    return [
        case("Report: last 30 days", build(30), explain=True),
        case("Report: last 30 days, one category", build(30, category="trading")),
        case("Report: last 30 days, one agent", build(30, agent_id=staff.user_id)),
        case("Report: last 365 days", build(365)),
        case("Report: CSV of 30 days", export),
    ]


def main(argv: list[str] | None = None) -> int:
    from benchmarks.queries import Case, row, run_case, viewers
    from support_portal.db import make_engine

    parser = argparse.ArgumentParser(description="Time the reports page.")
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    engine = make_engine(args.db_url)
    print(f"prepare: {prepare(engine):.1f} s", flush=True)
    _heavy, staff, _number = viewers(engine)
    print("| Case | Page | Service ms (median / p95) | Sorted durations ms (median / p95) |")
    print("|---|---|---|---|")
    results = []
    for item in report_cases(engine, staff, Case):
        results.append(run_case(engine, item, args.repeat))
        print(row(results[-1]), flush=True)
    for result in results:
        for plan in result.get("plans", []):
            cost = f" ({plan['ms']} ms, {plan['shared_hit']} buffers)" if "ms" in plan else ""
            print(f"- {result['case']}: {plan['nodes']}{cost}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
