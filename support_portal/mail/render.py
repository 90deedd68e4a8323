"""Render notification emails: text and HTML parts, in the recipient's locale (R4, C4).

Emails say what happened and link to the ticket; they never carry the message text.
"""

from __future__ import annotations

import functools
import html
import secrets
import unicodedata
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from support_portal.i18n import _, gettext
from support_portal.mail.survey_render import survey_block
from support_portal.routes import LOGIN, absolute
from support_portal.settings import BRAND_HEX, get_settings

PRODUCT_NAME = _("Support")  # BRAND_NAME when set

HEADLINES = {
    "ticket_received": _("We received your support ticket {number}."),
    "agent_replied": _("Our support team replied to your ticket {number}."),
    "info_requested": _("We need more information from you on ticket {number}."),
    "resolved": _("Your issue in ticket {number} was marked as resolved."),
    "closed": _("Your ticket {number} was closed."),
    "reminder": _("Your ticket {number} is still waiting for your answer."),
    "merged": _("We merged your duplicate request into ticket {number}."),
    "link_replaced": _("The link to your support ticket {number} was replaced."),
}
ACTIONS = {
    "ticket_received": _(
        "We will let you know as soon as there is news. You can add details here:"
    ),
    "agent_replied": _("Open your ticket to read the reply and respond:"),
    "info_requested": _("Open your ticket to read the question and reply:"),
    "resolved": _("If the problem is not solved, reply in the ticket and we will reopen it:"),
    "closed": _("You can still read the conversation here:"),
    "reminder": _(
        "Our question is still open. Reply in the ticket, or it will be marked as resolved:"
    ),
    "merged": _("The whole conversation continues there; your earlier link leads there too:"),
    "link_replaced": _("Earlier links no longer work. From now on, open your ticket here:"),
}
SUBJECT_RECEIVED = _("Your support ticket {number} was received")
SUBJECT_UPDATED = _("Your support ticket {number} has been updated")
SUBJECTS = {
    "ticket_received": SUBJECT_RECEIVED,
    "link_replaced": _("A new link to your support ticket {number}"),
    "agent_replied": _("New reply on your support ticket {number}"),
    "info_requested": _("We need more information on ticket {number}"),
    "resolved": _("Your support ticket {number} was resolved"),
    "closed": _("Your support ticket {number} was closed"),
    "reminder": _("Reminder: ticket {number} waits for your answer"),
    "merged": _("Your requests continue in ticket {number}"),
}
NOTICE = _(
    "This email is a notification only. Replies to this address are not read: "
    "please answer in the ticket."
)


class _HeaderCache(HeaderRegistry):
    """The standard header registry, with the work it repeats done once.

    HeaderRegistry builds a new class with type() for every header, and most headers of a
    notification are the same from one email to the next (MIME-Version, Content-Type,
    Auto-Submitted, a ticket's References, the Date within a second). Parsing them took most
    of the time spent building an email (docs/benchmarks.md). Header objects are immutable
    once parsed, so emails (and threads) can share them; the classes and the parsing are
    unchanged, and a test checks the bytes are the same as with the default policy.
    """

    MAX_CACHED = 4096

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._headers: dict[tuple[str, str], object] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]

    def __call__(self, name: str, value):  # type: ignore[override]
        if not isinstance(value, str):  # an Address or a Header: parse as usual
            return super().__call__(name, value)
        key = (name, value)
        header = self._headers.get(key)
        if header is None:
            header = super().__call__(name, value)
            if len(self._headers) >= self.MAX_CACHED:
                self._headers.clear()
            self._headers[key] = header
        return header


POLICY = policy.default.clone(header_factory=_HeaderCache())


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _hello(locale: str, name: str | None) -> str:
    if name:
        return gettext(locale, "Hello {name},", name=name)
    return gettext(locale, "Hello,")


def _compose(
    locale: str,
    *,
    name: str | None,
    lines: list[str],
    link: str | None,
    link_label: str | None,
    extra: tuple[list[str], str] = ([], ""),  # more text lines and HTML after the link
) -> tuple[str, str]:
    notice = gettext(locale, NOTICE)
    text_parts = [_hello(locale, name), "", *lines]
    if link:
        text_parts += ["", link]
    text_parts += ["", *extra[0]] if extra[0] else []
    text_parts += ["", "-- ", notice]
    html_lines = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    settings = get_settings()
    accent = BRAND_HEX[settings.brand_accent]
    brand = html.escape(settings.brand_name.strip() or gettext(locale, PRODUCT_NAME))
    button = ""
    if link:
        href = html.escape(link, quote=True)
        button = (
            f'<p><a href="{href}" style="display:inline-block;padding:10px 18px;'
            f'background:{accent};color:#fff;border-radius:6px;text-decoration:none">'
            f"{html.escape(link_label or link)}</a></p>"
            f'<p style="font-size:12px;color:#555">{html.escape(link)}</p>'
        )
    button += extra[1]
    body_html = (
        f'<!doctype html><html lang="{html.escape(locale)}"><body style="font-family:'
        f'system-ui,sans-serif;line-height:1.5;color:#111">'
        f'<p style="font-size:18px;font-weight:bold;color:{accent}">{brand}</p>'
        f"<p>{html.escape(_hello(locale, name))}</p>{html_lines}{button}"
        f'<hr><p style="font-size:12px;color:#555">{html.escape(notice)}</p></body></html>'
    )
    return "\n".join(text_parts) + "\n", body_html


