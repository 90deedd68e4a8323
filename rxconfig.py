"""Reflex configuration. Everything configurable comes from support_portal.settings."""

import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from support_portal.settings import get_settings

settings = get_settings()
# WORKERS is the one knob for backend processes (settings refuse more than one without Redis).
os.environ["GRANIAN_WORKERS"] = str(settings.workers)
os.environ.setdefault("REFLEX_USE_GRANIAN", "1")

config = rx.Config(
    app_name="support_portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color=settings.brand_accent, gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[SitemapPlugin],
    # The libraries Reflex exposes on `window` for dynamic components (the app has none) load
    # when first asked for, not on every first page: 25 KiB and 15 requests less on a phone
    # (docs/benchmarks.md, Lighthouse).
    frontend_lazy_bundled_libraries=True,
    frontend_port=settings.port,
    backend_port=settings.port,
    # The websocket handshake accepts only these origins (A7).
    cors_allowed_origins=settings.origins,
    redis_url=settings.redis_url,
    # One worker without Redis keeps Reflex's state in memory. Reflex's default (a pickle per
    # state on disk) lists and stats every pickle every 2 s: with 1000 open pages that took a
    # third of the backend's CPU and set the live-update latency tail (docs/benchmarks.md).
    # States then do not survive a restart: reconnecting pages load again, as a new tab does.
    state_manager_mode=(
        rx.constants.StateManagerMode.REDIS
        if settings.redis_url
        else rx.constants.StateManagerMode.MEMORY
    ),
    trusted_proxy_hops=settings.trusted_proxy_hops,
)
