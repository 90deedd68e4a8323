"""Extract every translatable string and update the catalogs.

Run `python -m support_portal.i18n.extract` (or `make i18n`).

Strings are English msgids marked with `_()`, `T()` (components), `self._t()` (states),
`gettext(locale, ...)` / `ngettext(locale, ..., ...)`, or passed to a domain error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from support_portal.i18n import LOCALES_DIR, SUPPORTED

PACKAGE = Path(__file__).resolve().parents[1]
KEYWORDS = {
    "_": None,
    "N_": (1, 2),
    "T": None,
    "_t": None,
    "gettext": (2,),
    "ngettext": (2, 3),
    # Domain errors carry an English message the UI translates.
    "DomainError": None,
    "NotFound": None,
    "PermissionDenied": None,
    "NotAuthenticated": None,
    "InvalidInput": None,
    "InvalidCredentials": None,
    "EmailTaken": None,
    "RateLimited": None,
    "InvalidTransition": None,
    "TicketClosed": None,
    "InvalidLink": None,
}
SKIP_DIRS = ("i18n/extract.py",)


def extract() -> Catalog:
    template = Catalog(project="support_portal", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        if any(filename.endswith(skip) for skip in SKIP_DIRS):
            continue
        if isinstance(message, tuple) and not all(message):
            continue
        if not message:
            continue
        template.add(
            message,
            None,
            [(f"support_portal/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def update() -> list[str]:
    template = extract()
    pot = LOCALES_DIR / "messages.pot"
    with pot.open("wb") as fh:
        write_po(fh, template, width=100, omit_header=False, sort_output=True)
    written = [str(pot)]
    for locale in SUPPORTED:
        path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="support_portal")
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, ignore_obsolete=True)
        written.append(str(path))
    return written


if __name__ == "__main__":
    for path in update():
        print(path, file=sys.stderr)