def ticket_email(
    template: str, *, locale: str, number: int, name: str | None, link: str, survey_url: str = ""
) -> Rendered:
    subject = SUBJECTS.get(template, SUBJECT_UPDATED)
    lines = [
        gettext(locale, HEADLINES[template], number=number),
        gettext(locale, ACTIONS[template]),
    ]
    text, body_html = _compose(
        locale,
        name=name,
        lines=lines,
        link=link,
        link_label=gettext(locale, "Open ticket {number}", number=number),
        extra=survey_block(locale, survey_url) if survey_url else ([], ""),
    )
    return Rendered(subject=gettext(locale, subject, number=number), text=text, html=body_html)


def code_email(*, locale: str, code: str, number: int | None, name: str | None) -> Rendered:
    if number is not None:
        lines = [
            gettext(locale, "Your verification code for support ticket {number} is:", number=number)
        ]
    else:
        lines = [gettext(locale, "Your verification code to confirm your email address is:")]
    lines += [
        code,
        gettext(
            locale, "The code expires in 10 minutes. If you did not ask for it, ignore this email."
        ),
    ]
    text, body_html = _compose(locale, name=name, lines=lines, link=None, link_label=None)
    # Never the code itself: subjects show on lock screens and in notification previews.
    subject = gettext(locale, "Your verification code")
    return Rendered(subject=subject, text=text, html=body_html)


def account_exists_email(*, locale: str) -> Rendered:
    lines = [
        gettext(
            locale,
            "Someone, perhaps you, tried to create an account with this email address. "
            "You already have an account: log in with your password.",
        ),
        gettext(locale, "If it was not you, ignore this email: nothing has changed."),
    ]
    text, body_html = _compose(
        locale,
        name=None,
        lines=lines,
        link=absolute(LOGIN),
        link_label=gettext(locale, "Log in"),
    )
    subject = gettext(locale, "You already have an account")
    return Rendered(subject=subject, text=text, html=body_html)


def links_email(*, locale: str, links: list[tuple[int, str]]) -> Rendered:
    lines = [gettext(locale, "Here are the links to your support tickets:")]
    lines += [
        f"{gettext(locale, 'Ticket {number}', number=number)}: {link}" for number, link in links
    ]
    text, body_html = _compose(locale, name=None, lines=lines, link=None, link_label=None)
    subject = gettext(locale, "Links to your support tickets")
    return Rendered(subject=subject, text=text, html=body_html)


def _header_safe(value: str) -> str:
    """One line of plain text for a header (C4).

    Line breaks and other control characters go, and so does every "=?" that could start an
    RFC 2047 encoded-word: when folding, Python's email package decodes such a word in a
    display name and writes what it decoded (CR/LF included) into the raw header.
    """
    text = " ".join((value or "").split())  # CR, LF and every other line or space separator
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return text.replace("=?", "= ?")


# RFC 5322 "specials" that separate or delimit addresses ("." is kept: "J. Smith" is common).
_ADDRESS_SPECIALS = str.maketrans(dict.fromkeys('()<>[]:;@\\,"', " "))


def _display_name(value: str | None) -> str:
    """A display name that reads as one name in every parser.

    The header itself is built by `Address`, which quotes an ASCII name; but a name with a
    non-ASCII letter becomes an RFC 2047 encoded-word, and many mail programs decode that word
    first and then split the result on commas and angle brackets: "Zoë, <x@evil.test>" would
    show (and be answered) as two recipients. Without the characters that delimit addresses,
    the decoded name cannot be read as an address list.
    """
    return " ".join(_header_safe(value or "").translate(_ADDRESS_SPECIALS).split())


@functools.lru_cache(maxsize=4)
def _from_header(mail_from: str):
    """The From header, parsed once per MAIL_FROM setting (a header object is immutable)."""
    from_name, from_addr = parseaddr(mail_from)
    return POLICY.header_factory("From", Address(display_name=_display_name(from_name),
                                                 addr_spec=from_addr))  # fmt: skip


def build_message(
    rendered: Rendered,
    *,
    to_email: str,
    to_name: str | None,
    message_id: str,
    references: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message; headers are built from parsed parts, never raw text."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = _from_header(get_settings().mail_from)
    msg["To"] = Address(display_name=_display_name(to_name), addr_spec=_header_safe(to_email))
    msg["Subject"] = _header_safe(rendered.subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg["Precedence"] = "bulk"
    if references:
        msg["References"] = references
        msg["In-Reply-To"] = references
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    # Chosen here, the boundary spares the generator a regex compiled per email to check that
    # its own 63-bit boundary is not in the text: 128 random bits cannot be guessed into it.
    msg.set_boundary(f"=_{secrets.token_hex(16)}")
    return msg
