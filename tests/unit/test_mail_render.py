"""Notification emails: what they say, how they are built, and that headers stay intact."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

import pytest

from support_portal.mail import render
from support_portal.settings import get_settings

LINK = "http://portal.test/tickets/12345678"
MESSAGE_ID = "<0123abcd@portal.test>"


def email(template: str = "agent_replied", *, name: str | None = "Alice", **kw):
    rendered = render.ticket_email(template, locale="en", number=12345678, name=name, link=LINK)
    return render.build_message(
        rendered,
        to_email=kw.pop("to_email", "alice@example.com"),
        to_name=name,
        message_id=MESSAGE_ID,
        references=kw.pop("references", "<ticket-12345678@portal.test>"),
    )


def sent(message) -> object:
    """The message as the mail server receives it, parsed back."""
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes())


def header_names(raw: bytes) -> list[str]:
    head = raw.split(b"\n\n", 1)[0]
    return [line.split(b":", 1)[0].decode() for line in head.split(b"\n") if line[:1] not in b" \t"]


# Content (R4)


@pytest.mark.parametrize(
    ("template", "subject"),
    [("ticket_received", "Your support ticket 12345678 was received"),
     ("agent_replied", "New reply on your support ticket 12345678"),
     ("info_requested", "We need more information on ticket 12345678"),
     ("resolved", "Your support ticket 12345678 was resolved"),
     ("closed", "Your support ticket 12345678 was closed"),
     ("reminder", "Reminder: ticket 12345678 waits for your answer")],
)  # fmt: skip
def test_each_template_has_a_subject_naming_the_ticket(template, subject):
    assert sent(email(template))["Subject"] == subject


@pytest.mark.parametrize("template", list(render.HEADLINES))
def test_every_email_has_a_text_and_an_html_part_with_the_number_and_the_link(template):
    message = sent(email(template))
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert "12345678" in part
        assert LINK in part
        assert "notification only" in part


def test_the_text_part_greets_by_name_and_says_what_happened():
    text = sent(email("info_requested")).get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Hello Alice,\n")
    assert "We need more information from you on ticket 12345678." in text


def test_an_email_without_a_name_greets_plainly():
    text = sent(email(name=None)).get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Hello,\n")


# Headers (R3, R4)


def test_emails_are_marked_automatic_and_come_from_the_no_reply_sender():
    message = sent(email())
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert parseaddr(str(message["From"])) == parseaddr(get_settings().mail_from)
    assert parseaddr(str(message["To"])) == ("Alice", "alice@example.com")


def test_the_outbox_message_id_is_kept_so_a_resend_is_recognisable():
    assert sent(email())["Message-ID"] == MESSAGE_ID


def test_emails_about_one_ticket_thread_together():
    message = sent(email())
    assert message["References"] == "<ticket-12345678@portal.test>"
    assert message["In-Reply-To"] == "<ticket-12345678@portal.test>"
    assert "References" not in sent(email(references=None))


# Header injection (C4)


@pytest.mark.parametrize(
    "name",
    ["Eve\r\nBcc: a@evil.test", "Eve\nBcc: a@evil.test", "Eve\rBcc: a@evil.test",
     "Eve\r\n\r\nBcc: a@evil.test", "Eve\x0bBcc: a@evil.test", "Eve\u2028Bcc: a@evil.test",
     "=?utf-8?q?Eve=0D=0ABcc:_a@evil.test?=", "Eve =?utf-8?b?DQpCY2M6IGFAZXZpbC50ZXN0?=",
     "==??utf-8?q?=0D=0ABcc:_a@evil.test?="],
)  # fmt: skip
def test_a_name_with_line_breaks_cannot_add_a_bcc_header(name):
    raw = email(name=name).as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert "Bcc" not in header_names(raw)
    assert b"\r" not in head
    assert b"\nBcc:" not in head
    message = sent(email(name=name))
    assert message["Bcc"] is None
    assert parseaddr(str(message["To"]))[1] == "alice@example.com"
    assert len(message.get_all("To")) == 1


ADDRESS_LIST_NAMES = [
    "Eve, <x@evil.test>", "a@b.c, d@e.f", "Zoë, <x@evil.test>", "Žofie a@b.c, d@e.f",
    '"Eve" <x@evil.test>, y@evil.test', "Eve (x@evil.test); y@evil.test", "Ева <x@evil.test>",
    "=?utf-8?q?a=2C_b?= <x@evil.test>", "Zoë\\\", <x@evil.test>",
]  # fmt: skip


def naive_addresses(raw: bytes) -> list[str]:
    """What a mail program that decodes encoded-words before splitting the list reads."""
    import email as email_package
    from email.header import decode_header, make_header
    from email.utils import getaddresses

    to = email_package.message_from_bytes(raw)["To"]
    return [addr for _, addr in getaddresses([str(make_header(decode_header(to)))]) if addr]


@pytest.mark.parametrize("name", ADDRESS_LIST_NAMES)
def test_a_name_that_looks_like_an_address_list_gives_exactly_one_recipient(name):
    import email as email_package
    from email.utils import getaddresses

    from aiosmtplib.email import extract_recipients

    message = email(name=name)
    raw = message.as_bytes()
    parsed = sent(message)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["alice@example.com"]
    compat = email_package.message_from_bytes(raw).get_all("To")
    assert [addr for _, addr in getaddresses(compat)] == ["alice@example.com"]
    assert naive_addresses(raw) == ["alice@example.com"]
    # The SMTP envelope: the client takes RCPT TO from the To header of the message it sends.
    assert extract_recipients(message) == ["alice@example.com"]
    assert extract_recipients(parsed) == ["alice@example.com"]
    assert "evil.test" not in str(parsed["To"]).split("<")[-1]


def test_a_harmless_name_is_kept_as_typed():
    for name in ("Alice Customer", "Zoë Ångström", "J. R. Smith", "Ева Петрова", "O'Brien"):
        assert sent(email(name=name))["To"].addresses[0].display_name == name


def test_the_raw_message_has_only_the_expected_headers():
    names = set(header_names(email(name="Eve\r\nBcc: a@evil.test").as_bytes()))
    assert names == {
        "From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
        "X-Auto-Response-Suppress", "Precedence", "References", "In-Reply-To",
        "Content-Type", "MIME-Version",
    }  # fmt: skip


@pytest.mark.parametrize("name", ["Alice", "Zoë Ångström", "Eve\r\nBcc: a@evil.test", None])
def test_the_shared_header_cache_builds_the_same_bytes_as_the_default_policy(name, monkeypatch):
    def raw() -> bytes:
        message = email(name=name)
        del message["Date"]
        data = message.as_bytes()  # picks the random boundary
        return data.replace(message.get_boundary().encode(), b"BOUNDARY")

    twice_cached = [raw(), raw()]  # the second one is built from cached headers
    monkeypatch.setattr(render, "POLICY", policy.default)
    assert twice_cached == [raw(), raw()]


def test_an_address_with_line_breaks_is_refused_rather_than_sent():
    with pytest.raises(ValueError):
        email(to_email="alice@example.com\r\nBcc: a@evil.test").as_bytes()


def test_names_are_escaped_in_the_html_part():
    message = sent(email(name='<img src=x onerror="alert(1)">'))
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_link_is_escaped_in_the_html_part():
    rendered = render.ticket_email(
        "closed", locale="en", number=1, name=None, link='http://portal.test/t/1-"><script>'
    )
    assert "<script>" not in rendered.html
    assert "&quot;&gt;&lt;script&gt;" in rendered.html


# Codes and lost links


def test_a_code_email_shows_the_code_and_its_lifetime():
    rendered = render.code_email(locale="en", code="042042", number=12345678, name="Gus")
    assert rendered.subject == "Your verification code"
    assert "042042" in rendered.text and "042042" in rendered.html
    assert "expires in 10 minutes" in rendered.text


@pytest.mark.parametrize("locale", ["en", "cs"])
@pytest.mark.parametrize("number", [12345678, None])  # a guest link's code, an account's code
@pytest.mark.parametrize("code", ["682636", "000000", "123456", "999999"])
def test_the_code_is_in_the_body_of_a_code_email_never_in_its_subject(locale, number, code):
    """Subjects show on lock screens and in notification previews (X8)."""
    rendered = render.code_email(locale=locale, code=code, number=number, name=None)
    message = sent(render.build_message(rendered, to_email="gus@example.net", to_name=None,
                                        message_id=MESSAGE_ID))  # fmt: skip
    subject = str(message["Subject"])
    assert subject and code not in subject
    assert not set(code) & set(subject)  # no digit of the code, whatever the ticket number
    assert code in message.get_body(preferencelist=("plain",)).get_content()
    assert code in message.get_body(preferencelist=("html",)).get_content()


def test_no_other_email_puts_a_code_or_a_link_in_its_subject():
    link = "http://portal.test/t/12345678-c2VjcmV0c2VjcmV0c2VjcmV0"
    rendered = [render.links_email(locale="en", links=[(12345678, link)])]
    rendered += [
        render.ticket_email(t, locale="en", number=12345678, name=None, link=link)
        for t in render.HEADLINES
    ]
    for r in rendered:
        assert "/t/" not in r.subject and "c2VjcmV0" not in r.subject


def test_a_lost_links_email_lists_every_link():
    rendered = render.links_email(
        locale="en",
        links=[(11111111, "http://portal.test/t/a"), (22222222, "http://portal.test/t/b")],
    )
    assert "Ticket 11111111: http://portal.test/t/a" in rendered.text
    assert "Ticket 22222222: http://portal.test/t/b" in rendered.text


def test_an_unknown_locale_falls_back_to_english():
    rendered = render.ticket_email("closed", locale="xx", number=7, name=None, link=LINK)
    assert rendered.subject == "Your support ticket 7 was closed"


def test_emails_carry_the_brand_and_its_accent(monkeypatch):
    from support_portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "brand_name", "Acme Exchange")
    monkeypatch.setattr(get_settings(), "brand_accent", "violet")
    rendered = render.ticket_email("agent_replied", locale="en", number=7, name=None, link=LINK)
    assert "Acme Exchange" in rendered.html and "#6e56cf" in rendered.html
    assert "Open ticket 7" in rendered.html  # the "View ticket" button


def test_a_brand_accent_that_fails_contrast_is_refused(monkeypatch):
    from pydantic import ValidationError

    from support_portal.settings import Settings

    monkeypatch.setenv("BRAND_ACCENT", "green")
    with pytest.raises(ValidationError, match="WCAG AA"):
        Settings()
    monkeypatch.setenv("BRAND_ACCENT", "plum")
    monkeypatch.setenv("BRAND_LOGO", "javascript:alert(1)")
    with pytest.raises(ValidationError, match="BRAND_LOGO"):
        Settings()
