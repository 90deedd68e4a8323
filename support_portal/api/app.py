"""The FastAPI application: `/api/v1`, its OpenAPI document and docs, `/metrics`, `/readyz`.

Given to `rx.App(api_transformer=[...])`, which mounts the rest of the app behind it: a path
it has no route for goes on to the portal, except under `/api/`, which answers problem+json.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.routing import Match

from support_portal import routes
from support_portal.api import ops, problems, tickets, uploads
from support_portal.api.metrics import middleware

FALLBACK = routes.API + "/{rest:path}"
DESCRIPTION = """\
The support portal's REST API for agents and admins. Authenticate with a personal access token:
`Authorization: Bearer spt_...` (tokens: `support-portal api-token create`). Errors are RFC 9457
problem details. See docs/api.md for examples."""


def build_api_app() -> FastAPI:
    app = FastAPI(
        title="Support portal API",
        version="1",
        description=DESCRIPTION,
        openapi_url=routes.API_OPENAPI,
        docs_url=routes.API_DOCS,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=routes.API_DOCS + "/oauth2-redirect",
    )
    problems.install(app)
    app.include_router(tickets.router)
    app.include_router(uploads.router)
    app.include_router(ops.router)

    @app.api_route(
        FALLBACK,
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    def api_fallback(request: Request, rest: str) -> Response:
        """Under /api/ nothing falls through to the portal's pages: 405 or 404, as problems."""
        allowed = sorted(
            {
                method
                for route in (*tickets.router.routes, *uploads.router.routes)
                if route.matches(request.scope)[0] == Match.PARTIAL
                for method in (getattr(route, "methods", None) or ())
            }
        )
        if allowed:
            return problems.problem(
                405,
                f"{request.method} is not allowed here; use {', '.join(allowed)}.",
                instance=request.url.path,
                headers={"Allow": ", ".join(allowed)},
            )
        return problems.problem(404, "No such API endpoint.", instance=request.url.path)

    app.add_middleware(_Metrics)
    return app


class _Metrics:
    """Request counts and latencies for every HTTP request (the portal's too)."""

    def __init__(self, app) -> None:
        self._wrapped = middleware(app)

    async def __call__(self, scope, receive, send) -> None:
        await self._wrapped(scope, receive, send)
