"""Every visible string is in the catalogs, translated to Czech with its placeholders intact."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from support_portal import i18n
from support_portal.i18n.extract import extract

PACKAGE = Path(i18n.__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog(locale: str):
    path = i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def key(message_id) -> str | tuple[str, ...]:
    return tuple(message_id) if isinstance(message_id, list | tuple) else message_id


@pytest.fixture(scope="module")
def extracted() -> set:
    return {key(m.id) for m in extract() if m.id}


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_the_catalogs_hold_exactly_the_strings_in_the_code(extracted, locale):
    in_catalog = {key(m.id) for m in catalog(locale) if m.id}
    missing = sorted(map(str, extracted - in_catalog))
    stale = sorted(map(str, in_catalog - extracted))
    assert not missing, f"run `make i18n` and translate: {missing[:20]}"
    assert not stale, f"run `make i18n` to drop strings no longer used: {stale[:20]}"


def test_every_string_has_a_czech_translation_with_the_same_placeholders():
    problems = []
    for message in catalog("cs"):
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if isinstance(message.id, list | tuple):
            forms = list(message.string)
            if len(forms) != 3 or not all(forms):
                problems.append(f"Czech needs 3 plural forms: {message.id!r}")
            expected = set(PLACEHOLDER.findall(message.id[1]))
            for form in forms:
                if set(PLACEHOLDER.findall(form)) != expected:
                    problems.append(f"placeholders differ: {message.id!r} -> {form!r}")
        else:
            if not message.string:
                problems.append(f"untranslated: {message.id!r}")
            elif set(PLACEHOLDER.findall(message.string)) != set(PLACEHOLDER.findall(message.id)):
                problems.append(f"placeholders differ: {message.id!r} -> {message.string!r}")
    assert not problems, "\n".join(problems)


# Calls whose text is not a literal must take it from a table marked with _() (checked below).
ALLOWED_DYNAMIC = {
    ("pages/agent_queue.py", "label"),
    ("components/i18n.py", "name"),
    ("components/ui.py", "label"),
    ("pages/category_fields.py", "label"),
    ("states/categories_admin.py", "notice"),
    ("mail/render.py", "NOTICE"),
    ("mail/render.py", "PRODUCT_NAME"),
    ("mail/render.py", "HEADLINES[template]"),
    ("mail/render.py", "ACTIONS[template]"),
    ("mail/render.py", "subject"),
    ("states/actions.py", "ended_text"),
    ("states/actions.py", "failed_text"),
    ("states/base.py", "message"),
    ("states/base.py", "exc.message"),
    ("states/guest.py", "exc.message"),
    ("states/agent_actions.py", "STATUS_NOTICES[action]"),
    ("states/agent_views.py", "label"),
    ("states/agent_views.py", "name"),
    ("states/upload_feedback.py", "FAILURES.get(status, FAILED)"),
    ("i18n/__init__.py", "plural"),
    ("pages/webhook_form.py", "label"),
    ("states/webhook_views.py", "label"),
    ("services/export_archive.py", "text"),  # its local _t(), called with literals
    ("mail/survey_render.py", "QUESTION"),
    ("mail/survey_render.py", "label"),
    ("web/csat.py", "exc.message"),
    ("web/csat.py", "message"),
    ("web/csat.py", "text"),
    ("pages/agent_reports.py", "label"),
    ("states/agent_csat.py", "STATE_LABELS.get(r.state, r.state)"),
    ("states/macros.py", "STATUS_LABELS[actions.status]"),
    ("states/macros.py", "ASSIGN_LABELS[actions.assign]"),
    ("states/macros.py", "PRIORITY_LABELS[actions.priority]"),
    ("states/macros.py", "exc.message"),
    ("states/service_levels_admin.py", "notice"),
    ("states/service_levels_admin.py", "PRIORITY_LABELS[priority]"),
}
TRANSLATING = {"T": 0, "_t": 0, "_": 0, "gettext": 1, "ngettext": 1}


def test_translated_calls_use_literal_strings_or_marked_tables():
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            index = TRANSLATING.get(name or "")
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                continue
            found.add((str(path.relative_to(PACKAGE)), ast.unparse(arg)))
    assert found <= ALLOWED_DYNAMIC, f"unmarked dynamic strings: {sorted(found - ALLOWED_DYNAMIC)}"


def test_translating_functions_are_called_by_their_own_names():
    """The extractor finds strings by the function's name: `t = gettext` or a lambda around
    it hides every string passed to `t` from the catalogs (and so from the check above)."""
    aliases = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if isinstance(value, ast.Lambda):
                value = value.body.func if isinstance(value.body, ast.Call) else None
            name = value.id if isinstance(value, ast.Name) else getattr(value, "attr", None)
            if name in TRANSLATING and path.name != "__init__.py":
                aliases.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert aliases == []


def test_every_email_is_rendered_in_czech_without_english_lines():
    from support_portal.mail.render import HEADLINES, code_email, links_email, ticket_email

    link = "https://portal.test/t/abc"
    emails = {
        "code, ticket": (code_email, {"code": "123456", "number": 12345678, "name": "Jana"}),
        "code, account": (code_email, {"code": "123456", "number": None, "name": None}),
        "links": (links_email, {"links": [(12345678, link)]}),
    }
    for template in HEADLINES:
        emails[template] = (
            ticket_email,
            {"template": template, "number": 12345678, "name": "Jana", "link": link},
        )
    for label, (render, kwargs) in emails.items():
        english, czech = render(locale="en", **kwargs), render(locale="cs", **kwargs)
        assert czech.subject != english.subject, label
        translated = {line.strip() for line in english.text.splitlines()} - {
            "",
            "-- ",
            "--",
            "123456",
            link,
            f"Ticket 12345678: {link}",
        }
        same = [line for line in czech.text.splitlines() if line.strip() in translated]
        assert same == [], (label, same)


def test_the_tables_behind_dynamic_strings_are_in_the_catalog():
    from support_portal.mail.render import ACTIONS, HEADLINES
    from support_portal.pages.agent_queue import VIEW_LABELS
    from support_portal.pages.category_fields import KIND_LABELS, VISIBILITY_LABELS
    from support_portal.services import errors
    from support_portal.services.codes import CodeRejected
    from support_portal.services.guest import InvalidLink
    from support_portal.services.workflow import AGENT_LABELS, CUSTOMER_LABELS
    from support_portal.states.agent_actions import STATUS_NOTICES
    from support_portal.states.agent_views import ACTOR_NAMES
    from support_portal.states.upload_feedback import FAILED, FAILURES

    texts = [label for _, label in (*KIND_LABELS, *VISIBILITY_LABELS, *VIEW_LABELS)]
    texts += list(AGENT_LABELS.values()) + list(CUSTOMER_LABELS.values())
    texts += list(STATUS_NOTICES.values()) + list(CodeRejected.MESSAGES.values())
    texts += list(HEADLINES.values()) + list(ACTIONS.values()) + list(ACTOR_NAMES)
    texts += [*FAILURES.values(), FAILED]
    texts += [InvalidLink.message] + [
        cls.message
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.DomainError)
    ]
    czech = {m.id: m.string for m in catalog("cs") if m.id}
    assert [t for t in texts if not czech.get(t)] == []


def test_czech_has_three_plural_forms():
    assert i18n.ngettext("cs", "{n} minute", "{n} minutes", 1) == "1 minutu"
    assert i18n.ngettext("cs", "{n} minute", "{n} minutes", 3) == "3 minuty"
    assert i18n.ngettext("cs", "{n} minute", "{n} minutes", 5) == "5 minut"
    assert i18n.ngettext("en", "{n} minute", "{n} minutes", 1) == "1 minute"


def test_locale_comes_from_the_browser_header_else_the_default():
    assert i18n.negotiate("cs-CZ,cs;q=0.9,en;q=0.8") == "cs"
    assert i18n.negotiate("de-DE,de;q=0.9") == "en"
    assert i18n.negotiate("de,en;q=0.5,cs;q=0.7") == "cs"
    assert i18n.negotiate(None, default="cs") == "cs"


def test_dates_and_relative_times_follow_the_locale_and_time_zone():
    from datetime import UTC, datetime, timedelta

    moment = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert i18n.format_when("cs", moment, "Europe/Prague") == "25. 11. 2026 13:00:00"
    assert i18n.format_when("en", moment, "America/New_York") == "Nov 25, 2026, 7:00:00\u202fAM"
    assert i18n.format_relative("cs", moment - timedelta(minutes=2), moment) == "před 2 minutami"
    assert i18n.format_relative("en", moment - timedelta(minutes=2), moment) == "2 minutes ago"


def test_emails_are_rendered_in_the_recipients_language():
    from support_portal.mail.render import ticket_email

    czech = ticket_email(
        "agent_replied",
        locale="cs",
        number=12345678,
        name=None,
        link="https://portal.test/tickets/12345678",
    )
    assert czech.subject == "Nová odpověď ve vašem tiketu 12345678"
    assert "Náš tým podpory odpověděl na váš tiket 12345678." in czech.text
    english = ticket_email(
        "agent_replied",
        locale="en",
        number=12345678,
        name=None,
        link="https://portal.test/tickets/12345678",
    )
    assert english.subject == "New reply on your support ticket 12345678"
