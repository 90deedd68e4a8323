"""Prometheus metrics: request counts and latencies (as middleware in front of every HTTP
request), and gauges read at scrape time (open live pages, the mail outbox's backlog)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from support_portal import routes
from support_portal.web.security import ASGIApp, Scope

log = logging.getLogger(__name__)

registry = CollectorRegistry()

REQUESTS = Counter(
    "support_portal_http_requests",
    "HTTP requests by method, route and status",
    ["method", "route", "status"],
    registry=registry,
)
LATENCY = Histogram(
    "support_portal_http_request_duration_seconds",
    "Time to the response's first byte, by route",
    ["route"],
    registry=registry,
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
)


def route_label(scope: Scope) -> str:
    """Few labels: the API's route template, else the area of the app."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    path = scope.get("path", "")
    if template and path.startswith(routes.API + "/"):
        return template
    for prefix, label in _AREAS:
        if path.startswith(prefix):
            return label
    return "other"


_AREAS = (
    (routes.API + "/", routes.API + "/*"),
    ("/_event", "/_event"),
    ("/_upload", "/_upload"),
    (routes.attachment_path(0)[:-1], routes.attachment_path("*")),
    (routes.METRICS, routes.METRICS),
    (routes.READYZ, routes.READYZ),
)


def middleware(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_and_measure(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                LATENCY.labels(route_label(scope)).observe(time.perf_counter() - start)
            await send(message)

        try:
            await app(scope, receive, send_and_measure)
        finally:
            REQUESTS.labels(scope.get("method", ""), route_label(scope), str(status["code"])).inc()

    return wrapped


class StateCollector(Collector):
    """Read when scraped: open live pages, the email outbox and the webhook deliveries."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from support_portal.db import session_scope
        from support_portal.live.hub import hub
        from support_portal.services import ops

        live = GaugeMetricFamily(
            "support_portal_live_subscriptions", "Open live pages (hub subscriptions)"
        )
        live.add_metric([], hub.subscriber_count())
        yield live
        try:
            with session_scope() as db:
                backlogs = {"outbox": ops.outbox_backlog(db), "webhook": ops.webhook_backlog(db)}
        except Exception:  # the database is down: /readyz says so; the rest still scrapes
            log.exception("metrics: could not read the outbox")
            return
        for name, what in (("outbox", "Emails in the outbox"), ("webhook", "Webhook deliveries")):
            backlog = backlogs[name]
            counts = GaugeMetricFamily(
                f"support_portal_{name}_{'emails' if name == 'outbox' else 'deliveries'}",
                f"{what} by status",
                labels=["status"],
            )
            for status, count in sorted(backlog.by_status.items()):
                counts.add_metric([status], count)
            yield counts
            oldest = GaugeMetricFamily(
                f"support_portal_{name}_oldest_age_seconds",
                f"{what}: age of the oldest one not yet sent (0: none)",
            )
            oldest.add_metric([], backlog.oldest_age_seconds)
            yield oldest


registry.register(StateCollector())
