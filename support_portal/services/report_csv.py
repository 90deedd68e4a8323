"""The reports page's numbers as CSV (issue 16): the same numbers as the charts, one per row."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session

from support_portal.services import reports
from support_portal.services.reports import Report


def csv_export(db: Session, **filters) -> str:
    """The report as CSV: `build`'s arguments (agents only)."""
    return to_csv(reports.build(db, **filters))


CSV_HEADER = ("section", "period", "metric", "value")


def to_csv(report: Report) -> str:
    """The same numbers as the charts, one per row (section, period, metric, value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for d in report.days:
        writer.writerow(("tickets", d.day.isoformat(), "created", d.created))
        writer.writerow(("tickets", d.day.isoformat(), "resolved", d.resolved))
    period = f"{report.start.isoformat()}/{report.end.isoformat()}"
    for name, durations in (("first_response", report.first_response),
                            ("resolution", report.resolution)):  # fmt: skip
        writer.writerow((name, period, "tickets", durations.count))
        writer.writerow((name, period, "median_minutes", _blank(durations.median)))
        writer.writerow((name, period, "p90_minutes", _blank(durations.p90)))
    for name, within, total, share in (
        ("first_response_target", report.within_target, report.with_target,
         report.within_target_share),
        ("resolution_target", report.resolved_within_target, report.resolution_with_target,
         report.resolved_within_share),
    ):  # fmt: skip
        writer.writerow((name, period, "within", within))
        writer.writerow((name, period, "with_target", total))
        writer.writerow((name, period, "share_percent", _blank(share)))
    for w in report.csat:
        writer.writerow(("csat", w.week.isoformat(), "good", w.good))
        writer.writerow(("csat", w.week.isoformat(), "bad", w.bad))
        writer.writerow(("csat", w.week.isoformat(), "score_percent", _blank(w.score)))
    return out.getvalue()


def _blank(value: float | None) -> str | float:
    return "" if value is None else value
