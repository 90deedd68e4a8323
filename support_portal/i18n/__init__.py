"""Message catalogs (gettext `.po` files read with Babel) and locale-aware formatting.

Every visible string is an English msgid marked with `_()` (or `T()` in components, see
`components/i18n.py`); `make i18n` extracts them into `messages.pot` and updates each
locale's `.po`. Catalogs are compiled in memory at start-up: no `.mo` files to build.
"""

from __future__ import annotations

import gettext as _gettext
import io
from datetime import datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED = ("en", "cs")
LANGUAGE_NAMES = {"en": "English", "cs": "Čeština"}


def _(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def N_(singular: str, plural: str) -> tuple[str, str]:
    return singular, plural


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def normalize_locale(value: str | None, default: str = "en") -> str:
    if not value:
        return default
    base = value.replace("_", "-").split("-")[0].strip().lower()
    return base if base in SUPPORTED else default


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """Pick a supported locale from an Accept-Language header."""
    if not accept_language:
        return default
    weighted = []
    for index, part in enumerate(accept_language.split(",")):
        lang, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        weighted.append((-q, index, lang))
    for _q, _i, lang in sorted(weighted):
        base = lang.split("-")[0].lower()
        if base in SUPPORTED:
            return base
    return default


def gettext(locale: str, message: str, **params: object) -> str:
    text = translations(locale).gettext(message)
    return text.format(**params) if params else text


def ngettext(locale: str, singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text.format(n=format_number(locale, n), **params)


def catalog(locale: str, msgids: list[str]) -> dict[str, str]:
    """The UI catalog sent to the browser: every known msgid to its translation."""
    tr = translations(locale)
    return {msgid: tr.gettext(msgid) for msgid in msgids}


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_number(locale: str, n: int | float) -> str:
    return format_decimal(n, locale=_babel_locale(locale))


@lru_cache(maxsize=4096)  # the same message time shown to every open page of a ticket
def format_when(locale: str, moment: datetime, tz: str | None = None) -> str:
    """Date and time in the viewer's zone (naive values are taken as UTC)."""
    aware = moment.replace(tzinfo=ZoneInfo("UTC")) if moment.tzinfo is None else moment
    return format_datetime(aware, "medium", tzinfo=zone(tz), locale=_babel_locale(locale))


def format_deadline(locale: str, moment: datetime, now: datetime, tz: str | None = None) -> str:
    """ "Monday 12:00" within the coming week, else the date and time."""
    aware = moment.replace(tzinfo=ZoneInfo("UTC")) if moment.tzinfo is None else moment
    if timedelta() <= aware - now < timedelta(days=6):
        return format_datetime(aware, "EEEE HH:mm", tzinfo=zone(tz), locale=_babel_locale(locale))
    return format_when(locale, aware, tz)


def format_relative(locale: str, moment: datetime, now: datetime) -> str:
    """'2 minutes ago' / 'před 2 minutami'."""
    delta: timedelta = moment - now
    if abs(delta.total_seconds()) < 45:
        return gettext(locale, "just now")
    return format_timedelta(delta, add_direction=True, threshold=1.0, locale=_babel_locale(locale))


@cache
def ui_catalog(locale: str) -> dict[str, str]:
    """Every translated singular entry of a locale (empty for English)."""
    if locale == "en":
        return {}
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }
