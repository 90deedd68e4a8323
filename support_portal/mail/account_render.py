"""Render the emails about an account itself: the password reset code, the "no account with
this address" answer to a reset, and the notices that something changed on the account.

Like every email, notification-only (R4): no secret in the subject (X8), no reply expected.
"""

from __future__ import annotations

import html

from support_portal.i18n import gettext
from support_portal.mail.render import Rendered, _hello
from support_portal.routes import FORGOT_PASSWORD, LOGIN, absolute

# Outbox templates of the notices (services.account_settings, services.password_reset).
NOTICES = frozenset(
    {
        "account_password_reset",
        "account_password_changed",
        "account_email_changed",
        "account_two_factor_reset",
    }
)


def _compose(locale: str, *, name: str | None, lines: list[str], link: str, label: str):
    notice = gettext(
        locale,
        "This email was sent automatically about your account. "
        "Replies to this address are not read.",
    )
    text = "\n".join([_hello(locale, name), "", *lines, "", link, "", "-- ", notice]) + "\n"
    href = html.escape(link, quote=True)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    page = (
        f'<!doctype html><html lang="{html.escape(locale)}"><body style="font-family:'
        f'system-ui,sans-serif;line-height:1.5;color:#111">'
        f"<p>{html.escape(_hello(locale, name))}</p>{body}"
        f'<p><a href="{href}" style="display:inline-block;padding:10px 18px;'
        f'background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">'
        f"{html.escape(label)}</a></p>"
        f'<p style="font-size:12px;color:#555">{html.escape(link)}</p>'
        f'<hr><p style="font-size:12px;color:#555">{html.escape(notice)}</p></body></html>'
    )
    return text, page


def reset_code_email(*, locale: str, code: str) -> Rendered:
    lines = [
        gettext(locale, "Your code to reset the password of your support account is:"),
        code,
        gettext(
            locale,
            "The code expires in 10 minutes. If you did not ask for it, ignore this email: "
            "your password stays the same.",
        ),
    ]
    text, page = _compose(
        locale,
        name=None,
        lines=lines,
        link=absolute(FORGOT_PASSWORD),
        label=gettext(locale, "Reset password"),
    )
    # Never the code in the subject: subjects show on lock screens (X8).
    return Rendered(subject=gettext(locale, "Your password reset code"), text=text, html=page)


def no_account_email(*, locale: str) -> Rendered:
    lines = [
        gettext(
            locale,
            "Someone, perhaps you, asked to reset the password of a support account with this "
            "email address, but there is no account with it.",
        ),
        gettext(
            locale,
            "If it was you, perhaps your account uses another address. If it was not you, "
            "ignore this email.",
        ),
    ]
    text, page = _compose(
        locale, name=None, lines=lines, link=absolute(LOGIN), label=gettext(locale, "Log in")
    )
    return Rendered(subject=gettext(locale, "Password reset request"), text=text, html=page)


def account_notice_email(
    template: str, *, locale: str, name: str | None, params: dict | None = None
) -> Rendered:
    if template == "account_email_changed":
        return _email_changed(locale=locale, name=name, new_email=(params or {}).get("new_email"))
    if template == "account_two_factor_reset":
        return _two_factor_reset(locale=locale, name=name)
    if template == "account_password_reset":
        what = gettext(
            locale,
            "The password of your support account was just reset with a code sent to this "
            "address. Every device that was logged in has been logged out.",
        )
    else:
        what = gettext(
            locale,
            "The password of your support account was just changed in its account settings. "
            "Every other device that was logged in has been logged out.",
        )
    not_you = gettext(
        locale,
        "If it was not you, reset your password now with the link below and contact support.",
    )
    text, page = _compose(
        locale,
        name=name,
        lines=[what, not_you],
        link=absolute(FORGOT_PASSWORD),
        label=gettext(locale, "Reset password"),
    )
    subject = gettext(locale, "The password of your support account was changed")
    return Rendered(subject=subject, text=text, html=page)


def _email_changed(*, locale: str, name: str | None, new_email: str | None) -> Rendered:
    lines = [
        gettext(
            locale,
            "The email address of your support account was changed to {address}. Emails about "
            "your account and tickets now go there.",
            address=new_email or "?",
        ),
        gettext(
            locale,
            "If it was not you, contact support at once: someone may be using your account.",
        ),
    ]
    text, page = _compose(
        locale, name=name, lines=lines, link=absolute(LOGIN), label=gettext(locale, "Log in")
    )
    subject = gettext(locale, "The email address of your support account was changed")
    return Rendered(subject=subject, text=text, html=page)


def _two_factor_reset(*, locale: str, name: str | None) -> Rendered:
    lines = [
        gettext(
            locale,
            "An administrator turned off two-factor authentication of your support account. "
            "Your authenticator app and recovery codes no longer work; set it up again in your "
            "account settings after you log in.",
        ),
        gettext(
            locale,
            "If you did not ask for this, contact your administrator at once.",
        ),
    ]
    text, page = _compose(
        locale, name=name, lines=lines, link=absolute(LOGIN), label=gettext(locale, "Log in")
    )
    subject = gettext(locale, "Two-factor authentication of your support account was reset")
    return Rendered(subject=subject, text=text, html=page)
