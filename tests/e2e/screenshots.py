"""`make screenshots`: every page at desktop and phone size, in English and Czech, as the
anonymous visitor, guest, customer and agent see it, into `screenshots/` (not committed) with an
index.html for reviewers. Not part of `make test` (the file name does not start with test_).

The pages and the data are the accessibility test's (tests/e2e/test_accessibility.py), so a page
added there is photographed too.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.helpers import goto
from tests.e2e.test_accessibility import LOCALES, VIEWPORTS, World, context_for, pages_for
from tests.e2e.test_accessibility import world as world  # the fixture

pytestmark = pytest.mark.e2e
OUT = Path(os.environ.get("SP_SCREENSHOTS", Path(__file__).parents[2] / "screenshots"))
WHO = ("anonymous", "guest", "customer", "agent")


def _name(who: str, locale: str, size: str, path: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return f"{locale}-{size}-{who}-{slug[:60]}.png"


@pytest.mark.parametrize("locale", list(LOCALES))
def test_screenshots(browser: Browser, app, world: World, locale: str):
    OUT.mkdir(parents=True, exist_ok=True)
    taken: list[tuple[str, str, str, str]] = []
    for who in WHO:
        context = context_for(browser, app, world, who, locale)
        page = context.new_page()
        try:
            for size, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                for path in pages_for(who, locale, world):
                    goto(page, path)
                    name = _name(who, locale, size, path)
                    page.screenshot(path=OUT / name, full_page=True)
                    taken.append((who, size, path, name))
        finally:
            context.close()
    assert all((OUT / name).stat().st_size > 1000 for *_, name in taken)
    rows = "\n".join(
        f"<tr><td>{who}</td><td>{size}</td><td>{html.escape(path)}</td>"
        f'<td><a href="{name}"><img src="{name}" width="240" alt=""></a></td></tr>'
        for who, size, path, name in taken
    )
    (OUT / f"index-{locale}.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>Screenshots ({locale})</title>"
        f"<table><tr><th>Who</th><th>Size</th><th>Page</th><th>Screenshot</th></tr>{rows}</table>",
        encoding="utf-8",
    )
