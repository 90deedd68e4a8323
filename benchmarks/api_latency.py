"""Server time of the REST API's list and get on a large history (see seed_large.py).

    python -m benchmarks.api_latency --db-url postgresql+psycopg://... [--repeat 50]

Each request goes through the whole API app in this process (FastAPI routing, the token check
and its rate-limit slot in one transaction, the service call in another, JSON serialization),
with no network in between: what the server spends on one request, plus the test client's
hop between threads (measured on its own, on an empty route, as the first line). Median and p95 over
`--repeat` requests after a few warm-up ones. A deep queue page is reached by walking the
cursors first, as a client paging through the queue would.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from sqlmodel import Session, col, select

from benchmarks.timing import machine

DEEP = 200


def timed(
    call: Callable[[], object], repeat: int, fresh: Callable[[], None]
) -> tuple[float, float]:
    """Median and p95; a fresh token per case, so its rate window holds what a real token's
    does at the default limit (at most API_RATE_LIMIT_PER_MINUTE rows), not every earlier run."""
    fresh()
    samples = []
    for n in range(repeat + 3):
        start = time.perf_counter()
        call()
        if n >= 3:
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * len(samples)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the REST API's list and get.")
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)

    from starlette.testclient import TestClient

    from support_portal import db as db_module
    from support_portal.api.app import build_api_app
    from support_portal.models import Role, Ticket, User
    from support_portal.services import api_tokens
    from support_portal.settings import get_settings

    settings = get_settings()
    settings.api_rate_limit_per_minute = 1_000_000
    engine = db_module.make_engine(args.db_url)
    db_module.set_engine(engine)
    with db_module.session_scope() as db:
        staff_email = db.exec(select(User.email).where(User.role == Role.agent).limit(1)).one()
    with Session(engine) as db:
        number = db.exec(select(Ticket.number).order_by(col(Ticket.message_count).desc())).first()
    client = TestClient(build_api_app())

    def fresh() -> None:
        with db_module.session_scope() as db:
            secret = api_tokens.create_token_for_email(
                db, email=staff_email, name="benchmark", scopes=["read"], days=1
            ).secret
        client.headers["Authorization"] = f"Bearer {secret}"

    fresh()

    def get(path: str, **params) -> dict:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    cursors: dict[str, str | None] = {}
    for view, sort in (("all", "activity"), ("unassigned", "waiting"), ("open", "waiting")):
        cursor = None
        for _ in range(DEEP - 1):
            cursor = get("/api/v1/tickets", view=view, sort=sort, cursor=cursor)["next_cursor"]
        cursors[f"{view}/{sort}"] = cursor
    from fastapi import FastAPI

    bare = FastAPI()
    bare.get("/x")(lambda: {"ok": 1})
    bare_client = TestClient(bare)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("An empty FastAPI route (the test client's own cost)", lambda: bare_client.get("/x")),
        ("GET /api/v1/me (token check only)", lambda: get("/api/v1/me")),
    ]
    for key, cursor in cursors.items():
        view, sort = key.split("/")
        cases.append(
            (f"GET /tickets view={view} sort={sort}, page 1",
             lambda v=view, s=sort: get("/api/v1/tickets", view=v, sort=s))
        )  # fmt: skip
        cases.append(
            (f"GET /tickets view={view} sort={sort}, page {DEEP}",
             lambda v=view, s=sort, c=cursor: get("/api/v1/tickets", view=v, sort=s, cursor=c))
        )  # fmt: skip
    cases += [
        (f"GET /tickets/{{number}} (ticket {number})", lambda: get(f"/api/v1/tickets/{number}")),
        ("GET /tickets/{number}/messages, first 50",
         lambda: get(f"/api/v1/tickets/{number}/messages")),
    ]  # fmt: skip
    started = machine()
    print("| Request | Server ms (median / p95) |")
    print("|---|---|")
    for name, call in cases:
        median, p95 = timed(call, args.repeat, fresh)
        flag = "" if p95 < 20 else " **over 20 ms**"
        print(f"| {name} | {median:.2f} / {p95:.2f}{flag} |", flush=True)
    print(f"\nmachine at start: {started}, at end: {machine()}")
    client.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
