"""The "How did we do?" block of a "resolved" email (CSAT, issue 16).

One link per answer; each opens the question with that answer chosen, and only the button on
that page records it (a mail scanner that opens every link rates nothing).
"""

from __future__ import annotations

import html

from support_portal.i18n import _, gettext
from support_portal.settings import BRAND_HEX, get_settings

QUESTION = _("How did we do?")
ANSWERS = ((_("Good"), "good"), (_("Bad"), "bad"))


def survey_block(locale: str, url: str) -> tuple[list[str], str]:
    """The text lines and the HTML of the question, in the recipient's language."""
    question = gettext(locale, QUESTION)
    links = [(gettext(locale, label), f"{url}?rating={value}") for label, value in ANSWERS]
    accent = BRAND_HEX[get_settings().brand_accent]
    buttons = " ".join(
        f'<a href="{html.escape(href, quote=True)}" style="display:inline-block;padding:8px 16px;'
        f"margin-right:8px;border:1px solid {accent};color:{accent};border-radius:6px;"
        f'text-decoration:none">{html.escape(label)}</a>'
        for label, href in links
    )
    text = [question, *(f"{label}: {href}" for label, href in links)]
    return text, f"<p><strong>{html.escape(question)}</strong></p><p>{buttons}</p>"
