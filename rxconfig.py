"""Reflex configuration. Everything configurable comes from support_portal.settings."""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from support_portal.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="support_portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="blue", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[SitemapPlugin],
    frontend_port=settings.port,
    backend_port=settings.port,
    # The websocket handshake accepts only these origins (A7).
    cors_allowed_origins=settings.origins,
    redis_url=settings.redis_url,
    trusted_proxy_hops=settings.trusted_proxy_hops,
)
