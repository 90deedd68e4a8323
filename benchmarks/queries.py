"""Server time of the list, count and ticket pages on a large history (see seed_large.py).

    python -m benchmarks.queries --db-url postgresql+psycopg://... [--repeat 50] [--out f.json]

Each case times the service function the page calls (median and p95 over `--repeat` runs, a
fresh session each) on its first page and on a deep page, reached by walking the keyset
cursors first; beside it, the same rows fetched with OFFSET in the same run (and checked to
be the same rows). Then EXPLAIN (ANALYZE, BUFFERS) of every statement of the main cases.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case
from sqlmodel import Session, col, select

from benchmarks.dataset import HEAVY_EMAIL
from benchmarks.search_cases import search_cases
from benchmarks.tag_cases import tag_cases
from benchmarks.timing import Timing, captured, dump, explain, machine, measure
from support_portal.models import Message, Role, SessionKind, Ticket, User
from support_portal.services import agent_queue, conversation, ticket_lists
from support_portal.services.dto import Viewer

PAGE = ticket_lists.PAGE_SIZE
DEEP = 200
SEARCH = "declined"  # a word in one subject out of fifteen
Call = Callable[[Session], Any]


@dataclass
class Case:
    name: str
    page: int | str
    keyset: Call
    offset: Call | None = None
    explain: bool = False
    same_rows: bool = True  # False: the second column is another way to search, not a check


# OFFSET equivalents: the same filters and order, written directly.


def offset_my_tickets(viewer: Viewer, tab: str, page: int) -> Call:
    def run(db: Session):
        query = select(Ticket).where(
            Ticket.requester_id == viewer.user_id, Ticket.is_active == (tab != "closed")
        )
        query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        rows = db.exec(query.offset((page - 1) * PAGE).limit(PAGE + 1)).all()
        return [ticket_lists.summary(t) for t in rows[:PAGE]]

    return run


def offset_queue(viewer: Viewer, view: str, sort: str, page: int) -> Call:
    def run(db: Session):
        query = select(Ticket)
        condition = agent_queue._view_filter(view, viewer)
        if condition is not None:
            query = query.where(condition)
        if sort == "waiting":  # reply due first (soonest first), then newest activity first
            nobody_waits = col(Ticket.reply_due_at).is_(None)
            query = query.order_by(
                col(Ticket.reply_due_at).asc().nulls_last(),
                col(Ticket.waiting_since).asc(),  # NULL wherever nobody waits
                case((nobody_waits, Ticket.last_activity_at)).desc(),
                case((nobody_waits, -col(Ticket.id)), else_=col(Ticket.id)).asc(),
            )
        else:
            query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        rows = list(db.exec(query.offset((page - 1) * PAGE).limit(PAGE + 1)).all())
        return agent_queue._summaries(db, rows[:PAGE])

    return run


def offset_messages(ticket_id: int, window: int, total: int) -> Call:
    """The `window`-th window of 50 counted from the newest, oldest message first."""

    def run(db: Session):
        size = conversation.MESSAGE_WINDOW
        query = select(Message).where(Message.ticket_id == ticket_id, Message.is_internal == False)
        query = query.order_by(col(Message.id).asc())
        start = max(0, total - window * size)
        return conversation.with_attachments(
            db, list(db.exec(query.offset(start).limit(size)).all())
        )

    return run


def exact_view_counts(viewer: Viewer) -> Call:
    """The exact COUNT of every view (what view_counts did before its cap)."""

    def run(db: Session):
        return {
            view: db.exec(select(sa.func.count()).select_from(Ticket).where(condition)).one()
            if (condition := agent_queue._view_filter(view, viewer)) is not None
            else db.exec(select(sa.func.count()).select_from(Ticket)).one()
            for view in agent_queue.VIEWS
        }

    return run


def capped_view_counts(viewer: Viewer, cap: int) -> Call:
    def run(db: Session):
        default, agent_queue.COUNT_CAP = agent_queue.COUNT_CAP, cap
        try:
            return agent_queue.view_counts(db, viewer=viewer)
        finally:
            agent_queue.COUNT_CAP = default

    return run


# Cases


def walk(engine: sa.Engine, fetch: Callable[[Session, str | None], Any], pages: int):
    """The cursor of page `pages` (or of the last page) and its number, by following links."""
    cursor, page = None, 1
    with Session(engine) as db:
        while page < pages:
            result = fetch(db, cursor)
            if result.next_cursor is None:
                break
            cursor, page = result.next_cursor, page + 1
    return cursor, page


def my_tickets_cases(engine: sa.Engine, heavy: Viewer) -> list[Case]:
    cases = []
    for tab in ("open", "closed"):

        def fetch(db, cursor, tab=tab):
            return ticket_lists.list_tickets(db, viewer=heavy, tab=tab, cursor=cursor)

        cursor, deep = walk(engine, fetch, DEEP)
        name = f"My tickets, {tab} tab"
        cases.append(Case(name, 1, lambda db, f=fetch: f(db, None),
                          offset_my_tickets(heavy, tab, 1), explain=True))  # fmt: skip
        cases.append(Case(name, deep, lambda db, f=fetch, c=cursor: f(db, c),
                          offset_my_tickets(heavy, tab, deep), explain=True))  # fmt: skip
    cases.append(Case("My tickets, tab counts", "-",
                      lambda db: ticket_lists.tab_counts(db, viewer=heavy),
                      explain=True))  # fmt: skip
    cases.append(Case(f'My tickets, search "{SEARCH}"', 1,
                      lambda db: ticket_lists.list_tickets(db, viewer=heavy, search=SEARCH),
                      explain=True))  # fmt: skip
    cases.append(Case(f'My tickets, tab counts, search "{SEARCH}"', "-",
                      lambda db: ticket_lists.tab_counts(db, viewer=heavy,
                                                         search=SEARCH)))  # fmt: skip
    return cases


def queue_cases(engine: sa.Engine, viewer: Viewer) -> list[Case]:
    cases = []
    for view in agent_queue.VIEWS:
        for sort in ("activity", "waiting"):

            def fetch(db, cursor, view=view, sort=sort):
                return agent_queue.queue(db, viewer=viewer, view=view, sort=sort, cursor=cursor)

            cursor, deep = walk(engine, fetch, DEEP)
            name = f"Queue {view}, by {sort}"
            cases.append(Case(name, 1, lambda db, f=fetch: f(db, None),
                              offset_queue(viewer, view, sort, 1), explain=True))  # fmt: skip
            cases.append(Case(name, deep, lambda db, f=fetch, c=cursor: f(db, c),
                              offset_queue(viewer, view, sort, deep), explain=True))  # fmt: skip
    cases.append(Case(f'Queue all, search "{SEARCH}" (not a target)', 1,
                      lambda db: agent_queue.queue(db, viewer=viewer, view="all", search=SEARCH),
                      explain=True))  # fmt: skip
    with Session(engine) as db:  # an order ID seed_large.py filled in (a trading ticket's)
        order = db.exec(
            sa.text("SELECT value_text FROM ticket_field_values ORDER BY id DESC LIMIT 1")
        ).scalar()
    if order:
        for view in ("all", "open"):
            search = f"field:order_id={order}"
            cases.append(Case(f"Queue {view}, {search}", 1,
                              lambda db, v=view, s=search: agent_queue.queue(
                                  db, viewer=viewer, view=v, search=s),
                              explain=True))  # fmt: skip
    for cap in (agent_queue.COUNT_CAP, 10_000):
        cases.append(Case(f"Queue view counts, cap {cap:,} (exact: COUNT)", "-",
                          capped_view_counts(viewer, cap), exact_view_counts(viewer),
                          explain=True))  # fmt: skip
    return cases


def ticket_cases(engine: sa.Engine, heavy: Viewer, staff: Viewer, number: int) -> list[Case]:
    with Session(engine) as db:
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        public = db.exec(
            select(sa.func.count()).where(Message.ticket_id == ticket.id, ~col(Message.is_internal))
        ).one()

    def page(viewer: Viewer) -> Call:
        def run(db: Session):  # what the ticket page loads (conversation.py: _open)
            detail = conversation.detail(db, viewer=viewer, number=number)
            window = conversation.list_messages(db, viewer=viewer, number=number)
            conversation.has_older(db, ticket_id=detail.id, before_id=window[0].id,
                              include_internal=viewer.is_agent)  # fmt: skip
            return window

        return run

    # "Load older" ten times: the oldest window, found with before_id like the page does.
    before, windows = None, 1
    with Session(engine) as db:
        while windows < 10:
            rows = conversation.list_messages(db, viewer=heavy, number=number, before_id=before)
            before, windows = rows[0].id, windows + 1

    def older(db, b=before):
        return conversation.list_messages(db, viewer=heavy, number=number, before_id=b)

    label = f"Ticket with {ticket.message_count} messages"
    return [
        Case(f"{label}: detail", "-",
             lambda db: conversation.detail(db, viewer=heavy, number=number), explain=True),
        Case(f"{label}: latest 50 messages", 1,
             lambda db: conversation.list_messages(db, viewer=heavy, number=number),
             offset_messages(ticket.id, 1, public), explain=True),
        Case(f"{label}: older window", windows, older,
             offset_messages(ticket.id, windows, public), explain=True),
        Case(f"{label}: customer's page load", "-", page(heavy)),
        Case(f"{label}: agent's page load", "-", page(staff)),
    ]  # fmt: skip


def viewers(engine: sa.Engine) -> tuple[Viewer, Viewer, int]:
    with Session(engine) as db:
        heavy = db.exec(select(User).where(User.email == HEAVY_EMAIL)).one()
        busiest = db.exec(
            select(Ticket.assignee_id)
            .where(Ticket.is_active == True, col(Ticket.assignee_id).is_not(None))
            .group_by(Ticket.assignee_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()
        staff = db.get(User, busiest)
        number = db.exec(select(Ticket.number).order_by(col(Ticket.message_count).desc())).first()

    def viewer(user: User) -> Viewer:
        return Viewer(kind=SessionKind.user, session_id=0, name=user.name, email=user.email,
                      user_id=user.id, role=Role(user.role))  # fmt: skip

    return viewer(heavy), viewer(staff), number


def run_case(engine: sa.Engine, case: Case, repeat: int) -> dict:
    keyset = measure(engine, case.keyset, repeat=repeat)
    result: dict[str, Any] = {"case": case.name, "page": case.page, "keyset": keyset}
    if case.offset is not None:
        result["offset"] = measure(engine, case.offset, repeat=repeat)
    if case.offset is not None and case.same_rows:
        with Session(engine) as db:
            a, b = case.keyset(db), case.offset(db)
        if isinstance(a, dict):  # counts: equal up to the cap
            cap = max(a.values()) - 1 if max(b.values()) > max(a.values()) else None
            assert cap is None or a == {k: min(n, cap + 1) for k, n in b.items()}, (a, b)
        else:
            ids_a = [x.id for x in getattr(a, "items", a)]
            ids_b = [x.id for x in getattr(b, "items", b)]
            assert ids_a == ids_b, f"{case.name} p{case.page}: keyset and OFFSET rows differ"
    if case.explain:
        with Session(engine) as db, captured(engine) as statements:
            case.keyset(db)
        result["plans"] = [explain(engine, s, p) for s, p in statements]
    return result


def row(result: dict) -> str:
    keyset: Timing = result["keyset"]
    offset: Timing | None = result.get("offset")
    target = 50 if result["case"].startswith("Search") else 20
    flag = "" if keyset.p95_ms < target else f" **over {target} ms**"
    return (f"| {result['case']} | {result['page']} | {keyset}{flag} | "
            f"{offset if offset else '-'} |")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the list and ticket pages.")
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--out", default=None, help="write every number and plan as JSON")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--skip", default="", help="skip the cases whose name contains this")
    parser.add_argument(
        "--groups",
        default="lists,tags,ticket,search,reports",
        help="lists, tags, ticket, search, reports",
    )
    args = parser.parse_args(argv)

    from support_portal.db import make_engine

    engine = make_engine(args.db_url)
    heavy, staff, number = viewers(engine)
    started = machine()
    cases = []
    if "lists" in args.groups:  # walking to the deep pages takes a while
        cases += my_tickets_cases(engine, heavy) + queue_cases(engine, staff)
    if "tags" in args.groups:  # the queue's tag filter (issue 15)
        cases += tag_cases(engine, staff)
    if "ticket" in args.groups:
        cases += ticket_cases(engine, heavy, staff, number)
    if "search" in args.groups:
        cases += search_cases(heavy, staff)
    if "reports" in args.groups:
        from benchmarks.report_queries import prepare, report_cases  # reports page (issue 16)

        print(f"reports data prepared in {prepare(engine):.1f} s\n")
        cases += report_cases(engine, staff, Case)
    print("| Case | Page | Service ms (median / p95) | OFFSET or exact ms (median / p95) |")
    print("|---|---|---|---|")
    results = []
    for item in cases:
        if args.only.lower() not in item.name.lower():
            continue
        if args.skip and args.skip.lower() in item.name.lower():
            continue
        results.append(run_case(engine, item, args.repeat))
        print(row(results[-1]), flush=True)
    print()
    for result in results:
        for plan in result.get("plans", []):
            cost = f" ({plan['ms']} ms, {plan['shared_hit']} buffers)" if "ms" in plan else ""
            print(f"- {result['case']} p{result['page']}: {plan['nodes']}{cost}")
    print(f"\nmachine at start: {started}, at end: {machine()}")
    if args.out:
        dump(args.out, {"db": engine.dialect.name, "machine": [started, machine()],
                        "results": results})  # fmt: skip
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
