"""The company's name and logo in the header (BRAND_NAME, BRAND_LOGO); "Support" and a life
buoy when unset."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.settings import get_settings


def brand_name() -> rx.Var | str:
    return get_settings().brand_name.strip() or T("Support")


def brand_mark() -> rx.Component:
    logo = get_settings().brand_logo.strip()
    if logo:
        # The name stands next to it, so the image itself is decoration.
        return rx.image(src=logo, alt="", height="28px", width="auto", id="brand-logo")
    return rx.icon("life-buoy", size=22)
