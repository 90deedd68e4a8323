"""`/metrics` (Prometheus; loopback callers or `Authorization: Bearer $METRICS_TOKEN`) and
`/readyz` (the database, and Redis when configured). `/healthz` stays the cheap liveness probe
of `web/routes.py`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from support_portal import routes
from support_portal.api.metrics import registry
from support_portal.db import session_scope
from support_portal.services import ops
from support_portal.services.security import constant_time_equal
from support_portal.settings import get_settings
from support_portal.web.dev_access import is_direct_local

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def may_scrape(request: Request) -> bool:
    token = get_settings().metrics_token
    auth = request.headers.get("authorization", "")
    if token and auth.startswith("Bearer ") and constant_time_equal(auth[7:].strip(), token):
        return True
    peer = request.client.host if request.client else None
    return is_direct_local(peer, request.headers.keys())


@router.get(routes.METRICS)
def metrics(request: Request) -> Response:
    if not may_scrape(request):
        return PlainTextResponse("Not found", status_code=404)
    return Response(
        generate_latest(registry),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )


def _redis_ready(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


@router.get(routes.READYZ)
def readyz() -> JSONResponse:
    """200 when the database (and Redis, when REDIS_URL is set) answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with session_scope() as db:
            ops.database_answers(db)
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database: %r", exc)
        checks["database"] = "unavailable"
    url = get_settings().redis_url
    if url:
        try:
            _redis_ready(url)
            checks["redis"] = "ok"
        except Exception as exc:
            log.warning("readiness: redis: %r", exc)
            checks["redis"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )
